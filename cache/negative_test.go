package cache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestNegativeEntriesBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     prodready.Base
		wantMax int
	}{
		{"max size", prodready.Base{CacheMaxSize: 40}, 10},
		{"max memory and max size", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 30}, CacheMaxSize: 40}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := closeLater[int](t)(cache.New[int](t.Context(), tt.cfg, &cache.Options{NegativeTTL: time.Hour}))
			if err != nil {
				t.Fatal(err)
			}
			missing := func(context.Context) (int, error) { return 0, cache.ErrNotFound }
			for i := range 1000 {
				_, _ = c.GetOrLoad(t.Context(), fmt.Sprint("k", i), missing)
			}
			count := func() int {
				n := 0
				for i := range 1000 {
					if _, _, err := c.Get(t.Context(), fmt.Sprint("k", i)); errors.Is(err, cache.ErrNotFound) {
						n++
					}
				}
				return n
			}
			deadline := time.Now().Add(10 * time.Second)
			for count() > tt.wantMax+tt.wantMax/2 {
				if time.Now().After(deadline) {
					t.Fatalf("negative entries = %d, want at most about %d", count(), tt.wantMax)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}
