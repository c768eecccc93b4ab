package memcached_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
	ctx := context.Background()
	tests := []struct {
		name      string
		between   func(t *testing.T, key string) // after the lease, before the store
		wantStore bool
		want      string // the value read after the store; "" for a miss
	}{
		{name: "store", wantStore: true, want: "loaded"},
		{name: "set by another store", between: func(t *testing.T, key string) {
			if err := other.Set(ctx, key, []byte("written"), time.Minute); err != nil {
				t.Fatal(err)
			}
		}, want: "written"},
		{name: "delete by another store", between: func(t *testing.T, key string) {
			if err := other.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "lease-" + tt.name
			store, release, ok, err := s.Lease(ctx, key, time.Minute, nil)
			if err != nil || !ok {
				t.Fatalf("Lease = %v, %v, want the lease", ok, err)
			}
			defer func() { _ = release(ctx) }()
			if v, found, err := other.Get(ctx, key); err != nil || found {
				t.Fatalf("Get of a leased key = %q, %v, %v, want a miss", v, found, err)
			}
			if _, _, ok, err := other.Lease(ctx, key, time.Minute, nil); err != nil || ok {
				t.Fatalf("second Lease = %v, %v, want refused", ok, err)
			}
			if tt.between != nil {
				tt.between(t, key)
			}
			stored, err := store(ctx, []byte("loaded"), time.Minute)
			if err != nil || stored != tt.wantStore {
				t.Fatalf("store = %v, %v, want %v", stored, err, tt.wantStore)
			}
			v, found, err := other.Get(ctx, key)
			if err != nil || string(v) != tt.want || found != (tt.want != "") {
				t.Fatalf("Get after the store = %q, %v, %v, want %q", v, found, err, tt.want)
			}
			if err := release(ctx); err != nil {
				t.Fatalf("release after the store: %v", err)
			}
			if v, _, _ := other.Get(ctx, key); string(v) != tt.want {
				t.Fatalf("release removed %q", tt.want)
			}
		})
	}
	t.Run("over unusable bytes", func(t *testing.T) {
		if err := other.Set(ctx, "over", []byte("expired entry"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, _, ok, err := s.Lease(ctx, "over", time.Minute, nil); err != nil || ok {
			t.Fatalf("Lease over a value = %v, %v, want refused", ok, err)
		}
		if _, _, ok, err := s.Lease(ctx, "over", time.Minute, []byte("other bytes")); err != nil || ok {
			t.Fatalf("Lease over other bytes = %v, %v, want refused", ok, err)
		}
		store, _, ok, err := s.Lease(ctx, "over", time.Minute, []byte("expired entry"))
		if err != nil || !ok {
			t.Fatalf("Lease over the same bytes = %v, %v, want the lease", ok, err)
		}
		if stored, err := store(ctx, []byte("loaded"), time.Minute); err != nil || !stored {
			t.Fatalf("store = %v, %v", stored, err)
		}
	})
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
