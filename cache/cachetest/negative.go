package cachetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/cache"
)

func testNegativeCaching(t *testing.T, s *suite) {
	tests := []struct {
		name        string
		negativeTTL time.Duration
		wantCalls   int64 // after two calls
	}{
		{"off", 0, 2},
		{"on", 10 * time.Second, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &suite{newCache: s.newCache, key: s.key}
			c := s.open(t, config{opts: cache.Options{NegativeTTL: tt.negativeTTL, Jitter: -1}})
			var n atomic.Int64
			missing := func(context.Context) (Item, error) {
				n.Add(1)
				return Item{}, fmt.Errorf("user 42: %w", cache.ErrNotFound)
			}
			for i := range 2 {
				if _, err := c.GetOrLoad(t.Context(), "k", missing); !errors.Is(err, cache.ErrNotFound) {
					t.Fatalf("GetOrLoad #%d error = %v, want ErrNotFound", i, err)
				}
			}
			if got := n.Load(); got != tt.wantCalls {
				t.Fatalf("loader calls = %d, want %d", got, tt.wantCalls)
			}
			_, ok, err := c.Get(t.Context(), "k")
			if ok {
				t.Fatal("Get of a not-found key: ok = true")
			}
			if wantErr := tt.negativeTTL > 0; errors.Is(err, cache.ErrNotFound) != wantErr {
				t.Fatalf("Get of a not-found key error = %v, want ErrNotFound: %v", err, wantErr)
			}
			if got := c.Stats().LoadErrors; got != 0 {
				t.Fatalf("Stats().LoadErrors = %d, want 0 (not found is not an error)", got)
			}
			if tt.negativeTTL == 0 {
				return
			}
			s.clock.Advance(tt.negativeTTL + time.Second)
			var m atomic.Int64
			if got, err := c.GetOrLoad(t.Context(), "k", loaderOf(&m, item(42))); err != nil || got.ID != 42 {
				t.Fatalf("GetOrLoad after the negative TTL = %+v, %v, want %+v, nil", got, err, item(42))
			}
			if m.Load() != 1 {
				t.Fatalf("loader calls after the negative TTL = %d, want 1", m.Load())
			}
		})
	}
}
