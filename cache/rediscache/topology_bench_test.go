package rediscache_test

import (
	"context"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// BenchmarkTopology reads one hot key on a private single server and on a
// private 3-node Redis Cluster: through cache.Cache, whose near cache
// serves it from process memory (JSON decode included), and as a GET round
// trip through a Store without the near cache. The target: a near-cache
// hit on the cluster within 1.2x of one on a single server
// (docs/BENCHMARKS.md, "Redis topologies").
func BenchmarkTopology(b *testing.B) {
	single := testserver.StartRedis(b)
	cluster := testserver.StartRedisCluster(b, 3)
	ctx := context.Background()
	const value = "a value of a few dozen bytes, like a small JSON row"
	for _, top := range []struct{ name, url string }{
		{"single", single.RedisURL()},
		{"cluster", cluster.URL()},
	} {
		u := mustURL(b, top.url)
		b.Run("topology="+top.name+"/op=near-hit", func(b *testing.B) {
			c, err := cache.New[string](ctx, prodready.Base{
				CacheBackend: prodready.CacheRedis, CacheURL: u, CacheTTL: time.Hour, CacheNamespace: "bench", SecretKey: sharedKey,
			}, &cache.Options{Timeout: sharedTimeout})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			if err := c.Set(ctx, "hot", value); err != nil {
				b.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond) // the write's invalidation
			for range 3 {
				_, _, _ = c.Get(ctx, "hot")
			}
			b.ReportAllocs()
			for b.Loop() {
				if v, ok, err := c.Get(ctx, "hot"); !ok || err != nil || len(v) != len(value) {
					b.Fatalf("Get = %q, %v, %v", v, ok, err)
				}
			}
		})
		b.Run("topology="+top.name+"/op=GET", func(b *testing.B) {
			s := newStore(b, top.url, &rediscache.Options{Namespace: "bench-get", DisableClientCache: true})
			if err := s.Set(ctx, "hot", []byte(value), time.Hour); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if v, ok, err := s.Get(ctx, "hot"); !ok || err != nil || len(v) != len(value) {
					b.Fatalf("Get = %q, %v, %v", v, ok, err)
				}
			}
		})
	}
}
