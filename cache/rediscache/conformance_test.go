package rediscache_test

import (
	"context"
	"errors"
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
	for _, noNear := range []bool{false, true} {
		name := "near cache"
		if noNear {
			name = "no near cache"
		}
		t.Run(name, func(t *testing.T) {
			u := mustURL(t, testserver.Redis(t))
			cachetest.Run(t, func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
				cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, u
				o := cache.Options{}
				if opts != nil {
					o = *opts
				}
				o.DisableNearCache = noNear
				if o.Timeout == 0 {
					// The suite checks behaviour, not latency: a loaded CI
					// machine under -race can take more than the default
					// 100ms for a loopback call.
					o.Timeout = 2 * time.Second
				}
				c, err := cache.New[cachetest.Item](t.Context(), cfg, &o)
				if err == nil {
					t.Cleanup(func() { _ = c.Close() })
				}
				return c, err
			})
		})
	}
}

// TestNewErrors: a bad or unreachable CACHE_URL fails cache.New with an
// error that names CACHE_URL and never shows the password.
func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
	}{
		{"unreachable", "redis://:" + canary + "@127.0.0.1:1/0"},
		{"bad db", "redis://:" + canary + "@127.0.0.1:6379/x"},
		{"query", "redis://:" + canary + "@127.0.0.1:6379/0?timeout=1s"}, // dial_timeout is an option since internal/cacheurl
		{"scheme", "rediz://:" + canary + "@127.0.0.1:6379/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: mustURL(t, tt.url), SecretKey: sharedKey}
			c, err := cache.New[string](context.Background(), cfg, nil)
			if err == nil {
				_ = c.Close()
				t.Fatal("New = nil error, want one")
			}
			t.Logf("New error: %v", err)
			if strings.Contains(err.Error(), canary) {
				t.Errorf("New error quotes the password: %v", err)
			}
			if !strings.Contains(err.Error(), "CACHE_URL") || !strings.Contains(err.Error(), prodready.Redacted) {
				t.Errorf("New error = %q, want it to name CACHE_URL and show the redacted URL", err)
			}
		})
	}
}

func newCache(t *testing.T, url prodready.SecretURL, ns string, opts *cache.Options) *cache.Cache[string] {
	t.Helper()
	c, err := cache.New[string](context.Background(), prodready.Base{
		CacheBackend: prodready.CacheRedis, CacheURL: url, CacheTTL: time.Minute, CacheNamespace: ns, SecretKey: sharedKey,
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestTwoInstances: two caches on one server; A updates a key, and B's
// near cache serves the new value within 50ms.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := mustURL(t, testserver.Redis(t))
	ns := testserver.Namespace(t)
	a := newCache(t, u, ns, nil)
	b := newCache(t, u, ns, nil)
	if err := a.Set(ctx, "hot", "v0"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, func() bool { v, _, _ := b.Get(ctx, "hot"); return v == "v0" })
	var worst time.Duration
	for i := 1; i <= 20; i++ {
		// B reads the key from its near cache a few times.
		for range 3 {
			if _, ok, err := b.Get(ctx, "hot"); !ok || err != nil {
				t.Fatalf("b.Get = %v, %v", ok, err)
			}
		}
		want := "v" + string(rune('0'+i%10)) + string(rune('a'+i))
		if err := a.Set(ctx, "hot", want); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		waitFor(t, 50*time.Millisecond, func() bool { v, _, _ := b.Get(ctx, "hot"); return v == want })
		worst = max(worst, time.Since(start))
	}
	t.Logf("B saw A's updates within %v (worst of 20)", worst)
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
	u := mustURL(t, testserver.Redis(t))
	ns := testserver.Namespace(t)
	opts := &cache.Options{LockLease: lockBound, LockWait: lockBound, Timeout: sharedTimeout}
	caches := []*cache.Cache[string]{newCache(t, u, ns, opts), newCache(t, u, ns, opts)}
	var loads atomic.Int32
	loader := func(context.Context) (string, error) {
		loads.Add(1)
		time.Sleep(100 * time.Millisecond) // a slow source
		return "v", nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		c := caches[i%2]
		wg.Go(func() {
			v, err := c.GetOrLoad(ctx, "k", loader)
			if err == nil && v != "v" {
				err = errors.New("wrong value " + v)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("loader called %d times across two instances, want 1", n)
	}
}
