package rediscache

import (
	"crypto/tls"
	"log/slog"
	"time"
)

// Defaults of [Options].
const (
	DefaultTimeout              = 100 * time.Millisecond
	DefaultDialTimeout          = time.Second
	DefaultClientCacheMaxMemory = 64 << 20
	DefaultClientCacheTTL       = time.Minute
	DefaultMaxInFlight          = 1024
)

// The client keeps one pipelined connection to the server, dialed by New,
// so that no call pays for a handshake; rueidis pipelines concurrent calls
// on it. -1 means one: rueidis reads 0 as "pick by GOMAXPROCS" (2 or 4
// connections, each with its own client-side cache of CacheSizeEachConn
// bytes, so the memory bound would not hold).
const pipelineMultiplex = -1

// Options configure a [Store]. The zero Options are the defaults.
type Options struct {
	// Namespace prefixes every key, followed by a colon. If Namespace is
	// empty, keys are stored as given.
	Namespace string

	// Timeout bounds every call to the server, reconnecting included. If
	// Timeout is zero, DefaultTimeout (100ms) is used.
	Timeout time.Duration

	// DialTimeout bounds each dial and handshake when New first connects
	// (New gives up after twice DialTimeout: finding a Sentinel's master or
	// a cluster's nodes dials twice in a row), and New's PING. Later reconnections are bounded by Timeout. If DialTimeout is
	// zero, DefaultDialTimeout (1s) is used.
	DialTimeout time.Duration

	// Logger receives the Store's rare warnings, such as a server without
	// client-side caching. If Logger is nil, nothing is logged.
	Logger *slog.Logger

	// DisableClientCache turns off the server-assisted client-side cache:
	// every Get is a round trip. Use it for servers and proxies without
	// RESP3 CLIENT TRACKING if their detection at New is not wanted.
	DisableClientCache bool

	// ClientCacheMaxMemory bounds the client-side cache, in bytes, in total
	// (the Store keeps one connection, which holds the cache). If it is zero
	// or negative, DefaultClientCacheMaxMemory (64 MiB) is used.
	ClientCacheMaxMemory int64

	// ClientCacheTTL is the longest time a value stays in the client-side
	// cache; a key's own shorter TTL on the server caps it, and an update
	// anywhere evicts it at once. If it is zero, DefaultClientCacheTTL (1
	// minute) is used.
	ClientCacheTTL time.Duration

	// MaxInFlight bounds the calls to the server in flight at once,
	// including those still running for callers that gave up (see
	// Timeouts in the package documentation), each of which holds a
	// goroutine and a slot of the connection's pipeline. A call made while
	// MaxInFlight are in flight fails at once with ErrBusy. Reads served by
	// the client-side cache, and the reads through it that go to the
	// server (which hold no goroutine of their own: their caller waits
	// for them), do not count. If MaxInFlight is zero, DefaultMaxInFlight
	// (1024, the size of rueidis's pipeline ring) is used.
	MaxInFlight int

	// TLS is the TLS configuration of a rediss:// (or valkeys://) URL:
	// the CAs to trust (RootCAs) and a client certificate for mutual TLS
	// (Certificates), as prodready.CacheTLS.ClientConfig builds them from
	// CACHE_TLS_CA, CACHE_TLS_CERT and CACHE_TLS_KEY. The Store clones it,
	// names each server it dials as the ServerName unless ServerName is set,
	// raises MinVersion to TLS 1.2, and turns verification off only for
	// skip_verify in the URL. If TLS is nil, a TLS URL trusts the system
	// roots and gives no client certificate. A TLS with a URL that is not a
	// TLS URL is an error (prodready.ErrInvalid): it would be ignored.
	TLS *tls.Config
}
