package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jellydator/ttlcache/v3"
	"github.com/maypok86/otter/v2"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// The workload: 100,000 keys, 1,000,000 requests, 4096 entries.
const (
	traceKeys     = 100_000
	traceRequests = 1_000_000
	capacity      = 4096
	traceSeed     = 20260101
)

var traces = []struct {
	name string
	s    float64
}{
	{"zipf=1.01", 1.01},
	{"zipf=0.8", 0.8},
}

// A contender is a cache under comparison, reduced to what a read-through
// cache does: look a key up and, on a miss, store it.
type contender struct {
	name string
	// open returns get (which reports a hit) and set, and close. With
	// settle, set returns once the write is visible (ristretto applies
	// writes asynchronously and may drop them under load).
	open func(tb testing.TB, settle bool) (get func(string) bool, set func(string), closeFn func())
}

func contenders() []contender {
	return []contender{
		{"prodready", func(tb testing.TB, settle bool) (func(string) bool, func(string), func()) {
			c := newProdready(tb)
			ctx := context.Background()
			return func(k string) bool {
					_, ok, _ := c.Get(ctx, k)
					return ok
				}, func(k string) { _ = c.Set(ctx, k, 1) },
				func() { c.Close() }
		}},
		{"otter", func(tb testing.TB, settle bool) (func(string) bool, func(string), func()) {
			c := otter.Must(&otter.Options[string, int]{
				MaximumSize:      capacity,
				ExpiryCalculator: otter.ExpiryWriting[string, int](time.Hour),
			})
			return func(k string) bool {
					_, ok := c.GetIfPresent(k)
					return ok
				}, func(k string) { c.Set(k, 1) },
				func() { c.StopAllGoroutines() }
		}},
		{"ristretto", func(tb testing.TB, settle bool) (func(string) bool, func(string), func()) {
			c, err := ristretto.NewCache(&ristretto.Config[string, int]{
				NumCounters:        10 * capacity,
				MaxCost:            capacity,
				BufferItems:        64,
				IgnoreInternalCost: true, // else each entry costs its bookkeeping too
			})
			if err != nil {
				tb.Fatal(err)
			}
			return func(k string) bool {
					_, ok := c.Get(k)
					return ok
				}, func(k string) {
					c.SetWithTTL(k, 1, 1, time.Hour)
					if settle {
						c.Wait()
					}
				},
				c.Close
		}},
		{"lru-expirable", func(tb testing.TB, settle bool) (func(string) bool, func(string), func()) {
			c := expirable.NewLRU[string, int](capacity, nil, time.Hour)
			return func(k string) bool {
					_, ok := c.Get(k)
					return ok
				}, func(k string) { c.Add(k, 1) },
				func() {}
		}},
		{"ttlcache", func(tb testing.TB, settle bool) (func(string) bool, func(string), func()) {
			c := ttlcache.New(ttlcache.WithCapacity[string, int](capacity), ttlcache.WithTTL[string, int](time.Hour))
			return func(k string) bool {
					return c.Get(k) != nil
				}, func(k string) { c.Set(k, 1, ttlcache.DefaultTTL) },
				func() {}
		}},
	}
}

func newProdready(tb testing.TB) *cache.Cache[int] {
	tb.Helper()
	c, err := cache.New[int](context.Background(),
		prodready.Base{CacheBackend: prodready.CacheMemory, CacheTTL: time.Hour, CacheMaxSize: capacity},
		&cache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// hitRatio replays trace through get and set as a read-through cache.
func hitRatio(trace []string, get func(string) bool, set func(string)) float64 {
	hits := 0
	for _, k := range trace {
		if get(k) {
			hits++
		} else {
			set(k)
		}
	}
	return float64(hits) / float64(len(trace))
}

// hitRounds is how many times TestHitRatio replays each trace through
// otter and through our API. otter randomises its admission (and tunes its
// window as it goes), so one replay of the s=0.8 trace varies by about ±1.5
// points from run to run; the mean of several is compared.
const hitRounds = 5

// TestHitRatio replays the Zipf traces through every cache and through
// cache.GetOrLoad, logs the hit ratios, and checks our API against raw
// otter on the mean of hitRounds replays. The target is 0.5 points
// (docs/BENCHMARKS.md reports the measured gap); the test fails at 1 point,
// a margin for the noise that remains in a mean of five, and enough to catch
// a real regression (LRU is 4 to 10 points below). Run it with -v to see the
// table.
func TestHitRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 25 million requests")
	}
	for _, tr := range traces {
		trace := zipfTrace(tr.s, traceKeys, traceRequests, traceSeed)
		ratios := map[string]float64{}
		for _, ct := range contenders() {
			rounds := 1
			if ct.name == "otter" || ct.name == "prodready" {
				rounds = hitRounds
			}
			for range rounds {
				get, set, closeFn := ct.open(t, true)
				ratios[ct.name] += hitRatio(trace, get, set) / float64(rounds)
				closeFn()
			}
		}
		// Through the typed API as a service uses it.
		for range hitRounds {
			c := newProdready(t)
			var loads atomic.Int64
			loader := func(context.Context) (int, error) { loads.Add(1); return 1, nil }
			ctx := context.Background()
			for _, k := range trace {
				if _, err := c.GetOrLoad(ctx, k, loader); err != nil {
					t.Fatal(err)
				}
			}
			r := 1 - float64(loads.Load())/float64(len(trace))
			if st := c.Stats().HitRatio(); math.Abs(st-r) > 1e-9 {
				t.Errorf("%s: Stats().HitRatio() = %.4f, want %.4f from the loads", tr.name, st, r)
			}
			ratios["prodready GetOrLoad"] += r / hitRounds
			c.Close()
		}

		names := make([]string, 0, len(ratios))
		for n := range ratios {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			t.Logf("%s %-20s hit ratio %6.2f%%", tr.name, n, 100*ratios[n])
		}
		for _, n := range []string{"prodready", "prodready GetOrLoad"} {
			d := 100 * (ratios["otter"] - ratios[n])
			t.Logf("%s: %s is %+.2f points from raw otter (mean of %d; target within 0.5)", tr.name, n, -d, hitRounds)
			if d > 1 {
				t.Errorf("%s: %s mean hit ratio %.2f%% is %.2f points below raw otter's %.2f%%, want at most 1 (target 0.5)",
					tr.name, n, 100*ratios[n], d, 100*ratios["otter"])
			}
		}
	}
}

// BenchmarkParallelGetSet runs 90% reads and 10% writes of the Zipf s=1.01
// trace on all cores.
func BenchmarkParallelGetSet(b *testing.B) {
	trace := zipfTrace(1.01, traceKeys, 1<<20, traceSeed)
	const mask = 1<<20 - 1
	for _, ct := range contenders() {
		b.Run("cache="+ct.name, func(b *testing.B) {
			get, set, closeFn := ct.open(b, false)
			defer closeFn()
			hitRatio(trace[:1<<16], get, set) // warm up
			var seed atomic.Uint64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(rand.New(rand.NewPCG(seed.Add(1), 1)).Uint32())
				for pb.Next() {
					k := trace[i&mask]
					if i%10 == 0 {
						set(k)
					} else {
						get(k)
					}
					i++
				}
			})
		})
	}
}

// BenchmarkGetVsOtter times hits of our Get and of raw otter's GetIfPresent
// in interleaved rounds and reports the best round of each and the ratio,
// which holds steadier than two separate benchmarks on a busy machine.
func BenchmarkGetVsOtter(b *testing.B) {
	ctx := context.Background()
	c := newProdready(b)
	defer c.Close()
	o := otter.Must(&otter.Options[string, int]{
		MaximumSize:      capacity,
		ExpiryCalculator: otter.ExpiryWriting[string, int](time.Hour),
	})
	defer o.StopAllGoroutines()
	keys := make([]string, 2048) // well inside the capacity: all hits
	for i := range keys {
		keys[i] = fmt.Sprint("key:", i)
		_ = c.Set(ctx, keys[i], i)
		o.Set(keys[i], i)
	}
	const round = 1 << 16
	var ours, raw time.Duration
	keep := func(d time.Duration, best *time.Duration) {
		if *best == 0 || d < *best {
			*best = d
		}
	}
	for b.Loop() {
		start := time.Now()
		for i := range round {
			_, _, _ = c.Get(ctx, keys[i&2047])
		}
		keep(time.Since(start), &ours)
		start = time.Now()
		for i := range round {
			_, _ = o.GetIfPresent(keys[i&2047])
		}
		keep(time.Since(start), &raw)
	}
	b.ReportMetric(float64(ours.Nanoseconds())/round, "ours-ns/get")
	b.ReportMetric(float64(raw.Nanoseconds())/round, "otter-ns/get")
	b.ReportMetric(float64(ours)/float64(raw), "ratio")
}

// concurrentMisses starts n goroutines that call GetOrLoad on key at once
// and returns the number of loads.
func concurrentMisses(tb testing.TB, c *cache.Cache[int], key string, n int, loadTime time.Duration) int64 {
	var loads atomic.Int64
	loader := func(context.Context) (int, error) {
		loads.Add(1)
		if loadTime > 0 {
			time.Sleep(loadTime) // the database
		}
		return 42, nil
	}
	var ready, done sync.WaitGroup
	startGate := make(chan struct{})
	for range n {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-startGate
			if v, err := c.GetOrLoad(context.Background(), key, loader); err != nil || v != 42 {
				tb.Errorf("GetOrLoad = %d, %v, want 42", v, err)
			}
		})
	}
	ready.Wait()
	close(startGate)
	done.Wait()
	return loads.Load()
}

// TestConcurrentMissesLoadOnce is the target "exactly one load for 64
// concurrent misses", checked on 50 fresh keys, with a slow and an
// instant loader.
func TestConcurrentMissesLoadOnce(t *testing.T) {
	c := newProdready(t)
	defer c.Close()
	for _, loadTime := range []time.Duration{0, 5 * time.Millisecond} {
		for i := range 50 {
			key := fmt.Sprintf("miss:%v:%d", loadTime, i)
			if got := concurrentMisses(t, c, key, 64, loadTime); got != 1 {
				t.Fatalf("%s: loads for 64 concurrent misses = %d, want 1", key, got)
			}
		}
	}
}

// BenchmarkConcurrentMisses times 64 goroutines missing one fresh key at
// once, with an instant loader; loads/op must be 1.
func BenchmarkConcurrentMisses(b *testing.B) {
	c := newProdready(b)
	defer c.Close()
	var loads int64
	i := 0
	for b.Loop() {
		loads += concurrentMisses(b, c, fmt.Sprint("miss:", i), 64, 0)
		i++
	}
	b.ReportMetric(float64(loads)/float64(i), "loads/op")
}

// BenchmarkRefreshAheadLatency reads 8 hot keys from 4 goroutines for 2 s
// per iteration, with a TTL of 200 ms (jittered ±10%) and a loader that
// takes 20 ms, and reports percentiles of the GetOrLoad latency with
// refresh-ahead on (last 20% of the TTL) and off. Run it with
// -benchtime=1x: one iteration is the whole 2 s scenario.
func BenchmarkRefreshAheadLatency(b *testing.B) {
	for _, tt := range []struct {
		name         string
		refreshAhead float64
	}{
		{"refresh=on", 0.2},
		{"refresh=off", 0},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				lat = append(lat, refreshScenario(b, tt.refreshAhead, 2*time.Second)...)
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Nanoseconds())
			}
			b.ReportMetric(pct(0.50), "p50-ns")
			b.ReportMetric(pct(0.99), "p99-ns")
			b.ReportMetric(pct(0.999), "p99.9-ns")
			b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds()), "max-ns")
			b.ReportMetric(float64(len(lat)), "reads")
		})
	}
}

// refreshScenario runs the refresh-ahead scenario for d and returns the
// latency of every read.
func refreshScenario(tb testing.TB, refreshAhead float64, d time.Duration) []time.Duration {
	c, err := cache.New[int](context.Background(),
		prodready.Base{CacheTTL: 200 * time.Millisecond, CacheMaxSize: capacity},
		&cache.Options{RefreshAhead: refreshAhead, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	loader := func(ctx context.Context) (int, error) {
		select {
		case <-time.After(20 * time.Millisecond): // the database
			return 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	keys := make([]string, 8)
	for i := range keys {
		keys[i] = fmt.Sprint("hot:", i)
		if _, err := c.GetOrLoad(context.Background(), keys[i], loader); err != nil {
			tb.Fatal(err)
		}
	}
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			var lat []time.Duration
			for time.Now().Before(deadline) {
				k := keys[r.IntN(len(keys))]
				start := time.Now()
				if _, err := c.GetOrLoad(context.Background(), k, loader); err != nil {
					tb.Error(err)
					return
				}
				lat = append(lat, time.Since(start))
				time.Sleep(100 * time.Microsecond)
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}
