package memcached_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/internal/testserver"
)

// TestLease checks the lease of a miss, kept in the key itself (the issue
// "Coherence: a write is never undone by a load that started before it"):
// readers see a miss, a second lease is refused, and a Set or Delete of
// the key from anywhere ends the lease, so that the fenced store is
// refused.
func TestLease(t *testing.T) {
	t.Parallel()
	addr := testserver.Memcached(t)
	ns := testserver.Namespace(t)
	s := newStore(t, addr, &memcached.Options{Namespace: ns})
	other := newStore(t, addr, &memcached.Options{Namespace: ns})
	cachetest.RunFencer(t, s, other)
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
	srv := testserver.StartMemcached(t)
	s := newStore(t, srv.Addr(), &memcached.Options{Namespace: "a", Timeout: 2 * time.Second})
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	_, _, err := s.TryLock(ctx, "k", time.Minute)
	cancel()
	srv.Resume()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("TryLock on a paused server = %v, want context.DeadlineExceeded", err)
	}
	waitFor(t, 3*time.Second, func() bool {
		rel, ok, _ := s.TryLock(context.Background(), "k", time.Minute)
		if ok {
			_ = rel(context.Background())
		}
		return ok
	})
}
