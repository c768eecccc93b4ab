package engine

import (
	"testing"
	"time"

	"github.com/prodready/prodready/cache/internal/policy"
)

// pending counts the records waiting in b's rings.
func pending(b *buffer) uint64 {
	var n uint64
	for i := range b.rings {
		n += b.rings[i].tail.Load() - b.rings[i].head.Load()
	}
	return n
}

// TestBackgroundDrainDrainsWithoutWrites: with BackgroundDrain, reads that
// fill a ring are drained by the engine's goroutine, with no write to
// drain them and no reader paying for it; the hits reach the policy (the
// entry read survives the next eviction); and Stop ends the goroutine
// (goleak in TestMain).
func TestBackgroundDrainDrainsWithoutWrites(t *testing.T) {
	t.Parallel()
	var hits int
	e, err := New(&Options[int]{
		Capacity:        2,
		BackgroundDrain: true,
		Policy: func(c uint64) policy.Policy {
			return countingPolicy{Policy: policy.NewLRU(c), hits: &hits}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	e.Set("a", 1)
	e.Set("b", 2)
	for range 4 * ringSize {
		if _, ok := e.GetIfPresent("a"); !ok {
			t.Fatal("a missing")
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.mu.Lock()
		n, h := pending(&e.hits), hits
		e.mu.Unlock()
		if h > 0 && n < ringSize {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d records pending, %d hits drained; want the drainer to have run", n, h)
		}
		time.Sleep(time.Millisecond)
	}
	e.Set("c", 3) // evicts the least recently used: b, not a
	if _, ok := e.GetIfPresent("a"); !ok {
		t.Error("a was evicted although it was read: its hits did not reach the policy")
	}
	if _, ok := e.GetIfPresent("b"); ok {
		t.Error("b survived: the policy did not see a's hits")
	}
}

// countingPolicy counts the hits its policy is given.
type countingPolicy struct {
	policy.Policy
	hits *int
}

func (p countingPolicy) Hit(h uint64) { *p.hits++; p.Policy.Hit(h) }
