package rediscache

import (
	"strconv"
	"testing"
	"time"
)

// TestTrackerOverflowResets: past maxTracked keys the tracker forgets
// them and treats writes as writes of cached keys, but only until values
// cached before then have aged out of the client-side cache.
func TestTrackerOverflowResets(t *testing.T) {
	t.Parallel()
	const cacheTTL = time.Minute
	tr := newTracker(cacheTTL)
	now := time.Unix(1_800_000_000, 0)
	for i := range maxTracked + 1 {
		tr.read(strconv.Itoa(i), now)
	}
	tr.wrote("never read", now)
	if tr.npending.Load() != 1 {
		t.Fatalf("a write during overflow left %d keys pending, want 1", tr.npending.Load())
	}
	later := now.Add(cacheTTL + time.Second)
	tr.wrote("never read either", later)
	if _, ok := tr.pending["never read either"]; ok {
		t.Error("a write of a key never read is pending a ClientCacheTTL after the overflow")
	}
	if len(tr.tracked) > maxTracked {
		t.Errorf("%d keys tracked, want at most %d", len(tr.tracked), maxTracked)
	}
}

// TestStaleLockFree: a Get checks for a pending write of its key without
// the tracker's lock when no write of its stripe is pending, and with a
// shared lock when one is.
func TestStaleLockFree(t *testing.T) {
	t.Parallel()
	tr := newTracker(time.Minute)
	now := time.Now()
	tr.read("a", now)
	tr.wrote("a", now)
	other := "b"
	for i := 0; tr.stripe(other) == tr.stripe("a"); i++ {
		other = "b" + strconv.Itoa(i)
	}
	if !tr.stale("a") { // prunes once, then not for invalidationWait
		t.Fatal("a written key is not stale")
	}
	try := func(k string) (stale, returned bool) {
		done := make(chan bool, 1)
		go func() { done <- tr.stale(k) }()
		select {
		case v := <-done:
			return v, true
		case <-time.After(time.Second):
			return false, false
		}
	}
	tr.mu.Lock()
	stale, ok := try(other)
	tr.mu.Unlock()
	if !ok {
		t.Error("stale(a key of another stripe) waited for the tracker's lock")
	} else if stale {
		t.Error("stale(a key never written) = true")
	}
	tr.mu.RLock()
	stale, ok = try("a")
	tr.mu.RUnlock()
	if !ok {
		t.Error("stale(a pending key) waited for a shared lock held by another reader")
	} else if !stale {
		t.Error("stale(a pending key) = false")
	}
}
