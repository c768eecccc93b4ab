package cache

import (
	"context"
	"fmt"
	"strings"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cachebackend"
)

// linked reports a redis or memcached CACHE_BACKEND whose package the
// program does not import. The backends register themselves when imported
// (see internal/cachebackend), so that a memory-only program links neither
// client; the error names the import that is missing. Other values are
// build's to judge.
func linked(backend prodready.CacheBackend) error {
	kind := prodready.CacheBackend(strings.ToLower(string(backend)))
	path := cachebackend.ImportPath(kind)
	if path == "" {
		return nil
	}
	if _, ok := cachebackend.Lookup(kind); ok {
		return nil
	}
	return fmt.Errorf("cache: CACHE_BACKEND %q: the %s backend is not linked into this program; add import _ %q to its main package: %w",
		string(backend), kind, path, prodready.ErrInvalid)
}

// openBackend builds the out-of-process Backend cfg names, through the
// Opener its package registered, and checks that its server answers. build
// wraps its error with CACHE_URL, redacted.
//
// The redis backend's near cache (its client-side cache) is bounded by
// opts.NearCacheMaxMemory, else by cfg.MaxMemory (CACHE_MAX_MEMORY, the
// in-process bound), else by the backend's default (64 MiB).
func openBackend(ctx context.Context, cfg prodready.CacheConfig, opts *Options) (Backend, error) {
	o := opts.withDefaults()
	if err := checkRemoteKey(cfg); err != nil {
		return nil, err
	}
	open, ok := cachebackend.Lookup(cfg.Backend)
	if !ok {
		// New checked with linked; a caller of build that did not.
		return nil, fmt.Errorf("backend %q is not linked into this program", cfg.Backend)
	}
	mem := o.NearCacheMaxMemory
	if mem <= 0 {
		mem = cfg.MaxMemory
	}
	tc, err := cfg.TLS.ClientConfig() // CACHE_TLS_*; nil: the system roots
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, cfg.URL, cachebackend.Options{
		TLS:                tc,
		Namespace:          cfg.Namespace,
		Timeout:            o.Timeout,
		Logger:             o.Logger,
		DisableNearCache:   o.DisableNearCache,
		NearCacheMaxMemory: mem,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
