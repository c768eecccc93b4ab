package rediscache_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// sharedKey is the SecretKey of the caches that share entries across
// tests' instances (cache.New refuses a redis backend without one).
var sharedKey = prodready.NewSecret(rand.Text() + rand.Text())

// TestEntryAuth forges entries on the real server with a raw client.
func TestEntryAuth(t *testing.T) {
	t.Parallel()
	u := mustURL(t, testserver.Redis(t))
	cachetest.RunEntryAuth(t, func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
		cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, u
		o := *opts
		o.Timeout = 2 * time.Second
		c, err := cache.New[cachetest.Item](t.Context(), cfg, &o)
		if err == nil {
			t.Cleanup(func() { _ = c.Close() })
		}
		return c, err
	}, func(t *testing.T, ns string) cache.Backend {
		s, err := rediscache.New(t.Context(), u, &rediscache.Options{Namespace: ns, Timeout: 2 * time.Second, DisableClientCache: true})
		if err != nil {
			t.Fatalf("raw client: %v", err)
		}
		return s
	})
}
