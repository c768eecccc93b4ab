package memcached_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/internal/testserver"
)

func TestConformance(t *testing.T) {
	u := mustURL(t, "memcached://"+testserver.Memcached(t))
	cachetest.Run(t, func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
		cfg.CacheBackend, cfg.CacheURL = prodready.CacheMemcached, u
		o := cache.Options{}
		if opts != nil {
			o = *opts
		}
		if o.Timeout == 0 {
			// The suite checks behaviour, not latency: a loaded CI machine
			// under -race can take more than the default 100ms for a
			// loopback call.
			o.Timeout = 2 * time.Second
		}
		c, err := cache.New[cachetest.Item](t.Context(), cfg, &o)
		if err == nil {
			t.Cleanup(func() { _ = c.Close() })
		}
		return c, err
	})
}

// TestNewErrors: a bad or unreachable CACHE_URL fails cache.New with an
// error that names CACHE_URL and never shows a password.
func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
	}{
		{"unreachable", "memcached://127.0.0.1:1"},
		{"password", "memcached://u:" + canary + "@127.0.0.1:11211"},
		{"path", "memcached://127.0.0.1:11211/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := prodready.Base{CacheBackend: prodready.CacheMemcached, CacheURL: mustURL(t, tt.url), SecretKey: sharedKey}
			c, err := cache.New[string](context.Background(), cfg, nil)
			if err == nil {
				_ = c.Close()
				t.Fatal("New = nil error, want one")
			}
			t.Logf("New error: %v", err)
			if strings.Contains(err.Error(), canary) {
				t.Errorf("New error quotes the password: %v", err)
			}
			if !strings.Contains(err.Error(), "CACHE_URL") {
				t.Errorf("New error = %q, want it to name CACHE_URL", err)
			}
		})
	}
}

// lockBound is the lease and lock wait of TestLoadOnceAcrossInstances:
// far above the 100ms load, so that a starved machine (2 shared cores,
// -race) does not see the lease expire, or a waiter give up and load
// itself, before the load is stored. Only a failing run waits that long.
const lockBound = 10 * time.Second

// TestLoadOnceAcrossInstances: concurrent misses on one key in two caches
// sharing a server call the loader once.
func TestLoadOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := mustURL(t, "memcached://"+testserver.Memcached(t))
	ns := testserver.Namespace(t)
	var caches []*cache.Cache[string]
	for range 2 {
		c, err := cache.New[string](ctx, prodready.Base{
			CacheBackend: prodready.CacheMemcached, CacheURL: u, CacheTTL: time.Minute, CacheNamespace: ns, SecretKey: sharedKey,
		}, &cache.Options{LockLease: lockBound, LockWait: lockBound, Timeout: sharedTimeout})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		caches = append(caches, c)
	}
	var loads atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		c := caches[i%2]
		wg.Go(func() {
			v, err := c.GetOrLoad(ctx, "k", func(context.Context) (string, error) {
				loads.Add(1)
				time.Sleep(100 * time.Millisecond)
				return "v", nil
			})
			if err != nil || v != "v" {
				t.Errorf("GetOrLoad = %q, %v", v, err)
			}
		})
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("loader called %d times across two instances, want 1", n)
	}
}
