package engine

import (
	"math/bits"
	"sync/atomic"
)

// The map of the engine: numShards open-addressed tables of atomic
// pointers to immutable nodes, probed linearly.
//
// Readers take no lock: they load the shard's table and probe it. Writers
// hold the engine's lock. A node is never changed once published (a write
// publishes a new node in the slot of the old), so a reader sees either
// the old or the new entry, never half of one. A deleted slot holds the
// tombstone, which matches no key (its hash is 0, which no key hashes to,
// see Engine.hash), so the probes of other keys go on past it. A table is
// never resized in place: a writer builds a new one from the live nodes
// and publishes it, and the readers still probing the old one see it as
// it was. Sharding bounds the pause of a rebuild to a shard's entries.
//
// A shard holds at most one node per hash: a write that meets another key
// with the same 64-bit hash (a collision the per-engine seed makes
// unforeseeable and rare) replaces it, so that the engine and the policy,
// which sees only hashes, agree on what is held.

const (
	shardBits = 6
	numShards = 1 << shardBits
	minSlots  = 8
)

// A node is one entry of the engine.
type node[V any] struct {
	key     string
	hash    uint64
	value   V
	expires int64 // clock nanoseconds; never for an entry that does not expire
	written int64 // clock nanoseconds
	weight  uint32
	// read is set by a hit whose record the read buffers dropped, and
	// cleared when the policy applies that hit late: see secondchance.go.
	read atomic.Uint32
}

// A table is one generation of a shard's slots. live and used are read and
// written only under the engine's lock.
type table[V any] struct {
	slots []atomic.Pointer[node[V]]
	mask  uint64
	live  int // slots holding an entry
	used  int // slots holding an entry or the tombstone
}

// A shard is a table pointer on a cache line of its own, so that a writer
// replacing one shard's table does not slow the readers of its neighbours.
type shard[V any] struct {
	t atomic.Pointer[table[V]]
	_ [56]byte
}

// newTable returns an empty table of n slots, n a power of two.
func newTable[V any](n int) *table[V] {
	return &table[V]{slots: make([]atomic.Pointer[node[V]], n), mask: uint64(n - 1)}
}

// shardOf returns the shard of hash h; its top bits choose it, and its low
// bits the slot, so the two are independent.
func (e *Engine[V]) shardOf(h uint64) *shard[V] {
	return &e.shards[h>>(64-shardBits)]
}

// find returns the node of key, whose hash is h, or nil. It takes no lock.
func (e *Engine[V]) find(h uint64, key string) *node[V] {
	t := e.shardOf(h).t.Load()
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		n := t.slots[i].Load()
		if n == nil {
			return nil
		}
		if n.hash == h && n.key == key {
			return n
		}
	}
}

// slotOf returns the table of hash h, and the index of the slot holding its
// node, or -1. The caller holds the lock.
func (e *Engine[V]) slotOf(h uint64) (*table[V], int) {
	t := e.shardOf(h).t.Load()
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		n := t.slots[i].Load()
		if n == nil {
			return t, -1
		}
		if n.hash == h {
			return t, int(i)
		}
	}
}

// put publishes n, replacing the node of its hash if there is one. The
// caller holds the lock.
func (e *Engine[V]) put(n *node[V]) {
	s := e.shardOf(n.hash)
	t := s.t.Load()
	free := -1
	for i := n.hash & t.mask; ; i = (i + 1) & t.mask {
		old := t.slots[i].Load()
		if old == nil {
			break
		}
		if old.hash == n.hash {
			t.slots[i].Store(n)
			return
		}
		if old == e.tomb && free < 0 {
			free = int(i)
		}
	}
	if free >= 0 {
		t.slots[free].Store(n)
		t.live++
		return
	}
	if (t.used+1)*4 > len(t.slots)*3 {
		t = e.rebuild(s, t.live+1)
	}
	i := n.hash & t.mask
	for t.slots[i].Load() != nil {
		i = (i + 1) & t.mask
	}
	t.slots[i].Store(n)
	t.live++
	t.used++
}

// rebuild publishes a new table for shard s, sized for want entries at a
// load of at most a half, holding the live nodes of the old one and no
// tombstone. The caller holds the lock.
func (e *Engine[V]) rebuild(s *shard[V], want int) *table[V] {
	old := s.t.Load()
	n := max(minSlots, 1<<bits.Len(uint(2*want-1)))
	t := newTable[V](n)
	for i := range old.slots {
		x := old.slots[i].Load()
		if x == nil || x == e.tomb {
			continue
		}
		j := x.hash & t.mask
		for t.slots[j].Load() != nil {
			j = (j + 1) & t.mask
		}
		t.slots[j].Store(x)
		t.live++
	}
	t.used = t.live
	s.t.Store(t)
	return t
}

// remove empties slot i of t, a table the caller read under the lock it
// holds.
func (e *Engine[V]) remove(t *table[V], i int) {
	t.slots[i].Store(e.tomb)
	t.live--
}
