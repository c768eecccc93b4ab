package cache_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/internal/testserver"
)

// BenchmarkRemoteRoundTrip measures the calls whose cost the coherence
// work changed on the redis and memcached backends: a GetOrLoad miss (a
// lookup, the lease, the loader and the store), a Set and a Delete, and a
// Get that goes to the server. Run the old and new commits back to back
// (see docs/CACHE.md, "Coherence").
func BenchmarkRemoteRoundTrip(b *testing.B) {
	for _, kind := range []prodready.CacheBackend{prodready.CacheRedis, prodready.CacheMemcached} {
		b.Run(string(kind), func(b *testing.B) {
			raw := ""
			if kind == prodready.CacheRedis {
				raw = testserver.Redis(b)
			} else {
				raw = "memcached://" + testserver.Memcached(b)
			}
			u, err := prodready.ParseSecretURL(raw)
			if err != nil {
				b.Fatal(err)
			}
			cfg := prodready.Base{CacheBackend: kind, CacheURL: u, CacheNamespace: testserver.Namespace(b), SecretKey: cachetest.Key(b)}
			c, err := cache.New[string](context.Background(), cfg, &cache.Options{DisableNearCache: true})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			load := func(context.Context) (string, error) { return "loaded", nil }
			b.Run("GetOrLoad-miss", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := c.GetOrLoad(ctx, "miss"+strconv.Itoa(i), load); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Set", func(b *testing.B) {
				for b.Loop() {
					if err := c.Set(ctx, "set", "v"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Delete", func(b *testing.B) {
				for b.Loop() {
					if err := c.Delete(ctx, "del"); err != nil {
						b.Fatal(err)
					}
				}
			})
			if err := c.Set(ctx, "hit", "v"); err != nil {
				b.Fatal(err)
			}
			b.Run("Get-hit", func(b *testing.B) {
				for b.Loop() {
					if _, ok, err := c.Get(ctx, "hit"); err != nil || !ok {
						b.Fatal(ok, err)
					}
				}
			})
		})
	}
}
