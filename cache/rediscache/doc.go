// Package rediscache is the Redis backend of package cache, on
// github.com/redis/rueidis.
//
// Most programs do not use it directly: cache.New builds a [Store] when
// CACHE_BACKEND=redis, from CACHE_URL and CACHE_NAMESPACE.
//
// # URLs
//
//	redis://[[user]:password@]host[:port][/db]   plain TCP; port 6379, db 0 by default
//	rediss://[[user]:password@]host[:port][/db]  TLS: Options.TLS, else the system roots
//	valkey://, valkeys://                        synonyms of redis:// and rediss://
//	redis://h1:7000?addr=h2:7000&addr=h3:7000    a Redis Cluster, by its seeds
//	redis://s1:26379/0?master_set=NAME&addr=s2:26379   the master Sentinels name
//
// These are rueidis' URL forms. One address is one server, unless the
// server says it is a cluster node (INFO cluster); several are the seeds
// of a cluster; with master_set they are Sentinels. Special characters in
// the password must be percent-encoded. The rueidis URL options db,
// dial_timeout, protocol=2, client_name, client_cache=0, addr, master_set
// and (over TLS) skip_verify are accepted; other query parameters, a
// fragment, a path other than a database number, and other schemes are
// refused (by the parser the load-time check PR-E037 also runs), so a
// misspelled option fails at startup instead of being ignored. A server
// that refuses the credentials is [ErrAuth], a configuration error. Errors
// never quote the password. A TLS failure at [New] says what failed: the
// server's certificate not signed by a trusted CA, not for the host, or
// the server refusing the client's certificate or its lack of one (which,
// with TLS 1.3, the client otherwise sees only as a connection reset);
// rediss:// to a server without TLS names the handshake.
//
// # Keys
//
// A key k is stored as "namespace:k" (as k alone when the namespace is
// empty). A k that holds a NUL byte is stored as "namespace:", a NUL byte,
// "sha256:" and the hex SHA-256 of k; the lease of [Store.TryLock] on k
// lives at "{tag}namespace:", a NUL byte, "lock:" and k. No cache key reaches
// the keys that start with a NUL byte after the namespace, so no cache key
// can read or block a lease. The lock of [Store.TryLock] is preceded by a
// hash tag, "{tag}", chosen so that on a Redis Cluster it falls in the hash
// slot of the key it guards (on its node); the data keys carry no tag of
// the Store's, so they spread over every node.
//
// TTLs and leases are rounded up to a millisecond and cut to 100 years.
//
// # Client-side cache
//
// Reads go through rueidis's server-assisted client-side cache (RESP3
// CLIENT TRACKING, opt-in mode): a value read once is kept in process and
// Redis tells the client when the key changes or expires anywhere, so a hot
// key is served from memory and an update made by another instance is seen
// as soon as the invalidation arrives (well under a millisecond on a LAN).
// Its memory is bounded by [Options.ClientCacheMaxMemory], in total: a
// Store keeps one pipelined connection per server, which holds the cache;
// on a cluster the bound is split over the nodes found at New.
//
// A Get right after a Set or Delete of the same key in the same Store reads
// the server until the write's invalidation arrives, so a process always
// reads its own writes, also while other goroutines are reading the key: a
// read through the client-side cache is counted before it is sent, and a
// write that meets a read of its key in flight is treated like a write of a
// cached key.
//
// A server without RESP3 or tracking (Redis before 6, some proxies) is
// detected at [New]; the Store then reads without the client-side cache
// and logs a warning. [Options.DisableClientCache] turns it off explicitly.
//
// # Timeouts and failures
//
// Every call is bounded by [Options.Timeout] (100ms by default), including
// reconnecting: a dead or paused server makes calls fail within the
// timeout, never hang. rueidis reconnects by itself on the next call once
// the server answers again; reads are not retried, so a failed call costs
// one timeout at most. The Cache above the Store turns these errors into
// misses (fail-open).
//
// The caller's context bounds the wait, not the call. The connection is
// shared, and rueidis drops it when a call's deadline passes in the middle
// of a reply, so every call runs within the Store's timeout alone, and a
// caller that gives up never makes the Store reconnect. When the caller's
// ctx ends first, the method returns ctx.Err(), unwrapped, and the call
// finishes in the background within the timeout (a lease taken then is
// released). A Get through the client-side cache is the exception, so that
// a hit costs no goroutine: when it has to ask the server it waits for the
// reply, at most the timeout, and returns ctx.Err() if the call failed
// after ctx ended.
//
// A call left behind by a caller that gave up holds a goroutine and a slot
// of the connection's pipeline until it ends. So that callers with short
// deadlines on a hung server cannot pile them up, [Options.MaxInFlight]
// bounds the calls in flight, left behind or not (Gets through the
// client-side cache aside): by default 1024, rueidis's pipeline size. A
// call beyond it fails at once with [ErrBusy], which the Cache counts as a
// backend error, like a timeout.
//
// # Concurrency
//
// A Store is safe for concurrent use. [Store.Close] waits for the calls in
// flight, also those left behind, then closes the connection, in at most
// about the timeout all told: on a server that does not answer it closes
// the connection under the calls still running, which then fail at once.
// No call goroutine or connection is left after Close. Calls made after
// Close fail with [ErrClosed] (or rueidis's error for a closed client).
// On a cluster, rueidis may leave goroutines for a few seconds after
// Close, holding no open connection: a topology refresh it schedules when a
// connection closes (under a second), and the delayed close of a node's
// connection a refresh dropped (five seconds; the Store has closed the
// connection already).
package rediscache
