package cache_test

import (
	"bytes"
	"context"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
)

// TestMain fails the package's tests if any goroutine is left when they
// end: every Cache the tests build is closed, so none may leak.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func fakeURL(t testing.TB) prodready.SecretURL {
	t.Helper()
	u, err := prodready.ParseSecretURL("redis://:hunter2-s3cret@cache.internal:6379/0")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestConformance runs the suite on the memory backend and, through a fake
// server, on the remote path (envelopes, codec, locks) that the redis and
// memcached backends use.
func TestConformance(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	tests := []struct {
		name     string
		newCache cachetest.Factory
	}{
		{"memory", func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
			cfg.CacheBackend = prodready.CacheMemory
			return closeLater[cachetest.Item](t)(cache.New[cachetest.Item](t.Context(), cfg, opts))
		}},
		{"default backend", func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
			cfg.CacheBackend = ""
			return closeLater[cachetest.Item](t)(cache.New[cachetest.Item](t.Context(), cfg, opts))
		}},
		{"remote with locker", func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
			cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, fakeURL(t)
			b := &fakeLocker{fakeBackend{s: server, ns: cfg.CacheNamespace}}
			return closeLater[cachetest.Item](t)(cache.NewWithBackend[cachetest.Item](t.Context(), cfg, opts, b))
		}},
		{"remote without locker", func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
			cfg.CacheBackend, cfg.CacheURL = prodready.CacheMemcached, fakeURL(t)
			b := &fakeBackend{s: server, ns: cfg.CacheNamespace}
			return closeLater[cachetest.Item](t)(cache.NewWithBackend[cachetest.Item](t.Context(), cfg, opts, b))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cachetest.Run(t, tt.newCache)
		})
	}
}

// closeLater registers the Close of a Cache New returned with t.Cleanup.
func closeLater[V any](t *testing.T) func(*cache.Cache[V], error) (*cache.Cache[V], error) {
	return func(c *cache.Cache[V], err error) (*cache.Cache[V], error) {
		if err == nil {
			t.Cleanup(func() {
				if err := c.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
		}
		return c, err
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	url := fakeURL(t)
	tests := []struct {
		name    string
		cfg     prodready.Base
		wantErr error
	}{
		{"unknown backend", prodready.Base{CacheBackend: "etcd"}, prodready.ErrInvalid},
		{"negative TTL", prodready.Base{CacheTTL: -time.Second}, prodready.ErrInvalid},
		{"negative max size", prodready.Base{CacheMaxSize: -1}, prodready.ErrInvalid},
		{"negative max memory", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: -1}}, prodready.ErrInvalid},
		{"redis without URL", prodready.Base{CacheBackend: prodready.CacheRedis}, prodready.ErrMissing},
		{"memcached without URL", prodready.Base{CacheBackend: prodready.CacheMemcached}, prodready.ErrMissing},
		{"unreachable redis", prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: url}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			c, err := cache.New[string](ctx, tt.cfg, nil)
			if err == nil {
				c.Close()
				t.Fatalf("New(%+v) error = nil, want one", tt.cfg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("New(%+v) error = %v, want %v", tt.cfg, err, tt.wantErr)
			}
			if tt.cfg.CacheURL.IsSet() && !strings.Contains(err.Error(), "CACHE_URL") {
				t.Fatalf("New error = %q, want it to name CACHE_URL", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("New error = %q shows the password", err)
			}
		})
	}
}

func TestNewRedactsBackendError(t *testing.T) {
	t.Parallel()
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t)}
	cause := errors.New("dial redis://:hunter2-s3cret@cache.internal:6379/0: auth hunter2-s3cret refused")
	_, err := cache.NewWithOpenError[string](t.Context(), cfg, cause)
	if err == nil {
		t.Fatal("New error = nil, want one")
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, "CACHE_URL") || !strings.Contains(msg, "cache.internal") {
		t.Fatalf("New error = %q, want CACHE_URL and the host without the password", msg)
	}
	if !errors.Is(err, cause) {
		t.Fatalf("New error does not wrap the backend's error")
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	// A zero CacheConfig works: memory, 5 minutes, 1024 entries.
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	c, err := closeLater[int](t)(cache.New[int](t.Context(), prodready.Base{}, &cache.Options{Now: clock, Jitter: -1}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Backend(); got != prodready.CacheMemory {
		t.Fatalf("Backend() = %q, want memory", got)
	}
	if err := c.Set(t.Context(), "k", 1); err != nil {
		t.Fatal(err)
	}
	now.Add(int64(5*time.Minute - time.Second))
	if _, ok, _ := c.Get(t.Context(), "k"); !ok {
		t.Fatal("entry gone before the default TTL of 5 minutes")
	}
	now.Add(int64(2 * time.Second))
	if _, ok, _ := c.Get(t.Context(), "k"); ok {
		t.Fatal("entry alive after the default TTL of 5 minutes")
	}
}

// logBuffer is a concurrency-safe buffer for a slog handler.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestFailOpen(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	var logs logBuffer
	clock := &cachetest.Clock{}
	ns := cachetest.Namespace(t)
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheTTL: time.Minute, CacheNamespace: ns}
	opts := &cache.Options{
		Now:              clock.Now,
		Logger:           slog.New(slog.NewTextHandler(&logs, nil)),
		ErrorLogInterval: time.Minute,
	}
	b := &fakeLocker{fakeBackend{s: server, ns: ns}}
	c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, opts, b))
	if err != nil {
		t.Fatal(err)
	}

	server.down.Store(true)
	var loads atomic.Int64
	loader := func(context.Context) (string, error) {
		loads.Add(1)
		return "from the database", nil
	}
	for i := range 10 {
		got, err := c.GetOrLoad(t.Context(), "k", loader)
		if err != nil || got != "from the database" {
			t.Fatalf("GetOrLoad #%d with the server down = %q, %v, want the loader's value", i, got, err)
		}
	}
	if loads.Load() != 10 {
		t.Fatalf("loads with the server down = %d, want 10 (nothing can be cached)", loads.Load())
	}
	st := c.Stats()
	if st.BackendErrors < 10 {
		t.Fatalf("Stats().BackendErrors = %d, want at least 10", st.BackendErrors)
	}
	if _, _, err := c.Get(t.Context(), "k"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Get with the server down error = %v, want a redacted error", err)
	}
	// Another key: a key whose write failed is unsettled, read as a miss
	// and not stored until it is deleted again (see unsettled.go).
	if err := c.Set(t.Context(), "written", "v"); err == nil {
		t.Fatal("Set with the server down error = nil")
	}
	if err := c.Delete(t.Context(), "written"); err == nil {
		t.Fatal("Delete with the server down error = nil")
	}
	if n := strings.Count(logs.String(), "backend error"); n != 1 {
		t.Fatalf("log records within one interval = %d, want 1:\n%s", n, logs.String())
	}

	clock.Advance(time.Minute)
	if _, err := c.GetOrLoad(t.Context(), "k", loader); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if n := strings.Count(out, "backend error"); n != 2 {
		t.Fatalf("log records after the interval = %d, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "suppressed=") {
		t.Fatalf("second record does not count the suppressed errors:\n%s", out)
	}
	if strings.Contains(out, "hunter2") {
		t.Fatalf("log shows the password:\n%s", out)
	}

	// The server comes back: the cache uses it again by itself.
	server.down.Store(false)
	before := loads.Load()
	for range 3 {
		if _, err := c.GetOrLoad(t.Context(), "k", loader); err != nil {
			t.Fatal(err)
		}
	}
	if got := loads.Load() - before; got != 1 {
		t.Fatalf("loads after the server came back = %d, want 1", got)
	}
}

func TestCrossProcessLock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		otherSets bool // the lock holder stores a value while we wait
		wantLoads int64
		want      string
		// lockWait is how long we wait for the holder: far longer than
		// the holder's 20ms when it stores (a starved machine may run it
		// late; only a failing run waits that long), short when it never
		// does.
		lockWait time.Duration
	}{
		{"holder stores the value", true, 0, "from the holder", time.Minute},
		{"holder never stores", false, 1, "ours", 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server := newFakeServer()
			ns := cachetest.Namespace(t)
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheTTL: time.Minute, CacheNamespace: ns}
			opts := &cache.Options{LockLease: max(time.Second, tt.lockWait), LockWait: tt.lockWait}
			c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, opts, &fakeLocker{fakeBackend{s: server, ns: ns}}))
			if err != nil {
				t.Fatal(err)
			}
			other, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: server, ns: ns}))
			if err != nil {
				t.Fatal(err)
			}
			release := server.lockFor(ns, "k")
			defer release()
			if tt.otherSets {
				if err := other.Set(t.Context(), "k", "from the holder"); err != nil {
					t.Fatal(err)
				}
				// Hide it from our first read, as if it arrived while we wait.
				server.mu.Lock()
				v := server.data[ns+":k"]
				delete(server.data, ns+":k")
				server.mu.Unlock()
				go func() {
					time.Sleep(20 * time.Millisecond)
					server.put(ns, "k", v)
				}()
			}
			var loads atomic.Int64
			got, err := c.GetOrLoad(t.Context(), "k", func(context.Context) (string, error) {
				loads.Add(1)
				return "ours", nil
			})
			if err != nil || got != tt.want {
				t.Fatalf("GetOrLoad = %q, %v, want %q", got, err, tt.want)
			}
			if loads.Load() != tt.wantLoads {
				t.Fatalf("loads = %d, want %d", loads.Load(), tt.wantLoads)
			}
		})
	}
}

func TestCorruptEntry(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	ns := cachetest.Namespace(t)
	cfg := prodready.Base{CacheBackend: prodready.CacheMemcached, CacheURL: fakeURL(t), CacheNamespace: ns}
	c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: server, ns: ns}))
	if err != nil {
		t.Fatal(err)
	}
	far := time.Now().Add(time.Hour).UnixNano()
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"short", []byte{1, 0, 0}},
		{"unknown version", cache.EncodeEnvelope[string](nil, false, far, 0, time.Hour, []byte(`"x"`))[:1]},
		{"bad version", append([]byte{9}, cache.EncodeEnvelope[string](nil, false, far, 0, time.Hour, []byte(`"x"`))[1:]...)},
		{"unknown flag", func() []byte {
			b := cache.EncodeEnvelope[string](nil, false, far, 0, time.Hour, []byte(`"x"`))
			b[1] = 0x80
			return b
		}()},
		{"bad payload", cache.EncodeEnvelope[string](nil, false, far, 0, time.Hour, []byte(`{not json`))},
		{"wrong type", cache.EncodeEnvelope[string](nil, false, far, 0, time.Hour, []byte(`42`))},
		{"negative with payload", cache.EncodeEnvelope[string](nil, true, far, 0, time.Hour, []byte(`"x"`))},
	}
	for i, tt := range tests {
		key := fmt.Sprint("k", i)
		server.put(ns, key, tt.raw)
		before := c.Stats().CodecErrors
		v, ok, err := c.Get(t.Context(), key)
		if ok || err != nil || v != "" {
			t.Errorf("%s: Get = %q, %v, %v, want a miss", tt.name, v, ok, err)
		}
		if got := c.Stats().CodecErrors - before; got != 1 {
			t.Errorf("%s: CodecErrors grew by %d, want 1", tt.name, got)
		}
		got, err := c.GetOrLoad(t.Context(), key, func(context.Context) (string, error) { return "fresh", nil })
		if err != nil || got != "fresh" {
			t.Errorf("%s: GetOrLoad = %q, %v, want the loader's value", tt.name, got, err)
		}
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte{})
	f.Add(cache.EncodeEnvelope[string](nil, false, 1, 2, time.Second, []byte("payload")))
	f.Add(cache.EncodeEnvelope[string](nil, true, 1, 0, time.Second, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := cache.ReencodeEnvelope(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes to itself.
		if !bytes.Equal(got, b) {
			t.Fatalf("re-encoding %x = %x", b, got)
		}
	})
}

func TestMemoryBounds(t *testing.T) {
	t.Parallel()
	value := strings.Repeat("x", 1000)
	tests := []struct {
		name    string
		cfg     prodready.Base
		wantMax int // entries left after 1000 writes, with otter's slack
	}{
		{"max size", prodready.Base{CacheMaxSize: 50}, 50},
		{"max memory", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 50 * 1200}}, 50},
		{"max memory and max size", prodready.Base{CacheMaxMemory: prodready.MemorySize{Bytes: 1 << 30}, CacheMaxSize: 20}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := closeLater[string](t)(cache.New[string](t.Context(), tt.cfg, nil))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 1000 {
				if err := c.Set(t.Context(), fmt.Sprint("k", i), value); err != nil {
					t.Fatal(err)
				}
			}
			count := func() int {
				n := 0
				for i := range 1000 {
					if _, ok, _ := c.Get(t.Context(), fmt.Sprint("k", i)); ok {
						n++
					}
				}
				return n
			}
			deadline := time.Now().Add(10 * time.Second)
			for count() > tt.wantMax+tt.wantMax/10 {
				if time.Now().After(deadline) {
					t.Fatalf("entries = %d, want at most about %d", count(), tt.wantMax)
				}
				time.Sleep(time.Millisecond)
			}
			if ev := c.Stats().Evictions; ev < 500 {
				t.Fatalf("Stats().Evictions = %d, want most of 1000", ev)
			}
		})
	}
}

func TestExpvar(t *testing.T) {
	t.Parallel()
	name := "cachetest_" + strings.ReplaceAll(cachetest.Namespace(t), "-", "_")
	c, err := closeLater[int](t)(cache.New[int](t.Context(), prodready.Base{}, &cache.Options{ExpvarName: name}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set(t.Context(), "k", 1); err != nil {
		t.Fatal(err)
	}
	_, _, _ = c.Get(t.Context(), "k")
	v := expvar.Get(name)
	if v == nil {
		t.Fatalf("expvar %q not published", name)
	}
	if s := v.String(); !strings.Contains(s, `"hits":1`) || !strings.Contains(s, `"hit_ratio":1`) {
		t.Fatalf("expvar %q = %s, want hits and hit_ratio", name, s)
	}
	if c2, err := cache.New[int](t.Context(), prodready.Base{}, &cache.Options{ExpvarName: name}); err == nil {
		c2.Close()
		t.Fatal("New with a published expvar name error = nil")
	}
}

// TestRefreshAheadHidesLoader checks, in virtual time, that with
// refresh-ahead no read of a hot key waits for a slow loader across many
// expiries, and that without it some do.
func TestRefreshAheadHidesLoader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		refreshAhead float64
		wantWait     bool
	}{
		{"on", 0.2, false},
		{"off", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				cfg := prodready.Base{CacheTTL: time.Second}
				c, err := cache.New[int](t.Context(), cfg, &cache.Options{RefreshAhead: tt.refreshAhead})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var loads atomic.Int64
				loader := func(ctx context.Context) (int, error) {
					n := loads.Add(1)
					select {
					case <-time.After(20 * time.Millisecond):
					case <-ctx.Done():
						return 0, ctx.Err()
					}
					return int(n), nil
				}
				if _, err := c.GetOrLoad(t.Context(), "hot", loader); err != nil {
					t.Fatal(err)
				}
				var waited time.Duration
				for range 5000 { // 5 s of reads, one per millisecond
					time.Sleep(time.Millisecond)
					start := time.Now()
					if _, err := c.GetOrLoad(t.Context(), "hot", loader); err != nil {
						t.Fatal(err)
					}
					waited = max(waited, time.Since(start))
				}
				if (waited > 0) != tt.wantWait {
					t.Fatalf("longest wait for a hot key = %v, want waits: %v", waited, tt.wantWait)
				}
				synctest.Wait()
			})
		})
	}
}

// TestSingleFlightSynctest checks in a bubble, where every caller is known
// to be waiting before the load ends, that 64 misses load once.
func TestSingleFlightSynctest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, err := cache.New[int](t.Context(), prodready.Base{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var loads atomic.Int64
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				v, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (int, error) {
					loads.Add(1)
					<-release
					return 42, nil
				})
				if err != nil || v != 42 {
					t.Errorf("GetOrLoad = %d, %v, want 42", v, err)
				}
			})
		}
		synctest.Wait() // all 64 are blocked: one in the loader, 63 waiting
		close(release)
		wg.Wait()
		if got := loads.Load(); got != 1 {
			t.Fatalf("loads for 64 concurrent misses = %d, want 1", got)
		}
	})
}

func TestCloseCancelsLoads(t *testing.T) {
	t.Parallel()
	c, err := cache.New[int](t.Context(), prodready.Base{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(context.Background(), "k", func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		})
		errc <- err
	}()
	<-started
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("GetOrLoad during Close error = %v, want context.Canceled", err)
	}
}

func TestLoadTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, err := cache.New[int](t.Context(), prodready.Base{}, &cache.Options{LoadTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.GetOrLoad(context.Background(), "k", func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("GetOrLoad with a loader past LoadTimeout error = %v, want DeadlineExceeded", err)
		}
	})
}

// The lease is given back before GetOrLoad returns: a refresh or a miss
// right after must be able to take it. (The release ran after the waiters
// were freed, so a refresh that came at once found the lease taken, gave up,
// and the conformance suite's refresh-ahead test failed now and then on
// redis.)
func TestLeaseFreeWhenLoadReturns(t *testing.T) {
	t.Parallel()
	for i := range 50 {
		server := newFakeServer()
		ns := cachetest.Namespace(t)
		cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheTTL: time.Minute, CacheNamespace: ns}
		c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, &cache.Options{LockLease: time.Minute}, &fakeLocker{fakeBackend{s: server, ns: ns}}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetOrLoad(t.Context(), "k", func(context.Context) (string, error) { return "v", nil }); err != nil {
			t.Fatal(err)
		}
		server.mu.Lock()
		_, held := server.locks[ns+":k"]
		server.mu.Unlock()
		if held {
			t.Fatalf("round %d: the lease on k is still held after GetOrLoad returned", i)
		}
	}
}

// Review finding: a one-letter password was scrubbed wherever its letter
// appeared, garbling the message ("su[redacted][redacted]ort"); inside the
// URL it is still removed.
func TestShortPasswordKeepsMessageReadable(t *testing.T) {
	t.Parallel()
	u, err := prodready.ParseSecretURL("redis://:p@cache.internal:6379/0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u}
	cause := errors.New("dial redis://:p@cache.internal:6379/0: protocol not supported")
	_, err = cache.NewWithOpenError[string](t.Context(), cfg, cause)
	if err == nil {
		t.Fatal("New error = nil, want one")
	}
	msg := err.Error()
	if !strings.Contains(msg, "protocol not supported") {
		t.Errorf("New error = %q, want the backend's words intact", msg)
	}
	if strings.Contains(msg, ":p@") {
		t.Errorf("New error = %q shows the password inside the URL", msg)
	}
}
