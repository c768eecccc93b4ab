package cache

import (
	"context"
	"time"
)

// timed returns b with every call timed into the cache.backend.duration
// histogram. The result has exactly the optional interfaces b has
// (Locker, Fencer), because the Cache chooses its lease protocol by them.
// The redis and memcached backends stay unaware of metrics: the clock is
// read here, around the interface calls.
func (m *cacheMetrics) timed(b Backend) Backend {
	t := &timedBackend{b: b, m: m}
	t.l, _ = b.(Locker)
	t.f, _ = b.(Fencer)
	switch {
	case t.l != nil && t.f != nil:
		return timedLockerFencer{t}
	case t.l != nil:
		return timedLocker{t}
	case t.f != nil:
		return timedFencer{t}
	}
	return t
}

// A timedBackend times the calls of b; l and f are b as a Locker and a
// Fencer, or nil. The types below give it the method set of b.
type timedBackend struct {
	b Backend
	l Locker
	f Fencer
	m *cacheMetrics
}

func (t *timedBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	start := time.Now()
	v, ok, err := t.b.Get(ctx, key)
	t.m.backendDone(ctx, opGet, start, err)
	return v, ok, err
}

func (t *timedBackend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	start := time.Now()
	err := t.b.Set(ctx, key, value, ttl)
	t.m.backendDone(ctx, opSet, start, err)
	return err
}

func (t *timedBackend) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := t.b.Delete(ctx, key)
	t.m.backendDone(ctx, opDelete, start, err)
	return err
}

// Close is not timed: it is not a call to the server the Cache waits on
// while serving.
func (t *timedBackend) Close() error { return t.b.Close() }

// tryLock is Locker.TryLock, timed, with its release timed too.
func (t *timedBackend) tryLock(ctx context.Context, key string, lease time.Duration) (func(context.Context) error, bool, error) {
	start := time.Now()
	release, ok, err := t.l.TryLock(ctx, key, lease)
	t.m.backendDone(ctx, opLock, start, err)
	if release != nil {
		release = t.timedRelease(opUnlock, release)
	}
	return release, ok, err
}

// lease is Fencer.Lease, timed, with its store and release timed too.
func (t *timedBackend) lease(ctx context.Context, key string, lease time.Duration, over []byte) (func(context.Context, []byte, time.Duration) (bool, error), func(context.Context) error, bool, error) {
	start := time.Now()
	store, release, ok, err := t.f.Lease(ctx, key, lease, over)
	t.m.backendDone(ctx, opLease, start, err)
	if store != nil {
		inner := store
		store = func(ctx context.Context, value []byte, ttl time.Duration) (bool, error) {
			start := time.Now()
			done, err := inner(ctx, value, ttl)
			t.m.backendDone(ctx, opFencedSet, start, err)
			return done, err
		}
	}
	if release != nil {
		release = t.timedRelease(opLeaseFree, release)
	}
	return store, release, ok, err
}

// storeIf is Fencer.StoreIf, timed.
func (t *timedBackend) storeIf(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	start := time.Now()
	done, err := t.f.StoreIf(ctx, key, old, value, ttl)
	t.m.backendDone(ctx, opConditional, start, err)
	return done, err
}

// timedRelease returns release, timed as op.
func (t *timedBackend) timedRelease(op backendOp, release func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		start := time.Now()
		err := release(ctx)
		t.m.backendDone(ctx, op, start, err)
		return err
	}
}

// timedLocker is a timed Backend that is a Locker.
type timedLocker struct{ *timedBackend }

// TryLock implements [Locker].
func (t timedLocker) TryLock(ctx context.Context, key string, lease time.Duration) (func(context.Context) error, bool, error) {
	return t.tryLock(ctx, key, lease)
}

// timedFencer is a timed Backend that is a Fencer.
type timedFencer struct{ *timedBackend }

// Lease implements [Fencer].
func (t timedFencer) Lease(ctx context.Context, key string, lease time.Duration, over []byte) (func(context.Context, []byte, time.Duration) (bool, error), func(context.Context) error, bool, error) {
	return t.lease(ctx, key, lease, over)
}

// StoreIf implements [Fencer].
func (t timedFencer) StoreIf(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	return t.storeIf(ctx, key, old, value, ttl)
}

// timedLockerFencer is a timed Backend that is both (the redis and
// memcached backends).
type timedLockerFencer struct{ *timedBackend }

// TryLock implements [Locker].
func (t timedLockerFencer) TryLock(ctx context.Context, key string, lease time.Duration) (func(context.Context) error, bool, error) {
	return t.tryLock(ctx, key, lease)
}

// Lease implements [Fencer].
func (t timedLockerFencer) Lease(ctx context.Context, key string, lease time.Duration, over []byte) (func(context.Context, []byte, time.Duration) (bool, error), func(context.Context) error, bool, error) {
	return t.lease(ctx, key, lease, over)
}

// StoreIf implements [Fencer].
func (t timedLockerFencer) StoreIf(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	return t.storeIf(ctx, key, old, value, ttl)
}

var (
	_ Backend = (*timedBackend)(nil)
	_ Locker  = timedLocker{}
	_ Fencer  = timedFencer{}
	_ Locker  = timedLockerFencer{}
	_ Fencer  = timedLockerFencer{}
)
