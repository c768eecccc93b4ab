// Package engine is the in-process cache engine of the memory backend: a
// concurrent map from string keys to values, bounded by a weight, ordered
// by a [policy.Policy], with a lifetime per entry.
//
// Reads take no lock. They probe a sharded open-addressed table of
// immutable nodes (see table.go), then record the key's hash in a lossy
// striped buffer that is drained into the policy under the engine's lock
// (see buffer.go). Writes take the lock: they drain the buffers first, so
// that the policy sees the reads that came before them, then update the
// map and the policy and apply the evictions the policy returns. Entries
// past their lifetime are misses, dropped when a read meets them and by a
// sweep of a few slots per write and per drain (see expiry.go).
package engine

import (
	"errors"
	"hash/maphash"
	"math"
	"sync"

	"github.com/prodready/prodready/cache/internal/policy"
)

// never is the expiry of an entry that does not expire.
const never = math.MaxInt64

// Options configure an Engine. The zero Options are an engine of capacity
// 1 holding entries of weight 1 forever, ordered by LRU.
type Options[V any] struct {
	// Capacity bounds the total weight of the entries.
	Capacity uint64
	// Weigher returns the weight of an entry. It runs before the write
	// takes the lock. If Weigher is nil, every entry weighs 1.
	Weigher func(key string, v V) uint32
	// Lifetime returns how long an entry written now lives, in
	// nanoseconds, given rest, the lifetime left to the entry it replaces
	// (not positive when there is none). A lifetime that is not positive
	// means the entry is dead on arrival. It runs under the lock. If
	// Lifetime is nil, entries never expire.
	Lifetime func(key string, v V, rest int64) int64
	// Now returns the time in nanoseconds. It is read by every read. If Now
	// is nil, a coarse clock is used: the monotonic clock in Unix
	// nanoseconds, read every coarseTick by a goroutine of the engine's
	// (stopped by Stop), so that a read costs an atomic load instead of a
	// clock read; entries then live up to coarseTick past their lifetime.
	Now func() int64
	// Policy returns the policy for a capacity. If Policy is nil, an LRU
	// is used.
	Policy func(capacity uint64) policy.Policy
	// OnEviction is called for each entry the engine drops for room or
	// because its lifetime ended (expired is true then), not for those
	// replaced or invalidated. It runs under the lock: it must be quick and
	// must not call the Engine.
	OnEviction func(key string, v V, expired bool)
	// BackgroundDrain moves the draining of the read buffers off the read
	// path, to a goroutine of the engine's (stopped by Stop): see
	// drainer.go. Without it, the reader that fills a ring drains it,
	// which keeps the policy's view exact under a single reader (the
	// engine's own tests) but charges the policy's cost to that read.
	BackgroundDrain bool
}

// An Engine is a bounded cache of values of type V under string keys. It is
// safe for concurrent use. The zero Engine is not usable: build one with
// [New].
type Engine[V any] struct {
	shards [numShards]shard[V]

	// Read by every read, written only by New.
	seed     maphash.Seed
	now      func() int64
	hits     buffer
	misses   buffer
	weigher  func(string, V) uint32
	lifetime func(string, V, int64) int64
	onEvict  func(string, V, bool)
	tomb     *node[V]     // the tombstone of this engine's tables
	clock    *coarseClock // the default clock, or nil
	drainer  *drainer     // with Options.BackgroundDrain, or nil
	stopOnce sync.Once

	// The lock is written by every drain: kept off the cache line of the
	// fields above, which every read loads.
	_       [64]byte
	mu      sync.Mutex // guards everything below, and the tables' contents
	p       policy.Policy
	evict   []uint64 // reused by each call of the policy
	cursor  sweepCursor
	stopped bool
}

// An Entry is a snapshot of an entry with its times, in the clock's
// nanoseconds.
type Entry[V any] struct {
	Value     V
	ExpiresAt int64 // math.MaxInt64 for an entry that does not expire
	WrittenAt int64
	ReadAt    int64 // the clock when the read looked
}

// errNoPolicy reports a Policy constructor that returned nil.
var errNoPolicy = errors.New("engine: the Policy option returned a nil policy")

// New returns an empty Engine configured by o; a nil o means the zero
// Options.
func New[V any](o *Options[V]) (*Engine[V], error) {
	var opts Options[V]
	if o != nil {
		opts = *o
	}
	mk := opts.Policy
	if mk == nil {
		mk = func(c uint64) policy.Policy { return newLRU(c) }
	}
	p := mk(max(opts.Capacity, 1))
	if p == nil {
		return nil, errNoPolicy
	}
	e := &Engine[V]{
		seed:     maphash.MakeSeed(),
		now:      opts.Now,
		hits:     newBuffer(),
		misses:   newBuffer(),
		weigher:  opts.Weigher,
		lifetime: opts.Lifetime,
		onEvict:  opts.OnEviction,
		tomb:     &node[V]{},
		p:        p,
	}
	if r, ok := p.(policy.SecondChancer); ok {
		r.SetReferenced(e.readLate)
	}
	if opts.BackgroundDrain {
		e.startDrainer()
	}
	if e.now == nil {
		e.clock = newCoarseClock()
		e.now = e.clock.read
	}
	for i := range e.shards {
		e.shards[i].t.Store(newTable[V](minSlots))
	}
	return e, nil
}

// hash returns the hash of key under the engine's seed, never 0: the
// tables and the buffers use 0 for "none".
func (e *Engine[V]) hash(key string) uint64 {
	h := maphash.String(e.seed, key)
	if h == 0 {
		h = 1
	}
	return h
}

// GetIfPresent returns the value of key and true, or false when the
// engine holds none that is alive. It records the read in the policy.
func (e *Engine[V]) GetIfPresent(key string) (v V, ok bool) {
	h := e.hash(key)
	n := e.find(h, key)
	if n == nil {
		e.record(&e.misses, h)
		return v, false
	}
	if now := e.now(); n.expires <= now {
		e.expired(n, now)
		e.record(&e.misses, h)
		return v, false
	}
	if e.record(&e.hits, h) {
		n.markRead()
	}
	return n.value, true
}

// GetEntry is GetIfPresent returning the entry's times with its value.
func (e *Engine[V]) GetEntry(key string) (Entry[V], bool) {
	h := e.hash(key)
	n := e.find(h, key)
	if n == nil {
		e.record(&e.misses, h)
		return Entry[V]{}, false
	}
	now := e.now()
	if n.expires <= now {
		e.expired(n, now)
		e.record(&e.misses, h)
		return Entry[V]{}, false
	}
	if e.record(&e.hits, h) {
		n.markRead()
	}
	return Entry[V]{Value: n.value, ExpiresAt: n.expires, WrittenAt: n.written, ReadAt: now}, true
}

// GetEntryQuietly is GetEntry without effect on the policy.
func (e *Engine[V]) GetEntryQuietly(key string) (Entry[V], bool) {
	n := e.find(e.hash(key), key)
	if n == nil {
		return Entry[V]{}, false
	}
	now := e.now()
	if n.expires <= now {
		return Entry[V]{}, false
	}
	return Entry[V]{Value: n.value, ExpiresAt: n.expires, WrittenAt: n.written, ReadAt: now}, true
}

// record adds h to b and, when that fills its ring, wakes the drainer or
// drains the ring if the lock is free. It reports whether the record was
// dropped (see secondchance.go).
func (e *Engine[V]) record(b *buffer, h uint64) (dropped bool) {
	r, dropped := b.add(h)
	if r == nil {
		return dropped
	}
	if e.drainer != nil {
		e.drainer.wakeUp()
		return false
	}
	if e.mu.TryLock() {
		r.drain(e.p, b == &e.misses)
		e.mu.Unlock()
	}
	return false
}

// maintain drains the buffers into the policy and sweeps a few slots for
// expired entries. Writes call it under the lock before they change
// anything.
func (e *Engine[V]) maintain(now int64) {
	e.drainAll()
	e.sweep(now, sweepSlots)
}

// Set stores v under key, replacing the entry there is.
func (e *Engine[V]) Set(key string, v V) {
	e.set(key, v, false)
}

// SetIfAbsent stores v under key unless the engine holds a live entry
// there. It returns v and true when it stored it, and the value held and
// false otherwise.
func (e *Engine[V]) SetIfAbsent(key string, v V) (V, bool) {
	return e.set(key, v, true)
}

// set is Set and SetIfAbsent. The node is built before the lock, and its
// times filled in under it, before it is published.
func (e *Engine[V]) set(key string, v V, onlyIfAbsent bool) (V, bool) {
	h := e.hash(key)
	n := &node[V]{key: key, hash: h, value: v, weight: 1}
	if e.weigher != nil {
		n.weight = e.weigher(key, v)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return v, false
	}
	now := e.now()
	e.maintain(now)
	t, i := e.slotOf(h)
	var old *node[V]
	if i >= 0 {
		old = t.slots[i].Load()
		if old.expires <= now {
			e.drop(t, i, true, true, now)
			old = nil
		}
	}
	if old != nil && onlyIfAbsent && old.key == key {
		return old.value, false
	}
	var rest int64
	if old != nil && old.key == key {
		rest = old.expires - now
	}
	n.written, n.expires = now, never
	if e.lifetime != nil {
		n.expires = addSaturated(now, e.lifetime(key, v, rest))
	}
	if n.expires <= now {
		// Dead on arrival: the write only removes what was there.
		if old != nil {
			e.drop(t, i, true, false, 0)
		}
		return v, true
	}
	if old != nil {
		e.evict = e.p.Update(h, n.weight, e.evict[:0])
	} else {
		e.evict = e.p.Add(h, n.weight, e.evict[:0])
	}
	refused := false
	for _, x := range e.evict {
		if x == h {
			refused = true
		} else if t, j := e.slotOf(x); j >= 0 {
			e.drop(t, j, false, true, now)
		}
	}
	if !refused {
		e.put(n)
		return v, true
	}
	// The policy refused the entry (and forgot h): what the key held goes
	// with it, and the refused value counts as the eviction.
	if t, j := e.slotOf(h); j >= 0 {
		e.drop(t, j, false, false, 0)
	}
	if e.onEvict != nil {
		e.onEvict(key, v, false)
	}
	return v, true
}

// drop removes the entry in slot i of t from the map and, with inPolicy,
// from the policy. With evicted, it reports an eviction to OnEviction, as
// an expiration when the entry's lifetime has ended at now (the policy
// may evict an expired entry before the sweep finds it). The caller holds
// the lock.
func (e *Engine[V]) drop(t *table[V], i int, inPolicy, evicted bool, now int64) {
	n := t.slots[i].Load()
	e.remove(t, i)
	if inPolicy {
		e.p.Remove(n.hash)
	}
	if evicted && e.onEvict != nil {
		e.onEvict(n.key, n.value, n.expires <= now)
	}
}

// Invalidate removes key.
func (e *Engine[V]) Invalidate(key string) {
	h := e.hash(key)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.maintain(e.now())
	if t, i := e.slotOf(h); i >= 0 && t.slots[i].Load().key == key {
		e.drop(t, i, true, false, 0)
	}
}

// InvalidateAll removes every entry.
func (e *Engine[V]) InvalidateAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clear()
}

// clear removes every entry. The caller holds the lock.
func (e *Engine[V]) clear() {
	e.maintain(e.now())
	for s := range e.shards {
		t := e.shards[s].t.Load()
		for i := range t.slots {
			if n := t.slots[i].Load(); n != nil && n != e.tomb {
				e.p.Remove(n.hash)
			}
		}
		e.shards[s].t.Store(newTable[V](minSlots))
	}
	e.cursor = sweepCursor{}
}

// Stop removes every entry, makes later writes do nothing (so that an entry
// written while its owner closes cannot outlive it) and stops the coarse
// clock's goroutine, if the engine has one; reads then miss. Stop is
// idempotent.
func (e *Engine[V]) Stop() {
	e.mu.Lock()
	e.stopped = true
	e.clear()
	e.mu.Unlock()
	e.stopOnce.Do(func() {
		if e.clock != nil {
			e.clock.stop()
		}
		if e.drainer != nil {
			e.drainer.stop()
		}
	})
}

// SetCapacity changes the bound on the total weight, evicting what no
// longer fits.
func (e *Engine[V]) SetCapacity(c uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	e.maintain(now)
	e.evict = e.p.SetCapacity(max(c, 1), e.evict[:0])
	for _, x := range e.evict {
		if t, i := e.slotOf(x); i >= 0 {
			e.drop(t, i, false, true, now)
		}
	}
}

// Capacity returns the bound on the total weight.
func (e *Engine[V]) Capacity() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.p.Capacity()
}

// Weight returns the total weight of the entries, expired ones not yet
// dropped included.
func (e *Engine[V]) Weight() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.p.Weight()
}

// Len returns the number of entries, expired ones not yet dropped
// included.
func (e *Engine[V]) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.p.Len()
}

// Estimates returns the policy's estimates of the hit ratio at other
// capacities, or nil when the policy is not a [policy.Estimator]. It
// maintains the engine first, as a write does: the buffered reads are
// drained, so that the estimates count them, and a few slots are swept,
// so that a cache that is read but not written still frees its expired
// entries at the pace of its scrapes. (The sweep was once suspected of
// losing entries of the reference service's fault test; it does not:
// FuzzOperations and TestEstimatesKeepLiveEntries, docs/CACHE.md.)
func (e *Engine[V]) Estimates() []policy.Estimate {
	e.mu.Lock()
	defer e.mu.Unlock()
	est, ok := e.p.(policy.Estimator)
	if !ok {
		return nil
	}
	e.maintain(e.now())
	return est.Estimates()
}

// CleanUp drains the buffers and drops every expired entry. Its work is
// proportional to the size of the tables: call it from tests and tools,
// not per request.
func (e *Engine[V]) CleanUp() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	e.maintain(now)
	e.sweepAll(now)
}
