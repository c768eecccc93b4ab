package rediscache

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// invalidationWait is the longest a key this Store wrote is read around
// the client-side cache while the server's invalidation is on its way.
const invalidationWait = time.Second

// maxTracked bounds the keys a tracker remembers. When it is reached the
// tracker forgets them all and, until every value cached before then has
// aged out of the client-side cache (ClientCacheTTL), treats every write as
// a write of a cached key.
const maxTracked = 1 << 16

// readStripes is the number of stripes of keys a tracker counts reads in
// flight and pending writes by. A read in flight makes writes of the other
// keys of its stripe pending too, and a pending write makes reads of the
// other keys of its stripe look the write up under a lock: with 4096
// stripes one hot key does that to 1/4096 of the keys.
const readStripes = 4096

// A tracker gives a Store read-your-writes on top of the client-side cache.
// Redis sends the invalidation of a write after the write's reply, so a Get
// right after a Set in the same process could be served the old value (or
// the cached miss) from the client-side cache. The tracker remembers the
// keys that may be in that cache (read from the server through it, and not
// invalidated since), and counts the reads through it that are in flight
// (by stripes of keys): a write of a key that may be cached, or whose
// stripe has a read in flight, makes reads of it go to the server until its
// invalidation arrives (rueidis has evicted the key by then) or
// invalidationWait passes. A read in flight counts because its reply may
// carry the value from before the write: it is counted before it is sent,
// and stops counting only once its key is tracked. Writes of keys never
// read cost nothing, and so do reads of keys in stripes without a pending
// write: they take no lock.
type tracker struct {
	seed     maphash.Seed
	reads    [readStripes]atomic.Int64 // reads in flight through the client-side cache
	pend     [readStripes]atomic.Int32 // pending keys by stripe, read without the lock by Get
	npending atomic.Int64              // len(pending), read without the lock by Get
	cacheTTL time.Duration             // the longest a value stays in the client-side cache

	mu            sync.RWMutex
	tracked       map[string]struct{}
	overflowUntil time.Time            // writes count as writes of cached keys until then
	pending       map[string]time.Time // key -> until
	pruneAt       time.Time            // when stale next drops expired pending keys
}

func newTracker(cacheTTL time.Duration) *tracker {
	return &tracker{seed: maphash.MakeSeed(), cacheTTL: cacheTTL}
}

func (t *tracker) stripe(k string) int {
	return int(maphash.String(t.seed, k) % readStripes)
}

// reading notes a read of k through the client-side cache, before it is
// sent. doneReading must follow, deferred, with the stripe it returns.
func (t *tracker) reading(k string) int {
	st := t.stripe(k)
	t.reads[st].Add(1)
	return st
}

// doneReading ends a read noted by reading; fetched reports that it went
// to the server (it was no client-side cache hit) and succeeded.
func (t *tracker) doneReading(k string, st int, fetched bool) {
	defer t.reads[st].Add(-1)
	if fetched {
		t.read(k, time.Now())
	}
}

// read notes that k was read from the server into the client-side cache.
func (t *tracker) read(k string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tracked == nil {
		t.tracked = make(map[string]struct{})
	}
	if _, ok := t.tracked[k]; ok {
		return
	}
	if len(t.tracked) >= maxTracked {
		clear(t.tracked)
		t.overflowUntil = now.Add(t.cacheTTL)
	}
	t.tracked[k] = struct{}{}
}

// wrote notes a write of k, after the write's reply. A failed write counts
// too: it may have reached the server.
func (t *tracker) wrote(k string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.stripe(k)
	if _, ok := t.tracked[k]; !ok && !now.Before(t.overflowUntil) && t.reads[st].Load() == 0 {
		return
	}
	if t.pending == nil {
		t.pending = make(map[string]time.Time)
	}
	if len(t.pending) >= 1024 {
		t.prune(now)
	}
	if _, ok := t.pending[k]; !ok {
		t.pend[st].Add(1)
	}
	t.pending[k] = now.Add(invalidationWait)
	t.npending.Store(int64(len(t.pending)))
}

// unpend drops k from the pending keys. t.mu is held.
func (t *tracker) unpend(k string) {
	if _, ok := t.pending[k]; ok {
		delete(t.pending, k)
		t.pend[t.stripe(k)].Add(-1)
	}
}

// prune drops the pending keys whose wait is over. t.mu is held.
func (t *tracker) prune(now time.Time) {
	for k, until := range t.pending {
		if !now.Before(until) {
			t.unpend(k)
		}
	}
	t.pruneAt = now.Add(invalidationWait)
	t.npending.Store(int64(len(t.pending)))
}

// stale reports whether the client-side cache may hold an old value of k.
// It takes no lock unless a write of a key of k's stripe is pending, and
// then a shared one, but for pruning expired keys once per
// invalidationWait.
func (t *tracker) stale(k string) bool {
	if t.npending.Load() == 0 {
		return false
	}
	if t.pend[t.stripe(k)].Load() == 0 {
		return false
	}
	now := time.Now()
	t.mu.RLock()
	prune := !now.Before(t.pruneAt)
	until, ok := t.pending[k]
	t.mu.RUnlock()
	if prune {
		t.mu.Lock()
		if !now.Before(t.pruneAt) {
			t.prune(now)
		}
		t.mu.Unlock()
	}
	return ok && now.Before(until)
}

// invalidated is rueidis's OnInvalidations hook, called after rueidis has
// evicted the keys; nil keys mean the whole client-side cache was flushed.
func (t *tracker) invalidated(keys []rueidis.RedisMessage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if keys == nil {
		clear(t.tracked)
		clear(t.pending)
		for i := range t.pend {
			t.pend[i].Store(0)
		}
		t.overflowUntil = time.Time{}
	}
	for _, m := range keys {
		if k, err := m.ToString(); err == nil {
			delete(t.tracked, k)
			t.unpend(k)
		}
	}
	t.npending.Store(int64(len(t.pending)))
}

// wrote notes that k was written, after the write's reply (see tracker).
func (s *Store) wrote(k string) {
	if s.clientCache {
		s.tracker.wrote(k, time.Now())
	}
}
