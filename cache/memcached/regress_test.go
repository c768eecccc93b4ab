package memcached_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/internal/testserver"
)

// TestHugeTTL: a TTL or lease too long for memcached's expiry field is
// cut to the longest it takes, not wrapped to an expiry in the past.
func TestHugeTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, testserver.Memcached(t), &memcached.Options{Namespace: testserver.Namespace(t)})
	for _, ttl := range []time.Duration{math.MaxInt64, math.MaxInt64 - time.Nanosecond, 100 * 365 * 24 * time.Hour} {
		if err := s.Set(ctx, "k", []byte("v"), ttl); err != nil {
			t.Fatalf("Set(ttl %v) = %v", ttl, err)
		}
		if _, ok, err := s.Get(ctx, "k"); !ok || err != nil {
			t.Errorf("Get after Set(ttl %v) = %v, %v; want the value", ttl, ok, err)
		}
	}
	if _, ok, err := s.TryLock(ctx, "l", math.MaxInt64); !ok || err != nil {
		t.Fatalf("TryLock(lease MaxInt64) = %v, %v", ok, err)
	}
	if _, ok, _ := s.TryLock(ctx, "l", time.Second); ok {
		t.Error("a lease of MaxInt64 is gone at once")
	}
}

// TestKeyCollisions: no cache key reads the entry of another, or a lease:
// not a literal key that looks like the hash of a key memcached refuses,
// nor a key that looks like the lease of another.
func TestKeyCollisions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := testserver.Namespace(t)
	s := newStore(t, testserver.Memcached(t), &memcached.Options{Namespace: ns})

	victim := "user:alice smith" // a space: hashed
	sum := sha256.Sum256([]byte(ns + ":" + victim))
	forged := "sha256:" + hex.EncodeToString(sum[:])
	if err := s.Set(ctx, victim, []byte("alice's data"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := s.Get(ctx, forged); ok {
		t.Errorf("Get(%q) = %q, the entry of %q", forged, v, victim)
	}
	if err := s.Set(ctx, forged, []byte("forged"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := s.Get(ctx, victim); string(v) != "alice's data" {
		t.Errorf("Get(%q) = %q after Set(%q), want alice's data", victim, v, forged)
	}

	release, ok, err := s.TryLock(ctx, "x", time.Minute)
	if !ok || err != nil {
		t.Fatalf("TryLock = %v, %v", ok, err)
	}
	defer func() { _ = release(ctx) }()
	for _, k := range []string{"x\x00lock", "sha256:lock:x"} {
		if v, ok, _ := s.Get(ctx, k); ok {
			t.Errorf("Get(%q) = %q, the lease of x", k, v)
		}
	}
	if err := s.Set(ctx, "y\x00lock", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if rel, ok, err := s.TryLock(ctx, "y", time.Minute); !ok || err != nil {
		t.Errorf("TryLock(y) after Set(y\\x00lock) = %v, %v; want the lease", ok, err)
	} else {
		_ = rel(ctx)
	}
}

// TestCallerContextPaused: on a hung server, a call returns the caller's
// context error when it ends, not after the Store's longer timeout.
func TestCallerContextPaused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	t.Parallel()
	srv := testserver.StartMemcached(t)
	s := newStore(t, srv.Addr(), &memcached.Options{Namespace: "p", Timeout: time.Second})
	if err := s.Set(context.Background(), "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	defer srv.Resume()
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Get", func(ctx context.Context) error { _, _, err := s.Get(ctx, "k"); return err }},
		{"Set", func(ctx context.Context) error { return s.Set(ctx, "k", []byte("v"), time.Minute) }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, "k") }},
		{"TryLock", func(ctx context.Context) error { _, _, err := s.TryLock(ctx, "k", time.Second); return err }},
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		start := time.Now()
		err := c.call(ctx)
		d := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with a 20ms context on a paused server = %v, want context.DeadlineExceeded", c.name, err)
		}
		// ~20ms; the slack leaves room for a loaded machine, and the
		// bound stays below the 1s timeout.
		if d > 20*time.Millisecond+pauseSlack {
			t.Errorf("%s with a 20ms context on a paused server took %v", c.name, d)
		}
	}
}

// TestAbandonedLeaseReleased: a lease taken after the caller of TryLock
// gave up is released, not held for its whole length by nobody.
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
