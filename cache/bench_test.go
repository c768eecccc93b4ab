package cache_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

const benchKeys = 4096

func benchKeyNames() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
	}
	return keys
}

func newBenchCache(tb testing.TB, opts *cache.Options) *cache.Cache[int] {
	tb.Helper()
	c, err := cache.New[int](context.Background(), prodready.Base{CacheTTL: time.Hour, CacheMaxSize: 2 * benchKeys}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// TestGetHitDoesNotAllocate is not parallel: AllocsPerRun refuses to run
// in parallel tests.
func TestGetHitDoesNotAllocate(t *testing.T) {
	tests := []struct {
		name string
		opts *cache.Options
	}{
		{"plain", nil},
		{"refresh-ahead", &cache.Options{RefreshAhead: 0.1}},
		{"metrics", &cache.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newBenchCache(t, tt.opts)
			ctx := context.Background()
			_ = c.Set(ctx, "k", 1)
			loader := func(context.Context) (int, error) { return 2, nil }
			if n := testing.AllocsPerRun(1000, func() { _, _, _ = c.Get(ctx, "k") }); n != 0 {
				t.Errorf("Get hit allocates %v times, want 0", n)
			}
			if n := testing.AllocsPerRun(1000, func() { _, _ = c.GetOrLoad(ctx, "k", loader) }); n != 0 {
				t.Errorf("GetOrLoad hit allocates %v times, want 0", n)
			}
		})
	}
}

// The comparisons with raw otter, which the root module no longer
// requires, live in the bench module: BenchmarkGetVsOtter in
// bench/cache_test.go and BenchmarkGetHit* in bench/hitratio.

func BenchmarkGet(b *testing.B) {
	keys := benchKeyNames()
	ctx := context.Background()
	b.Run("cache", func(b *testing.B) {
		c := newBenchCache(b, nil)
		for i, k := range keys {
			_ = c.Set(ctx, k, i)
		}
		i := 0
		for b.Loop() {
			_, _, _ = c.Get(ctx, keys[i&(benchKeys-1)])
			i++
		}
	})
}

func BenchmarkGetParallel(b *testing.B) {
	keys := benchKeyNames()
	ctx := context.Background()
	b.Run("cache", func(b *testing.B) {
		c := newBenchCache(b, nil)
		for i, k := range keys {
			_ = c.Set(ctx, k, i)
		}
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				_, _, _ = c.Get(ctx, keys[i&(benchKeys-1)])
				i++
			}
		})
	})
}

func BenchmarkGetOrLoad(b *testing.B) {
	keys := benchKeyNames()
	ctx := context.Background()
	tests := []struct {
		name string
		opts *cache.Options
	}{
		{"hit", nil},
		{"hit refresh-ahead", &cache.Options{RefreshAhead: 0.1}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			c := newBenchCache(b, tt.opts)
			loader := func(context.Context) (int, error) { return 1, nil }
			for _, k := range keys {
				_, _ = c.GetOrLoad(ctx, k, loader)
			}
			i := 0
			for b.Loop() {
				_, _ = c.GetOrLoad(ctx, keys[i&(benchKeys-1)], loader)
				i++
			}
		})
	}
	b.Run("miss", func(b *testing.B) {
		c := newBenchCache(b, nil)
		var n atomic.Int64
		loader := func(context.Context) (int, error) { return int(n.Add(1)), nil }
		i := 0
		for b.Loop() {
			k := keys[i&(benchKeys-1)]
			_, _ = c.GetOrLoad(ctx, k, loader)
			_ = c.Delete(ctx, k)
			i++
		}
	})
}

func BenchmarkSet(b *testing.B) {
	keys := benchKeyNames()
	ctx := context.Background()
	b.Run("cache", func(b *testing.B) {
		c := newBenchCache(b, nil)
		i := 0
		for b.Loop() {
			_ = c.Set(ctx, keys[i&(benchKeys-1)], i)
			i++
		}
	})
}

// BenchmarkGetHitMetrics compares a Get hit on the memory backend with
// metrics off (no MeterProvider) and on (the OpenTelemetry SDK with a
// reader). The counters are read from Stats at collection, so the hit path
// does the same work either way; the goal is within 1.10x.
//
//	go test -run XXX -bench GetHitMetrics -count 5 ./cache/
func BenchmarkGetHitMetrics(b *testing.B) {
	keys := benchKeyNames()
	ctx := context.Background()
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			opts := &cache.Options{}
			if on {
				opts.MeterProvider, _ = newMeter(b)
			}
			c := newBenchCache(b, opts)
			for i, k := range keys {
				_ = c.Set(ctx, k, i)
			}
			i := 0
			for b.Loop() {
				_, _, _ = c.Get(ctx, keys[i&(benchKeys-1)])
				i++
			}
		})
	}
}
