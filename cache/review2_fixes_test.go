package cache_test

import (
	"bytes"
	"context"
	"errors"
	htmltemplate "html/template"
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	texttemplate "text/template"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

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
func TestStoreNotAbandoned(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"LoadTimeout", "Close"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				server := newFakeServer()
				b := &abandonGate{fakeBackend: fakeBackend{s: server, ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{}), closing: make(chan struct{})}
				cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
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

// TestLoadTimeoutStartsAtLoader checks that LoadTimeout bounds the loader
// only: a miss that waits for another process's lease or for a superseded
// load longer than LoadTimeout still gets a value.
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
				c, server := remoteOrMemory(t, true, prodready.CacheConfig{}, opts)
				defer c.Close()
				if tt.other > 0 {
					cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
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

// TestHungSupersededLoad checks that a superseded load whose loader
// ignores its context delays the next load of its key by a bounded wait,
// after which the new loader runs; the old result is never stored.
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
					c, _ := remoteOrMemory(t, bk.remote, prodready.CacheConfig{}, &opts)
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

// panicky panics when it is encoded, as a buggy MarshalJSON would.
type panicky struct{ N int }

func (panicky) MarshalJSON() ([]byte, error) { panic("boom in MarshalJSON") }

// TestStorePanics checks that a Codec or Weigher that panics while a value
// is stored does not take the process down: a load hands its value to its
// waiters unstored, counted as a codec error, and gives its lease back;
// Set returns a *PanicError.
func TestStorePanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		remote bool
		cfg    prodready.CacheConfig
		opts   *cache.Options
	}{
		// The default weigher no longer encodes the value (it walks it, see
		// deepsize.go), so no user code of the value runs there.
		{"memory Weigher", false, prodready.CacheConfig{MaxMemory: 1 << 20}, &cache.Options{Weigher: func(string, any) int { panic("boom in Weigher") }}},
		{"remote codec", true, prodready.CacheConfig{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c *cache.Cache[panicky]
			var server *fakeServer
			if tt.remote {
				server = newFakeServer()
				cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
				var err error
				c, err = cache.NewWithBackend[panicky](t.Context(), cfg, tt.opts, &fakeLocker{fakeBackend{s: server, ns: "ns"}})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				var err error
				c, err = cache.New[panicky](t.Context(), tt.cfg, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
			}
			defer c.Close()
			v, err := c.GetOrLoad(t.Context(), "k", func(context.Context) (panicky, error) { return panicky{1}, nil })
			if err != nil || v.N != 1 {
				t.Fatalf("GetOrLoad = %+v, %v, want the loaded value", v, err)
			}
			if got := c.Stats().CodecErrors; got != 1 {
				t.Errorf("CodecErrors = %d, want 1", got)
			}
			if _, ok, err := c.Get(t.Context(), "k"); ok || err != nil {
				t.Errorf("Get = %v, %v, want a miss: the value was not stored", ok, err)
			}
			if server != nil {
				server.mu.Lock()
				n := len(server.locks)
				server.mu.Unlock()
				if n != 0 {
					t.Errorf("%d leases held after the load, want 0", n)
				}
			}
			err = c.Set(t.Context(), "k", panicky{2})
			if pe := (*cache.PanicError)(nil); !errors.As(err, &pe) {
				t.Fatalf("Set = %v, want a *PanicError", err)
			}
		})
	}
}

// TestUnmarshalPanic checks that a Codec that panics while it decodes an
// entry makes a miss counted as a codec error, not a crash.
func TestUnmarshalPanic(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	server.put("ns", "k", cache.EncodeEnvelope[unpanicky](nil, false, math.MaxInt64, 0, time.Hour, []byte(`{}`)))
	cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
	c, err := cache.NewWithBackend[unpanicky](t.Context(), cfg, nil, &fakeBackend{s: server, ns: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok, err := c.Get(t.Context(), "k"); ok || err != nil {
		t.Fatalf("Get = %v, %v, want a miss", ok, err)
	}
	if got := c.Stats().CodecErrors; got != 1 {
		t.Fatalf("CodecErrors = %d, want 1", got)
	}
}

type unpanicky struct{}

func (*unpanicky) UnmarshalJSON([]byte) error { panic("boom in UnmarshalJSON") }

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
func TestWriteRacingClose(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"set", "delete"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			b := &closeGate{fakeBackend: fakeBackend{s: newFakeServer(), ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{})}
			cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
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

// TestFingerprintImportPath checks that two types with the same package
// and type names but different import paths have different fingerprints.
func TestFingerprintImportPath(t *testing.T) {
	t.Parallel()
	a := cache.EncodeEnvelope[texttemplate.Template](nil, false, 1, 0, time.Hour, nil)
	b := cache.EncodeEnvelope[htmltemplate.Template](nil, false, 1, 0, time.Hour, nil)
	if bytes.Equal(a, b) {
		t.Fatal("text/template.Template and html/template.Template have the same fingerprint")
	}
	a = cache.EncodeEnvelope[[]*texttemplate.Template](nil, false, 1, 0, time.Hour, nil)
	b = cache.EncodeEnvelope[[]*htmltemplate.Template](nil, false, 1, 0, time.Hour, nil)
	if bytes.Equal(a, b) {
		t.Fatal("[]*text/template.Template and []*html/template.Template have the same fingerprint")
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
func TestSetWaitsPastItsContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		server := newFakeServer()
		b := &lateWriter{storeGate{fakeBackend: fakeBackend{s: server, ns: "ns"}, entered: make(chan struct{}), release: make(chan struct{})}}
		cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
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
