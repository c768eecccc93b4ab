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
		cfg  prodready.CacheConfig
	}{
		{"memory", prodready.CacheConfig{Namespace: "a:b"}},
		{"redis", prodready.CacheConfig{Backend: prodready.CacheRedis, Namespace: "a:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			if cfg.Backend != "" {
				cfg.URL = fakeURL(t)
			}
			c, err := cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: newFakeServer(), ns: cfg.Namespace})
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
