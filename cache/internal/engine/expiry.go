package engine

import (
	"math"
	"sync/atomic"
	"time"
)

// Expiry. An entry whose expiry has come is a miss for every read, and
// leaves the map in one of three ways:
//
//   - a read that meets it drops it, if the lock is free (TryLock: a read
//     never waits; the next one tries again);
//   - a write of its key replaces it;
//   - the sweep: every write (and SetCapacity, Estimates) looks at the
//     next sweepSlots slots of the tables, round robin over the shards,
//     and drops what has expired. The work per call is bounded; a full
//     pass over tables of S slots takes S/sweepSlots such calls, so an
//     engine that serves traffic frees the capacity of expired entries
//     within that many calls, and an idle one holds them until CleanUp or
//     its next calls.

// sweepSlots is the number of slots each write sweeps.
const sweepSlots = 32

// A sweepCursor is where the sweep goes on: a shard and a slot of its
// current table (a rebuilt table restarts its shard's sweep at worst).
type sweepCursor struct {
	shard int
	slot  int
}

// sweep looks at the next k slots and drops the entries expired at now.
// The caller holds the lock.
func (e *Engine[V]) sweep(now int64, k int) {
	c := e.cursor
	for k > 0 {
		t := e.shards[c.shard].t.Load()
		for ; k > 0 && c.slot < len(t.slots); c.slot, k = c.slot+1, k-1 {
			if n := t.slots[c.slot].Load(); n != nil && n != e.tomb && n.expires <= now {
				e.drop(t, c.slot, true, true, now)
			}
		}
		if c.slot >= len(t.slots) {
			c.shard, c.slot = (c.shard+1)%numShards, 0
		}
	}
	e.cursor = c
}

// sweepAll drops every entry expired at now. The caller holds the lock.
func (e *Engine[V]) sweepAll(now int64) {
	for s := range e.shards {
		t := e.shards[s].t.Load()
		for i := range t.slots {
			if n := t.slots[i].Load(); n != nil && n != e.tomb && n.expires <= now {
				e.drop(t, i, true, true, now)
			}
		}
	}
}

// expired drops n, which a read found expired at now, if the lock is free and n
// is still the entry of its key.
func (e *Engine[V]) expired(n *node[V], now int64) {
	if !e.mu.TryLock() {
		return
	}
	defer e.mu.Unlock()
	if t, i := e.slotOf(n.hash); i >= 0 && t.slots[i].Load() == n {
		e.drop(t, i, true, true, now)
	}
}

// coarseTick is the period of the coarse clock: the most an entry outlives
// its lifetime on the default clock, and 100 wake-ups a second per engine.
const coarseTick = 10 * time.Millisecond

// A coarseClock is the time in Unix nanoseconds, from the monotonic clock
// (which does not jump), read every coarseTick by a goroutine and kept in
// an atomic: a clock read costs about 30 ns on the machines measured, a
// third of a Get hit, and every hit needs the time for its expiry.
type coarseClock struct {
	now  atomic.Int64
	quit chan struct{}
	done chan struct{}
}

// newCoarseClock starts a coarse clock; stop ends its goroutine.
func newCoarseClock() *coarseClock {
	start := time.Now()
	base := start.UnixNano()
	c := &coarseClock{quit: make(chan struct{}), done: make(chan struct{})}
	c.now.Store(base)
	go func() {
		defer close(c.done)
		t := time.NewTicker(coarseTick)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.now.Store(addSaturated(base, int64(time.Since(start))))
			case <-c.quit:
				return
			}
		}
	}()
	return c
}

// read returns the time of the last tick.
func (c *coarseClock) read() int64 { return c.now.Load() }

// stop ends the clock's goroutine and waits for it.
func (c *coarseClock) stop() {
	close(c.quit)
	<-c.done
}

// addSaturated returns t+d, saturated at the bounds of an int64.
func addSaturated(t, d int64) int64 {
	switch {
	case d > 0 && t > math.MaxInt64-d:
		return math.MaxInt64
	case d < 0 && t < math.MinInt64-d:
		return math.MinInt64
	}
	return t + d
}
