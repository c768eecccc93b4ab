package cache

import (
	"testing"
	"time"
)

// TestEstimateGaugesRefresh: a collection asks the engine for estimates
// only when the last ones are estimateMaxAge old (or the clock went
// back); collections in between reuse them, so a provider that collects
// often, or has several readers, does not take the engine's lock each time.
func TestEstimateGaugesRefresh(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		at   time.Duration // since t0
		take bool          // whether the engine is asked
	}{
		{0, true},
		{time.Second, false},
		{estimateMaxAge - time.Nanosecond, false},
		{estimateMaxAge, true},
		{estimateMaxAge + time.Second, false},
		{-time.Minute, true}, // the clock went back
		{-time.Minute + time.Second, false},
	}
	var g estimateGauges
	taken := 0
	for i, s := range steps {
		z := g.sizing(t0.Add(s.at), func() *Sizing { taken++; return &Sizing{Capacity: uint64(taken)} })
		want := 0
		for _, p := range steps[:i+1] {
			if p.take {
				want++
			}
		}
		if taken != want || z == nil || z.Capacity != uint64(want) {
			t.Fatalf("step %d (%v): the engine asked %d times, Sizing %+v; want %d and the Sizing of the last", i, s.at, taken, z, want)
		}
	}
}
