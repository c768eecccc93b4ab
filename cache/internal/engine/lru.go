package engine

import "github.com/prodready/prodready/cache/internal/policy"

// lru is the engine's default policy: least recently used, by weight. It
// orders the engine's tests and stands in until a policy is plugged in
// through Options.Policy. Misses do not concern it. Hits on hashes it does
// not hold (late records of entries since dropped) are ignored.
//
// A Hit runs for every read the engine records, under the engine's lock,
// so it is kept cheap: the entries are items of one slice, linked by
// index, and found through an open-addressed index of their hashes (which
// are already uniform: the slot is the hash's low bits), not a Go map.
type lru struct {
	items    []lruItem // items[0] is the list's sentinel: next is the most recent
	free     []int32   // indices of unused items
	index    []lruSlot // linear probing; idx 0 is an empty slot
	mask     uint64
	n        int
	capacity uint64
	weight   uint64
}

type lruItem struct {
	h          uint64
	w          uint32
	prev, next int32
}

type lruSlot struct {
	h   uint64
	idx int32
}

var _ policy.Policy = (*lru)(nil)

// newLRU returns an empty LRU bounded at capacity.
func newLRU(capacity uint64) *lru {
	l := &lru{items: make([]lruItem, 1), capacity: capacity}
	l.resize(16)
	return l
}

// find returns the index of h's item, or 0.
func (l *lru) find(h uint64) int32 {
	for i := h & l.mask; ; i = (i + 1) & l.mask {
		s := l.index[i]
		if s.idx == 0 || s.h == h {
			return s.idx
		}
	}
}

// resize rebuilds the index with n slots.
func (l *lru) resize(n int) {
	old := l.index
	l.index, l.mask = make([]lruSlot, n), uint64(n-1)
	for _, s := range old {
		if s.idx != 0 {
			l.insert(s)
		}
	}
}

// insert puts s in the first empty slot of its probe sequence.
func (l *lru) insert(s lruSlot) {
	i := s.h & l.mask
	for l.index[i].idx != 0 {
		i = (i + 1) & l.mask
	}
	l.index[i] = s
}

// unindex removes h from the index, shifting back the slots after it so
// that no probe sequence has a hole (no tombstones).
func (l *lru) unindex(h uint64) {
	i := h & l.mask
	for l.index[i].h != h || l.index[i].idx == 0 {
		i = (i + 1) & l.mask
	}
	for j := (i + 1) & l.mask; l.index[j].idx != 0; j = (j + 1) & l.mask {
		home := l.index[j].h & l.mask
		// Move j into the hole at i unless its home lies cyclically in
		// (i, j]: then it is already where its probe finds it.
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			l.index[i] = l.index[j]
			i = j
		}
	}
	l.index[i] = lruSlot{}
}

func (l *lru) unlink(x int32) {
	it := &l.items[x]
	l.items[it.prev].next = it.next
	l.items[it.next].prev = it.prev
}

func (l *lru) pushFront(x int32) {
	head := l.items[0].next
	l.items[x].prev, l.items[x].next = 0, head
	l.items[head].prev = x
	l.items[0].next = x
}

// Hit moves h to the front.
func (l *lru) Hit(h uint64) {
	if x := l.find(h); x != 0 && l.items[0].next != x {
		l.unlink(x)
		l.pushFront(x)
	}
}

// Miss does nothing: an LRU keeps no history of what it does not hold.
func (l *lru) Miss(uint64) {}

// Add puts h at the front and evicts from the back what no longer fits. An
// entry heavier than the capacity is refused without evicting anything.
func (l *lru) Add(h uint64, w uint32, evict []uint64) []uint64 {
	if l.find(h) != 0 {
		return l.Update(h, w, evict)
	}
	if uint64(w) > l.capacity {
		return append(evict, h)
	}
	var x int32
	if k := len(l.free); k > 0 {
		x, l.free = l.free[k-1], l.free[:k-1]
	} else {
		x = int32(len(l.items))
		l.items = append(l.items, lruItem{})
	}
	l.items[x] = lruItem{h: h, w: w}
	if (l.n+1)*4 > len(l.index)*3 {
		l.resize(2 * len(l.index))
	}
	l.insert(lruSlot{h: h, idx: x})
	l.n++
	l.pushFront(x)
	l.weight += uint64(w)
	return l.shed(evict)
}

// Update gives h its new weight and moves it to the front.
func (l *lru) Update(h uint64, w uint32, evict []uint64) []uint64 {
	x := l.find(h)
	if x == 0 {
		return l.Add(h, w, evict)
	}
	if uint64(w) > l.capacity {
		l.Remove(h)
		return append(evict, h)
	}
	it := &l.items[x]
	l.weight = l.weight - uint64(it.w) + uint64(w)
	it.w = w
	l.unlink(x)
	l.pushFront(x)
	return l.shed(evict)
}

// shed evicts from the back until the weight fits.
func (l *lru) shed(evict []uint64) []uint64 {
	for l.weight > l.capacity {
		h := l.items[l.items[0].prev].h
		evict = append(evict, h)
		l.Remove(h)
	}
	return evict
}

// Remove forgets h.
func (l *lru) Remove(h uint64) {
	x := l.find(h)
	if x == 0 {
		return
	}
	l.unlink(x)
	l.unindex(h)
	l.n--
	l.weight -= uint64(l.items[x].w)
	l.items[x] = lruItem{}
	l.free = append(l.free, x)
}

// SetCapacity changes the bound and evicts what no longer fits.
func (l *lru) SetCapacity(c uint64, evict []uint64) []uint64 {
	l.capacity = c
	return l.shed(evict)
}

func (l *lru) Capacity() uint64 { return l.capacity }
func (l *lru) Weight() uint64   { return l.weight }
func (l *lru) Len() int         { return l.n }
