package cache

import (
	"context"
	"time"
)

// A Fencer is a Locker whose lease on a missing key lives in the key
// itself, so that every write of the key ends it: the redis and memcached
// backends implement it. The Cache uses it, when the Backend has it, for
// the lease of a GetOrLoad miss, and stores the loaded value only through
// it, so that a load that began before a Set or Delete of its key, in this
// process or in another one sharing the server, never stores its value
// after that write (see docs/CACHE.md, "Coherence").
type Fencer interface {
	// Lease stores a placeholder holding a random token under key, for at
	// most lease, only if key holds nothing (SET NX, add), or, when over is
	// not nil, only if key holds nothing or exactly over (an entry that is
	// expired by its envelope, or written for another type). ok is false
	// when key holds anything else: a value or another holder's
	// placeholder. Get reports a placeholder as a miss. A Set or Delete of
	// key replaces or removes the placeholder, which ends the lease.
	//
	// store writes value under key for ttl only while key still holds
	// this lease's placeholder, atomically on the server, and reports
	// whether it did; the lease ends with it. release removes the
	// placeholder if it is still this lease's; calling it after store or
	// after the lease ran out is harmless.
	Lease(ctx context.Context, key string, lease time.Duration, over []byte) (store func(ctx context.Context, value []byte, ttl time.Duration) (bool, error), release func(context.Context) error, ok bool, err error)

	// StoreIf writes value under key for ttl (deletes key when value is
	// nil) only if key holds exactly old, atomically on the server, and
	// reports whether it did. A refresh-ahead stores its result with it,
	// so that a write of the entry since the refresh read it wins.
	StoreIf(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)
}

// takeLease takes the cross-process lease of cl on key: for a miss on a
// Fencer, the fence in the key itself (returned as store); otherwise, and
// for a refresh, the Locker's lease.
func (c *Cache[V]) takeLease(ctx context.Context, key string, cl *call[V]) (store func(context.Context, []byte, time.Duration) (bool, error), release func(context.Context) error, ok bool, err error) {
	if f, fenced := c.remote.(Fencer); fenced && !cl.refresh {
		store, release, ok, err = f.Lease(ctx, key, c.o.LockLease, nil)
		if ok || err != nil {
			return store, release, ok, err
		}
		// The key holds something: a value stored since the miss, another
		// holder's placeholder, or an entry no reader can use, which would
		// keep the lease from being taken until the server expires it.
		if b := c.unusable(ctx, key); b != nil {
			return f.Lease(ctx, key, c.o.LockLease, b)
		}
		return nil, nil, false, nil
	}
	release, ok, err = c.locker.TryLock(ctx, key, c.o.LockLease)
	return nil, release, ok, err
}

// mayStore reports whether the result of cl, a load of key, may be written
// to the remote backend. A key with a failed write under repair takes no
// store (see unsettled.go). On a Fencer, a load writes only through its
// fence (a miss's lease in the key, or a refresh's StoreIf): one that went
// without it (the lease was held elsewhere past LockWait, or the server
// failed to grant it) hands its result to its callers only, since nothing
// would keep it from landing after a write that followed its loader's read
// of the source. With leases off (LockLease < 0) loads store unfenced, as
// without a Fencer: across processes, the last write wins.
func (c *Cache[V]) mayStore(key string, cl *call[V]) bool {
	if cl.degraded || c.isUnsettled(key) {
		return false
	}
	if _, fenced := c.remote.(Fencer); !fenced || c.o.LockLease <= 0 {
		return true
	}
	return cl.fence != nil
}

// fenceRefresh prepares the store of cl, a refresh of key that holds the
// refresh lease, on a Fencer: it reads the entry to refresh, and the
// result will replace exactly those bytes (StoreIf), so that a Set or
// Delete of the key that lands meanwhile, from any process, wins. When the
// entry is gone or unreadable, or the refresh does not hold the lease, cl
// keeps no fence and its result is not stored (see mayStore).
func (c *Cache[V]) fenceRefresh(ctx context.Context, key string, cl *call[V]) {
	f, fenced := c.remote.(Fencer)
	if !fenced || c.o.LockLease <= 0 {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	held := cl.release != nil
	sh.mu.Unlock()
	if !held {
		return
	}
	gctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	old, found, err := c.remote.Get(gctx, key)
	cancel()
	if err != nil || !found {
		return
	}
	cl.fence = func(ctx context.Context, b []byte, ttl time.Duration) (bool, error) {
		return f.StoreIf(ctx, key, old, b, ttl)
	}
}

// unusable returns the bytes stored under key when they are an entry that
// no GetOrLoad can use (expired by its envelope's clock, written for
// another V or Codec, not an envelope, or failing its MAC: forged, or
// written under a key this process does not hold), or nil: when key holds
// a usable entry, a placeholder, nothing, or the server fails. Without the
// MAC case a forged entry planted with no expiry would keep every load of
// its key from storing, for good.
func (c *Cache[V]) unusable(ctx context.Context, key string) []byte {
	b, found, err := c.remote.Get(ctx, key)
	if err != nil || !found {
		return nil
	}
	env, err := decodeEnvelope(b)
	if err == nil && env.fingerprint == c.fp && env.expires > c.now().UnixNano() && c.auth.verify(key, b) {
		return nil
	}
	return b
}

// defaultPrevWait bounds the wait of a load for the superseded load of its
// key when neither LoadTimeout nor LockLease is set.
const defaultPrevWait = 5 * time.Second

// prevWait is how long a load waits for the superseded load of its key
// before it calls its loader anyway: LoadTimeout when set (a loader that
// honours its context has returned by then), else LockLease (by then
// another process may load the key too), else defaultPrevWait.
func (c *Cache[V]) prevWait() time.Duration {
	switch {
	case c.o.LoadTimeout > 0:
		return c.o.LoadTimeout
	case c.o.LockLease > 0:
		return c.o.LockLease
	}
	return defaultPrevWait
}

// unlock gives back the cross-process lease, if one was taken.
func (c *Cache[V]) unlock(ctx context.Context, release func(context.Context) error) {
	if release == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.Timeout)
	defer cancel()
	if err := release(rctx); err != nil {
		c.backendError("unlock", err)
	}
}

// tryLock tries to take the cross-process lease on key for cl. The lease
// of a load that a Set or Delete superseded meanwhile is given back at once
// (the load goes on without it).
func (c *Cache[V]) tryLock(ctx context.Context, key string, cl *call[V]) (ok bool, err error) {
	lctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	fence, release, ok, err := c.takeLease(lctx, key, cl)
	cancel()
	if err != nil {
		c.backendError("lock", err)
		return false, err
	}
	if !ok {
		return false, nil
	}
	sh := c.shard(key)
	sh.mu.Lock()
	if cl.superseded {
		sh.mu.Unlock()
		c.unlock(ctx, release)
		return true, nil
	}
	cl.release, cl.fence = release, fence
	sh.mu.Unlock()
	return true, nil
}

// lockOrWait takes the cross-process lease on key. When another process
// holds it, lockOrWait polls the backend for the value that process stores
// and tries the lease again, for up to LockWait (and at most half the time
// left before the deadline of the caller that started the load); found
// reports that cl has its result. A refresh of a key another process is
// loading is given up (found is true). A backend that fails is counted,
// and the load goes on without the lease.
func (c *Cache[V]) lockOrWait(ctx context.Context, key string, cl *call[V], refresh bool) (found bool) {
	ok, err := c.tryLock(ctx, key, cl)
	switch {
	case err != nil, ok:
		return false
	case refresh:
		cl.err = nil
		return true
	}
	wait := c.o.LockWait
	if !cl.deadline.IsZero() {
		wait = min(wait, time.Until(cl.deadline)/2)
	}
	if wait <= 0 {
		return false
	}
	interval := min(max(wait/20, 5*time.Millisecond), 50*time.Millisecond)
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			cl.err = ctx.Err()
			return true
		case <-deadline.C:
			return false
		case <-tick.C:
		}
		it, ok, _, err := c.lookupRemote(ctx, key, false)
		if err != nil {
			return false
		}
		if ok {
			cl.v, cl.err = it.result()
			return true
		}
		ok, err = c.tryLock(ctx, key, cl)
		if err != nil {
			return false
		}
		if ok {
			// The holder stores its value before it gives the lease back:
			// a lease free just after a miss may mean the value just
			// landed. (finish gives the lease back.)
			if it, found, _, err := c.lookupRemote(ctx, key, false); err == nil && found {
				cl.v, cl.err = it.result()
				return true
			}
			return false
		}
	}
}
