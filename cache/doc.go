// Package cache turns a [prodready.CacheConfig] into a working, typed cache
// for expensive lookups: database rows, external API calls.
//
//	c, err := cache.New[User](ctx, cfg.CacheConfig(), nil)
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
// in process, in an otter W-TinyLFU cache bounded by CACHE_MAX_SIZE entries
// or by CACHE_MAX_MEMORY bytes of estimated weight (see [Options].Weigher).
// redis and memcached keep them on the server at CACHE_URL, under the
// CACHE_NAMESPACE prefix, encoded by [Options].Codec (JSON by default);
// those backends live in packages cache/rediscache and cache/memcached and
// are reached through the [Backend] interface. A URL that does not parse or
// a server that does not answer is an error from [New] that names CACHE_URL
// and shows the URL with its password redacted.
//
// On the redis and memcached backends each value is stored in a small
// envelope that holds its expiry by the Cache's clock ([Options].Now), a
// negative flag and the start of its refresh-ahead window, so expiry,
// negative caching and refresh-ahead behave the same on every backend. The
// server's own expiry is set to the same (jittered) TTL and only collects
// garbage. An entry that does not decode is a miss, counted in
// [Stats].CodecErrors; it is never a panic or a wrong value.
//
// # Single-flight
//
// [Cache.GetOrLoad] calls at most one loader per key at a time in a
// process: concurrent misses wait for the first one's result. Each caller
// waits on its own context and returns ctx.Err() when it ends, while the
// load continues for the others. The loader runs on its own goroutine with
// a context detached from the caller's cancellation (it serves every
// waiter), bounded by [Options].LoadTimeout and canceled by [Cache.Close].
// A loader that panics does not take the process down and does not leave
// waiters hanging: each gets a [*PanicError]. On the redis and memcached
// backends a miss also takes a lease on the key through [Locker], so that
// processes sharing a server load a key once; the others poll for the value
// for up to [Options].LockWait, then load it themselves.
//
// # Jitter
//
// Every entry lives its TTL times a random factor in [1-Jitter, 1+Jitter]
// ([Options].Jitter, ±10% by default), so keys written together, by a warm-up
// or a deploy, do not expire together. On the memory backend, a write of a
// live key whose deadline is later than the new one and still within the
// band keeps that deadline, so that otter can update the entry in place.
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
// last part of its life (RefreshAhead times the TTL: the configured one on
// the memory backend, the entry's jittered one on the others) returns it at
// once and reloads it in the background, one reload per key at a time. Readers of a hot key
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
// a failure to store is counted and logged. Each failed call is counted in
// [Stats].BackendErrors and logged to [Options].Logger at most once per
// [Options].ErrorLogInterval, with the number of errors in between; the log
// never shows the URL's password. Nothing has to be reset when the server
// comes back: the next call uses it. Get, Set and Delete return the
// backend's error, after counting it.
//
// # Stats
//
// [Cache.Stats] returns hits, misses, loads, load errors, backend errors,
// codec errors, evictions and the hit ratio. [Stats] is an [slog.LogValuer],
// and [Options].ExpvarName publishes the counts with package expvar.
//
// # Concurrency
//
// Every method of a Cache is safe for concurrent use. [Cache.Close] stops
// every goroutine the Cache started, the backend's included, after waiting
// for running loads (whose contexts it cancels); afterwards the methods
// return [ErrClosed]. The memory backend hands out the stored value itself:
// values holding pointers, slices or maps must not be modified once stored.
package cache
