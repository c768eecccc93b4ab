package policy

import "slices"

// Estimates returns the hit ratio of the cache's shape at EstimateFactors
// times its capacity and at the capacities of SetEstimateCapacities, in
// increasing order of capacity, from the miniatures' sampled requests
// (halved every estimateHalfLife of them, so that they follow the recent
// workload). The estimate at the cache's own capacity is the candidate
// miniature of its current shape. Capacities no miniature simulates are
// left out.
func (t *TinyLFU) Estimates() []Estimate {
	es := make([]Estimate, 0, len(t.ests)+1)
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
	add(&t.cands[t.current])
	for i := range t.ests {
		add(&t.ests[i])
	}
	slices.SortStableFunc(es, func(a, b Estimate) int {
		switch {
		case a.Capacity < b.Capacity:
			return -1
		case a.Capacity > b.Capacity:
			return 1
		}
		return 0
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
