package cache_test

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// storeGate is a fakeBackend whose next Set, once armed, blocks until
// released, telling when it has started.
type storeGate struct {
	fakeBackend
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (b *storeGate) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if b.armed.CompareAndSwap(true, false) {
		close(b.entered)
		<-b.release
	}
	return b.fakeBackend.Set(ctx, key, value, ttl)
}

// TestWriteDuringStore checks that a Set or Delete that comes while a
// load's result is being written to the server lands after it.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestWriteDuringStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		write   func(c *cache.Cache[string]) error
		want    string
		wantHit bool
	}{
		{"set", func(c *cache.Cache[string]) error { return c.Set(context.Background(), "k", "new") }, "new", true},
		{"delete", func(c *cache.Cache[string]) error { return c.Delete(context.Background(), "k") }, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := &storeGate{fakeBackend: fakeBackend{s: newFakeServer(), ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{})}
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
			c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, &cache.Options{Timeout: time.Minute}, b))
			if err != nil {
				t.Fatal(err)
			}
			b.armed.Store(true)
			loaded := make(chan error, 1)
			go func() {
				_, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) { return "old", nil })
				loaded <- err
			}()
			<-b.entered // the load's store is on the wire
			wrote := make(chan error, 1)
			go func() { wrote <- tt.write(c) }()
			// Without the fix the write returns at once, before the store
			// lands; with it, it waits for the store.
			var werr error
			early := false
			select {
			case werr = <-wrote:
				early = true
			case <-time.After(50 * time.Millisecond):
			}
			close(b.release)
			if err := <-loaded; err != nil {
				t.Fatal(err)
			}
			if !early {
				werr = <-wrote
			}
			if werr != nil {
				t.Fatal(werr)
			}
			got, ok, err := c.Get(t.Context(), "k")
			if err != nil || ok != tt.wantHit || got != tt.want {
				t.Fatalf("Get after a %s during the store = %q, %v, %v, want %q, %v", tt.name, got, ok, err, tt.want, tt.wantHit)
			}
		})
	}
}

// abandonGate is a fakeBackend whose next Set, once armed, blocks until
// released; if its ctx ends first it returns ctx.Err() at once but writes
// the value when released, like a client that abandons a call whose bytes
// are already on the wire. Its Close waits for closing.
type abandonGate struct {
	fakeBackend
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
	closing chan struct{}
}

func (b *abandonGate) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if !b.armed.CompareAndSwap(true, false) {
		return b.fakeBackend.Set(ctx, key, value, ttl)
	}
	close(b.entered)
	select {
	case <-b.release:
		return b.fakeBackend.Set(context.Background(), key, value, ttl)
	case <-ctx.Done():
		go func() {
			<-b.release
			_ = b.fakeBackend.Set(context.Background(), key, value, ttl)
		}()
		return ctx.Err()
	}
}

func (b *abandonGate) Close() error {
	<-b.closing
	return b.fakeBackend.Close()
}

// TestStoreNotAbandoned checks that a load's store that is still on the
// wire when LoadTimeout runs out or Close cancels the load is awaited: a
// Set that follows lands after it.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestStoreNotAbandoned(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"LoadTimeout", "Close"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				server := newFakeServer()
				b := &abandonGate{fakeBackend: fakeBackend{s: server, ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{}), closing: make(chan struct{})}
				cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
				c, err := cache.NewWithBackend[string](t.Context(), cfg, &cache.Options{Timeout: time.Minute, LoadTimeout: 100 * time.Millisecond}, b)
				if err != nil {
					t.Fatal(err)
				}
				b.armed.Store(true)
				loaded := make(chan error, 1)
				go func() {
					_, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) { return "old", nil })
					loaded <- err
				}()
				<-b.entered
				closed := make(chan error, 1)
				wrote := make(chan error, 1)
				if how == "LoadTimeout" {
					time.Sleep(150 * time.Millisecond) // past LoadTimeout, with the store on the wire
					go func() { wrote <- c.Set(context.Background(), "k", "new") }()
				} else {
					go func() { wrote <- c.Set(context.Background(), "k", "new") }()
					synctest.Wait() // the Set waits for the store
					go func() { closed <- c.Close() }()
				}
				synctest.Wait()
				close(b.release)
				synctest.Wait() // an abandoned write lands
				close(b.closing)
				if err := <-loaded; err != nil && how == "LoadTimeout" {
					t.Fatal(err)
				}
				if err := <-wrote; err != nil {
					t.Fatal(err)
				}
				if how == "LoadTimeout" {
					closed <- c.Close()
				}
				if err := <-closed; err != nil {
					t.Fatal(err)
				}
				// Read the server as another process would.
				r, err := cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: server, ns: "ns"})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if v, ok, err := r.Get(t.Context(), "k"); v != "new" || !ok || err != nil {
					t.Fatalf("Get after a Set that followed a load's store = %q, %v, %v, want %q", v, ok, err, "new")
				}
			})
		})
	}
}

// lateWriter is a storeGate whose calls with an ended ctx still write,
// returning ctx.Err(), as a client whose call finishes in the background
// after its caller gave up does.
type lateWriter struct{ storeGate }

func (b *lateWriter) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil && !b.armed.Load() {
		_ = b.fakeBackend.Set(context.Background(), key, value, ttl)
		return err
	}
	return b.storeGate.Set(ctx, key, value, ttl)
}

// TestSetWaitsPastItsContext checks that a Set whose ctx ends while it
// waits for a load's store still waits for that store (up to Timeout), so
// that nothing it sends lands before it.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestSetWaitsPastItsContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		server := newFakeServer()
		b := &lateWriter{storeGate{fakeBackend: fakeBackend{s: server, ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{})}}
		cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "ns"}
		c, err := cache.NewWithBackend[string](t.Context(), cfg, &cache.Options{Timeout: time.Minute}, b)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		b.armed.Store(true)
		loaded := make(chan error, 1)
		go func() {
			_, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (string, error) { return "old", nil })
			loaded <- err
		}()
		<-b.entered
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		wrote := make(chan error, 1)
		go func() { wrote <- c.Set(ctx, "k", "new") }()
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		close(b.release)
		if err := <-loaded; err != nil {
			t.Fatal(err)
		}
		<-wrote // its ctx ended: an error, but the write went out
		// Read on the server: the Cache reads a key whose write failed as
		// a miss until it has deleted it again (see unsettled.go).
		if v, ok, err := b.fakeBackend.Get(t.Context(), "k"); !bytes.HasSuffix(v, []byte(`"new"`)) || !ok || err != nil {
			t.Fatalf("server holds %q, %v, %v, want %q: the Set went out before the store it waited for", v, ok, err, "new")
		}
	})
}
