package cache_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// Regression tests for the races with Close that the StressClose test of
// the conformance suite found.

// readGate is a fakeLocker whose next Get, once armed, blocks until
// released, and whose next TryLock, once armed, blocks until its ctx ends
// (as a call on the wire does when Close cancels its load).
type readGate struct {
	fakeLocker
	armGet  atomic.Bool
	armLock atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (b *readGate) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if b.armGet.CompareAndSwap(true, false) {
		close(b.entered)
		<-b.release
	}
	return b.fakeBackend.Get(ctx, key)
}

func (b *readGate) TryLock(ctx context.Context, key string, lease time.Duration) (func(context.Context) error, bool, error) {
	if b.armLock.CompareAndSwap(true, false) {
		close(b.entered)
		<-ctx.Done()
	}
	return b.fakeLocker.TryLock(ctx, key, lease)
}

// countRecords counts the records logged through it.
type countRecords struct{ n *atomic.Int64 }

func (h countRecords) Enabled(context.Context, slog.Level) bool  { return true }
func (h countRecords) Handle(context.Context, slog.Record) error { h.n.Add(1); return nil }
func (h countRecords) WithAttrs([]slog.Attr) slog.Handler        { return h }
func (h countRecords) WithGroup(string) slog.Handler             { return h }

// TestReadRacingClose checks that a lookup or a lease that Close
// overtakes on the redis and memcached path is neither counted as a
// backend error nor logged as one (Close is not a failure of the server),
// and that Get then returns ErrClosed. It failed before the fix: Get
// returned "cache: get: fake: closed", and every case counted and logged a
// backend error.
func TestReadRacingClose(t *testing.T) {
	t.Parallel()
	load := func(context.Context) (string, error) { return "loaded", nil }
	tests := []struct {
		name string
		gate string // the backend call Close overtakes: "get" or "lock"
		call func(c *cache.Cache[string]) (string, error)
	}{
		{"Get", "get", func(c *cache.Cache[string]) (string, error) {
			v, _, err := c.Get(context.Background(), "k")
			return v, err
		}},
		{"GetOrLoad lookup", "get", func(c *cache.Cache[string]) (string, error) {
			return c.GetOrLoad(context.Background(), "k", load)
		}},
		{"GetOrLoad lease", "lock", func(c *cache.Cache[string]) (string, error) {
			return c.GetOrLoad(context.Background(), "k", load)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := &readGate{fakeLocker: fakeLocker{fakeBackend{s: newFakeServer(), ns: "ns"}}, entered: make(chan struct{}), release: make(chan struct{})}
			var logged atomic.Int64
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
			// A long Timeout: the lease must end by Close, not by its
			// own deadline.
			opts := &cache.Options{Logger: slog.New(countRecords{&logged}), Timeout: time.Minute}
			c, err := cache.NewWithBackend[string](t.Context(), cfg, opts, b)
			if err != nil {
				t.Fatal(err)
			}
			if tt.gate == "get" {
				b.armGet.Store(true)
			} else {
				b.armLock.Store(true)
			}
			type result struct {
				v   string
				err error
			}
			done := make(chan result, 1)
			go func() {
				v, err := tt.call(c)
				done <- result{v, err}
			}()
			<-b.entered
			// A lookup does not hold Close up: Close closes the backend
			// under it. A lease is taken by a load, which Close cancels
			// and waits for.
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			close(b.release)
			r := <-done
			switch {
			case errors.Is(r.err, cache.ErrClosed):
			case tt.name != "Get" && r.err == nil && r.v == "loaded":
			default:
				t.Errorf("%s racing Close = %q, %v; want ErrClosed (or the loaded value)", tt.name, r.v, r.err)
			}
			if got := c.Stats().BackendErrors; got != 0 {
				t.Errorf("BackendErrors = %d, want 0: a call Close overtook is not a failure of the server", got)
			}
			if n := logged.Load(); n != 0 {
				t.Errorf("%d backend errors logged, want 0", n)
			}
		})
	}
}

// TestMemorySetRacingClose checks that a Set or Delete of the memory
// backend that runs while Close runs cannot leave an entry behind it: once
// Close has returned, Get returns ErrClosed, not the value of a Set that
// passed its closed check before Close began and wrote after Close
// emptied the cache. The Set is held between the two by a Weigher (which
// Set calls before it writes). It failed before the fix: Get returned the
// value, ok, nil after Close.
func TestMemorySetRacingClose(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	release := make(chan struct{})
	var armed atomic.Bool
	weigher := func(_ string, v any) int {
		if armed.CompareAndSwap(true, false) {
			close(entered)
			<-release
		}
		return len(v.(string))
	}
	c, err := cache.New[string](t.Context(), prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 20}}, &cache.Options{Weigher: weigher})
	if err != nil {
		t.Fatal(err)
	}
	armed.Store(true)
	set := make(chan error, 1)
	go func() { set <- c.Set(context.Background(), "k", "v") }()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	// Before the fix Close returned at once, without the Set; with it,
	// Close waits for the Set. Either way, release the Set after Close
	// had time to return, so that the old code's write lands after it.
	select {
	case err := <-closed:
		closed <- err
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-set; err != nil && !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("Set racing Close = %v, want nil or ErrClosed", err)
	}
	if v, ok, err := c.Get(context.Background(), "k"); !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("Get after Close = %q, %v, %v; want ErrClosed", v, ok, err)
	}
	if _, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) { return "x", nil }); !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("GetOrLoad after Close = %v, want ErrClosed", err)
	}
}

// TestCloseCancelsSupersededLoad checks that Close cancels a load that a
// Delete superseded instead of waiting for its loader.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestCloseCancelsSupersededLoad(t *testing.T) {
	t.Parallel()
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, _ := remoteOrMemory(t, bk.remote, prodready.Base{}, nil)
				started := make(chan struct{})
				go func() {
					_, _ = c.GetOrLoad(context.Background(), "k", func(ctx context.Context) (string, error) {
						close(started)
						select {
						case <-ctx.Done():
							return "", ctx.Err()
						case <-time.After(10 * time.Second):
							return "v", nil
						}
					})
				}()
				<-started
				if err := c.Delete(context.Background(), "k"); err != nil {
					t.Fatal(err)
				}
				begin := time.Now()
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				if d := time.Since(begin); d > time.Second {
					t.Fatalf("Close took %v: it waited for the superseded load", d)
				}
			})
		})
	}
}

// closeGate is a fakeBackend whose next Set or Delete, once armed, blocks
// until released, then fails if the backend was closed meanwhile.
type closeGate struct {
	fakeBackend
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (b *closeGate) gate() {
	if b.armed.CompareAndSwap(true, false) {
		close(b.entered)
		<-b.release
	}
}

func (b *closeGate) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	b.gate()
	return b.fakeBackend.Set(ctx, key, value, ttl)
}

func (b *closeGate) Delete(ctx context.Context, key string) error {
	b.gate()
	return b.fakeBackend.Delete(ctx, key)
}

// TestWriteRacingClose checks that a Set or Delete that Close overtakes
// returns ErrClosed and is not counted as a backend error.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestWriteRacingClose(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"set", "delete"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			b := &closeGate{fakeBackend: fakeBackend{s: newFakeServer(), ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{})}
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
			c, err := cache.NewWithBackend[string](t.Context(), cfg, nil, b)
			if err != nil {
				t.Fatal(err)
			}
			b.armed.Store(true)
			wrote := make(chan error, 1)
			go func() {
				if op == "set" {
					wrote <- c.Set(context.Background(), "k", "v")
				} else {
					wrote <- c.Delete(context.Background(), "k")
				}
			}()
			<-b.entered
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			close(b.release)
			if err := <-wrote; !errors.Is(err, cache.ErrClosed) {
				t.Fatalf("%s racing Close = %v, want ErrClosed", op, err)
			}
			if got := c.Stats().BackendErrors; got != 0 {
				t.Fatalf("BackendErrors = %d, want 0", got)
			}
		})
	}
}
