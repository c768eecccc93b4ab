package memcached

import (
	"context"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cachebackend"
)

// init registers the memcached backend with package cache, so that
// importing this package (even as _) is what lets CACHE_BACKEND=memcached
// work, and a program that does not import it links no Memcached client.
func init() { cachebackend.Register(prodready.CacheMemcached, open) }

var _ cachebackend.Store = (*Store)(nil)

// open builds the Store cache.New asks for, with the cache's per-call
// Timeout.
func open(ctx context.Context, u prodready.SecretURL, o cachebackend.Options) (cachebackend.Store, error) {
	s, err := New(ctx, u, &Options{Namespace: o.Namespace, Timeout: o.Timeout})
	if err != nil {
		return nil, err // not a typed nil *Store in the interface
	}
	return s, nil
}
