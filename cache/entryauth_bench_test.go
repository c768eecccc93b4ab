package cache_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// BenchmarkEntryAuth measures what the entry MAC costs on the redis
// backend: a Get of a hot key served by the near cache (no round trip,
// where the MAC is the largest share) and a Get that goes to the server
// (one loopback round trip). mac=off is the same Cache without a key, the
// decode path before entries were authenticated (but for 16 more bytes
// per entry), so that both run in one process and compare:
//
//	go test -run '^$' -bench BenchmarkEntryAuth -benchtime 20000x -count 3 ./cache/
func BenchmarkEntryAuth(b *testing.B) {
	u, err := prodready.ParseSecretURL(testserver.Redis(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	value := benchRow{42, "a row of a few dozen bytes, like an item", 1999, []string{"a", "b"}}
	for _, path := range []string{"near-cache", "round-trip"} {
		for _, mac := range []bool{false, true} {
			name := "path=" + path + "/mac=off"
			if mac {
				name = "path=" + path + "/mac=on"
			}
			b.Run(name, func(b *testing.B) {
				ns := testserver.Namespace(b)
				s, err := rediscache.New(ctx, u, &rediscache.Options{Namespace: ns, Timeout: time.Second, DisableClientCache: path == "round-trip"})
				if err != nil {
					b.Fatal(err)
				}
				cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u, CacheTTL: time.Hour, CacheNamespace: ns}
				if mac {
					cfg.SecretKey = prodready.NewSecret(rand.Text() + rand.Text())
				}
				c, err := cache.NewWithBackend[benchRow](ctx, cfg, &cache.Options{Timeout: time.Second}, s)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				if err := c.Set(ctx, "hot", value); err != nil {
					b.Fatal(err)
				}
				for range 100 { // until the near cache holds it
					if _, ok, _ := c.Get(ctx, "hot"); ok {
						break
					}
					time.Sleep(time.Millisecond)
				}
				b.ReportAllocs()
				for b.Loop() {
					if v, ok, err := c.Get(ctx, "hot"); !ok || err != nil || v.ID != 42 {
						b.Fatalf("Get = %+v, %v, %v", v, ok, err)
					}
				}
				if st := c.Stats(); st.AuthFailures != 0 {
					b.Fatalf("AuthFailures = %d", st.AuthFailures)
				}
			})
		}
	}
}

// benchRow is a small JSON row, the size of a typical cached entry.
type benchRow struct {
	ID    int      `json:"id"`
	Name  string   `json:"name"`
	Price int      `json:"price_cents"`
	Tags  []string `json:"tags"`
}
