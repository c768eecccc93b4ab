// Package cache turns a loaded configuration (any struct that embeds
// [prodready.Base]) into a working, typed cache
// for expensive lookups: database rows, external API calls.
//
//	c, err := cache.New[User](ctx, cfg, nil)
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	u, err := c.GetOrLoad(ctx, "user:"+id, func(ctx context.Context) (User, error) {
//		return db.User(ctx, id)
//	})
//
// # Backends
//
// CACHE_BACKEND selects where entries live. memory (the default) keeps them
// in process, in the package's own concurrent engine (lock-free reads, an
// eviction policy behind lossy read buffers; see docs/CACHE.md), bounded by
// CACHE_MAX_SIZE entries or by CACHE_MAX_MEMORY bytes of estimated weight
// (see [Options].Weigher); Base.CacheConfig lets a CACHE_MAX_MEMORY bound it
// alone unless CACHE_MAX_SIZE is set too, not only a default.
// redis and memcached keep them on the server at CACHE_URL, under the
// CACHE_NAMESPACE prefix, encoded by [Options].Codec (JSON by default);
// those backends live in packages cache/rediscache and cache/memcached,
// which a program imports for their effect (as it imports a database/sql
// driver), and are reached through the [Backend] interface:
//
//	import _ "github.com/prodready/prodready/cache/rediscache"
//
// A program that imports neither links no Redis or Memcached client;
// CACHE_BACKEND=redis without the import fails [New] with an error that
// names the import to add. A URL that does not parse or
// a server that does not answer is an error from [New] that names CACHE_URL
// and shows the URL with its password redacted. The backends join
// CACHE_NAMESPACE and the key with ':', so a namespace must not contain
// one (namespace "a" with key "b:c" would be namespace "a:b" with key "c"):
// New rejects it. A Cache prints (with any fmt verb, and in slog records)
// as its backend and redacted URL, never its fields.
//
// On the redis and memcached backends each value is stored in a small
// envelope that holds its expiry by the Cache's clock ([Options].Now), a
// negative flag, the start of its refresh-ahead window, the TTL it was
// stored with, and a fingerprint of the value's type and the Codec, so
// expiry, negative caching and refresh-ahead behave the same on every
// backend. The server's own expiry is set to the same (jittered) TTL and
// only collects garbage. An entry that does not decode is a miss, counted
// in [Stats].CodecErrors; it is never a panic or a wrong value. That
// includes an entry written for another type: the fingerprint hashes the
// full name of the type, with its import path (such as
// "example.com/app/users.User", so two packages called users do not
// collide), and the Codec's, so a deploy that changes V or the Codec
// misses on old entries instead of decoding them into wrong zero fields.
// Renaming the type, or moving it to another package or module path,
// invalidates the entries too, while a change of V's fields that keeps its
// name is not detected.
//
// The envelope also carries a MAC (HMAC-SHA256, 16 bytes) under a key
// derived from [prodready.CacheConfig].SecretKey for [EntryPurpose], over
// the namespace, the key and the whole envelope: an entry forged or
// altered on the server, or copied from another key, is a miss counted in
// [Stats].AuthFailures, never served. Entries written under a
// SecretKeyFallbacks key still verify. [New] refuses the redis and
// memcached backends without a SecretKey ([ErrNoKey]).
//
// # Lifetimes
//
// No lifetime exceeds [MaxTTL] (ten years): a longer CACHE_TTL, per-call
// TTL or NegativeTTL is cut to it, so "forever" TTLs such as
// math.MaxInt64 work and deadlines never overflow. A negative per-call TTL
// is an error.
//
// # Single-flight
//
// [Cache.GetOrLoad] calls at most one loader per key at a time in a
// process: concurrent misses wait for the first one's result. A Set or
// Delete of a key whose load runs supersedes the load (its result goes to
// its waiters but is not stored); a later miss starts a new load, whose
// loader waits for the superseded one to return. Each caller
// waits on its own context and returns ctx.Err() when it ends, while the
// load continues for the others. The loader runs on its own goroutine with
// a context detached from the caller's cancellation (it serves every
// waiter), bounded by [Options].LoadTimeout from the moment it is called
// and canceled by [Cache.Close]. A loader that panics does not take the
// process down and does not leave waiters hanging: each gets a
// [*PanicError]. A new load waits for a superseded loader of its key for
// at most LoadTimeout (else [Options].LockLease, else 5 s), then runs
// anyway: a loader that ignores its context cannot block its key for good,
// though the two loaders then overlap (the older one's result is never
// stored). On the redis and memcached backends a miss also takes a lease
// on the key through [Locker], so that processes sharing a server load a
// key once; the others poll for the value and for the lease, load as soon
// as they get the lease (its holder failed, was superseded or died and the
// lease ran out), and after [Options].LockWait (5 × Timeout, 500 ms, by
// default), or half the time left to the deadline of the caller that
// started the load, load without it. So processes load a key once only
// when the load takes less than LockWait: raise LockWait for slower
// loaders. The wait for the lease does not count against LoadTimeout, and
// when it runs out the miss loads; it does not fail.
//
// # Writes and loads
//
// Within a process, a Set or Delete wins over a load of the same key that
// started before it: the load's result is not stored, and a Set or Delete
// that comes while that result is being written to the server waits for
// the write and then makes its own. That write is bounded by
// [Options].Timeout and always awaited, even when LoadTimeout or Close ends
// the load meanwhile, so none of it is left on the wire to land later. Between
// processes sharing a server there is no such order: the last write to
// reach the server wins, so a load in one process may store a value older
// than a Set made in another during that load's round trip to the server.
// Keys that other processes write should be deleted, not set, after a
// change of their source, or have a short TTL.
//
// # Jitter
//
// Every entry lives its TTL times a random factor in [1-Jitter, 1+Jitter]
// ([Options].Jitter, ±10% by default), so keys written together, by a warm-up
// or a deploy, do not expire together. On the memory backend, a write of a
// live key whose deadline is later than the new one and still within the
// band keeps that deadline, so that rewriting a hot key does not move its
// deadline about within the band.
//
// # Negative caching
//
// A loader returns an error wrapping [ErrNotFound] to say that the value
// does not exist. With [Options].NegativeTTL set, that answer is cached: for
// NegativeTTL (jittered) GetOrLoad and Get return ErrNotFound without
// calling a loader. Other loader errors are never cached.
//
// # Refresh-ahead
//
// With [Options].RefreshAhead set, a GetOrLoad that finds an entry in the
// last part of its life (RefreshAhead times the entry's own TTL, the one
// given to [Cache.SetWithTTL] or the configured one; jittered on the redis
// and memcached backends) returns it at once and reloads it in the
// background, one reload per key at a time, storing the new value with the
// same TTL. The reload's loader gets a context with none of the request's
// values: it outlives the request. Readers of a hot key
// then never wait for the loader when it expires. A failed reload keeps the
// old value until it expires; a reload that reports ErrNotFound replaces it
// with a negative entry, or removes it.
//
// # Fail-open
//
// When the redis or memcached server is down or slow (every call is bounded
// by [Options].Timeout), GetOrLoad serves the loader's value as if it had
// missed. A load that follows a failed lookup neither takes the lease nor
// stores its value, so a dead or hung server costs a miss one timeout, not
// three; a load that follows a plain miss stores its value as usual, and
// a failure to store is counted and logged. On a healthy server, a lease
// held by another process adds up to [Options].LockWait to a miss. Fail-open
// covers the server only: [Options].LoadTimeout bounds the loader, and a
// loader that runs out of time is a failed load whose error GetOrLoad
// returns. A Codec or Weigher that panics while a loaded value is stored
// is counted in [Stats].CodecErrors; the value is returned, not stored. Each failed call is counted in
// [Stats].BackendErrors and logged to [Options].Logger at most once per
// [Options].ErrorLogInterval, with the number of errors in between; the log
// never shows the URL's password. Nothing has to be reset when the server
// comes back: the next call uses it. Get, Set and Delete return the
// backend's error, after counting it; a Set or Delete that Close overtakes
// returns ErrClosed, uncounted, and so does a Get; no call that Close
// overtakes is counted or logged as a backend error. Set returns a [*PanicError] (wrapped) when
// the Codec or Weigher panics.
//
// # Stats
//
// [Cache.Stats] returns hits, misses, loads, load errors, backend errors,
// codec errors, evictions and the hit ratio. [Stats] is an [slog.LogValuer],
// and [Options].ExpvarName publishes the counts with package expvar. expvar
// never forgets a name, so the package publishes each name once, through a
// holder that the open Cache of that name fills; Close leaves the final
// counts there and frees the name for a later Cache. (That holder is the
// package's only global state, mirroring expvar's.)
//
// # Metrics
//
// [Options].MeterProvider reports the same counts through the OpenTelemetry
// metric API as asynchronous counters (cache.hits, cache.misses, ...) that
// read [Cache.Stats] when the provider collects, so a hit costs nothing
// more; the redis backend's near-cache hits; and the durations of loads
// and of calls to the server as histograms (cache.load.duration,
// cache.backend.duration, in seconds). The package imports the API only:
// the service picks the SDK and the exporter. docs/CACHE.md ("Metrics")
// lists every instrument with its Prometheus name.
//
// # Concurrency
//
// Every method of a Cache is safe for concurrent use. [Cache.Close] cancels
// the contexts of running loads, superseded ones included, waits for their
// goroutines (a store already on the wire is awaited, for up to
// [Options].Timeout), stops the memory backend's goroutines and closes the
// redis or memcached backend; afterwards the methods return [ErrClosed]. A
// memory-backend Set that runs while Close does is waited for, so that no
// entry outlives Close. The memory backend hands out the stored value itself:
// values holding pointers, slices or maps must not be modified once stored.
package cache
