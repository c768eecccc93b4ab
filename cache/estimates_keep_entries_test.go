package cache_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// TestEstimatesKeepLiveEntries replays, without PostgreSQL, what the
// reference service's fault test (TestFaultPostgres/memory in
// examples/itemsapi) does to its memory cache, with the estimate
// miniatures on (CACHE_AUTOSIZE) and Stats() between the steps: Stats asks
// the engine for its estimates, which drains the read buffers and sweeps
// the tables for expired entries. The entries cached first must be served
// from the cache throughout, and nothing may be evicted from a cache far
// from full. That test once lost them (docs/CACHE.md, "Sizing"); this one
// pins the cache's part of it.
func TestEstimatesKeepLiveEntries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  prodready.Base
	}{
		{"estimates off", prodready.Base{}},
		{"estimates on (autosize)", prodready.Base{CacheAutosize: true, CacheMaxMemory: prodready.MemorySize{Bytes: 64 << 20}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c, err := cache.New[string](ctx, tc.cfg, &cache.Options{NegativeTTL: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			down := false // the database, as the loader sees it
			load := func(id int) func(context.Context) (string, error) {
				return func(context.Context) (string, error) {
					switch {
					case down:
						return "", fmt.Errorf("database down")
					case id > 1000:
						return "", cache.ErrNotFound
					}
					return fmt.Sprint("item ", id), nil
				}
			}
			get := func(id int) (string, error) {
				return c.GetOrLoad(ctx, fmt.Sprint("item:", id), load(id))
			}
			cached := []int{1, 2, 3}
			for _, id := range cached {
				if _, err := get(id); err != nil {
					t.Fatal(err)
				}
			}
			before := c.Stats()
			fresh := 100
			for outage := range 3 {
				// Between outages: new items, items not found, the
				// readiness check's delete, and Stats.
				for range 50 {
					fresh++
					_, _ = get(fresh)
					_, _ = get(1000 + fresh)
					_ = c.Delete(ctx, "readyz")
				}
				_ = c.Stats()
				down = true
				for _, id := range cached {
					if v, err := get(id); err != nil || v != fmt.Sprint("item ", id) {
						t.Errorf("outage %d: GetOrLoad(item:%d) = %q, %v; want the cached value", outage, id, v, err)
					}
				}
				_ = c.Stats()
				down = false
			}
			after := c.Stats()
			if got, want := after.Hits-before.Hits, uint64(len(cached)*3); got < want {
				t.Errorf("hits %d -> %d, want at least %d more", before.Hits, after.Hits, want)
			}
			if after.Evictions != 0 {
				t.Errorf("Evictions = %d in a cache far from full, want 0", after.Evictions)
			}
		})
	}
}
