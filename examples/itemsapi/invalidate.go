package main

import (
	"context"
	"time"

	"github.com/prodready/prodready/cache"
)

// Bounds of the cache's calls after a write (see invalidate).
const (
	// cacheTimeout is the cache's Options.Timeout: the bound of each call
	// to a cache server, and so of the write of a loaded value.
	cacheTimeout = 100 * time.Millisecond
	// deleteTimeout bounds each attempt to delete a cached item after a
	// write; a failed attempt is tried once more.
	deleteTimeout = time.Second
	// invalidateMargin is added to the delay of the second delete after a
	// write, for the scheduling of the goroutines on both sides.
	invalidateMargin = 100 * time.Millisecond
)

// maxUnsynced bounds the items remembered while the cache is not
// connected; past it, the connect logs that entries may be stale.
const maxUnsynced = 10000

// invalidate deletes the cached item id after a write, twice: at once,
// and again after invalidateDelay, in a goroutine that shutdown waits for.
//
// The second delete is for other processes sharing the cache server. The
// cache keeps one process's loads from storing a value older than its own
// Set or Delete, but across processes the last write to the server wins:
// instance B's GetOrLoad that read the old row just before A's write
// committed stores it after A's first delete, and without the second one
// B's value would be served for CACHE_TTL (a "not found" for NegativeTTL,
// for a POST). Each load is bounded by LoadTimeout (REQUEST_TIMEOUT; a
// load that runs out of time stores nothing) and the write of its value
// by Timeout (cacheTimeout), so a load that began before the commit has
// stored its value, or never will, by the second delete.
//
// The window that remains: a stale value is served from the first delete
// until the second (REQUEST_TIMEOUT + 200ms at most); and a process that
// stalls longer than invalidateMargin between its loader's return and its
// cache write (a stop-the-world pause, SIGSTOP, a swapped-out host), or a
// server that applies a write later than the client's Timeout, can still
// store the old value after the second delete, for CACHE_TTL. Bound that
// with CACHE_TTL, or serve reads that must be fresh from the database.
//
// Both deletes run with a context of their own (the request's values,
// not its cancellation or deadline, so that a write that finishes near
// REQUEST_TIMEOUT still invalidates), deleteTimeout per attempt and one
// retry. A cache that fails both leaves the old value until CACHE_TTL:
// logged, not an error of the write, which has happened.
func (s *server) invalidate(ctx context.Context, id int64) {
	s.unsyncedMu.Lock()
	c := s.cache()
	if c == nil {
		// Remembered, and deleted when the cache connects, since the
		// server may hold an entry written before it went down.
		if len(s.unsynced) < maxUnsynced {
			if s.unsynced == nil {
				s.unsynced = make(map[int64]struct{})
			}
			s.unsynced[id] = struct{}{}
		} else {
			s.unsyncedOverflow = true
		}
		s.unsyncedMu.Unlock()
		s.logger.WarnContext(ctx, "cache not connected: other instances may serve the old item until CACHE_TTL; this one deletes it when the cache connects", "id", id)
		return
	}
	s.unsyncedMu.Unlock()
	ctx = context.WithoutCancel(ctx)
	key := itemKey(id)
	s.deleteItem(ctx, c, key, id)
	s.scheduleDelete(ctx, c, key, id)
}

// A delayedDelete is the second delete of an item, waiting on its timer.
type delayedDelete struct{ t *time.Timer }

// scheduleDelete deletes key again after invalidateDelay. One timer per
// item, no goroutine while it waits: a write to an item that already has
// one pushes it back, so a burst of writes holds one timer per item, not
// one per write. Shutdown waits for them through s.pending.
func (s *server) scheduleDelete(ctx context.Context, c *cache.Cache[Item], key string, id int64) {
	s.delayedMu.Lock()
	defer s.delayedMu.Unlock()
	if d, ok := s.delayed[id]; ok && d.t.Stop() {
		// Stopped before it fired: it is still counted in s.pending.
		d.t.Reset(s.invalidateDelay())
		return
	}
	// None, or one that fired and is about to delete: a new one, since
	// the write may be newer than that delete.
	if s.delayed == nil {
		s.delayed = make(map[int64]*delayedDelete)
	}
	d := &delayedDelete{}
	s.pending.Add(1)
	// The timer's function takes delayedMu, held here until d.t is set.
	d.t = time.AfterFunc(s.invalidateDelay(), func() {
		defer s.pending.Done()
		s.delayedMu.Lock()
		if s.delayed[id] == d {
			delete(s.delayed, id)
		}
		s.delayedMu.Unlock()
		s.deleteItem(ctx, c, key, id)
	})
	s.delayed[id] = d
}

// invalidateDelay is the time between the two deletes of invalidate: the
// longest a load that started before the write can take to store its
// value, and a margin.
func (s *server) invalidateDelay() time.Duration {
	return s.cfg.RequestTimeout + cacheTimeout + invalidateMargin
}

// deleteItem deletes key from c, trying twice, and logs a failure.
func (s *server) deleteItem(ctx context.Context, c *cache.Cache[Item], key string, id int64) {
	var err error
	for range 2 {
		dctx, cancel := context.WithTimeout(ctx, deleteTimeout)
		err = c.Delete(dctx, key)
		cancel()
		if err == nil {
			return
		}
	}
	s.logger.WarnContext(ctx, "cache delete failed twice: the item may be served stale until CACHE_TTL", "id", id, "err", err)
}

// pendingBound is the longest a delayed delete scheduled by the last
// write can take: the delay, then two attempts of deleteTimeout, and a
// margin. Shutdown waits for that much at most, so the whole shutdown
// takes at most SHUTDOWN_DRAIN + SHUTDOWN_TIMEOUT (+ REQUEST_TIMEOUT + 1s
// when handlers outlive it) + REQUEST_TIMEOUT + 3.2s: keep the
// platform's grace period (Kubernetes: 30s) above it.
func (s *server) pendingBound() time.Duration {
	return s.invalidateDelay() + 2*deleteTimeout + time.Second
}
