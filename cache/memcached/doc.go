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
// spaces; a namespaced key that breaks the rule is stored under
// "namespace:sha256:" followed by the hex SHA-256 of the namespaced key
// (just "sha256:..." when the namespace itself is too long or not
// printable). The lease of [Store.TryLock] on k is the key "k" followed by a
// NUL byte and "lock", namespaced and therefore always hashed, so it never
// collides with a printable key.
//
// Memcached expiry is in whole seconds: TTLs and leases are rounded up to a
// second, and TTLs over 30 days are sent as absolute times, as the
// protocol requires.
//
// # Timeouts and failures
//
// gomemcache's calls take no context. Every call checks ctx before it
// starts and is then bounded by [Options.Timeout] (100ms by default), the
// client's connect and socket read/write timeout; a cancelled ctx does not
// interrupt a call already sent. A dead or paused server makes calls fail
// within about the timeout; the client reconnects on the next call once the
// server answers. The Cache above the Store turns these errors into misses
// (fail-open).
//
// # Concurrency
//
// A Store is safe for concurrent use. Close releases its idle connections.
package memcached
