package cache_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/internal/testserver"
)

// newMeter returns a MeterProvider of the OpenTelemetry SDK and the reader
// a test collects from.
func newMeter(tb testing.TB) (*sdkmetric.MeterProvider, *sdkmetric.ManualReader) {
	tb.Helper()
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	tb.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp, r
}

// collected is one collection, by instrument name.
type collected map[string]metricdata.Aggregation

func collect(tb testing.TB, r *sdkmetric.ManualReader) collected {
	tb.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		tb.Fatalf("Collect() = %v", err)
	}
	out := collected{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// counter returns the value of the counter name for the Cache with
// attributes want, and whether there is one.
func (c collected) counter(tb testing.TB, name string, want attribute.Set) (int64, bool) {
	tb.Helper()
	d, ok := c[name]
	if !ok {
		return 0, false
	}
	sum, ok := d.(metricdata.Sum[int64])
	if !ok {
		tb.Fatalf("%s is a %T, want a Sum[int64]", name, d)
	}
	if !sum.IsMonotonic || sum.Temporality != metricdata.CumulativeTemporality {
		tb.Errorf("%s: monotonic %v, temporality %v; want a cumulative counter", name, sum.IsMonotonic, sum.Temporality)
	}
	for _, p := range sum.DataPoints {
		if p.Attributes.Equals(&want) {
			return p.Value, true
		}
	}
	return 0, false
}

// histogramCount returns how many measurements the histogram name holds
// for the attributes want (each one's attribute set includes want).
func (c collected) histogramCount(tb testing.TB, name string, want ...attribute.KeyValue) uint64 {
	tb.Helper()
	d, ok := c[name]
	if !ok {
		return 0
	}
	h, ok := d.(metricdata.Histogram[float64])
	if !ok {
		tb.Fatalf("%s is a %T, want a Histogram[float64]", name, d)
	}
	var n uint64
points:
	for _, p := range h.DataPoints {
		for _, kv := range want {
			if v, ok := p.Attributes.Value(kv.Key); !ok || v != kv.Value {
				continue points
			}
		}
		n += p.Count
	}
	return n
}

// statsCounters maps each counter to its Stats count: the whole contract
// of the counters.
var statsCounters = []struct {
	name  string
	value func(cache.Stats) uint64
}{
	{"cache.hits", func(s cache.Stats) uint64 { return s.Hits }},
	{"cache.misses", func(s cache.Stats) uint64 { return s.Misses }},
	{"cache.loads", func(s cache.Stats) uint64 { return s.Loads }},
	{"cache.load.errors", func(s cache.Stats) uint64 { return s.LoadErrors }},
	{"cache.backend.errors", func(s cache.Stats) uint64 { return s.BackendErrors }},
	{"cache.codec.errors", func(s cache.Stats) uint64 { return s.CodecErrors }},
	{"cache.auth.failures", func(s cache.Stats) uint64 { return s.AuthFailures }},
	{"cache.evictions", func(s cache.Stats) uint64 { return s.Evictions }},
}

// TestMetricsEqualStats: after traffic of every kind, each counter equals
// its Stats count under the Cache's attributes, the load histogram holds
// one measurement per load by outcome, and the remote backends' calls are
// timed by operation.
func TestMetricsEqualStats(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	tests := []struct {
		name    string
		backend prodready.CacheBackend
		newB    func(ns string) cache.Backend // nil: the memory backend
	}{
		{"memory", prodready.CacheMemory, nil},
		{"remote with locker", prodready.CacheRedis, func(ns string) cache.Backend { return &fakeLocker{fakeBackend{s: server, ns: ns}} }},
		{"remote without locker", prodready.CacheMemcached, func(ns string) cache.Backend { return &fakeBackend{s: server, ns: ns} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			mp, reader := newMeter(t)
			cfg := prodready.Base{CacheBackend: tt.backend, CacheTTL: time.Hour, CacheMaxSize: 2, CacheNamespace: cachetest.Namespace(t)}
			opts := &cache.Options{MeterProvider: mp, Name: "items", NegativeTTL: time.Minute, LockLease: time.Second}
			var c *cache.Cache[string]
			var err error
			if tt.newB == nil {
				c, err = cache.New[string](ctx, cfg, opts)
			} else {
				cfg.CacheURL = fakeURL(t)
				c, err = cache.NewWithBackend[string](ctx, cfg, opts, tt.newB(cfg.CacheNamespace))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()

			ok := func(context.Context) (string, error) { return "v", nil }
			boom := errors.New("boom")
			_, _ = c.GetOrLoad(ctx, "a", ok) // miss, load ok
			_, _ = c.GetOrLoad(ctx, "a", ok) // hit
			_, _, _ = c.Get(ctx, "a")        // hit
			_, _, _ = c.Get(ctx, "absent")   // miss
			_, _ = c.GetOrLoad(ctx, "nf", func(context.Context) (string, error) { return "", cache.ErrNotFound })
			_, _ = c.GetOrLoad(ctx, "nf", ok) // negative hit
			_, _ = c.GetOrLoad(ctx, "err", func(context.Context) (string, error) { return "", boom })
			_, _ = c.GetOrLoad(ctx, "panic", func(context.Context) (string, error) { panic("loader") })
			for _, k := range []string{"b", "c", "d", "e"} { // over MaxSize: evictions on memory
				_ = c.Set(ctx, k, k)
			}
			_ = c.Delete(ctx, "b")

			got := collect(t, reader)
			st := c.Stats()
			attrs := attribute.NewSet(
				attribute.String("cache.name", "items"),
				attribute.String("cache.namespace", cfg.CacheNamespace),
				attribute.String("cache.backend", string(tt.backend)),
			)
			for _, sc := range statsCounters {
				v, found := got.counter(t, sc.name, attrs)
				if !found {
					t.Errorf("%s: no data point with attributes %v", sc.name, attrs.Encoded(attribute.DefaultEncoder()))
					continue
				}
				if uint64(v) != sc.value(st) {
					t.Errorf("%s = %d, want Stats' %d", sc.name, v, sc.value(st))
				}
			}
			if st.Hits < 3 || st.Misses < 2 || st.Loads != 4 || st.LoadErrors != 2 {
				t.Errorf("Stats() = %v, want at least 3 hits and 2 misses, 4 loads, 2 load errors", st)
			}
			for outcome, want := range map[string]uint64{"ok": 1, "not_found": 1, "error": 2} {
				if n := got.histogramCount(t, "cache.load.duration", attribute.String("cache.outcome", outcome), attribute.String("cache.name", "items")); n != want {
					t.Errorf("cache.load.duration{cache.outcome=%q} count = %d, want %d", outcome, n, want)
				}
			}
			gets := got.histogramCount(t, "cache.backend.duration", attribute.String("cache.operation", "get"))
			sets := got.histogramCount(t, "cache.backend.duration", attribute.String("cache.operation", "set"))
			dels := got.histogramCount(t, "cache.backend.duration", attribute.String("cache.operation", "delete"))
			if tt.newB == nil {
				if gets+sets+dels != 0 {
					t.Errorf("memory backend: cache.backend.duration counts get %d, set %d, delete %d; want none", gets, sets, dels)
				}
				return
			}
			if gets == 0 || sets == 0 || dels == 0 {
				t.Errorf("cache.backend.duration counts get %d, set %d, delete %d; want each timed", gets, sets, dels)
			}
			// The timed backend is still a Locker when the backend is one:
			// the misses took the lease through it.
			locks := got.histogramCount(t, "cache.backend.duration", attribute.String("cache.operation", "lock"))
			if _, isLocker := tt.newB("x").(cache.Locker); isLocker != (locks > 0) {
				t.Errorf("cache.backend.duration{lock} count = %d with a Locker %v; want lock calls exactly with a Locker", locks, isLocker)
			}
		})
	}
}

// TestMetricsBackendErrors: a failed server call is counted in
// cache.backend.errors and timed with outcome error.
func TestMetricsBackendErrors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	server := newFakeServer()
	mp, reader := newMeter(t)
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheTTL: time.Hour, CacheNamespace: "down"}
	c, err := cache.NewWithBackend[string](ctx, cfg, &cache.Options{MeterProvider: mp, Logger: slog.New(slog.DiscardHandler)}, &fakeLocker{fakeBackend{s: server, ns: "down"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	server.down.Store(true)
	_, _, _ = c.Get(ctx, "k")
	got := collect(t, reader)
	attrs := attribute.NewSet(attribute.String("cache.name", ""), attribute.String("cache.namespace", "down"), attribute.String("cache.backend", "redis"))
	if v, _ := got.counter(t, "cache.backend.errors", attrs); v != 1 || c.Stats().BackendErrors != 1 {
		t.Errorf("cache.backend.errors = %d, Stats().BackendErrors = %d; want 1 and 1", v, c.Stats().BackendErrors)
	}
	if n := got.histogramCount(t, "cache.backend.duration", attribute.String("cache.operation", "get"), attribute.String("cache.outcome", "error")); n != 1 {
		t.Errorf("cache.backend.duration{get, error} count = %d, want 1", n)
	}
}

// TestMetricsStopAtClose: a closed Cache is no longer reported, so that
// the MeterProvider does not keep it alive.
func TestMetricsStopAtClose(t *testing.T) {
	t.Parallel()
	mp, reader := newMeter(t)
	c, err := cache.New[string](t.Context(), prodready.Base{}, &cache.Options{MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = c.Get(t.Context(), "k")
	if _, ok := collect(t, reader)["cache.misses"]; !ok {
		t.Fatal("cache.misses not reported while open")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d, ok := collect(t, reader)["cache.misses"]; ok && len(d.(metricdata.Sum[int64]).DataPoints) > 0 {
		t.Errorf("cache.misses still reported after Close: %+v", d)
	}
}

// TestMetricsConformance runs the conformance suite with metrics on: the
// timed backend keeps the lease protocol of the backend it wraps (Locker,
// Fencer), on the fake and, when one answers, on a real Redis.
func TestMetricsConformance(t *testing.T) {
	t.Parallel()
	server := newFakeServer()
	withMeter := func(t *testing.T, opts *cache.Options) *cache.Options {
		o := cache.Options{}
		if opts != nil {
			o = *opts
		}
		o.MeterProvider, _ = newMeter(t)
		return &o
	}
	t.Run("fake with locker", func(t *testing.T) {
		t.Parallel()
		cachetest.Run(t, func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
			cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, fakeURL(t)
			b := &fakeLocker{fakeBackend{s: server, ns: cfg.CacheNamespace}}
			return closeLater[cachetest.Item](t)(cache.NewWithBackend[cachetest.Item](t.Context(), cfg, withMeter(t, opts), b))
		})
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		u, err := prodready.ParseSecretURL(testserver.Redis(t))
		if err != nil {
			t.Fatal(err)
		}
		cachetest.Run(t, func(t *testing.T, cfg prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
			cfg.CacheBackend, cfg.CacheURL = prodready.CacheRedis, u
			o := withMeter(t, opts)
			if o.Timeout == 0 {
				o.Timeout = 2 * time.Second // behaviour, not latency, under -race
			}
			return closeLater[cachetest.Item](t)(cache.New[cachetest.Item](t.Context(), cfg, o))
		})
	})
}

// TestMetricsNearCacheHits: the redis backend's near-cache hits are
// reported, and only with its near cache on; its fenced store is timed.
func TestMetricsNearCacheHits(t *testing.T) {
	t.Parallel()
	u, err := prodready.ParseSecretURL(testserver.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, disable := range []bool{false, true} {
		t.Run(map[bool]string{false: "near cache", true: "no near cache"}[disable], func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			mp, reader := newMeter(t)
			ns := cachetest.Namespace(t)
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u, CacheTTL: time.Hour, CacheNamespace: ns, SecretKey: cachetest.Key(t)}
			c, err := closeLater[string](t)(cache.New[string](ctx, cfg, &cache.Options{MeterProvider: mp, DisableNearCache: disable, Timeout: 2 * time.Second}))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetOrLoad(ctx, "k", func(context.Context) (string, error) { return "v", nil }); err != nil {
				t.Fatal(err)
			}
			for range 5 {
				if _, ok, err := c.Get(ctx, "k"); !ok || err != nil {
					t.Fatalf("Get() = _, %v, %v; want a hit", ok, err)
				}
			}
			attrs := attribute.NewSet(attribute.String("cache.name", ""), attribute.String("cache.namespace", ns), attribute.String("cache.backend", "redis"))
			got := collect(t, reader)
			// The timed backend is still a Fencer: the miss stored its
			// value under the lease in the key.
			for _, op := range []string{"lease", "fenced_set"} {
				if n := got.histogramCount(t, "cache.backend.duration", attribute.String("cache.operation", op), attribute.String("cache.outcome", "ok")); n != 1 {
					t.Errorf("cache.backend.duration{%s, ok} count = %d after one miss, want 1", op, n)
				}
			}
			v, found := got.counter(t, "cache.near_cache.hits", attrs)
			switch {
			case !found:
				t.Errorf("cache.near_cache.hits not reported")
			case disable && v != 0:
				t.Errorf("cache.near_cache.hits = %d without a near cache, want 0", v)
			case !disable && v < 3:
				t.Errorf("cache.near_cache.hits = %d after 5 reads of one key, want at least 3", v)
			}
		})
	}
}
