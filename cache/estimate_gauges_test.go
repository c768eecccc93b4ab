package cache_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// gaugePoints returns the points of the gauge name by their cache.size.
func gaugePoints[N int64 | float64](tb testing.TB, c collected, name string) map[string]N {
	tb.Helper()
	out := map[string]N{}
	d, ok := c[name]
	if !ok {
		return out
	}
	g, ok := d.(metricdata.Gauge[N])
	if !ok {
		tb.Fatalf("%s is a %T, want a Gauge", name, d)
	}
	for _, p := range g.DataPoints {
		size, _ := p.Attributes.Value("cache.size")
		if name, _ := p.Attributes.Value("cache.name"); name.AsString() != "items" {
			tb.Errorf("%s: a point with cache.name %q, want items", name, name.AsString())
		}
		out[size.AsString()] = p.Value
	}
	return out
}

// TestMetricsEstimateGauges: with CACHE_AUTOSIZE the memory backend's
// estimates are two gauges, the hit ratio and the capacity per cache.size
// (0.25x to 8x of the bound, and the budget), equal to Stats().Sizing;
// without it, whose estimates are only the adaptation's own, neither
// reports a point.
func TestMetricsEstimateGauges(t *testing.T) {
	t.Parallel()
	const budget = 256 << 10 // about 1,700 entries of these strings
	for _, autosize := range []bool{false, true} {
		t.Run("autosize="+strconv.FormatBool(autosize), func(t *testing.T) {
			t.Parallel()
			mp, reader := newMeter(t)
			cfg := prodready.Base{CacheTTL: time.Hour, CacheMaxSize: 512}
			if autosize {
				cfg = prodready.Base{CacheTTL: time.Hour, CacheAutosize: true, CacheMaxMemory: prodready.MemorySize{Bytes: budget}}
			}
			c, err := cache.New[string](t.Context(), cfg, &cache.Options{MeterProvider: mp, Name: "items"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, 4095)
			for range 60_000 {
				k := strconv.FormatUint(zipf.Uint64(), 10)
				if _, ok, _ := c.Get(t.Context(), k); !ok {
					_ = c.Set(t.Context(), k, "value "+k)
				}
			}
			got := collect(t, reader)
			ratios := gaugePoints[float64](t, got, "cache.size.estimated_hit_ratio")
			capacities := gaugePoints[int64](t, got, "cache.size.estimated_capacity")
			if !autosize {
				if len(ratios)+len(capacities) != 0 {
					t.Fatalf("estimate gauges without autosize = %v, %v; want no point", ratios, capacities)
				}
				return
			}
			z := c.Stats().Sizing
			t.Logf("hit ratios %v, capacities %v; Stats().Sizing %v", ratios, capacities, z)
			want := map[string]uint64{"0.25x": z.Capacity / 4, "0.5x": z.Capacity / 2, "1x": z.Capacity,
				"2x": 2 * z.Capacity, "4x": 4 * z.Capacity, "8x": 8 * z.Capacity, "budget": budget}
			if len(ratios) != len(want) || len(capacities) != len(want) {
				t.Fatalf("estimate gauges = %v, %v; want one point per size of %v", ratios, capacities, want)
			}
			for size, c := range want {
				if capacities[size] != int64(c) {
					t.Errorf("cache.size.estimated_capacity{cache.size=%s} = %d, want %d", size, capacities[size], c)
				}
				r, ok := z.HitRatioAt(c)
				if !ok || ratios[size] != r {
					t.Errorf("cache.size.estimated_hit_ratio{cache.size=%s} = %v, want %v (Stats().Sizing)", size, ratios[size], r)
				}
				if ratios[size] <= 0 || ratios[size] > 1 {
					t.Errorf("cache.size.estimated_hit_ratio{cache.size=%s} = %v, want in (0, 1] on a skewed stream", size, ratios[size])
				}
			}
		})
	}
}
