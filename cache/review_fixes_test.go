package cache_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
)

// remoteOrMemory builds, in the calling test (or bubble), a Cache[string]
// on the memory backend or on a fake server with a Locker.
func remoteOrMemory(t *testing.T, remote bool, cfg prodready.CacheConfig, opts *cache.Options) (*cache.Cache[string], *fakeServer) {
	t.Helper()
	if !remote {
		c, err := cache.New[string](t.Context(), cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		return c, nil
	}
	server := newFakeServer()
	cfg.Backend, cfg.URL = prodready.CacheRedis, fakeURL(t)
	if cfg.Namespace == "" {
		cfg.Namespace = "ns"
	}
	c, err := cache.NewWithBackend[string](t.Context(), cfg, opts, &fakeLocker{fakeBackend{s: server, ns: cfg.Namespace}})
	if err != nil {
		t.Fatal(err)
	}
	return c, server
}

var backends = []struct {
	name   string
	remote bool
}{
	{"memory", false},
	{"remote", true},
}

// TestRendersNoSecret prints a Cache whose URL holds a password with every
// fmt verb and both slog handlers, and looks for the password in plain,
// hex and base64 forms.
func TestRendersNoSecret(t *testing.T) {
	t.Parallel()
	const password = "Canary-pw_s3cr3t"
	u, err := prodready.ParseSecretURL("redis://user:" + password + "@cache.internal:6379/0?token=" + password)
	if err != nil {
		t.Fatal(err)
	}
	cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: u, Namespace: "ns"}
	c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: newFakeServer(), ns: "ns"}))
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{
		password,
		url.PathEscape(password),
		hex.EncodeToString([]byte(password)),
		strings.ToUpper(hex.EncodeToString([]byte(password))),
		base64.StdEncoding.EncodeToString([]byte(password)),
		base64.RawURLEncoding.EncodeToString([]byte(password)),
	}
	type holder struct{ C *cache.Cache[string] }
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out = append(out, fmt.Sprintf(verb, c), fmt.Sprintf(verb, holder{c}), fmt.Sprintf(verb, &holder{c}))
	}
	out = append(out, c.String())
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("cache", "cache", c, "holder", holder{c})
		out = append(out, buf.String())
	}
	for _, s := range out {
		for _, f := range forms {
			if i := strings.Index(s, f); i >= 0 {
				t.Errorf("rendering shows the password (as %q): ...%s...", f, s[max(i-60, 0):min(i+len(f)+20, len(s))])
			}
		}
	}
	if s := fmt.Sprint(c); !strings.Contains(s, "redis") || !strings.Contains(s, "cache.internal") {
		t.Errorf("fmt.Sprint(c) = %q, want the backend and the redacted URL", s)
	}
}

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
			cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
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

// TestOneLoaderAcrossDeletes deletes a key five times during its 100ms
// load, each time followed by a miss: the loads must not overlap.
func TestOneLoaderAcrossDeletes(t *testing.T) {
	t.Parallel()
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, _ := remoteOrMemory(t, bk.remote, prodready.CacheConfig{}, nil)
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

// TestCloseCancelsSupersededLoad checks that Close cancels a load that a
// Delete superseded instead of waiting for its loader.
func TestCloseCancelsSupersededLoad(t *testing.T) {
	t.Parallel()
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, _ := remoteOrMemory(t, bk.remote, prodready.CacheConfig{}, nil)
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

// TestLeaseWait checks, in virtual time, how long a miss waits for a lease
// another load holds: it takes the lease as soon as it is free, and never
// waits past half its own deadline.
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
			cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "ns"}
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
				c, server := remoteOrMemory(t, true, prodready.CacheConfig{}, &cache.Options{LockWait: time.Minute, LockLease: time.Minute})
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

func TestDefaultLockWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, server := remoteOrMemory(t, true, prodready.CacheConfig{}, &cache.Options{Timeout: 200 * time.Millisecond})
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

// TestTypeFingerprint checks that an entry written for another value type
// or codec is a miss counted in CodecErrors, not a wrong value.
func TestTypeFingerprint(t *testing.T) {
	t.Parallel()
	type userV1 struct {
		ID   int
		Name string
	}
	type userV2 struct {
		UserID int `json:"user_id"`
		Email  string
	}
	server := newFakeServer()
	cfg := prodready.CacheConfig{Backend: prodready.CacheRedis, URL: fakeURL(t), Namespace: "users"}
	open := func(codec cache.Codec) *cache.Cache[userV2] {
		c, err := closeLater[userV2](t)(cache.NewWithBackend[userV2](t.Context(), cfg, &cache.Options{Codec: codec}, &fakeBackend{s: server, ns: "users"}))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name  string
		entry []byte
		codec cache.Codec
	}{
		{"other type", cache.EncodeEnvelope[userV1](nil, false, math.MaxInt64, 0, time.Hour, []byte(`{"ID":1,"Name":"ann"}`)), nil},
		{"other codec", cache.EncodeEnvelope[userV2](nil, false, math.MaxInt64, 0, time.Hour, []byte(`{"user_id":1}`)), otherJSON{}},
		{"version 1 envelope", append([]byte{1, 0}, make([]byte, 16)...), nil},
	}
	for i, tt := range tests {
		key := fmt.Sprint("u", i)
		server.put("users", key, tt.entry)
		c := open(tt.codec)
		v, ok, err := c.Get(t.Context(), key)
		if ok || err != nil {
			t.Errorf("%s: Get = %+v, %v, %v, want a miss", tt.name, v, ok, err)
		}
		if got := c.Stats().CodecErrors; got != 1 {
			t.Errorf("%s: CodecErrors = %d, want 1", tt.name, got)
		}
	}
	// The same type and codec read their own entries.
	c := open(nil)
	if err := c.Set(t.Context(), "same", userV2{UserID: 7}); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := open(nil).Get(t.Context(), "same"); !ok || err != nil || v.UserID != 7 {
		t.Fatalf("Get by another Cache[userV2] = %+v, %v, %v, want the entry", v, ok, err)
	}
}

// otherJSON is JSON under another name, as a different Codec.
type otherJSON struct{ cache.JSON }

func TestNamespaceWithColon(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  prodready.CacheConfig
	}{
		{"memory", prodready.CacheConfig{Namespace: "a:b"}},
		{"redis", prodready.CacheConfig{Backend: prodready.CacheRedis, Namespace: "a:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			if cfg.Backend != "" {
				cfg.URL = fakeURL(t)
			}
			c, err := cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: newFakeServer(), ns: cfg.Namespace})
			if err == nil {
				c.Close()
				t.Fatal("New with a ':' in CACHE_NAMESPACE error = nil")
			}
			if !errors.Is(err, prodready.ErrInvalid) || !strings.Contains(err.Error(), "CACHE_NAMESPACE") {
				t.Fatalf("New error = %v, want ErrInvalid naming CACHE_NAMESPACE", err)
			}
		})
	}
}

func TestExpvarReuse(t *testing.T) {
	t.Parallel()
	name := "cachetest_" + strings.ReplaceAll(cachetest.Namespace(t), "-", "_")
	open := func() (*cache.Cache[int], error) {
		return cache.New[int](t.Context(), prodready.CacheConfig{}, &cache.Options{ExpvarName: name})
	}
	first, err := open()
	if err != nil {
		t.Fatal(err)
	}
	if c, err := open(); err == nil {
		c.Close()
		t.Fatal("New with the name of an open Cache error = nil")
	}
	_ = first.Set(t.Context(), "k", 1)
	_, _, _ = first.Get(t.Context(), "k")
	_, _, _ = first.Get(t.Context(), "k")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if s := expvar.Get(name).String(); !strings.Contains(s, `"hits":2`) {
		t.Fatalf("expvar %q after Close = %s, want the final counts", name, s)
	}
	second, err := open()
	if err != nil {
		t.Fatalf("New with the name of a closed Cache: %v", err)
	}
	defer second.Close()
	if s := expvar.Get(name).String(); !strings.Contains(s, `"hits":0`) {
		t.Fatalf("expvar %q of the new Cache = %s, want its own counts", name, s)
	}

	foreign := name + "_foreign"
	expvar.NewInt(foreign)
	if c, err := cache.New[int](t.Context(), prodready.CacheConfig{}, &cache.Options{ExpvarName: foreign}); err == nil {
		c.Close()
		t.Fatal("New with a name published by someone else error = nil")
	}
}

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
			c, err := closeLater[int](t)(cache.New[int](t.Context(), prodready.CacheConfig{}, &cache.Options{NegativeTTL: time.Minute}))
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

func TestNegativeEntriesBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     prodready.CacheConfig
		wantMax int
	}{
		{"max size", prodready.CacheConfig{MaxSize: 40}, 10},
		{"max memory and max size", prodready.CacheConfig{MaxMemory: 1 << 30, MaxSize: 40}, 10},
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

type ctxKey struct{}

// TestRefreshGetsNoRequestValues checks that a background refresh does not
// carry the values of the request that started it, while a miss's loader
// does.
func TestRefreshGetsNoRequestValues(t *testing.T) {
	t.Parallel()
	for _, bk := range backends {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			clock := &cachetest.Clock{}
			c, _ := remoteOrMemory(t, bk.remote, prodready.CacheConfig{TTL: 100 * time.Second}, &cache.Options{Now: clock.Now, Jitter: -1, RefreshAhead: 0.2})
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
