// Package cachebackend is the registry through which the out-of-process
// cache backends (packages cache/rediscache and cache/memcached) make
// themselves known to package cache, so that a program links a backend's
// client only when it imports the backend:
//
//	import _ "github.com/prodready/prodready/cache/rediscache"
//
// as a program imports a database/sql driver. Package cache looks the
// backend CACHE_BACKEND names up here; the backends register in init.
//
// The registry sits below both sides so that neither imports the other:
// cache does not import the backends (that is the point), and the backends
// do not import cache, so cache's own tests may import them.
//
// This is the module's one package-level registry and the only use of
// init: a backend cannot be reached otherwise without cache importing it.
// It is internal, so only this module's backends register, each under its
// own name, once, before main runs.
package cachebackend

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"
	"time"

	"github.com/prodready/prodready"
)

// A Store is what an Opener returns: the method set of cache.Backend,
// declared here because this package cannot import cache. cache converts a
// Store to its Backend (the method sets are the same) and asserts its Locker
// and Fencer on the value.
type Store interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	Close() error
}

// Options are the settings of cache.Options and CACHE_* that a backend
// takes, in a form neither side owns.
type Options struct {
	Namespace string        // CACHE_NAMESPACE
	Timeout   time.Duration // per call (cache.Options.Timeout, never zero)
	Logger    *slog.Logger  // the backend's warnings; may be nil

	// DisableNearCache and NearCacheMaxMemory configure a backend's
	// client-side cache (redis only); NearCacheMaxMemory <= 0 means the
	// backend's default.
	DisableNearCache   bool
	NearCacheMaxMemory int64

	// TLS is the client side of TLS built from CACHE_TLS_* (a private CA,
	// a client certificate), or nil for the system roots. Backends that
	// do not speak TLS ignore it.
	TLS *tls.Config
}

// An Opener connects to the server at u and checks that it answers within
// ctx. It returns a nil Store exactly when it returns an error.
type Opener func(ctx context.Context, u prodready.SecretURL, o Options) (Store, error)

var (
	mu      sync.RWMutex
	openers = map[prodready.CacheBackend]Opener{}
)

// Register makes open the Opener of the backend name. Each backend calls it
// once, from its package's init, for its own name.
func Register(name prodready.CacheBackend, open Opener) {
	mu.Lock()
	defer mu.Unlock()
	openers[name] = open
}

// Lookup returns the Opener registered for name, if the program imports the
// backend's package.
func Lookup(name prodready.CacheBackend) (Opener, bool) {
	mu.RLock()
	defer mu.RUnlock()
	open, ok := openers[name]
	return open, ok
}

// ImportPath returns the import path of the package that registers the
// backend name, for the error that tells a program which import it lacks,
// or "" for a name no package of this module registers.
func ImportPath(name prodready.CacheBackend) string {
	switch name {
	case prodready.CacheRedis:
		return "github.com/prodready/prodready/cache/rediscache"
	case prodready.CacheMemcached:
		return "github.com/prodready/prodready/cache/memcached"
	}
	return ""
}
