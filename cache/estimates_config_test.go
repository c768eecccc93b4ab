package cache_test

import (
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// TestEstimatesWithoutAutosize checks which estimates Stats().Sizing
// carries: the six sizes (¼× to 8×) with CACHE_ESTIMATES or
// CACHE_AUTOSIZE, only the cache's own without either. A new user found
// the docs promising the estimates, and the PR-I049 finding built on
// them, with autosize off, where only the 1× one ran. It checks the count
// that bounds a memory-bounded cache too (MaxEntries), so that PR-I049's
// advice doubles both: doubling the memory alone changed nothing for the
// second new user.
func TestEstimatesWithoutAutosize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        prodready.Base
		want       int
		maxEntries uint64
	}{
		{"by count, estimates off", prodready.Base{CacheMaxSize: 1024}, 1, 0},
		{"by count, estimates on", prodready.Base{CacheMaxSize: 1024, CacheEstimates: true}, 6, 0},
		{"by memory, estimates on", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}, CacheEstimates: true}, 6, 0},
		{"by memory and count", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}, CacheMaxSize: 100}, 1, 100},
		{"autosize", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}, CacheAutosize: true, CacheAutosizeMargin: 0.5}, 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := cache.New[int](t.Context(), tt.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			z := c.Stats().Sizing
			if z == nil || len(z.Estimates) != tt.want || z.MaxEntries != tt.maxEntries {
				t.Fatalf("Stats().Sizing = %+v, want %d estimates, MaxEntries %d", z, tt.want, tt.maxEntries)
			}
		})
	}
}
