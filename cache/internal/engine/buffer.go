package engine

import (
	"math/bits"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/prodready/prodready/cache/internal/policy"
)

// The read buffers: a read records its key's hash in a lossy, striped ring
// buffer, and whoever holds the engine's lock drains the buffers into the
// policy, as Caffeine and otter do. A read never waits: when its ring is
// full, or another reader won the race for its slot, the record is
// dropped, which the policy tolerates (it orders by a sample of the
// reads); the reader that fills a ring drains it if the lock is free
// (TryLock), and leaves it to the next writer otherwise. A write
// drains every ring, so that the policy sees the reads before the write.

// ringSize is the slots of a ring, a power of two. With the background
// drain a ring must absorb the reads made before the drainer runs: at 16
// a single replaying reader dropped enough records that the policy's
// adaptation lost 2.5 to 5.4 points on the P3 trace; at 128 it loses 0.7
// to 2.5, with the same Get hit (docs/BENCHMARKS.md); 512 gained nothing.
const ringSize = 128

// dropSampleBits: one dropped record in 2^dropSampleBits is counted (see
// buffer.add).
const dropSampleBits = 4

// A ring is a bounded buffer of hashes, many writers, one drainer (the
// holder of the engine's lock). A slot holds 0 until its writer has stored
// its hash: no hash is 0 (see Engine.hash).
type ring struct {
	head atomic.Uint64 // next slot to drain; written by the drainer
	_    [56]byte
	tail atomic.Uint64 // next slot to fill
	// lost and dropped count the records dropped since the last drain (a
	// full ring, or a lost race), of keys the policy samples and of the
	// others, for its clocks and counts (policy.DropCounter).
	lost, dropped atomic.Uint64
	_             [40]byte
	slots         [ringSize]atomic.Uint64
}

// A buffer is a set of rings; each goroutine writes to the ring its stack
// address picks, so that readers on different Ps rarely share one.
//
// A record its ring drops goes to the ring's spill instead when the
// policy samples its key (policy.Sampler) and does not sample every key,
// and reaches only the policy's simulations (Sampler.Sampled): they, which
// choose its shape and estimate other sizes, then see every read of their
// sample however busy the drainer is, while the policy's own order sees
// the reads of every key thinned alike, at the cost of a hash mix on a
// dropped read. Replaying P6 at 262,144 entries from one goroutine, two
// reads in three dropped, the backend's adaptation fed the thinned
// stream ended at 88.65 to 89.01%, against 90.5% for the shape it should
// have taken; with the spill 88.85 to 90.09, median 89.7 (6 runs each,
// docs/BENCHMARKS.md). A policy that samples a large share of
// the keys reports SampleAll, and no read is spilled
// (policy.TinyLFU.SampleThreshold).
type buffer struct {
	rings, spills []ring
	shift         uint // 64 - log2(len(rings))
	// threshold is the policy's SampleThreshold when it is under
	// policy.SampleAll, stored at each drain; 0 otherwise.
	threshold atomic.Uint64
}

// newBuffer returns a buffer of four rings per P, rounded up to a power
// of two, between 4 and 64, each with its spill.
func newBuffer() buffer {
	n := min(max(4*runtime.GOMAXPROCS(0), 4), 64)
	b := bits.Len(uint(n - 1))
	return buffer{rings: make([]ring, 1<<b), spills: make([]ring, 1<<b), shift: uint(64 - b)}
}

// stripe returns a number that differs between goroutines and stays the
// same for one goroutine at one call depth: the address of a local
// variable, scrambled (Fibonacci hashing), as otter's StackHash. It is
// only a hint: a stack that moves changes it.
func stripe() uint64 {
	var x byte
	return uint64(uintptr(unsafe.Pointer(&x))) * 0x9e3779b97f4a7c15
}

// add records h and returns its ring when h filled it, so that the caller
// drains it; nil otherwise. A record that finds the ring full, or loses
// the race for a slot, is dropped, and add reports it (dropped true), so
// that a hit can mark its entry instead (secondchance.go): the reader that
// filled the ring drains it if the lock is free (or wakes the drainer),
// else the next write does, and meanwhile the reads cost two loads.
func (b *buffer) add(h uint64) (r *ring, dropped bool) {
	i := stripe() >> b.shift
	r = &b.rings[i]
	head, tail := r.head.Load(), r.tail.Load()
	size := tail - head
	if size >= ringSize || !r.tail.CompareAndSwap(tail, tail+1) {
		c := &r.lost
		if t := b.threshold.Load(); t != 0 {
			if policy.SampleValue(h) >= t {
				c = &r.dropped
			} else if b.spills[i].put(h) {
				return nil, true // the simulations will see it, not the order
			}
		}
		// One drop in 2^dropSampleBits is counted, as that many: an atomic
		// add on every drop cost a Get hit 7 ns (one reader on a full
		// ring: 49.8 against 42.8 ns), and math/rand/v2's generator to
		// pick the ones 10 ns. They are picked by h mixed with the ring's
		// head, which moves at every drain, so that a hot key is in the
		// sample for a drain and out for others: a key-only pick counted
		// the reads of a fixed set of keys 10% off.
		if ((h^head)*0x9e3779b97f4a7c15)>>(64-dropSampleBits) == 0 {
			c.Add(1 << dropSampleBits)
		}
		return nil, true
	}
	r.slots[tail&(ringSize-1)].Store(h)
	if size+1 >= ringSize {
		return r, false
	}
	return nil, false
}

// drain passes every recorded hash to p, as a hit or, with miss, as a
// miss, and the spilled ones to its simulations. The caller holds the
// engine's lock.
func (b *buffer) drain(p policy.Policy, miss bool) {
	var lost, dropped uint64
	for i := range b.rings {
		lost += b.rings[i].lost.Swap(0)
		dropped += b.rings[i].dropped.Swap(0)
		b.rings[i].drain(p, miss)
	}
	if s, ok := p.(policy.Sampler); ok {
		// After the rings: their records were earlier.
		sampled := func(h uint64) { s.Sampled(h, miss) }
		for i := range b.spills {
			b.spills[i].drainTo(sampled)
		}
		t := s.SampleThreshold()
		if t >= policy.SampleAll {
			t = 0
		}
		// Stored only when it moved: the line it shares with rings and
		// shift is read by every record, and a store at every drain would
		// take it from the readers' caches.
		if b.threshold.Load() != t {
			b.threshold.Store(t)
		}
	}
	if dc, ok := p.(policy.DropCounter); ok && lost+dropped > 0 {
		dc.Dropped(lost, dropped)
	}
}

// put records h in r unless r is full or another writer won the slot; it
// reports whether it did. It never asks for a drain: the spill is drained
// with the rings, whose filling asks.
func (r *ring) put(h uint64) bool {
	head, tail := r.head.Load(), r.tail.Load()
	if tail-head >= ringSize || !r.tail.CompareAndSwap(tail, tail+1) {
		return false
	}
	r.slots[tail&(ringSize-1)].Store(h)
	return true
}

// drain passes the hashes recorded in r to p, as hits or, with miss, as
// misses. The caller holds the engine's lock.
func (r *ring) drain(p policy.Policy, miss bool) {
	if miss {
		r.drainTo(p.Miss)
	} else {
		r.drainTo(p.Hit)
	}
}

// drainTo passes the hashes recorded in r to record, in order. The caller
// holds the engine's lock. A slot whose writer has claimed it but not yet
// filled it ends the drain: the record waits for the next one.
func (r *ring) drainTo(record func(h uint64)) {
	head, tail := r.head.Load(), r.tail.Load()
	for ; head != tail; head++ {
		s := &r.slots[head&(ringSize-1)]
		h := s.Load()
		if h == 0 {
			break
		}
		s.Store(0)
		record(h)
	}
	r.head.Store(head)
}

// drainAll passes every buffered read to the policy, misses first. The
// caller holds the lock.
func (e *Engine[V]) drainAll() {
	e.misses.drain(e.p, true)
	e.hits.drain(e.p, false)
}
