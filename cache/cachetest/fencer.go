package cachetest

import (
	"context"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

// A FencedStore is a remote store with the lease of a miss in the key
// itself (cache.Fencer): rediscache.Store and memcached.Store.
type FencedStore interface {
	cache.Backend
	cache.Fencer
}

// RunFencer checks the lease of a miss, kept in the key itself (the issue
// "Coherence: a write is never undone by a load that started before it"):
// readers see a miss, a second lease is refused, and a Set or Delete of
// the key from anywhere ends the lease, so that the fenced store is
// refused. s and other are two stores (two processes) on one server under
// one namespace.
func RunFencer(t *testing.T, s, other FencedStore) {
	t.Helper()
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
