// Package memcached is the Memcached backend of package cache, on
// github.com/bradfitz/gomemcache. It is named memcached, not memcache, so
// that it never needs renaming next to the client's own package.
//
// Most programs do not use it directly: cache.New builds a [Store] when
// CACHE_BACKEND=memcached, from CACHE_URL and CACHE_NAMESPACE.
//
// # URLs
//
//	memcached://host[:port]                     one server; port 11211 by default
//	memcached://host1:11211,host2:11211,...     several servers, keys spread by hash
//
// Memcached's text protocol has no authentication, so a URL with a user or
// password is refused, as are a path, query parameters and other schemes.
// Errors never quote the URL's credentials.
//
// # Keys
//
// A key k is stored as "namespace:k" (k alone when the namespace is empty).
// Memcached keys are at most 250 bytes of printable characters without
// spaces; a namespaced key that breaks the rule, or that starts with
// "namespace:sha256:", is stored under "namespace:sha256:" followed by the
// hex SHA-256 of the namespaced key (just "sha256:..." when the namespace
// itself is too long or not printable). The lease of [Store.TryLock] on k
// is "namespace:sha256:lock:" followed by the hex SHA-256 of the
// namespaced key. So no cache key is stored under the hashed form of
// another, and none reaches a lease.
//
// Memcached expiry is in whole seconds, and its clock ticks once a second:
// TTLs and leases are rounded up to a second and one more is added, so an
// entry or a lease lasts at least as long as asked and at most two seconds
// longer. TTLs over 30 days are sent as absolute times, as the protocol
// requires, capped at the latest it takes (2^31-1, in January 2038). When
// that is less than 30 days away (from December 2037), they are cut to 30
// days, sent as relative seconds, rather than to a time in the past, which
// memcached would take as "expired at once".
//
// # Timeouts and failures
//
// gomemcache's calls take no context: each is bounded by [Options.Timeout]
// (100ms by default), the client's connect and socket read/write timeout,
// and runs in a goroutine of its own when ctx can end. When ctx ends first,
// the method returns ctx.Err(), unwrapped, and the call finishes in the
// background within the timeout (a lease taken then is released). A dead
// or paused server makes calls fail within about the timeout; the client
// reconnects on the next call once the server answers. The Cache above the
// Store turns these errors into misses (fail-open).
//
// Every call in flight holds a connection, and a call left behind by a
// caller that gave up also holds a goroutine until it ends. So that callers
// with short deadlines on a hung server cannot pile them up (their number
// would be the callers' rate times the timeout), [Options.MaxInFlight]
// bounds the calls in flight, left behind or not: by default 512 per server,
// above a busy service's concurrency on a healthy server and within
// memcached's default of 1024 connections. A call beyond it fails at once
// with [ErrBusy], which the Cache counts as a backend error, like a timeout.
//
// # Concurrency
//
// A Store is safe for concurrent use. [Store.Close] waits for the calls in
// flight, also those left behind, at most the timeout, then closes every
// connection, so that none is left open or is put back in the client's
// pool after Close; calls still running then fail at once. Calls made after
// Close fail with [ErrClosed].
package memcached
