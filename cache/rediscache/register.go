package rediscache

import (
	"context"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cachebackend"
)

// init registers the redis backend with package cache, so that importing
// this package (even as _) is what lets CACHE_BACKEND=redis work, and a
// program that does not import it links no Redis client.
func init() { cachebackend.Register(prodready.CacheRedis, open) }

var _ cachebackend.Store = (*Store)(nil)

// open builds the Store cache.New asks for: the cache's per-call Timeout,
// and New's connection and PING bounded by DialTimeout, never less than
// one call's Timeout.
func open(ctx context.Context, u prodready.SecretURL, o cachebackend.Options) (cachebackend.Store, error) {
	s, err := New(ctx, u, &Options{
		TLS:                  o.TLS,
		Namespace:            o.Namespace,
		Timeout:              o.Timeout,
		DialTimeout:          max(DefaultDialTimeout, o.Timeout),
		Logger:               o.Logger,
		DisableClientCache:   o.DisableNearCache,
		ClientCacheMaxMemory: o.NearCacheMaxMemory,
	})
	if err != nil {
		return nil, err // not a typed nil *Store in the interface
	}
	return s, nil
}
