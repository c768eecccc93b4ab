package cache

import (
	"context"
	"time"
)

// A Backend stores a Cache's encoded entries outside the process: the redis
// and memcached backends (packages cache/rediscache and cache/memcached)
// implement it. The in-process backend does not: the Cache keeps typed values
// in memory itself.
//
// Keys are the Cache's keys as the caller gave them; a Backend applies its own
// namespace and any encoding its server needs. Values are opaque bytes. Every
// method must return within the Backend's own per-call timeout even when the
// server hangs, and must be safe for concurrent use. A missing key is not an
// error: Get returns ok == false.
type Backend interface {
	// Get returns the value stored under key and whether there is one.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl, which is positive.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Close releases the connections; the Backend is unusable after.
	Close() error
}

// A Locker is a Backend that can hold a short lease on a key, so that a miss
// on the same key in several processes loads once. The Cache uses it when the
// Backend has it.
type Locker interface {
	// TryLock takes the lease on key for at most lease. ok is false when
	// another holder has it. release frees the lease if it is still this
	// holder's; calling it after the lease ran out is harmless.
	TryLock(ctx context.Context, key string, lease time.Duration) (release func(context.Context) error, ok bool, err error)
}
