package cache

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/internal/engine"
	"github.com/prodready/prodready/cache/internal/policy"
)

// A replayer is a cache the acceptance test replays a key stream through:
// a sizer whose weight per entry is 1 (its capacities count entries).
type replayer interface {
	sizer
	// Access reads key and, on a miss, adds it; it reports a hit.
	Access(key uint64) bool
}

// newEngineReplayer returns the memory engine with its policy (an
// adaptive W-TinyLFU estimating at ¼× to 8× its capacity), bounded at
// capacity entries of weight 1, as a replayer. Its reads drain inline
// (no BackgroundDrain), so that a replay is deterministic.
func newEngineReplayer(capacity uint64) replayer {
	e, err := engine.New(&engine.Options[struct{}]{
		Capacity: capacity,
		Now:      func() int64 { return 0 },
		Policy:   func(c uint64) policy.Policy { return policy.New(c, nil) },
	})
	if err != nil {
		panic(err) // only a nil policy fails, and policy.New is never nil
	}
	return engineReplayer{e}
}

// engineReplayer is the engine as a replayer: Access is a Get, then a Set
// on a miss.
type engineReplayer struct{ *engine.Engine[struct{}] }

func (r engineReplayer) Access(key uint64) bool {
	k := strconv.FormatUint(key, 36)
	if _, ok := r.GetIfPresent(k); ok {
		return true
	}
	r.Set(k, struct{}{})
	return false
}

// TestAutosizeGrowingWorkingSet is the acceptance test of the issue "The
// cache that sizes itself": with autosize on, a Zipf stream whose key
// space quadruples halfway ends within 1 point of the best fixed size the
// budget allows, and the bound never passes the budget.
func TestAutosizeGrowingWorkingSet(t *testing.T) {
	t.Parallel()
	// tolerance is how far under the best fixed size autosize may end, in
	// hit ratio: the issue asks for 1 point. The engine (W-TinyLFU) once
	// missed it at the 16,384 budget (97.0% to 97.8% against 99.24%): it
	// steered by estimates counted over the whole stream, in which the
	// quadrupled working set's gain at 2× stayed diluted for tens of
	// thousands of requests, so it grew back 3 to 5 intervals late. It
	// now steers by the recent counts (policy.Estimate.RecentHitRatio):
	// 98.47% to 98.67% over six runs.
	tests := []struct {
		name      string
		new       func(capacity uint64) replayer
		tolerance float64
	}{
		{"lru with miniature simulations", func(c uint64) replayer { return newSimLRU(c) }, 0.01},
		{"engine", newEngineReplayer, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A budget under the second working set (autosize must
			// grow back to it) and one twice over it (autosize must stop
			// short of it, within the margin).
			for _, budget := range []uint64{4096, 16384} {
				t.Run(fmt.Sprint(budget), func(t *testing.T) {
					t.Parallel()
					testGrowingWorkingSet(t, tt.new, budget, tt.tolerance)
				})
			}
		})
	}
}

// testGrowingWorkingSet replays the stream through an autosized cache
// that starts at the budget (as New builds it) and through fixed caches
// of ¼, ½ and all of the budget, and compares the hit ratios over the
// last eighth of the stream (where it ends: 50,000 requests). An
// interval is 10,000 requests.
func testGrowingWorkingSet(t *testing.T, newR func(capacity uint64) replayer, budget uint64, tolerance float64) {
	const (
		half     = 200_000
		interval = 10_000
	)
	if testing.Short() {
		t.Skip("replays 4 caches over 400,000 requests")
	}
	stream := append(zipfKeys(1, half, 2048), zipfKeys(2, half, 8192)...)
	tail := len(stream) * 7 / 8

	replay := func(r replayer, tick func(i int)) float64 {
		hits := 0
		for i, k := range stream {
			if r.Access(k) && i >= tail {
				hits++
			}
			if tick != nil && (i+1)%interval == 0 {
				tick(i)
			}
		}
		return float64(hits) / float64(len(stream)-tail)
	}

	best, bestSize := 0.0, uint64(0)
	for _, size := range []uint64{budget / 4, budget / 2, budget} {
		if hr := replay(newR(size), nil); hr > best {
			best, bestSize = hr, size
		}
	}

	r := newR(budget)
	a := newAutosizer(r, autosizeSetup{on: true, budget: budget, margin: defaultAutosizeMargin},
		func() (bool, string) { return false, "" }, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	var path []uint64
	got := replay(r, func(i int) {
		d := a.tick()
		if c := r.Capacity(); c > budget {
			t.Fatalf("after request %d: capacity %d passed the budget %d (decision %+v)", i, c, budget, d)
		}
		if len(path) == 0 || path[len(path)-1] != d.next {
			path = append(path, d.next)
		}
	})
	t.Logf("autosize: %.2f%% over the last eighth, bounds %v; best fixed: %.2f%% at %d", 100*got, path, 100*best, bestSize)
	if best-got > tolerance {
		t.Errorf("autosize ends at %.2f%%, more than %.0f point(s) under the best fixed size (%d: %.2f%%)", 100*got, 100*tolerance, bestSize, 100*best)
	}
	if slices.Min(path) >= budget {
		t.Errorf("bounds %v: autosize never shrank on the small working set; the test proves nothing", path)
	}
}
