package hitratio

import (
	"github.com/maypok86/otter/v2"
	"github.com/prodready/prodready/cache/policysim"
)

// A small W-TinyLFU simulator, to check hypotheses about otter's losses
// without forking it: an LRU window in front of a segmented LRU main
// space (probation and protected), an admission filter comparing the
// candidate leaving the window with the probation victim, and Caffeine's
// hill climber resizing the window. Frequencies are exact counts, halved
// every 10 × size requests (an ideal TinyLFU, not a sketch). It is a
// simulator, not a cache: no values, no concurrency.

// simOptions configure the simulator.
type simOptions struct {
	window  float64 // initial window share of the size
	admit   bool    // TinyLFU admission; false: the candidate always enters
	climb   bool    // resize the window by hill climbing
	sample  float64 // climber sample, in multiples of the size (default 10)
	stepPct float64 // climber restart step, share of the size (default 0.0625)
	// ghost > 0 adapts admission: candidates the filter rejects, and
	// victims it evicts for a candidate, are remembered (size keys each);
	// a request for a rejected one raises the chance p of admitting a
	// candidate the filter would reject by ghost, one for an evicted
	// victim lowers it.
	ghost float64
	// duel > 0 adapts admission by duels instead: each candidate the
	// filter would refuse is paired with its victim (the last size pairs
	// are remembered); whichever of the two is requested first raises
	// (the candidate) or lowers (the victim) p by duel.
	duel float64
	// duelMemory is the number of pairs remembered, a share of the size
	// (default 1).
	duelMemory float64
}

// Experiments are the simulator variants, and otter with its maintenance
// run synchronously (no lost reads), selectable by name in cmd/traces
// -caches, for checking hypotheses. They are not in the default tables.
var Experiments = []Maker{
	{"sim-wtlfu", simMaker(simOptions{window: 0.01, admit: true})},
	{"sim-noadmit", simMaker(simOptions{window: 0.01})},
	{"sim-climb", simMaker(simOptions{window: 0.01, admit: true, climb: true})},
	{"sim-climb-noadmit", simMaker(simOptions{window: 0.01, climb: true})},
	{"sim-w20", simMaker(simOptions{window: 0.20, admit: true})},
	{"sim-w50", simMaker(simOptions{window: 0.50, admit: true})},
	{"otter-sync", func(size int) (Policy, error) {
		return newOtterWith(&otter.Options[string, struct{}]{MaximumSize: size, Executor: func(fn func()) { fn() }})
	}},
	{"sim-climb20", simMaker(simOptions{window: 0.20, admit: true, climb: true})},
	{"sim-climb-s1", simMaker(simOptions{window: 0.01, admit: true, climb: true, sample: 1})},
	{"sim-climb20-s1", simMaker(simOptions{window: 0.20, admit: true, climb: true, sample: 1})},
	{"sim-climb20-s2", simMaker(simOptions{window: 0.20, admit: true, climb: true, sample: 2})},
	{"sim-climb-s05-st10", simMaker(simOptions{window: 0.01, admit: true, climb: true, sample: 0.5, stepPct: 0.10})},
	{"sim-climb50-s1", simMaker(simOptions{window: 0.50, admit: true, climb: true, sample: 1})},
	{"sim-climb20-s05-st10", simMaker(simOptions{window: 0.20, admit: true, climb: true, sample: 0.5, stepPct: 0.10})},
	{"sim-ghost-01", simMaker(simOptions{window: 0.01, admit: true, climb: true, ghost: 0.01})},
	{"sim-ghost-002", simMaker(simOptions{window: 0.01, admit: true, climb: true, ghost: 0.002})},
	{"sim-ghost-05", simMaker(simOptions{window: 0.01, admit: true, climb: true, ghost: 0.05})},
	{"sim-duel-01", simMaker(simOptions{window: 0.01, admit: true, climb: true, duel: 0.01})},
	{"sim-duel-002", simMaker(simOptions{window: 0.01, admit: true, climb: true, duel: 0.002})},
	{"sim-duel-01-m25", simMaker(simOptions{window: 0.01, admit: true, climb: true, duel: 0.01, duelMemory: 0.25})},
	{"sim-duel-01-m4", simMaker(simOptions{window: 0.01, admit: true, climb: true, duel: 0.01, duelMemory: 4})},
	{"sim-climb-s1-st", simMaker(simOptions{window: 0.01, admit: true, climb: true, sample: 1, stepPct: 0.02})},
	{"policy-w1", newPolicy(&policysim.Options{Config: &policysim.Config{Window: 0.01, Admit: true}, Static: true, NoEstimates: true})},
	{"policy-w20", newPolicy(&policysim.Options{Config: &policysim.Config{Window: 0.20, Admit: true}, Static: true, NoEstimates: true})},
	{"policy-w50", newPolicy(&policysim.Options{Config: &policysim.Config{Window: 0.50, Admit: true}, Static: true, NoEstimates: true})},
	{"policy-noadmit", newPolicy(&policysim.Options{Config: &policysim.Config{Window: 0.01}, Static: true, NoEstimates: true})},
	{"policy-noest", newPolicy(&policysim.Options{NoEstimates: true})},
	{"policy-lru", newPolicy(&policysim.Options{Config: &policysim.Config{Window: 1}, Static: true, NoEstimates: true})},
	{"policy-5", newPolicy(&policysim.Options{NoEstimates: true, Candidates: fiveShapes})},
	{"policy-start20", newPolicy(&policysim.Options{NoEstimates: true, Config: &policysim.Config{Window: 0.20, Admit: true}})},
	{"policy-startlru", newPolicy(&policysim.Options{NoEstimates: true, Config: &policysim.Config{Window: 1}})},
	{"policy-s8k", newPolicy(&policysim.Options{NoEstimates: true, SampleEntries: 8192})},
	{"policy-5-s8k", newPolicy(&policysim.Options{NoEstimates: true, SampleEntries: 8192, Candidates: fiveShapes})},
}

// fiveShapes are the default candidates and plain LRU (all window, no
// admission).
var fiveShapes = []policysim.Config{
	{Window: 0.01, Admit: true}, {Window: 0.20, Admit: true}, {Window: 0.50, Admit: true}, {Window: 0.01}, {Window: 1},
}

func simMaker(o simOptions) func(int) (Policy, error) {
	return func(size int) (Policy, error) { return newSim(size, o), nil }
}

const (
	inWindow = iota
	inProbation
	inProtected
)

type simNode struct {
	key        string
	queue      int
	prev, next *simNode
}

// simList is a circular doubly linked list with a sentinel; head.next is
// the least recently used.
type simList struct {
	head simNode
	len  int
}

func (l *simList) init() { l.head.prev, l.head.next = &l.head, &l.head }

func (l *simList) pushBack(n *simNode) {
	n.prev, n.next = l.head.prev, &l.head
	l.head.prev.next = n
	l.head.prev = n
	l.len++
}

func (l *simList) remove(n *simNode) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
	l.len--
}

func (l *simList) front() *simNode {
	if l.len == 0 {
		return nil
	}
	return l.head.next
}

type sim struct {
	o                            simOptions
	size                         int
	windowMax, protectedMax      int
	nodes                        map[string]*simNode
	window, probation, protected simList
	freq                         map[string]uint8
	events, resetAt              int

	// adaptive admission
	p                 float64
	rejected, evicted ghostSet
	rng               uint64
	duels             map[string]*simDuel
	duelFIFO          []*simDuel
	duelNext          int

	// hill climber
	hits, misses, sample int
	prevRate, step       float64
}

func newSim(size int, o simOptions) *sim {
	s := &sim{o: o, size: size, nodes: map[string]*simNode{}, freq: map[string]uint8{}}
	s.window.init()
	s.probation.init()
	s.protected.init()
	s.windowMax = max(1, int(o.window*float64(size)))
	s.protectedMax = int(0.8 * float64(size-s.windowMax))
	s.resetAt = 10 * size
	if o.sample == 0 {
		s.o.sample = 10
	}
	if o.stepPct == 0 {
		s.o.stepPct = 0.0625
	}
	s.sample = max(int(s.o.sample*float64(size)), 1)
	s.step = -s.o.stepPct * float64(size)
	return s
}

func (s *sim) Close() {}

func (s *sim) record(k string) {
	if f := s.freq[k]; f < 15 {
		s.freq[k] = f + 1
	}
	s.events++
	if s.events >= s.resetAt {
		s.events /= 2
		for k, f := range s.freq {
			if f <= 1 {
				delete(s.freq, k)
			} else {
				s.freq[k] = f / 2
			}
		}
	}
}

func (s *sim) Access(k string) bool {
	s.record(k)
	if s.o.duel > 0 {
		s.resolve(k)
	}
	n, ok := s.nodes[k]
	if ok {
		s.hits++
		switch n.queue {
		case inWindow:
			s.window.remove(n)
			s.window.pushBack(n)
		case inProbation:
			s.probation.remove(n)
			n.queue = inProtected
			s.protected.pushBack(n)
			s.demote()
		case inProtected:
			s.protected.remove(n)
			s.protected.pushBack(n)
		}
	} else {
		s.misses++
		if s.o.ghost > 0 {
			if s.rejected.has(k) {
				s.p = min(1, s.p+s.o.ghost)
			} else if s.evicted.has(k) {
				s.p = max(0, s.p-s.o.ghost)
			}
		}
		n = &simNode{key: k, queue: inWindow}
		s.nodes[k] = n
		s.window.pushBack(n)
		s.evict()
	}
	if s.o.climb {
		s.climb()
	}
	return ok
}

// demote moves the protected queue's oldest entries to probation while it
// is over its share.
func (s *sim) demote() {
	for s.protected.len > s.protectedMax {
		n := s.protected.front()
		s.protected.remove(n)
		n.queue = inProbation
		s.probation.pushBack(n)
	}
}

// evict moves the window's overflow to probation as candidates, then
// evicts while the cache is over its size: the candidate or the victim
// (probation's oldest), whichever is less frequent.
func (s *sim) evict() {
	for s.window.len > s.windowMax {
		n := s.window.front()
		s.window.remove(n)
		n.queue = inProbation
		s.probation.pushBack(n)
		if len(s.nodes) <= s.size {
			continue
		}
		victim := s.probation.front()
		if victim == n {
			s.drop(n)
			continue
		}
		switch {
		case !s.o.admit || s.freq[n.key] > s.freq[victim.key]:
			s.drop(victim)
		case s.o.duel > 0:
			s.startDuel(n.key, victim.key)
			if s.chance() < s.p {
				s.drop(victim)
			} else {
				s.drop(n)
			}
		case s.o.ghost > 0 && s.chance() < s.p:
			s.evicted.add(victim.key, s.size)
			s.drop(victim)
		default:
			if s.o.ghost > 0 {
				s.rejected.add(n.key, s.size)
			}
			s.drop(n)
		}
	}
	for len(s.nodes) > s.size {
		switch {
		case s.probation.len > 0:
			s.drop(s.probation.front())
		case s.protected.len > 0:
			s.drop(s.protected.front())
		default:
			s.drop(s.window.front())
		}
	}
}

func (s *sim) drop(n *simNode) {
	switch n.queue {
	case inWindow:
		s.window.remove(n)
	case inProbation:
		s.probation.remove(n)
	case inProtected:
		s.protected.remove(n)
	}
	delete(s.nodes, n.key)
}

// climb is Caffeine's hill climber: every sample of 10 × size requests it
// moves the window by step, in the direction that last raised the hit
// rate, the step decaying by 0.98 and restarting at 6.25% of the size
// when the hit rate moves by 5 points or more.
func (s *sim) climb() {
	if s.hits+s.misses < s.sample || len(s.nodes) < s.size/2 {
		return
	}
	rate := float64(s.hits) / float64(s.hits+s.misses)
	change := rate - s.prevRate
	amount := s.step
	if change < 0 {
		amount = -amount
	}
	if change >= 0.05 || change <= -0.05 {
		if amount >= 0 {
			s.step = s.o.stepPct * float64(s.size)
		} else {
			s.step = -s.o.stepPct * float64(s.size)
		}
	} else {
		s.step = 0.98 * amount
	}
	s.prevRate = rate
	s.hits, s.misses = 0, 0
	w := min(max(s.windowMax+int(amount), 1), s.size-1)
	s.windowMax = w
	s.protectedMax = int(0.8 * float64(s.size-w))
	// Shrinking the window sends its overflow to main; growing it takes
	// from main on the next evictions (probation's oldest first).
	s.evict()
	s.demote()
}

// chance returns a pseudo-random number in [0, 1), from a fixed seed.
func (s *sim) chance() float64 {
	s.rng = s.rng*6364136223846793005 + 1442695040888963407
	return float64(s.rng>>11) / (1 << 53)
}

// ghostSet remembers the last keys added to it, up to a capacity.
type ghostSet struct {
	keys map[string]int
	fifo []string
	next int
}

func (g *ghostSet) has(k string) bool {
	_, ok := g.keys[k]
	return ok
}

func (g *ghostSet) add(k string, capacity int) {
	if g.keys == nil {
		g.keys = map[string]int{}
		g.fifo = make([]string, capacity)
	}
	if old := g.fifo[g.next]; old != "" && g.keys[old] == g.next {
		delete(g.keys, old)
	}
	g.fifo[g.next] = k
	g.keys[k] = g.next
	g.next = (g.next + 1) % len(g.fifo)
}

// A simDuel is a refusal of the filter waiting for its verdict.
type simDuel struct {
	candidate, victim string
}

func (s *sim) startDuel(candidate, victim string) {
	if s.duels == nil {
		s.duels = map[string]*simDuel{}
		m := s.o.duelMemory
		if m == 0 {
			m = 1
		}
		s.duelFIFO = make([]*simDuel, max(int(m*float64(s.size)), 1))
	}
	if old := s.duelFIFO[s.duelNext]; old != nil {
		s.forget(old)
	}
	d := &simDuel{candidate: candidate, victim: victim}
	s.duelFIFO[s.duelNext] = d
	s.duelNext = (s.duelNext + 1) % len(s.duelFIFO)
	s.duels[candidate] = d
	s.duels[victim] = d
}

func (s *sim) forget(d *simDuel) {
	if s.duels[d.candidate] == d {
		delete(s.duels, d.candidate)
	}
	if s.duels[d.victim] == d {
		delete(s.duels, d.victim)
	}
}

// resolve settles the duel k is in, on a request for k: the one of the
// pair requested first is the one that should have been kept.
func (s *sim) resolve(k string) {
	d, ok := s.duels[k]
	if !ok {
		return
	}
	if k == d.candidate {
		s.p = min(1, s.p+s.o.duel)
	} else {
		s.p = max(0, s.p-s.o.duel)
	}
	s.forget(d)
}
