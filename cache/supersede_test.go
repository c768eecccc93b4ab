package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// TestOneLoaderAcrossDeletes deletes a key five times during its 100ms
// load, each time followed by a miss: the loads must not overlap.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestOneLoaderAcrossDeletes(t *testing.T) {
	t.Parallel()
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, _ := remoteOrMemory(t, bk.remote, prodready.Base{}, nil)
				defer c.Close()
				var in, most, loads atomic.Int32
				loader := func(context.Context) (string, error) {
					n := in.Add(1)
					loads.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(100 * time.Millisecond)
					in.Add(-1)
					return "v", nil
				}
				var wg sync.WaitGroup
				for range 5 {
					wg.Go(func() { _, _ = c.GetOrLoad(context.Background(), "hot", loader) })
					time.Sleep(10 * time.Millisecond)
					if err := c.Delete(context.Background(), "hot"); err != nil {
						t.Error(err)
					}
				}
				wg.Wait()
				if got := most.Load(); got != 1 {
					t.Fatalf("loaders of one key running at once = %d, want 1 (%d loads)", got, loads.Load())
				}
			})
		})
	}
}

// TestHungSupersededLoad checks that a superseded load whose loader
// ignores its context delays the next load of its key by a bounded wait,
// after which the new loader runs; the old result is never stored.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestHungSupersededLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts cache.Options
		wait time.Duration
	}{
		{"LoadTimeout", cache.Options{LoadTimeout: 100 * time.Millisecond}, 100 * time.Millisecond},
		{"LockLease", cache.Options{LockLease: 2 * time.Second}, 2 * time.Second},
		{"default", cache.Options{LockLease: -1}, 5 * time.Second},
	}
	for _, bk := range backends {
		for _, tt := range tests {
			t.Run(bk.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					opts := tt.opts
					c, _ := remoteOrMemory(t, bk.remote, prodready.Base{}, &opts)
					defer c.Close()
					stuck := make(chan struct{})
					defer close(stuck) // before Close, which waits for the loader
					go c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) {
						<-stuck // ignores its ctx
						return "old", nil
					})
					synctest.Wait()
					if err := c.Delete(context.Background(), "k"); err != nil {
						t.Fatal(err)
					}
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					begin := time.Now()
					v, err := c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "fresh", nil })
					if err != nil || v != "fresh" {
						t.Fatalf("GetOrLoad after the Delete = %q, %v, want %q", v, err, "fresh")
					}
					if d := time.Since(begin); d != tt.wait {
						t.Fatalf("the new load waited %v for the hung one, want %v", d, tt.wait)
					}
					stuck <- struct{}{} // the old loader returns
					synctest.Wait()
					if v, ok, err := c.Get(t.Context(), "k"); v != "fresh" || !ok || err != nil {
						t.Fatalf("Get after the hung load returned = %q, %v, %v, want %q", v, ok, err, "fresh")
					}
				})
			})
		}
	}
}
