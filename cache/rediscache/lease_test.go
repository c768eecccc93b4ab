package rediscache_test

import (
	"context"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestLease checks the lease of a miss, kept in the key itself (the issue
// "Coherence: a write is never undone by a load that started before it"):
// readers see a miss, a second lease is refused, and a Set or Delete of
// the key from anywhere ends the lease, so that the fenced store is
// refused.
func TestLease(t *testing.T) {
	t.Parallel()
	addr := testserver.Redis(t)
	ns := testserver.Namespace(t)
	s := newStore(t, addr, &rediscache.Options{Namespace: ns})
	other := newStore(t, addr, &rediscache.Options{Namespace: ns})
	cachetest.RunFencer(t, s, other)
}

// TestLockKeyCollision: no cache key reads or blocks a lease.
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
func TestLockKeyCollision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t)})
	release, ok, err := s.TryLock(ctx, "x", time.Minute)
	if !ok || err != nil {
		t.Fatalf("TryLock = %v, %v", ok, err)
	}
	defer func() { _ = release(ctx) }()
	if v, ok, _ := s.Get(ctx, "x\x00lock"); ok {
		t.Errorf("Get(x\\x00lock) = %q, the lease of x", v)
	}
	if err := s.Set(ctx, "y\x00lock", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if rel, ok, err := s.TryLock(ctx, "y", time.Minute); !ok || err != nil {
		t.Errorf("TryLock(y) after Set(y\\x00lock) = %v, %v; want the lease", ok, err)
	} else {
		_ = rel(ctx)
	}
	if got, ok, _ := s.Get(ctx, "y\x00lock"); !ok || string(got) != "v" {
		t.Errorf("Get(y\\x00lock) = %q, %v; want v", got, ok)
	}
}

// TestAbandonedLeaseReleased: a lease taken after the caller of TryLock
// gave up is released, not held for its whole length by nobody.
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
func TestAbandonedLeaseReleased(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	t.Parallel()
	srv := testserver.StartRedis(t)
	s := newStore(t, srv.RedisURL(), &rediscache.Options{Namespace: "a", Timeout: 2 * time.Second})
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	start := time.Now()
	_, _, err := s.TryLock(ctx, "k", time.Minute)
	d := time.Since(start)
	cancel()
	srv.Resume()
	if err != ctx.Err() {
		t.Fatalf("TryLock on a paused server = %v, want the caller's %v", err, ctx.Err())
	}
	// ~20ms; the slack leaves room for a loaded machine, and the bound
	// stays below the 2s timeout.
	if d > 20*time.Millisecond+pauseSlack {
		t.Errorf("TryLock with a 20ms context on a paused server took %v", d)
	}
	waitFor(t, 3*time.Second, func() bool {
		rel, ok, _ := s.TryLock(context.Background(), "k", time.Minute)
		if ok {
			_ = rel(context.Background())
		}
		return ok
	})
}
