package cache_test

import (
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// remoteOrMemory builds, in the calling test (or bubble), a Cache[string]
// on the memory backend or on a fake server with a Locker.
func remoteOrMemory(t *testing.T, remote bool, cfg prodready.Base, opts *cache.Options) (*cache.Cache[string], *fakeServer) {
	t.Helper()
	if !remote {
		c, err := cache.New[string](t.Context(), cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		return c, nil
	}
	server := newFakeServer()
	cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, fakeURL(t)
	if cfg.CacheNamespace == "" {
		cfg.CacheNamespace = "ns"
	}
	c, err := cache.NewWithBackend[string](t.Context(), cfg, opts, &fakeLocker{fakeBackend{s: server, ns: cfg.CacheNamespace}})
	if err != nil {
		t.Fatal(err)
	}
	return c, server
}

var backends = []struct {
	name   string
	remote bool
}{
	{"memory", false},
	{"remote", true},
}
