package engine

import "github.com/prodready/prodready/cache/internal/policy"

// lru is the engine's default policy: least recently used, by weight. It
// orders the engine's tests and stands in until a policy is plugged in
// through Options.Policy. Misses do not concern it. Hits on hashes it does
// not hold (late records of entries since dropped) are ignored.
type lru struct {
	items    map[uint64]*lruItem
	head     lruItem // sentinel: head.next is the most recent
	capacity uint64
	weight   uint64
}

type lruItem struct {
	prev, next *lruItem
	h          uint64
	w          uint32
}

var _ policy.Policy = (*lru)(nil)

// newLRU returns an empty LRU bounded at capacity.
func newLRU(capacity uint64) *lru {
	l := &lru{items: make(map[uint64]*lruItem), capacity: capacity}
	l.head.prev, l.head.next = &l.head, &l.head
	return l
}

func (l *lru) unlink(it *lruItem) {
	it.prev.next, it.next.prev = it.next, it.prev
}

func (l *lru) pushFront(it *lruItem) {
	it.prev, it.next = &l.head, l.head.next
	l.head.next.prev = it
	l.head.next = it
}

// Hit moves h to the front.
func (l *lru) Hit(h uint64) {
	if it, ok := l.items[h]; ok {
		l.unlink(it)
		l.pushFront(it)
	}
}

// Miss does nothing: an LRU keeps no history of what it does not hold.
func (l *lru) Miss(uint64) {}

// Add puts h at the front and evicts from the back what no longer fits. An
// entry heavier than the capacity is refused without evicting anything.
func (l *lru) Add(h uint64, w uint32, evict []uint64) []uint64 {
	if _, ok := l.items[h]; ok {
		return l.Update(h, w, evict)
	}
	if uint64(w) > l.capacity {
		return append(evict, h)
	}
	it := &lruItem{h: h, w: w}
	l.items[h] = it
	l.pushFront(it)
	l.weight += uint64(w)
	return l.shed(evict)
}

// Update gives h its new weight and moves it to the front.
func (l *lru) Update(h uint64, w uint32, evict []uint64) []uint64 {
	it, ok := l.items[h]
	if !ok {
		return l.Add(h, w, evict)
	}
	if uint64(w) > l.capacity {
		l.Remove(h)
		return append(evict, h)
	}
	l.weight = l.weight - uint64(it.w) + uint64(w)
	it.w = w
	l.unlink(it)
	l.pushFront(it)
	return l.shed(evict)
}

// shed evicts from the back until the weight fits.
func (l *lru) shed(evict []uint64) []uint64 {
	for l.weight > l.capacity {
		it := l.head.prev
		evict = append(evict, it.h)
		l.Remove(it.h)
	}
	return evict
}

// Remove forgets h.
func (l *lru) Remove(h uint64) {
	it, ok := l.items[h]
	if !ok {
		return
	}
	l.unlink(it)
	delete(l.items, h)
	l.weight -= uint64(it.w)
}

// SetCapacity changes the bound and evicts what no longer fits.
func (l *lru) SetCapacity(c uint64, evict []uint64) []uint64 {
	l.capacity = c
	return l.shed(evict)
}

func (l *lru) Capacity() uint64 { return l.capacity }
func (l *lru) Weight() uint64   { return l.weight }
func (l *lru) Len() int         { return len(l.items) }
