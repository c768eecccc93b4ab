package cache_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestNamespaceWithColon(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  prodready.Base
	}{
		{"memory", prodready.Base{CacheNamespace: "a:b"}},
		{"redis", prodready.Base{CacheBackend: prodready.CacheRedis, CacheNamespace: "a:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			if cfg.CacheBackend != "" {
				cfg.CacheURL = fakeURL(t)
			}
			c, err := cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: newFakeServer(), ns: cfg.CacheNamespace})
			if err == nil {
				c.Close()
				t.Fatal("New with a ':' in CACHE_NAMESPACE error = nil")
			}
			if !errors.Is(err, prodready.ErrInvalid) || !strings.Contains(err.Error(), "CACHE_NAMESPACE") {
				t.Fatalf("New error = %v, want ErrInvalid naming CACHE_NAMESPACE", err)
			}
		})
	}
}
