package policy

import (
	"cmp"
	"slices"
)

// Estimates returns the hit ratio at EstimateFactors times the capacity
// and at the capacities of SetEstimateCapacities, in increasing order of
// capacity, from the miniatures' sampled requests (halved every
// estimateHalfLife of them, so that they follow the recent workload). Each
// is the best of the candidate shapes at that capacity, as a cache of
// that capacity would adapt to it; the one at the cache's own capacity
// comes from the miniatures adaptation runs.
func (t *TinyLFU) Estimates() []Estimate {
	es := make([]Estimate, 0, len(t.ests)+len(t.cands))
	// The SHARDS adjustment (Waldspurger et al., FAST 15, "SHARDS_adj"):
	// the sample should hold all × rate requests; when it holds more or
	// fewer, the difference is almost always a very hot key that fell in
	// or out of the sample, and such a key hits at every capacity, so the
	// difference is counted as hits.
	expected := float64(t.all) * t.rate
	add := func(m *mini) {
		e := Estimate{Capacity: m.full, Requests: m.requests}
		if expected >= 1 && m.requests > 0 {
			hits := float64(m.hits) + expected - float64(m.requests)
			e.HitRatio = min(max(hits/expected, 0), 1)
		}
		es = append(es, e)
	}
	for i := range t.cands {
		add(&t.cands[i])
	}
	for i := range t.ests {
		add(&t.ests[i])
	}
	// By capacity, the best first; then one per capacity.
	slices.SortStableFunc(es, func(a, b Estimate) int {
		switch {
		case a.Capacity != b.Capacity:
			return cmp.Compare(a.Capacity, b.Capacity)
		default:
			return cmp.Compare(b.HitRatio, a.HitRatio)
		}
	})
	return slices.CompactFunc(es, func(a, b Estimate) bool { return a.Capacity == b.Capacity })
}

// SetEstimateCapacities sets capacities to estimate besides the multiples
// of the capacity (for example the one the memory budget allows). The
// miniatures start afresh. It allocates; call it at configuration time.
func (t *TinyLFU) SetEstimateCapacities(cs []uint64) {
	t.extra = slices.Clone(cs)
	t.build()
}
