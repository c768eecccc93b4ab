package cache

import (
	"context"
	"fmt"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/cache/rediscache"
)

var (
	_ Backend = (*rediscache.Store)(nil)
	_ Locker  = (*rediscache.Store)(nil)
	_ Backend = (*memcached.Store)(nil)
	_ Locker  = (*memcached.Store)(nil)
)

// openBackend builds the out-of-process Backend cfg names and checks that
// its server answers. build wraps its error with CACHE_URL, redacted.
//
// The redis backend's near cache (its client-side cache) is bounded by
// opts.NearCacheMaxMemory, else by cfg.MaxMemory (CACHE_MAX_MEMORY, the
// in-process bound), else by the backend's default (64 MiB).
func openBackend(ctx context.Context, cfg prodready.CacheConfig, opts *Options) (Backend, error) {
	o := opts.withDefaults()
	if err := checkRemoteKey(cfg); err != nil {
		return nil, err
	}
	switch cfg.Backend {
	case prodready.CacheRedis:
		mem := o.NearCacheMaxMemory
		if mem <= 0 {
			mem = cfg.MaxMemory
		}
		tc, err := cfg.TLS.ClientConfig() // CACHE_TLS_*; nil: system roots
		if err != nil {
			return nil, err
		}
		s, err := rediscache.New(ctx, cfg.URL, &rediscache.Options{
			TLS:       tc,
			Namespace: cfg.Namespace,
			Timeout:   o.Timeout,
			// New connects and PINGs within DialTimeout: never less than
			// one call's Timeout.
			DialTimeout:          max(rediscache.DefaultDialTimeout, o.Timeout),
			Logger:               o.Logger,
			DisableClientCache:   o.DisableNearCache,
			ClientCacheMaxMemory: mem,
		})
		if err != nil {
			return nil, err
		}
		return s, nil
	case prodready.CacheMemcached:
		s, err := memcached.New(ctx, cfg.URL, &memcached.Options{
			Namespace: cfg.Namespace,
			Timeout:   o.Timeout,
		})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("backend %q has no server", cfg.Backend)
}

var (
	_ Fencer = (*rediscache.Store)(nil)
	_ Fencer = (*memcached.Store)(nil)
)
