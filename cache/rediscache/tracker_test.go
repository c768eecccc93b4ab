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
