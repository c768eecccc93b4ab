package policy

// An LRU is a Policy that evicts the least recently used entries: the
// baseline the W-TinyLFU is measured against, and a small policy for
// tests. It is not safe for concurrent use.
type LRU struct {
	a        arena
	capacity uint64
	weight   uint64
}

var _ Policy = (*LRU)(nil)

// NewLRU returns an LRU of capacity c, in weight units.
func NewLRU(c uint64) *LRU {
	l := &LRU{capacity: c}
	l.a.init(1, int(min(c, maxHint)))
	return l
}

// Hit moves h to the most recent end.
func (l *LRU) Hit(h uint64) {
	if i, ok := l.a.find(h); ok {
		l.a.unlink(i)
		l.a.pushBack(0, i)
	}
}

// Miss does nothing: an LRU keeps no history of keys it does not hold.
func (l *LRU) Miss(uint64) {}

// Add inserts h as the most recent entry and appends the least recent
// ones while over capacity; h itself if it weighs more than the capacity.
func (l *LRU) Add(h uint64, w uint32, evict []uint64) []uint64 {
	if _, ok := l.a.find(h); ok {
		return l.Update(h, w, evict)
	}
	if uint64(w) > l.capacity {
		return append(evict, h)
	}
	i := l.a.alloc(h, w)
	l.a.pushBack(0, i)
	l.weight += uint64(w)
	return l.evict(evict)
}

// Update sets the weight of h (adding it if it is not held) and makes it
// the most recent entry.
func (l *LRU) Update(h uint64, w uint32, evict []uint64) []uint64 {
	i, ok := l.a.find(h)
	if !ok {
		return l.Add(h, w, evict)
	}
	if uint64(w) > l.capacity {
		l.Remove(h)
		return append(evict, h)
	}
	n := &l.a.nodes[i]
	l.weight = l.weight - uint64(n.weight) + uint64(w)
	n.weight = w
	l.a.unlink(i)
	l.a.pushBack(0, i)
	return l.evict(evict)
}

// Remove forgets h; it does nothing if h is not held.
func (l *LRU) Remove(h uint64) {
	if i, ok := l.a.find(h); ok {
		l.weight -= uint64(l.a.nodes[i].weight)
		l.a.release(i)
	}
}

// SetCapacity changes the capacity and appends what must go.
func (l *LRU) SetCapacity(c uint64, evict []uint64) []uint64 {
	l.capacity = c
	return l.evict(evict)
}

func (l *LRU) evict(evict []uint64) []uint64 {
	for l.weight > l.capacity {
		i := l.a.front(0)
		n := l.a.nodes[i]
		evict = append(evict, n.hash)
		l.weight -= uint64(n.weight)
		l.a.release(i)
	}
	return evict
}

// Capacity is the bound on the total weight.
func (l *LRU) Capacity() uint64 { return l.capacity }

// Weight is the total weight held.
func (l *LRU) Weight() uint64 { return l.weight }

// Len is the number of entries held.
func (l *LRU) Len() int { return l.a.len() }
