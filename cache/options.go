package cache

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// Options are the settings of a [Cache] that do not come from the
// configuration. A nil *Options passed to [New] means the zero Options: every
// field has the default its comment gives. New copies the Options; changing
// them afterwards has no effect on the Cache.
type Options struct {
	// Now is the clock the Cache reads to decide when entries expire, when
	// refresh-ahead starts and when to log errors again. If Now is nil,
	// time.Now is used. Tests inject a fake clock to move time without
	// sleeping; see the package documentation for what follows the clock on
	// each backend.
	Now func() time.Time

	// Jitter spreads the lifetime of entries: each entry lives for its TTL
	// times a random factor in [1-Jitter, 1+Jitter], so keys written together
	// do not expire together. If Jitter is zero, 0.10 (±10%) is used; if it is
	// negative, entries live exactly their TTL. Values above 1 are treated
	// as 1.
	Jitter float64

	// NegativeTTL is how long a "not found" result is cached: when a loader
	// returns an error wrapping [ErrNotFound], GetOrLoad remembers that for
	// NegativeTTL (jittered) and answers ErrNotFound without calling a loader
	// again. If NegativeTTL is zero, negative results are not cached. On the
	// memory backend, negative entries are bounded apart from the others,
	// by a quarter of CACHE_MAX_SIZE (or of CACHE_MAX_MEMORY when it is
	// set), on top of them.
	NegativeTTL time.Duration

	// RefreshAhead is the fraction of an entry's lifetime, at its end, during
	// which GetOrLoad returns the cached value and reloads it in the
	// background (once per key at a time), so readers of a hot key never
	// wait for the loader when it expires. 0.2 with a TTL of 10 minutes
	// reloads a key read in its last 2 minutes. The TTL is the entry's own
	// (see [Cache.SetWithTTL]), and the reloaded value is stored with it. If RefreshAhead is zero,
	// entries are only reloaded after they expire. Values at or above 1 are
	// treated as 1 (a read at any age reloads).
	RefreshAhead float64

	// Codec encodes values for the redis and memcached backends. If Codec is
	// nil, [JSON] is used. The memory backend keeps values as they are and
	// does not use it, except to weigh values (see Weigher).
	Codec Codec

	// Timeout bounds every call to a redis or memcached server; the backend
	// enforces it. If Timeout is zero, 100ms is used.
	Timeout time.Duration

	// LoadTimeout bounds each call of a loader. The loader runs with a
	// context that is detached from the cancellation of the caller who
	// started it (other callers may be waiting for it) and canceled by
	// [Cache.Close]; LoadTimeout adds a deadline. The clock starts when the
	// loader is called: the waits before it, for another process's lease
	// (see LockWait) and for a superseded load of the key, have bounds of
	// their own and end in a call of the loader, not in an error. A loader
	// that runs out of time returns what it returns (usually
	// context.DeadlineExceeded) to its waiters, and its result is not
	// stored. If LoadTimeout is zero, the load has no deadline of its own.
	//
	// LoadTimeout also bounds how long a load waits for a load of its key
	// that a Set or Delete superseded, and whose loader still runs: after
	// LoadTimeout (else LockLease, else 5s when locks are off) the new
	// loader is called anyway, so a loader that ignores its context cannot
	// block its key for good. The two loaders then overlap; the older one's
	// result is never stored.
	LoadTimeout time.Duration

	// LockLease is the lease a GetOrLoad miss takes on its key through the
	// backend's [Locker], when the backend has one, so that processes sharing
	// a server load a key once. If LockLease is zero, 5s is used; if it is
	// negative, no lock is taken.
	LockLease time.Duration

	// LockWait is how long a miss whose key is locked by another process
	// waits for that process to store the value, polling the backend for
	// the value and for the lease, before it loads the value itself. A
	// miss takes the lease as soon as it is free: when its holder failed,
	// was superseded, or died and its lease ran out. The wait is also cut
	// to half the time left before the deadline of the ctx of the caller
	// that started the load, so that caller still gets the loader's value.
	// If LockWait is zero, 5 times Timeout is used (500ms by default).
	//
	// Processes load a key once only for loads shorter than LockWait: when
	// the holder's loader takes longer, the processes waiting for it load
	// the key themselves once LockWait has passed (their results then
	// overwrite each other on the server, the last write winning). Set
	// LockWait above the slowest load that should run once across
	// processes; a held lease adds up to LockWait to a miss on a healthy
	// server.
	LockWait time.Duration

	// Weigher returns the approximate size in bytes of a value, for the
	// configuration's MaxMemory bound of the memory backend; value is a V.
	// If Weigher is nil, the size is the length of a string or []byte
	// value, and for other types an estimate of the memory the value holds,
	// following its pointers, slices, maps, strings and interfaces,
	// unexported fields included (bounded: large collections are sampled
	// and the walk stops after 16,384 values). A fixed per-entry overhead
	// (128 bytes) and the key's length are added in both cases. The size is computed at each
	// write, before the engine takes its lock, so it should be cheap; it
	// is not computed without MaxMemory. A Weigher (or Codec) that panics
	// does not take the process down: [Cache.Set] returns a [*PanicError],
	// and a loaded value is returned to its callers without being stored
	// (counted in [Stats].CodecErrors).
	Weigher func(key string, value any) int

	// Logger receives backend errors, at most one record per
	// ErrorLogInterval. If Logger is nil, slog.Default() at the time of New is
	// used.
	Logger *slog.Logger

	// ErrorLogInterval is the least time between two log records about
	// backend errors; the errors in between are counted in [Stats] and
	// summed up in the next record. If ErrorLogInterval is zero, one minute
	// is used.
	ErrorLogInterval time.Duration

	// ExpvarName is the name under which [Cache.Stats] is published with
	// package expvar. If ExpvarName is empty, nothing is published. New fails
	// if an open Cache publishes the name, or if something other than this
	// package published it. expvar cannot remove a name: after Close it
	// shows the Cache's final counts until a new Cache with the same name
	// takes it over.
	ExpvarName string

	// MeterProvider receives the Cache's metrics through the OpenTelemetry
	// metric API: the counts of [Stats] as asynchronous counters
	// (cache.hits, cache.misses, ...), which read Stats when the provider
	// collects, so that a lookup costs nothing more; the redis backend's
	// near-cache hits; and the durations of loads and of calls to the redis
	// or memcached server as histograms, the only measurements taken as
	// they happen. Each carries the attributes cache.name (Name),
	// cache.namespace (CACHE_NAMESPACE) and cache.backend. docs/CACHE.md
	// ("Metrics") lists every instrument with its Prometheus name. Close
	// unregisters the counters. If MeterProvider is nil, nothing is
	// reported or measured; New fails if the provider refuses an
	// instrument.
	MeterProvider metric.MeterProvider

	// Name tells the Cache's metrics apart from those of other Caches that
	// report to the same MeterProvider, as the attribute cache.name. Two
	// open Caches with the same Name, namespace and backend on one
	// provider report series that overwrite each other. If Name is empty,
	// the attribute is empty (Prometheus drops an empty label).
	Name string

	// DisableNearCache turns off the redis backend's client-side (near)
	// cache, which otherwise keeps hot entries in process and lets the server
	// invalidate them. Other backends ignore it.
	DisableNearCache bool

	// NearCacheMaxMemory bounds the memory of the redis backend's near
	// cache, in bytes. If it is zero, the backend's default is used. Other
	// backends ignore it.
	NearCacheMaxMemory int64

	// AutosizeInterval is how often CACHE_AUTOSIZE reconsiders the memory
	// backend's bound (see docs/CACHE.md, "Sizing"): a move needs three
	// intervals in a row that argue for it, and goes at most ×2 or ÷2.
	// If AutosizeInterval is zero, one minute is used. It is runtime time,
	// not the clock of Now.
	AutosizeInterval time.Duration
}

// MaxTTL is the longest lifetime of an entry: a longer CACHE_TTL,
// [Cache.SetWithTTL] ttl or [Options].NegativeTTL is cut to MaxTTL (before
// jitter). Ten years is "forever" for a cache, and keeps every deadline
// far from the limits of int64 nanoseconds and of the servers' expiry
// fields.
const MaxTTL = 10 * 365 * 24 * time.Hour

const (
	defaultJitter           = 0.10
	defaultTimeout          = 100 * time.Millisecond
	defaultLockLease        = 5 * time.Second
	defaultErrorLogInterval = time.Minute
	defaultTTL              = 5 * time.Minute
	defaultMaxSize          = 1024
)

// withDefaults returns a copy of o with every zero field given its default,
// as New and openBackend read it.
func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	switch {
	case out.Jitter == 0:
		out.Jitter = defaultJitter
	case out.Jitter < 0:
		out.Jitter = 0
	case out.Jitter > 1:
		out.Jitter = 1
	}
	if out.RefreshAhead < 0 {
		out.RefreshAhead = 0
	}
	if out.RefreshAhead > 1 {
		out.RefreshAhead = 1
	}
	if out.NegativeTTL < 0 {
		out.NegativeTTL = 0
	}
	out.NegativeTTL = min(out.NegativeTTL, MaxTTL)
	if out.Codec == nil {
		out.Codec = JSON{}
	}
	if out.Timeout <= 0 {
		out.Timeout = defaultTimeout
	}
	if out.LoadTimeout < 0 {
		out.LoadTimeout = 0
	}
	switch {
	case out.LockLease == 0:
		out.LockLease = defaultLockLease
	case out.LockLease < 0:
		out.LockLease = 0
	}
	if out.LockWait <= 0 {
		out.LockWait = 5 * out.Timeout
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	if out.ErrorLogInterval <= 0 {
		out.ErrorLogInterval = defaultErrorLogInterval
	}
	return out
}
