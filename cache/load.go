package cache

import (
	"context"
	"errors"
	"runtime/debug"
	"time"
)

// A call is one load of a key, shared by every GetOrLoad of the key that
// arrives while it runs.
type call[V any] struct {
	done   chan struct{} // closed when v and err are set
	v      V
	err    error
	cancel context.CancelFunc

	// superseded is set, under the shard's lock, when a Set or Delete of the
	// key makes the load's result stale: it is then returned to its waiters
	// but not stored.
	superseded bool

	// prev is the load of the key that still ran when this one started;
	// this one calls its loader only after prev is done. Read only by run.
	prev *call[V]

	// ttl is the TTL the result is stored with: the configured one for a
	// miss, the entry's own for a refresh.
	ttl time.Duration

	// deadline is the deadline of the ctx of the caller that started the
	// load, if it had one: waiting for another process's lease leaves that
	// caller time to load itself.
	deadline time.Time

	// Guarded by the shard's lock: release gives back the cross-process
	// lease while the load holds it (a Set or Delete that supersedes the
	// load takes it and gives it back at once), and storing is non-nil,
	// and closed when done, while the result is written to the remote
	// backend (a Set or Delete of the key waits for it, so that the older
	// value does not land after theirs).
	release func(context.Context) error
	storing chan struct{}

	// degraded is set for a load that began after the remote backend
	// failed to answer the lookup: it neither takes the lease nor stores
	// its result, so a dead or hung server costs a miss one timeout, not
	// three.
	degraded bool

	// refresh is set for a refresh-ahead load. fence, set by run when a
	// miss's load holds the lease of a Fencer backend, is the only way
	// its result is stored (see lease.go).
	refresh bool
	fence   func(context.Context, []byte, time.Duration) (bool, error)
}

// window returns the refresh-ahead window of a memory entry stored with
// ttl, in nanoseconds.
func (c *Cache[V]) window(ttl time.Duration) int64 {
	return int64(float64(ttl) * c.o.RefreshAhead)
}

// start returns the in-flight load of key, starting one if there is none;
// ttl is what its result is stored with. A refresh starts only when no
// load of the key runs and the entry is still due, and returns nil. start
// returns nil after Close.
func (c *Cache[V]) start(ctx context.Context, key string, loader func(context.Context) (V, error), refresh bool, ttl time.Duration, since, g0 uint64, degraded bool) *call[V] {
	sh := c.shard(key)
	sh.mu.Lock()
	if refresh {
		g0 = c.gen(key).Load() // the entry is looked at again below
	}
	if c.closed.Load() {
		sh.mu.Unlock()
		return nil
	}
	if cl, ok := sh.calls[key]; ok {
		sh.mu.Unlock()
		if refresh {
			return nil
		}
		return cl
	}
	prev := sh.last[key]
	if refresh && prev != nil {
		sh.mu.Unlock()
		return nil
	}
	if c.remote != nil && !refresh {
		if cl := sh.finished(key, since); cl != nil {
			sh.mu.Unlock()
			return cl
		}
	}
	if c.mem != nil {
		// A load that finished since our miss stored its value under this
		// lock before it left the map: look again, so that a crowd of
		// misses loads once.
		e, ok := c.mem.GetEntryQuietly(key)
		switch {
		case refresh && (!ok || e.ExpiresAt-e.ReadAt > c.window(e.Value.ttl)):
			sh.mu.Unlock()
			return nil
		case !refresh && ok:
			sh.mu.Unlock()
			return doneCall(e.Value.v, nil)
		case !refresh && c.neg != nil:
			if _, ok := c.neg.GetEntryQuietly(key); ok {
				sh.mu.Unlock()
				var zero V
				return doneCall(zero, ErrNotFound)
			}
		}
	}
	// A refresh outlives the request that started it: its loader gets none
	// of the request's values. A miss's loader keeps them (trace ids and
	// the like) without the request's cancellation.
	lctx := context.Background()
	if !refresh {
		lctx = context.WithoutCancel(ctx)
	}
	// Close cancels lctx. LoadTimeout starts only when the loader is
	// called (see run): the waits for a superseded load and for another
	// process's lease have bounds of their own.
	lctx, cancel := context.WithCancel(lctx)
	cl := &call[V]{done: make(chan struct{}), cancel: cancel, degraded: degraded, prev: prev, ttl: ttl, refresh: refresh}
	if !refresh {
		cl.deadline, _ = ctx.Deadline()
	}
	if sh.calls == nil {
		sh.calls = make(map[string]*call[V])
		sh.last = make(map[string]*call[V])
		sh.running = make(map[*call[V]]struct{})
	}
	sh.calls[key] = cl
	sh.last[key] = cl
	sh.running[cl] = struct{}{}
	sh.loading.Add(1)
	if c.written(key, g0) {
		// A Set or Delete of the key (or of its stripe) began since the
		// miss, and may not have seen this load: the load is born
		// superseded (see generation.go).
		sh.supersede(key)
	}
	c.wg.Add(1)
	sh.mu.Unlock()
	go c.run(lctx, key, cl, loader, refresh)
	if refresh {
		return nil
	}
	return cl
}

// errNoReturn is the result of a loader that neither returned nor panicked
// (it called runtime.Goexit).
var errNoReturn = errors.New("cache: loader did not return")

// run performs the load cl of key and hands its result to the waiters. ctx
// is canceled by Close only: LoadTimeout bounds the loader's own context.
func (c *Cache[V]) run(ctx context.Context, key string, cl *call[V], loader func(context.Context) (V, error), refresh bool) {
	defer c.wg.Done()
	defer cl.cancel()
	cl.err = errNoReturn
	stored := false
	defer func() {
		// Whatever happened, the lease is given back and the waiters are
		// released.
		if !stored {
			c.finish(ctx, key, cl, false, refresh)
		}
	}()

	if prev := cl.prev; prev != nil {
		// One loader per key at a time: wait for the superseded load, but
		// not forever (a loader that ignores its context would block the
		// key for good). After prevWait both loaders run; the older one's
		// result is never stored.
		cl.prev = nil
		t := time.NewTimer(c.prevWait())
		select {
		case <-prev.done:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			cl.err = ctx.Err()
			return
		}
		t.Stop()
	}
	if c.locker != nil && c.o.LockLease > 0 && !cl.degraded {
		if found := c.lockOrWait(ctx, key, cl, refresh); found {
			return
		}
	}
	// A refresh whose entry is gone or unreadable has nothing to refresh
	// and no fence to store under, but it does not return early: a miss of
	// the key that came meanwhile joined this call (start hands a running
	// call to a miss) and waits for a value. The loader runs for it, and
	// its result is not stored (mayStore: no fence). Returning here handed
	// errNoReturn to that miss (StressClose on Redis, once under load).
	if refresh {
		c.fenceRefresh(ctx, key, cl)
	}
	lctx := ctx
	if c.o.LoadTimeout > 0 {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(ctx, c.o.LoadTimeout)
		defer cancel()
	}
	cl.v, cl.err = c.invoke(lctx, loader)
	stored = true
	// A load whose context ended (LoadTimeout or Close) hands its result
	// to its waiters but does not store it.
	c.finish(ctx, key, cl, lctx.Err() == nil, refresh)
}

// invoke calls loader, counting the load, and turns a panic into a
// *PanicError. A loader that fails returns the zero V; one that calls
// runtime.Goexit is counted as a failed load (the goroutine then ends, and
// run hands errNoReturn to the waiters).
func (c *Cache[V]) invoke(ctx context.Context, loader func(context.Context) (V, error)) (v V, err error) {
	c.slow.loads.Add(1)
	var start time.Time
	if c.metrics != nil {
		start = time.Now()
	}
	returned := false
	defer func() {
		r := recover()
		if c.metrics != nil {
			e := err
			if r != nil || !returned {
				e = errNoReturn // a failure, whatever err holds
			}
			c.metrics.loadDone(ctx, start, e)
		}
		switch {
		case r != nil:
			var zero V
			v, err = zero, &PanicError{Value: r, Stack: debug.Stack()}
		case !returned:
			err = errNoReturn
		}
		if err != nil {
			var zero V
			v = zero
			if !errors.Is(err, ErrNotFound) || r != nil {
				c.slow.loadErrors.Add(1)
			}
		}
	}()
	v, err = loader(ctx)
	returned = true
	return v, err
}

// finish stores the result of cl (when store is set and no Set or Delete
// superseded it), gives back the cross-process lease (if cl holds it),
// removes cl from the in-flight loads and releases its waiters. The
// result is stored before the lease is given back and before cl leaves the
// in-flight loads, so that a miss that comes later, here or in another
// process, finds it; and the lease is free before the waiters return, so
// that their next miss or refresh can take it.
func (c *Cache[V]) finish(ctx context.Context, key string, cl *call[V], store, refresh bool) {
	sh := c.shard(key)
	act := actNone
	if store && ctx.Err() == nil {
		act = c.decide(cl, refresh)
	}
	if c.remote != nil && act != actNone && c.mayStore(key, cl) {
		// Stored outside the lock, so that a slow server does not hold up
		// the other keys of the shard; a Set or Delete of the key that
		// comes meanwhile waits for the store (see supersedeRemote), and
		// one that came before it stops it.
		sh.mu.Lock()
		storing := !cl.superseded
		if storing {
			cl.storing = make(chan struct{})
		}
		sh.mu.Unlock()
		if storing {
			// The store is awaited, never abandoned: it runs without the
			// load's cancellation (Close may cancel it meanwhile), for up
			// to Timeout, so that once storing is closed nothing of it is
			// left on the wire to land after a later Set or Delete.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.Timeout)
			fenced := c.storeResult(sctx, key, cl, act)
			cancel()
			sh.mu.Lock()
			close(cl.storing)
			cl.storing = nil
			if fenced && !refresh {
				cl.release = nil // the fenced store ended the miss's lease
			}
			sh.mu.Unlock()
		}
	}
	sh.mu.Lock()
	release := cl.release
	cl.release = nil
	sh.mu.Unlock()
	c.unlock(ctx, release)
	sh.mu.Lock()
	if c.mem != nil && !cl.superseded {
		switch act {
		case actStore:
			// A Weigher (or Codec) that panics leaves the entry unstored,
			// counted as a codec error; the waiters still get the value.
			// A miss's result goes only into an empty entry: a Set that
			// landed since the miss, without seeing this load, wins (see
			// generation.go).
			if e, err := c.newMemEntry(key, cl.v, cl.ttl); err == nil {
				if refresh {
					c.mem.Set(key, e)
				} else if _, stored := c.mem.SetIfAbsent(key, e); !stored {
					break
				}
				if c.neg != nil {
					c.neg.Invalidate(key)
				}
			}
		case actStoreNegative:
			if _, ok := c.mem.GetEntryQuietly(key); ok && !refresh {
				break // a Set landed since the miss (see generation.go)
			}
			c.neg.Set(key, struct{}{})
			c.mem.Invalidate(key)
		case actDelete:
			c.mem.Invalidate(key)
		}
	}
	if sh.calls[key] == cl {
		delete(sh.calls, key)
		sh.loading.Add(-1)
		if c.remote != nil && !refresh {
			sh.remember(key, cl)
		}
	}
	if sh.last[key] == cl {
		delete(sh.last, key)
	}
	delete(sh.running, cl)
	sh.mu.Unlock()
	close(cl.done)
}

// storeResult applies act, the fate of cl's result, to the remote backend.
// fenced reports that it went through cl's fence, which ended the lease.
func (c *Cache[V]) storeResult(ctx context.Context, key string, cl *call[V], act int) (fenced bool) {
	switch act {
	case actStore:
		it := c.newItem(cl.v, false, cl.ttl)
		return c.storeRemote(ctx, key, &it, cl.fence) == nil && cl.fence != nil
	case actStoreNegative:
		it := c.newItem(cl.v, true, c.o.NegativeTTL)
		return c.storeRemote(ctx, key, &it, cl.fence) == nil && cl.fence != nil
	case actDelete:
		if cl.fence != nil {
			// A refresh's fence: delete only the entry it refreshed.
			if _, err := cl.fence(ctx, nil, 0); err != nil {
				c.backendError("delete", err)
			}
			return false
		}
		if err := c.remote.Delete(ctx, key); err != nil {
			c.backendError("delete", err)
		}
	}
	return false
}

// What a load's result does to the stored entry.
const (
	actNone = iota
	actStore
	actStoreNegative
	actDelete
)

// decide returns what the result of cl does to the stored entry.
func (c *Cache[V]) decide(cl *call[V], refresh bool) int {
	switch {
	case cl.err == nil:
		return actStore
	case !errors.Is(cl.err, ErrNotFound):
		return actNone
	case c.o.NegativeTTL > 0:
		return actStoreNegative
	case refresh:
		return actDelete
	}
	return actNone
}

// doneCall returns a finished call with the result v, err.
func doneCall[V any](v V, err error) *call[V] {
	cl := &call[V]{done: make(chan struct{}), v: v, err: err}
	close(cl.done)
	return cl
}
