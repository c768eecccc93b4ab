package cache_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// TestLeaseWait checks, in virtual time, how long a miss waits for a lease
// another load holds: it takes the lease as soon as it is free, and never
// waits past half its own deadline.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestLeaseWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// hold takes the lease on k as another load would, and returns
		// when the miss should load at the latest.
		hold     func(t *testing.T, c *cache.Cache[string], s *fakeServer) time.Duration
		deadline time.Duration // of the miss's ctx; 0 for none
	}{
		{"own load superseded by a Delete", func(t *testing.T, c *cache.Cache[string], s *fakeServer) time.Duration {
			go c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) {
				time.Sleep(100 * time.Millisecond)
				return "old", nil
			})
			time.Sleep(20 * time.Millisecond)
			if err := c.Delete(context.Background(), "k"); err != nil {
				t.Fatal(err)
			}
			return 100 * time.Millisecond
		}, 0},
		{"other process's load superseded by its Delete", func(t *testing.T, c *cache.Cache[string], s *fakeServer) time.Duration {
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
			other, err := cache.NewWithBackend[string](t.Context(), cfg, &cache.Options{LockLease: time.Minute}, &fakeLocker{fakeBackend{s: s, ns: "ns"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { other.Close() })
			go other.GetOrLoad(context.Background(), "k", func(ctx context.Context) (string, error) {
				<-ctx.Done() // until Close
				return "", ctx.Err()
			})
			time.Sleep(20 * time.Millisecond)
			if err := other.Delete(context.Background(), "k"); err != nil {
				t.Fatal(err)
			}
			return 50 * time.Millisecond
		}, 0},
		{"other process fails", func(t *testing.T, c *cache.Cache[string], s *fakeServer) time.Duration {
			release := s.lockFor("ns", "k")
			time.AfterFunc(30*time.Millisecond, release) // its load failed
			return 100 * time.Millisecond
		}, 0},
		{"other process died, short deadline", func(t *testing.T, c *cache.Cache[string], s *fakeServer) time.Duration {
			s.lockFor("ns", "k") // never released
			return 500 * time.Millisecond
		}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, server := remoteOrMemory(t, true, prodready.Base{}, &cache.Options{LockWait: time.Minute, LockLease: time.Minute})
				defer c.Close()
				begin := time.Now()
				within := tt.hold(t, c, server)
				ctx := context.Background()
				if tt.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				v, err := c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "fresh", nil })
				if err != nil || v != "fresh" {
					t.Fatalf("GetOrLoad = %q, %v, want %q", v, err, "fresh")
				}
				if d := time.Since(begin); d > within+100*time.Millisecond {
					t.Fatalf("GetOrLoad returned after %v, want within %v", d, within)
				}
			})
		})
	}
}

// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestDefaultLockWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, server := remoteOrMemory(t, true, prodready.Base{}, &cache.Options{Timeout: 200 * time.Millisecond})
		defer c.Close()
		server.lockFor("ns", "k")
		begin := time.Now()
		if _, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) { return "v", nil }); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(begin); d < time.Second || d > time.Second+100*time.Millisecond {
			t.Fatalf("wait for a held lease = %v, want 5 × Timeout = 1s", d)
		}
	})
}

// TestLoadTimeoutStartsAtLoader checks that LoadTimeout bounds the loader
// only: a miss that waits for another process's lease or for a superseded
// load longer than LoadTimeout still gets a value.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestLoadTimeoutStartsAtLoader(t *testing.T) {
	t.Parallel()
	opts := &cache.Options{LoadTimeout: 200 * time.Millisecond, LockWait: 500 * time.Millisecond, LockLease: time.Minute}
	// slow sleeps for d unless its ctx ends first.
	slow := func(d time.Duration, v string) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			select {
			case <-time.After(d):
				return v, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	}
	tests := []struct {
		name  string
		other time.Duration // load time of another process holding the lease; 0 for none
		prev  time.Duration // load time of a superseded load here; 0 for none
		want  string
	}{
		{"other process stores within LockWait", 300 * time.Millisecond, 0, "theirs"},
		{"other process slower than LockWait", 2 * time.Second, 0, "ours"},
		{"superseded load", 0, 150 * time.Millisecond, "ours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, server := remoteOrMemory(t, true, prodready.Base{}, opts)
				defer c.Close()
				if tt.other > 0 {
					cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
					other, err := cache.NewWithBackend[string](t.Context(), cfg, &cache.Options{LockLease: time.Minute}, &fakeLocker{fakeBackend{s: server, ns: "ns"}})
					if err != nil {
						t.Fatal(err)
					}
					defer other.Close()
					go other.GetOrLoad(context.Background(), "k", slow(tt.other, "theirs"))
				}
				if tt.prev > 0 {
					go c.GetOrLoad(context.Background(), "k", slow(tt.prev, "old"))
				}
				synctest.Wait()
				if tt.prev > 0 {
					if err := c.Delete(context.Background(), "k"); err != nil {
						t.Fatal(err)
					}
				}
				v, err := c.GetOrLoad(context.Background(), "k", slow(100*time.Millisecond, "ours"))
				if err != nil || v != tt.want {
					t.Fatalf("GetOrLoad = %q, %v, want %q", v, err, tt.want)
				}
			})
		})
	}
}
