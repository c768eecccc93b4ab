// Package rediscache is the Redis backend of package cache, on
// github.com/redis/rueidis.
//
// Most programs do not use it directly: cache.New builds a [Store] when
// CACHE_BACKEND=redis, from CACHE_URL and CACHE_NAMESPACE.
//
// # URLs
//
//	redis://[[user]:password@]host[:port][/db]   plain TCP; port 6379, db 0 by default
//	rediss://[[user]:password@]host[:port][/db]  TLS, verified against the system roots
//
// The Store talks to one server (or a proxy in front of several); Redis
// Cluster and Sentinel are not supported. Special characters in the
// password must be percent-encoded. Query
// parameters, a path other than a database number, and other schemes are
// refused, so a misspelled option fails at startup instead of being ignored.
// Errors never quote the password.
//
// # Keys
//
// A key k is stored as "namespace:k" (as k alone when the namespace is
// empty). The lease of [Store.TryLock] on k lives at "namespace:k" followed by
// a NUL byte and "lock", which no printable key can collide with.
//
// # Client-side cache
//
// Reads go through rueidis's server-assisted client-side cache (RESP3
// CLIENT TRACKING, opt-in mode): a value read once is kept in process and
// Redis tells the client when the key changes or expires anywhere, so a hot
// key is served from memory and an update made by another instance is seen
// as soon as the invalidation arrives (well under a millisecond on a LAN).
// Its memory is bounded by [Options.ClientCacheMaxMemory], in total: a
// Store keeps one pipelined connection, which holds the cache. A Get right
// after a Set or Delete of the same key in the same Store reads the server
// until the write's invalidation arrives, so a process always reads its own
// writes. A server without RESP3 or tracking (Redis before
// 6, some proxies) is detected at [New]; the Store then reads without the
// client-side cache and logs a warning. [Options.DisableClientCache] turns
// it off explicitly.
//
// # Timeouts and failures
//
// Every call is bounded by [Options.Timeout] (100ms by default) on top of
// the caller's context, including reconnecting: a dead or paused server
// makes calls fail within the timeout, never hang. rueidis reconnects by
// itself on the next call once the server answers again; reads are not
// retried, so a failed call costs one timeout at most. The Cache above the
// Store turns these errors into misses (fail-open).
//
// # Concurrency
//
// A Store is safe for concurrent use. Close releases its connections.
package rediscache
