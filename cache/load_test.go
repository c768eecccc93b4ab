package cache_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestLoaderResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		loader         func(context.Context) (int, error)
		wantErr        error
		wantLoadErrors uint64
	}{
		{"value with not found", func(context.Context) (int, error) {
			return 42, fmt.Errorf("row: %w", cache.ErrNotFound)
		}, cache.ErrNotFound, 0},
		{"value with an error", func(context.Context) (int, error) { return 42, errBoom }, errBoom, 1},
		{"goexit", func(context.Context) (int, error) { runtime.Goexit(); return 42, nil }, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := closeLater[int](t)(cache.New[int](t.Context(), prodready.Base{}, &cache.Options{NegativeTTL: time.Minute}))
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.GetOrLoad(t.Context(), "k", tt.loader)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("GetOrLoad error = %v, want %v", err, tt.wantErr)
			}
			if v != 0 {
				t.Fatalf("GetOrLoad value with an error = %d, want the zero value", v)
			}
			if got := c.Stats().LoadErrors; got != tt.wantLoadErrors {
				t.Fatalf("Stats().LoadErrors = %d, want %d", got, tt.wantLoadErrors)
			}
		})
	}
}

var errBoom = errors.New("boom")
