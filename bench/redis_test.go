package bench

import (
	"context"
	"crypto/rand"
	"net"
	"os"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	// cache.New finds the redis backend only when it is imported.
	_ "github.com/prodready/prodready/cache/rediscache"
)

// redisURL returns the test Redis server's URL, or skips b when none
// answers (PRODREADY_TEST_REDIS_URL, default redis://127.0.0.1:6379/0).
func redisURL(b *testing.B) prodready.SecretURL {
	b.Helper()
	raw := os.Getenv("PRODREADY_TEST_REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	u, err := prodready.ParseSecretURL(raw)
	if err != nil {
		b.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.URL().Host, 500*time.Millisecond)
	if err != nil {
		b.Skipf("no redis server at %v: %v", u, err)
	}
	c.Close()
	return u
}

// BenchmarkRedisHotKey reads one hot key: through cache.Cache on the redis
// backend, whose near cache (server-assisted client-side caching) serves it
// from process memory, and as a plain GET round trip with rueidis. The
// target is a near-cache hit at least 20 times faster than the round trip.
func BenchmarkRedisHotKey(b *testing.B) {
	u := redisURL(b)
	ctx := context.Background()
	ns := "bench-" + rand16()
	value := "a value of a few dozen bytes, like a small JSON row"

	b.Run("impl=near-cache", func(b *testing.B) {
		c, err := cache.New[string](ctx, prodready.Base{
			CacheBackend: prodready.CacheRedis, CacheURL: u, CacheTTL: time.Hour, CacheNamespace: ns,
			SecretKey: prodready.NewSecret("bench-" + rand16() + rand16()),
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.Set(ctx, "hot", value); err != nil {
			b.Fatal(err)
		}
		// Wait until the near cache holds the value.
		for range 100 {
			if _, ok, _ := c.Get(ctx, "hot"); ok {
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.ReportAllocs()
		for b.Loop() {
			if v, ok, err := c.Get(ctx, "hot"); !ok || err != nil || len(v) != len(value) {
				b.Fatalf("Get = %q, %v, %v", v, ok, err)
			}
		}
	})

	b.Run("impl=plain-GET", func(b *testing.B) {
		opt := rueidis.ClientOption{InitAddress: []string{u.URL().Host}, DisableCache: true, ForceSingleClient: true}
		if pw, ok := u.URL().User.Password(); ok {
			opt.Password = pw
		}
		rc, err := rueidis.NewClient(opt)
		if err != nil {
			b.Fatal(err)
		}
		defer rc.Close()
		key := ns + ":plain"
		if err := rc.Do(ctx, rc.B().Set().Key(key).Value(value).Ex(time.Hour).Build()).Error(); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			v, err := rc.Do(ctx, rc.B().Get().Key(key).Build()).ToString()
			if err != nil || len(v) != len(value) {
				b.Fatalf("GET = %q, %v", v, err)
			}
		}
	})
}

func rand16() string {
	return rand.Text()[:16]
}
