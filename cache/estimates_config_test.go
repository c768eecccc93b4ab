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
// them, with autosize off, where only the 1× one ran.
func TestEstimatesWithoutAutosize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  prodready.Base
		want int
	}{
		{"by count, estimates off", prodready.Base{CacheMaxSize: 1024}, 1},
		{"by count, estimates on", prodready.Base{CacheMaxSize: 1024, CacheEstimates: true}, 6},
		{"by memory, estimates on", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}, CacheEstimates: true}, 6},
		{"autosize", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}, CacheAutosize: true, CacheAutosizeMargin: 0.5}, 6},
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
			if z == nil || len(z.Estimates) != tt.want {
				t.Fatalf("Stats().Sizing = %+v, want %d estimates", z, tt.want)
			}
		})
	}
}

// TestSizingNamesBothBounds checks that Stats().Sizing carries the count
// that bounds a memory-bounded cache too, so that PR-I049's advice doubles
// both (doubling the memory alone changed nothing for a new user).
func TestSizingNamesBothBounds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  prodready.Base
		want uint64
	}{
		{"memory and count", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}, CacheMaxSize: 100}, 100},
		{"memory alone", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}}, 0},
		{"count alone", prodready.Base{CacheMaxSize: 100}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := cache.New[int](t.Context(), tt.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if z := c.Stats().Sizing; z == nil || z.MaxEntries != tt.want {
				t.Errorf("Stats().Sizing = %+v, want MaxEntries %d", z, tt.want)
			}
		})
	}
}
