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
	// sk is the frequency sketch of all its miniatures: they see the same
	// sampled requests, so each request is counted once for all (record),
	// not once per miniature as the cache's own policy counts. At 4,096
	// entries that halved the time a Get hit took when the reader drained
	// its own ring (BenchmarkGetHitEstimatesInline) and made the
	// miniatures' sketches a fifth of their memory. lastMiss is the last
	// request the miniatures missed without inserting it (TinyLFU.Miss),
	// which the Add that follows must not count again.
	sk          *sketch
	lastMiss    uint64
	hasLastMiss bool

	// adaptation state, in the group's sampled requests: inEpoch counts
	// those the group saw (seen) and its share of the dropped ones
	// (TinyLFU.Dropped; dropFrac is the fraction not yet counted)
	epochLen, inEpoch uint64
	seen              uint64
	dropFrac          float64
	score             []float64
	scoreRequests     float64
	current           int    // index in shapes of the shape adopted
	fullEpochs        uint64 // epochs since the follower first filled
}

// A mini is a miniature simulation and its counts of sampled requests.
type mini struct {
	p                *core
	hits, requests   uint64
	rHits, rRequests uint64 // the same, halved every recentHalfLife
	epoch            uint64 // hits this adaptation epoch
}

// rateFor returns the sample threshold and rate of the group standing for
// capacity full: the cache's rate, or the one at which a miniature holds
// SampleEntries entries of the mean weight, whichever is lower.
func (t *TinyLFU) rateFor(full uint64) (threshold uint64, rate float64) {
	r := t.rate
	if e := float64(full) / t.meanWeight; e > float64(t.sampleN) {
		r = min(r, float64(t.sampleN)/e)
	}
	threshold = max(uint64(math.Ceil(r*(1<<24))), 1)
	return threshold, float64(threshold) / (1 << 24)
}

// newGroup returns a group standing for capacity full whose adaptive
// miniature, if adaptive, starts at shape start, having adopted
// t.cfgs[current].
func (t *TinyLFU) newGroup(full uint64, start Config, current int, adaptive bool) group {
	g := group{full: full, current: current, allFrom: t.all, recentFrom: t.recent}
	g.threshold, g.rate = t.rateFor(full)
	// The sketch as the cache's own starts (newCore), scaled.
	g.sk = &sketch{}
	g.sk.resize(int(math.Round(float64(min(full, maxHint)) * g.rate)))
	g.shapes = make([]mini, len(t.cfgs))
	for i, k := range t.cfgs {
		g.shapes[i] = newMini(full, g.rate, k, g.sk)
	}
	if adaptive && len(t.cfgs) > 1 {
		g.adaptive = newMini(full, g.rate, start, g.sk)
	}
	g.score = make([]float64, len(t.cfgs))
	// An epoch is one miniature capacity of sampled requests, and at least
	// 1,024, so that a decision rests on some turnover (adapt.go).
	g.epochLen = uint64(max(epochMul*float64(full)/t.meanWeight*g.rate, 1024))
	return g
}

// newMini returns a miniature standing for capacity full at sample rate
// rate, whose group's sketch is sk.
func newMini(full uint64, rate float64, cfg Config, sk *sketch) mini {
	c := uint64(math.Round(float64(full) * rate))
	if full > 0 {
		c = max(c, 1)
	}
	return mini{p: newCoreShared(c, cfg, sk)}
}

// record counts a request for h in the group's sketch, growing it when a
// miniature holds more entries than it was sized for, as core.record does
// for a core of its own.
func (g *group) record(h uint64) {
	n := 0
	g.each(func(m *mini) { n = max(n, m.p.a.len()) })
	if n > g.sk.entries() {
		g.sk.resize(2 * n)
	}
	g.sk.increment(h)
}

// access feeds a sampled request to the group's miniatures and reports
// whether it ended the group's epoch. A miniature that misses inserts h at
// once if insert, and otherwise at the Add that follows (add).
func (g *group) access(h uint64, w uint32, insert bool, scratch *[]uint64) bool {
	g.record(h)
	missed := false
	for i := range g.shapes {
		missed = !g.shapes[i].access(h, w, insert, scratch) || missed
	}
	if g.adaptive.p != nil {
		missed = !g.adaptive.access(h, w, insert, scratch) || missed
	}
	if insert {
		g.hasLastMiss = false
	} else if missed {
		g.lastMiss, g.hasLastMiss = h, true
	}
	g.inEpoch++
	g.seen++
	return g.epochDone()
}

// add inserts h of weight w in the miniatures that do not hold it (see
// TinyLFU.Add), counting it in the sketch unless it is the miss just
// counted.
func (g *group) add(h uint64, w uint32, scratch *[]uint64) {
	counted := g.hasLastMiss && g.lastMiss == h
	g.hasLastMiss = false
	g.each(func(m *mini) {
		if m.p.contains(h) {
			return
		}
		if !counted {
			g.record(h)
			counted = true
		}
		*scratch = m.p.insert(h, w, (*scratch)[:0])
	})
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

// access feeds a sampled request, which its group recorded, to the
// miniature and reports whether it hit.
func (m *mini) access(h uint64, w uint32, insert bool, scratch *[]uint64) bool {
	m.requests++
	m.rRequests++
	if m.p.hit(h) {
		m.hits++
		m.rHits++
		m.epoch++
		return true
	}
	if insert {
		*scratch = m.p.insert(h, w, (*scratch)[:0])
	}
	return false
}

// memoryBytes is the memory the group holds: its miniatures and sketch.
func (g *group) memoryBytes() uint64 {
	b := g.sk.memoryBytes()
	g.each(func(m *mini) { b += m.p.memoryBytes() })
	return b
}
