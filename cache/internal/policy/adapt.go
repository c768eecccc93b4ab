package policy

// Adaptation: every epoch (one miniature capacity of sampled requests,
// and at least 1,024), each candidate miniature's hits in the epoch are
// added to its score, after the scores decay by scoreDecay (a memory of
// about five epochs); the cache adopts the best-scoring candidate when it
// beats the current one by more than switchMargin of the (equally
// decayed) sampled requests, and then moves toward its shape a step per
// epoch (windowStep), from its third epoch after it first filled
// (warmEpochs). The decay follows a workload
// that changes; the margin keeps two candidates of about the same worth
// from trading places on noise. Measured on the ARC traces: epochs of
// four capacities decide too late at large sizes (P3, 262,144 entries:
// the first decision after a million requests, 63.9% against 65.4%).

const (
	scoreDecay   = 0.8
	switchMargin = 0.003
	epochMul     = 1
	// warmEpochs is the number of epochs after the cache first fills
	// before it may change shape: while it fills, every shape fills
	// alike, and the first scores after that still carry the warm-up
	// (Caffeine's climber likewise waits for a cache half full). On P3
	// at 65,536 entries, switching at the first full epoch chased the
	// fill's noise: 30.32% (mean of five seeds) against 30.89% (four).
	warmEpochs = 3
	// windowStep is the most the window moves per epoch, in shares of the
	// capacity, as Caffeine's climber moves it in steps: a jump from a 1%
	// window to 50% hands half the main space's entries to the window's
	// LRU at once, and a switch that the next epochs take back (P3 at
	// 65,536 entries, 200k to 600k requests, every seed) cost that flush
	// twice. In steps of 5%: 31.12% against 30.89% there (mean of four
	// seeds), 90.12% against 90.04% on P6 at 262,144.
	windowStep = 0.05
)

// adapt ends an epoch of group gi: it updates the scores, rescales the
// sample if the entries' weight calls for it (the cache's own group), and
// reshapes the group's followers (the adaptive miniature, and the cache's
// own policy for groups[0]) if another candidate has done clearly better.
func (t *TinyLFU) adapt(gi int) {
	g := &t.groups[gi]
	f := g.adaptive.p
	if gi == 0 {
		f = t.main
	}
	if f == nil {
		// Nothing follows this group's scores.
		g.inEpoch, g.seen, g.scored = 0, 0, 0
		return
	}
	if g.fullEpochs == 0 && f.weight < f.capacity-f.capacity/10 {
		// Not yet 90% full (weights may keep it a little under its
		// capacity): every shape fills alike, and the scores of the
		// warm-up would only steer the cache by its noise.
		g.inEpoch, g.seen, g.scored = 0, 0, 0
		for i := range g.shapes {
			g.shapes[i].epoch = 0
		}
		return
	}
	g.fullEpochs++
	g.scoreRequests = g.scoreRequests*scoreDecay + float64(g.scored)
	g.inEpoch, g.seen, g.scored = 0, 0, 0
	best := g.current
	for i := range g.shapes {
		g.score[i] = g.score[i]*scoreDecay + float64(g.shapes[i].epoch)
		g.shapes[i].epoch = 0
	}
	// Every score is this epoch's before any is compared.
	for i := range g.shapes {
		if g.score[i] > g.score[best] {
			best = i
		}
	}
	if gi == 0 && t.recalibrate() {
		return
	}
	if len(g.shapes) < 2 {
		return
	}
	if !(g.fullEpochs < warmEpochs || best == g.current || g.score[best]-g.score[g.current] <= switchMargin*g.scoreRequests) {
		g.current = best
		if gi == 0 {
			t.switches++
		}
	}
	target := g.shapes[g.current].p.cfg
	if gi == 0 {
		t.main.stepToward(target)
	}
	if g.adaptive.p != nil {
		g.adaptive.p.stepToward(target)
	}
}

// stepToward moves the policy's shape toward cfg: the window by at most
// windowStep of the capacity per epoch, and admission last, once the
// window is there: turning admission off lets every candidate in, and a
// preference that the next epochs take back should not have paid for that.
func (p *core) stepToward(cfg Config) {
	cur := p.cfg
	if cur == cfg {
		return
	}
	next := Config{Window: cfg.Window, Admit: cur.Admit}
	if d := cfg.Window - cur.Window; d > windowStep {
		next.Window = cur.Window + windowStep
	} else if d < -windowStep {
		next.Window = cur.Window - windowStep
	} else {
		next.Admit = cfg.Admit
	}
	p.setConfig(next)
}

// recalibrate, at an epoch's end and every weighEvery calls of Add,
// rebuilds the miniatures, and reports that it did, when the
// entries' mean weight has moved so far from the one the sampling rate
// was chosen for that the miniatures hold half or twice the entries they
// should.
func (t *TinyLFU) recalibrate() bool {
	// Not only once the cache is full: one that never fills (a working
	// set under the budget) would keep sampling by its first guess.
	n := t.main.a.len()
	if n < minWeighEntries {
		return false
	}
	mean := float64(t.main.weight) / float64(n)
	if r := mean / t.meanWeight; r < 2 && r > 0.5 {
		return false
	}
	t.meanWeight = mean
	t.build()
	return true
}
