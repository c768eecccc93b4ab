package memcached_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/internal/testserver"
)

// TestKeyCollisions: no cache key reads the entry of another, or a lease:
// not a literal key that looks like the hash of a key memcached refuses,
// nor a key that looks like the lease of another.
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
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
