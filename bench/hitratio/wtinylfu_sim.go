package hitratio

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
}

// Experiments are the simulator variants, selectable by name in
// cmd/traces -caches, for checking hypotheses.
var Experiments = []Maker{
	{"sim-wtlfu", simMaker(simOptions{window: 0.01, admit: true})},
	{"sim-noadmit", simMaker(simOptions{window: 0.01})},
	{"sim-climb", simMaker(simOptions{window: 0.01, admit: true, climb: true})},
	{"sim-climb-noadmit", simMaker(simOptions{window: 0.01, climb: true})},
	{"sim-w20", simMaker(simOptions{window: 0.20, admit: true})},
	{"sim-w50", simMaker(simOptions{window: 0.50, admit: true})},
	{"sim-climb20", simMaker(simOptions{window: 0.20, admit: true, climb: true})},
	{"sim-climb-s1", simMaker(simOptions{window: 0.01, admit: true, climb: true, sample: 1})},
	{"sim-climb20-s1", simMaker(simOptions{window: 0.20, admit: true, climb: true, sample: 1})},
	{"sim-climb20-s2", simMaker(simOptions{window: 0.20, admit: true, climb: true, sample: 2})},
	{"sim-climb-s1-st", simMaker(simOptions{window: 0.01, admit: true, climb: true, sample: 1, stepPct: 0.02})},
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
		if !s.o.admit || s.freq[n.key] > s.freq[victim.key] {
			s.drop(victim)
		} else {
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
