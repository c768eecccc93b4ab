package policy

// A Config is the shape of a W-TinyLFU policy: how much of the capacity
// the LRU window in front of the main space takes, and whether a
// candidate leaving the window must be more frequent than the main
// space's victim to enter (TinyLFU admission) or always enters.
type Config struct {
	Window float64 // share of the capacity, in [0, 1]
	Admit  bool
}

// protectedShare is the share of the main space its protected segment may
// fill, as in Caffeine.
const protectedShare = 0.8

// A core is a W-TinyLFU policy (Einziger, Friedman and Manes, "TinyLFU: A
// Highly Efficient Cache Admission Policy", 2017) over weights: a new
// entry enters an LRU window; the window's overflow becomes a candidate
// for the main space, a segmented LRU (probation, then protected on a
// second hit), where it competes with probation's oldest entry by their
// frequencies in a sketch. The same type runs the cache's own policy and
// its miniature simulations.
type core struct {
	a  arena
	sk *sketch
	// tier, for a miniature, is the sketch it shares with the miniatures
	// that sample as it does (group.go): sk is tier's, and a request is
	// counted there once, by the first of them to record it.
	tier       *tier
	cfg        Config
	capacity   uint64
	weight     uint64
	queued     [numQueues]uint64 // weight per queue
	windowCap  uint64
	protectCap uint64
	// lastMiss is the hash of the last Miss, so that the Add following it
	// does not count the same request twice in the sketch.
	lastMiss    uint64
	hasLastMiss bool
	// ref, when set, reports (and forgets) that the engine saw a read of
	// h that its lossy buffers dropped: see referenced.
	ref func(h uint64) bool
}

// referenced reports whether node i was read by a hit the policy never
// saw and, if so, applies that hit now: the entry moves on, a second
// chance as CLOCK gives. Only with admission off, where the main space is
// ordered by recency alone and the late hit is what CLOCK would count.
// With admission on, the late hit, moved or only counted in the sketch,
// rescues entries the frequency filter means to let go: on P6 at 65,536
// entries the backend lost 3.2 points with the move and 6.8 with the
// count (docs/BENCHMARKS.md); the mark waits, unread, meanwhile.
func (p *core) referenced(i int32) bool {
	if p.ref == nil || p.cfg.Admit || !p.ref(p.a.nodes[i].hash) {
		return false
	}
	p.hit(p.a.nodes[i].hash)
	return true
}

// maxHint bounds the entries a core preallocates for, so that a capacity
// in bytes does not reserve gigabytes of nodes.
const maxHint = 1 << 12

// newCore returns a core of capacity c (in weight units) shaped by cfg.
func newCore(c uint64, cfg Config) *core {
	return newCoreSketch(c, cfg, int(min(c, maxHint)))
}

// newCoreSketch is newCore with a sketch sized at first for sketchHint
// entries. The sketch grows, cleared, each time the entries outgrow it
// (record), so a miniature must start from the cache's first size scaled
// by its sample rate: sized for its whole capacity at once, it kept the
// frequencies the cache it stands for had forgotten twice while filling,
// and on P6's first 200,000 requests the 1% window's miniature of 32,768
// entries gave 11.11% where the cache hits 21.52%.
func newCoreSketch(c uint64, cfg Config, sketchHint int) *core {
	p := &core{sk: &sketch{}}
	p.sk.resize(sketchHint)
	p.init(c, cfg)
	return p
}

// newCoreTier returns a core of capacity c shaped by cfg recording in
// tier tr.
func newCoreTier(c uint64, cfg Config, tr *tier) *core {
	p := &core{sk: &tr.sk, tier: tr}
	p.init(c, cfg)
	return p
}

// init gives p its nodes, its capacity c and its shape cfg.
func (p *core) init(c uint64, cfg Config) {
	p.a.init(numQueues, int(min(c, maxHint)))
	p.capacity = c
	p.setConfig(cfg)
}

// sizeQueues computes the window's and the protected segment's shares.
func (p *core) sizeQueues() {
	w := min(max(p.cfg.Window, 0), 1)
	p.windowCap = uint64(w * float64(p.capacity))
	p.protectCap = uint64(protectedShare * float64(p.capacity-p.windowCap))
}

// setConfig reshapes the policy without evicting: entries move between
// the window and the main space until each is within its new share.
func (p *core) setConfig(cfg Config) {
	p.cfg = cfg
	p.sizeQueues()
	for p.queued[qWindow] > p.windowCap {
		p.move(p.a.front(qWindow), qProbation)
	}
	// A larger window takes the main space's oldest entries at once, as
	// Caffeine's climber does, at its least recent end: left to fill with
	// new entries, it would let them all in unfiltered (the cache over
	// capacity evicts from the main space with no admission test) until
	// it is full, which costs as much as admission off (P3 at 32,768
	// entries: 2.6% against 4.1% over the requests it took).
	for p.queued[qWindow] < p.windowCap {
		v := p.a.front(qProbation)
		if v == nilNode {
			v = p.a.front(qProtected)
		}
		if v == nilNode || p.queued[qWindow]+uint64(p.a.nodes[v].weight) > p.windowCap {
			break
		}
		n := &p.a.nodes[v]
		p.a.unlink(v)
		p.queued[n.queue] -= uint64(n.weight)
		p.queued[qWindow] += uint64(n.weight)
		p.a.pushFront(qWindow, v)
	}
	p.demote()
}

// record counts a request for h in the sketch, growing the sketch when
// the policy holds more entries than it was sized for; in a tier, only
// the first of its miniatures to record the call does.
func (p *core) record(h uint64) {
	if tr := p.tier; tr != nil {
		if tr.counted == *tr.now {
			return
		}
		tr.counted = *tr.now
	}
	if n := p.a.len(); n > p.sk.entries() {
		p.sk.resize(2 * n)
	}
	p.sk.increment(h)
}

// contains reports whether the policy holds h.
func (p *core) contains(h uint64) bool {
	_, ok := p.a.find(h)
	return ok
}

// hit records a read of h, which the policy holds; it reports false if it
// does not hold h (a hit the engine reported late, after an eviction).
func (p *core) hit(h uint64) bool {
	i, ok := p.a.find(h)
	if !ok {
		return false
	}
	p.record(h)
	n := &p.a.nodes[i]
	switch n.queue {
	case qWindow:
		p.a.unlink(i)
		p.a.pushBack(qWindow, i)
	case qProbation:
		p.a.unlink(i)
		p.queued[qProbation] -= uint64(n.weight)
		p.queued[qProtected] += uint64(n.weight)
		p.a.pushBack(qProtected, i)
		p.demote()
	case qProtected:
		p.a.unlink(i)
		p.a.pushBack(qProtected, i)
	}
	return true
}

// miss records a read of h, which the policy does not hold.
func (p *core) miss(h uint64) {
	p.record(h)
	p.lastMiss, p.hasLastMiss = h, true
}

// add inserts h of weight w into the window and appends to evict what
// must go; see Policy.Add.
func (p *core) add(h uint64, w uint32, evict []uint64) []uint64 {
	if _, ok := p.a.find(h); ok {
		return p.update(h, w, evict)
	}
	return p.insert(h, w, evict)
}

// insert is add of an h the policy does not hold.
func (p *core) insert(h uint64, w uint32, evict []uint64) []uint64 {
	if !p.hasLastMiss || p.lastMiss != h {
		p.record(h)
	}
	p.hasLastMiss = false
	if uint64(w) > p.capacity {
		return append(evict, h)
	}
	i := p.a.alloc(h, w)
	p.a.pushBack(qWindow, i)
	p.queued[qWindow] += uint64(w)
	p.weight += uint64(w)
	return p.evict(evict)
}

// update sets the weight of h; see Policy.Update. A hash the policy does
// not hold is added.
func (p *core) update(h uint64, w uint32, evict []uint64) []uint64 {
	i, ok := p.a.find(h)
	if !ok {
		return p.add(h, w, evict)
	}
	n := &p.a.nodes[i]
	if uint64(w) > p.capacity {
		p.drop(i)
		return append(evict, h)
	}
	p.weight = p.weight - uint64(n.weight) + uint64(w)
	p.queued[n.queue] = p.queued[n.queue] - uint64(n.weight) + uint64(w)
	n.weight = w
	return p.evict(evict)
}

// remove forgets h if the policy holds it.
func (p *core) remove(h uint64) {
	if i, ok := p.a.find(h); ok {
		p.drop(i)
	}
}

// setCapacity changes the capacity and appends what must go.
func (p *core) setCapacity(c uint64, evict []uint64) []uint64 {
	p.capacity = c
	p.sizeQueues()
	return p.evict(evict)
}

// drop forgets node i without reporting it.
func (p *core) drop(i int32) {
	n := &p.a.nodes[i]
	p.weight -= uint64(n.weight)
	p.queued[n.queue] -= uint64(n.weight)
	p.a.release(i)
}

// evictNode drops node i and appends its hash to evict.
func (p *core) evictNode(i int32, evict []uint64) []uint64 {
	evict = append(evict, p.a.nodes[i].hash)
	p.drop(i)
	return evict
}

// move takes node i from its queue to the back of queue q.
func (p *core) move(i int32, q uint8) {
	n := &p.a.nodes[i]
	p.a.unlink(i)
	p.queued[n.queue] -= uint64(n.weight)
	p.queued[q] += uint64(n.weight)
	p.a.pushBack(q, i)
}

// demote moves protected's oldest entries to probation while protected is
// over its share.
func (p *core) demote() {
	for p.queued[qProtected] > p.protectCap {
		p.move(p.a.front(qProtected), qProbation)
	}
}

// evict restores the bounds: the window's overflow moves to probation as
// candidates, each admitted against probation's oldest entry while the
// cache is over its capacity; then, if still over, the oldest entries go,
// probation's first.
func (p *core) evict(evict []uint64) []uint64 {
	for p.queued[qWindow] > p.windowCap {
		c := p.a.front(qWindow)
		if p.referenced(c) {
			continue
		}
		p.move(c, qProbation)
		evict = p.admit(c, evict)
	}
	for p.weight > p.capacity {
		v := p.a.front(qProbation)
		if v == nilNode {
			v = p.a.front(qProtected)
		}
		if v == nilNode {
			v = p.a.front(qWindow)
		}
		if p.referenced(v) {
			continue
		}
		evict = p.evictNode(v, evict)
	}
	p.demote()
	return evict
}

// admit settles candidate c, just moved to probation, while the cache is
// over its capacity: against each victim in turn (probation's oldest, or
// protected's when probation holds only candidates) it enters if it is
// more frequent (or admission is off), and goes otherwise.
func (p *core) admit(c int32, evict []uint64) []uint64 {
	for p.weight > p.capacity {
		v := p.a.front(qProbation)
		if v == c {
			v = p.a.front(qProtected)
			if v == nilNode {
				return p.evictNode(c, evict)
			}
		}
		if p.referenced(v) {
			continue
		}
		if p.cfg.Admit && p.sk.frequency(p.a.nodes[c].hash) <= p.sk.frequency(p.a.nodes[v].hash) {
			return p.evictNode(c, evict)
		}
		evict = p.evictNode(v, evict)
	}
	return evict
}

// memoryBytes is the memory the core holds: a tier's sketch is the
// group's (group.memoryBytes).
func (p *core) memoryBytes() uint64 {
	if p.tier != nil {
		return p.a.memoryBytes()
	}
	return p.a.memoryBytes() + p.sk.memoryBytes()
}
