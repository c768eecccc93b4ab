package policy

import "math"

// A group is the miniatures that stand for one capacity (Waldspurger et
// al., USENIX ATC 2017): a static one per candidate shape, whose recent
// hits say which shape a cache of that capacity should take (adapt.go),
// and, when there is a choice and estimates are on, an adaptive one that
// reshapes as such a cache would, toward the best of them, by the same
// rules as the cache's own policy. Its hit ratio is the estimate at that
// capacity: a cache adapting over time can beat every static shape (on
// the whole of P6 at 131,072 entries, 78.94% against the best static
// shape's 76.13%), or trail them while it adapts late. The cache's own
// capacity has a group too, groups[0]: the main policy follows its
// choices.
//
// A group samples the keys whose sample value (TinyLFU.sampleValue) is
// under its threshold: the cache's rate R for capacities up to the one R
// was chosen for, and less above, so that no miniature stands for more
// than SampleEntries entries (SHARDS' fixed-size sampling, Waldspurger et
// al., FAST 15). The samples nest: a key a larger capacity samples, every
// smaller one samples too.
type group struct {
	full      uint64 // the capacity it stands for
	threshold uint64
	rate      float64
	// allFrom and recentFrom are TinyLFU.all and .recent when the group was
	// made (halved with them): what its miniatures have not seen.
	allFrom, recentFrom uint64
	shapes              []mini // one per candidate Config, in TinyLFU.cfgs order
	adaptive            mini   // p is nil when there is nothing to adapt or estimate
	// The static miniatures of an estimated capacity only rank the shapes
	// for its adaptive one, and sample fewer keys: those under
	// scoreThreshold, so that each holds at most SampleEntries/scoreShare
	// entries (at scoreRate). Those of the cache's own capacity, which
	// steer the cache, and of a group without an adaptive one, whose best
	// shape is the estimate, sample what the group does.
	scoreThreshold uint64
	scoreRate      float64
	// tiers are the sketches of the miniatures (tier): the static ones'
	// and, when it samples more keys, the adaptive one's.
	tiers []*tier

	// adaptation state, in the group's sampled requests: inEpoch counts
	// those the group saw (seen) and its share of the dropped ones
	// (TinyLFU.Dropped; dropFrac is the fraction not yet counted);
	// scored counts those the static miniatures saw.
	epochLen, inEpoch uint64
	seen, scored      uint64
	dropFrac          float64
	score             []float64
	scoreRequests     float64
	current           int    // index in shapes of the shape adopted
	fullEpochs        uint64 // epochs since the follower first filled
}

// A tier is the frequency sketch of miniatures that sample the same keys
// at the same rate, and so would count the same requests in sketches of
// their own: each request is counted once for all of them, by the first
// to record it (core.record), not once per miniature.
type tier struct {
	sk sketch
	// now points to TinyLFU.calls, which numbers the policy's calls;
	// counted is the call last counted.
	now     *uint64
	counted uint64
}

// newTier returns a tier whose sketch starts as the cache's own starts
// (newCore) at capacity full, scaled by the sample rate.
func (t *TinyLFU) newTier(full uint64, rate float64) *tier {
	tr := &tier{now: &t.calls, counted: t.calls - 1}
	tr.sk.resize(int(math.Round(float64(min(full, maxHint)) * rate)))
	return tr
}

// A mini is a miniature simulation and its counts of sampled requests.
type mini struct {
	p                *core
	hits, requests   uint64
	rHits, rRequests uint64 // the same, halved every recentHalfLife
	epoch            uint64 // hits this adaptation epoch
}

// rateFor returns the sample threshold and rate at which a miniature of
// capacity full holds at most entries entries of the mean weight: the
// cache's rate, or less.
func (t *TinyLFU) rateFor(full uint64, entries int) (threshold uint64, rate float64) {
	r := t.rate
	if e := float64(full) / t.meanWeight; e > float64(entries) {
		r = min(r, float64(entries)/e)
	}
	threshold = max(uint64(math.Ceil(r*(1<<24))), 1)
	return threshold, float64(threshold) / (1 << 24)
}

// scoreShare is how many times fewer entries than SampleEntries the static
// miniatures of an estimated capacity hold at most (group.scoreThreshold):
// 512 at the default. They only rank four shapes for the adaptive
// miniature, whose hit ratio is the estimate and which samples as many
// keys as before. Replaying the whole traces (bench/hitratio,
// TestEstimateAccuracyOnTraces -estimate-n 0), the largest errors at 1
// (every miniature at the group's rate), 4, 8 and 16: OLTP 0.27, 0.27,
// 0.33, 0.35; P3 1.95, 1.95, 1.95, 2.43; P6 1.90, 1.90, 1.79, 2.13;
// Zipf 0.11, 0.23, 0.14, 0.22 points. At 8 the miniatures' memory at
// 16,384 entries is 2.5 MB against 4.8, and a Get hit at 4,096 entries
// with every read reaching the policy takes 1,200 ns against 1,930
// (BenchmarkGetHitEstimatesInline): the groups of ¼× and ½×, sampled
// whole, cost the most there.
const scoreShare = 8

// newGroup returns a group standing for capacity full whose adaptive
// miniature, if adaptive, starts at shape start, having adopted
// t.cfgs[current]; own says it is the cache's own capacity.
func (t *TinyLFU) newGroup(full uint64, start Config, current int, adaptive, own bool) group {
	g := group{full: full, current: current, allFrom: t.all, recentFrom: t.recent}
	g.threshold, g.rate = t.rateFor(full, t.sampleN)
	adaptive = adaptive && len(t.cfgs) > 1
	g.scoreThreshold, g.scoreRate = g.threshold, g.rate
	if adaptive && !own {
		g.scoreThreshold, g.scoreRate = t.rateFor(full, max(t.sampleN/scoreShare, 1))
	}
	scorers := t.newTier(full, g.scoreRate)
	g.tiers = []*tier{scorers}
	g.shapes = make([]mini, len(t.cfgs))
	for i, k := range t.cfgs {
		g.shapes[i] = newMini(full, g.scoreRate, k, scorers)
	}
	if adaptive {
		tr := scorers
		if g.scoreThreshold != g.threshold {
			tr = t.newTier(full, g.rate)
			g.tiers = append(g.tiers, tr)
		}
		g.adaptive = newMini(full, g.rate, start, tr)
	}
	g.score = make([]float64, len(t.cfgs))
	// An epoch is one miniature capacity of sampled requests, and at least
	// 1,024, so that a decision rests on some turnover (adapt.go).
	g.epochLen = uint64(max(epochMul*float64(full)/t.meanWeight*g.rate, 1024))
	return g
}

// newMini returns a miniature standing for capacity full at sample rate
// rate, recording in tier tr.
func newMini(full uint64, rate float64, cfg Config, tr *tier) mini {
	c := uint64(math.Round(float64(full) * rate))
	if full > 0 {
		c = max(c, 1)
	}
	return mini{p: newCoreTier(c, cfg, tr)}
}

// access feeds a sampled request of sample value v to the group's
// miniatures that sample it and reports whether it ended the group's
// epoch.
func (g *group) access(h, v uint64, w uint32, insert bool, scratch *[]uint64) bool {
	if v < g.scoreThreshold {
		for i := range g.shapes {
			g.shapes[i].access(h, w, insert, scratch)
		}
		g.scored++
	}
	if g.adaptive.p != nil {
		g.adaptive.access(h, w, insert, scratch)
	}
	g.inEpoch++
	g.seen++
	return g.epochDone()
}

// maxDropSpeedup bounds how much reports of dropped reads may shorten an
// epoch: it still needs epochLen/maxDropSpeedup reads seen. A reader that
// keeps the drainer busy can have nearly every read dropped (a Get-hit
// benchmark on 4,096 entries: epochs of a hundred reads seen), and scores
// over so few reads are noise: the reshaping they ordered raised the
// process's CPU per Get from 1.14× to 1.22× of the estimates off.
const maxDropSpeedup = 4

// epochDone reports whether the group's epoch is over: epochLen requests,
// seen or dropped, of which at least epochLen/maxDropSpeedup seen.
func (g *group) epochDone() bool {
	return g.inEpoch >= g.epochLen && g.seen*maxDropSpeedup >= g.epochLen
}

// each calls f on each of the group's miniatures.
func (g *group) each(f func(*mini)) {
	for i := range g.shapes {
		f(&g.shapes[i])
	}
	if g.adaptive.p != nil {
		f(&g.adaptive)
	}
}

// eachSampling calls f on each of the group's miniatures that sample the
// sample value v, which the group samples.
func (g *group) eachSampling(v uint64, f func(*mini)) {
	if v < g.scoreThreshold {
		for i := range g.shapes {
			f(&g.shapes[i])
		}
	}
	if g.adaptive.p != nil {
		f(&g.adaptive)
	}
}

// estimate returns the miniature whose hit ratio is the estimate at the
// group's capacity: the adaptive one, or without it the best shape.
func (g *group) estimate() *mini {
	if g.adaptive.p != nil {
		return &g.adaptive
	}
	best := &g.shapes[0]
	for i := range g.shapes {
		if m := &g.shapes[i]; m.hits > best.hits {
			best = m
		}
	}
	return best
}

func (m *mini) access(h uint64, w uint32, insert bool, scratch *[]uint64) {
	m.requests++
	m.rRequests++
	if m.p.hit(h) {
		m.hits++
		m.rHits++
		m.epoch++
		return
	}
	m.p.miss(h)
	if insert {
		*scratch = m.p.insert(h, w, (*scratch)[:0])
	}
}

// memoryBytes is the memory the group holds: its miniatures and their
// sketches.
func (g *group) memoryBytes() uint64 {
	var b uint64
	for _, tr := range g.tiers {
		b += tr.sk.memoryBytes()
	}
	g.each(func(m *mini) { b += m.p.memoryBytes() })
	return b
}
