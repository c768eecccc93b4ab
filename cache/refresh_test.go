package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
)

type ctxKey struct{}

// TestRefreshGetsNoRequestValues checks that a background refresh does not
// carry the values of the request that started it, while a miss's loader
// does.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestRefreshGetsNoRequestValues(t *testing.T) {
	t.Parallel()
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			clock := &cachetest.Clock{}
			c, _ := remoteOrMemory(t, bk.remote, prodready.Base{CacheTTL: 100 * time.Second}, &cache.Options{Now: clock.Now, Jitter: -1, RefreshAhead: 0.2})
			defer c.Close()
			ctx := context.WithValue(t.Context(), ctxKey{}, "request")
			seen := make(chan any, 2)
			loader := func(ctx context.Context) (string, error) {
				seen <- ctx.Value(ctxKey{})
				return "v", nil
			}
			if _, err := c.GetOrLoad(ctx, "k", loader); err != nil {
				t.Fatal(err)
			}
			if got := <-seen; got != "request" {
				t.Fatalf("miss loader ctx value = %v, want the request's", got)
			}
			clock.Advance(90 * time.Second)
			if _, err := c.GetOrLoad(ctx, "k", loader); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-seen:
				if got != nil {
					t.Fatalf("refresh loader ctx value = %v, want none", got)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no refresh within 10s")
			}
		})
	}
}
