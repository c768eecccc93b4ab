package policy

import (
	"cmp"
	"slices"
)

// Estimates returns the hit ratio at EstimateFactors times the capacity
// and at the capacities of SetEstimateCapacities, in increasing order of
// capacity, from the miniatures' sampled requests (halved every
// estimateHalfLife of them, so that they follow the recent workload). Each
// is what the group standing for that capacity's adaptive miniature got:
// a cache of that capacity, adapting as this one does (group.go).
func (t *TinyLFU) Estimates() []Estimate {
	es := make([]Estimate, 0, len(t.groups))
	for i := range t.groups {
		g := &t.groups[i]
		m := g.estimate()
		es = append(es, Estimate{
			Capacity:       g.full,
			HitRatio:       adjusted(m.hits, m.requests, t.all-g.allFrom, g.rate),
			Requests:       m.requests,
			RecentHitRatio: adjusted(m.rHits, m.rRequests, t.recent-g.recentFrom, g.rate),
			RecentRequests: m.rRequests,
		})
	}
	slices.SortFunc(es, func(a, b Estimate) int { return cmp.Compare(a.Capacity, b.Capacity) })
	return es
}

// adjusted returns the hit ratio of hits in sampled requests out of all
// requests at sample rate rate, with the SHARDS adjustment (Waldspurger
// et al., FAST 15, "SHARDS_adj"): the sample should hold all × rate
// requests; when it holds more or fewer, the difference is almost always
// a very hot key that fell in or out of the sample, and such a key hits
// at every capacity, so the difference is counted as hits.
func adjusted(hits, sampled, all uint64, rate float64) float64 {
	expected := float64(all) * rate
	if expected < 1 || sampled == 0 {
		return 0
	}
	return min(max((float64(hits)+expected-float64(sampled))/expected, 0), 1)
}

// SetEstimateCapacities sets capacities to estimate besides the multiples
// of the capacity (for example the one the memory budget allows). The
// miniatures start afresh. It allocates; call it at configuration time.
func (t *TinyLFU) SetEstimateCapacities(cs []uint64) {
	t.extra = slices.Clone(cs)
	t.build()
}

// estimateCapacities are the capacities other than c that Estimates
// reports: EstimateFactors × c, and the extra ones, each once.
func (t *TinyLFU) estimateCapacities(c uint64) []uint64 {
	var out []uint64
	for _, f := range EstimateFactors {
		out = append(out, uint64(f*float64(c)))
	}
	out = append(out, t.extra...)
	slices.Sort(out)
	out = slices.Compact(out)
	if i, ok := slices.BinarySearch(out, c); ok {
		out = slices.Delete(out, i, i+1)
	}
	return out
}
