//go:build unix

package engine

import (
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/internal/policy"
	"github.com/prodready/prodready/internal/cputime"
)

// BenchmarkGetHitEstimates times a Get hit on the engine as the memory
// backend builds it (the adaptive W-TinyLFU, the background drain, a
// lifetime), with the estimate miniatures off and on side by side, at
// 4,096 entries (the sample rate is then 1: every key feeds the groups of
// ¼×, ½× and 1×, and a half, a quarter and an eighth of the keys those of
// 2×, 4× and 8×: about 19 miniature updates per record, against 4 off)
// and at 262,144 (a rate of 4,096/262,144). Every Get
// is a hit on a full cache. The miniatures cost nothing on the reader's
// own path: they run on the drainer's goroutine, which a reader only
// wakes; so besides ns/op it reports cpu-ns/op, the process's CPU time
// (user and system, every goroutine) per Get, which counts the drainer.
//
//	go test -run '^$' -bench GetHitEstimates -count 5 ./cache/internal/engine
//
// The goal is on within 1.10x of off (docs/CACHE.md, "Sizing").
func BenchmarkGetHitEstimates(b *testing.B) {
	benchGetHitEstimates(b, true)
}

// BenchmarkGetHitEstimatesInline is BenchmarkGetHitEstimates with the
// reader draining the ring it fills (no BackgroundDrain): serially every
// read then reaches the policy, within getHits, so that valgrind counts
// the whole cost of the miniatures per Get, free of the machine's noise
// and of the records a busy drainer drops (an upper bound of the CPU):
//
//	go test -c -o /tmp/engine.test ./cache/internal/engine
//	valgrind --tool=callgrind --toggle-collect='*getHits*' /tmp/engine.test \
//	    -test.run '^$' -test.bench 'GetHitEstimatesInline/entries=4096/serial/estimates=off' -test.benchtime 100000x
func BenchmarkGetHitEstimatesInline(b *testing.B) {
	benchGetHitEstimates(b, false)
}

// benchGetHitEstimates runs the cases of BenchmarkGetHitEstimates, with
// the background drain or without.
func benchGetHitEstimates(b *testing.B, background bool) {
	for _, n := range []int{1 << 12, 1 << 18} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = strconv.FormatUint(uint64(i), 36)
		}
		for _, par := range []bool{false, true} {
			for _, on := range []bool{false, true} {
				name := "entries=" + strconv.Itoa(n) + "/" + map[bool]string{false: "serial", true: "parallel"}[par] +
					"/estimates=" + map[bool]string{false: "off", true: "on"}[on]
				b.Run(name, func(b *testing.B) {
					e := estimatesBenchEngine(b, keys, on, background)
					mask := n - 1
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := cputime.Process()
					if par {
						b.RunParallel(func(pb *testing.PB) {
							i := 0
							for pb.Next() {
								e.GetIfPresent(keys[i&mask])
								i++
							}
						})
					} else {
						getHits(e, keys, b.N)
					}
					b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// BenchmarkGetHitEstimatesPaired measures what BenchmarkGetHitEstimates
// does, as a ratio robust to a shared machine's noise: an engine with the
// estimates on and one with them off, both built and filled first, take
// turns at bursts of pairedBurst Gets (which one goes first alternates),
// so that a change in the machine's load hits both alike; b.N is the
// number of pairs. It reports the median, and the first and third
// quartiles, of the pairs' ratios on/off: of the wall time ("time-ratio")
// and of the process's CPU time, the drainer's included ("cpu-ratio").
//
//	go test -run '^$' -bench GetHitEstimatesPaired -benchtime 200x ./cache/internal/engine
//
// The goal is a median within 1.10 (docs/CACHE.md, "Sizing").
func BenchmarkGetHitEstimatesPaired(b *testing.B) {
	for _, n := range []int{1 << 12, 1 << 18} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = strconv.FormatUint(uint64(i), 36)
		}
		for _, par := range []bool{false, true} {
			name := "entries=" + strconv.Itoa(n) + "/" + map[bool]string{false: "serial", true: "parallel"}[par]
			b.Run(name, func(b *testing.B) {
				engines := [2]*Engine[int]{
					estimatesBenchEngine(b, keys, false, true),
					estimatesBenchEngine(b, keys, true, true),
				}
				readers := 1
				if par {
					readers = runtime.GOMAXPROCS(0)
				}
				var wall, cpu [2][]float64
				b.ResetTimer()
				for i := range b.N {
					for j := range 2 {
						on := (i + j) % 2 // off first in even pairs
						t0, c0 := time.Now(), cputime.Process()
						getHitsBy(engines[on], keys, readers, pairedBurst)
						wall[on] = append(wall[on], float64(time.Since(t0)))
						cpu[on] = append(cpu[on], float64(cputime.Process()-c0))
					}
				}
				b.StopTimer()
				for _, m := range []struct {
					name string
					v    [2][]float64
				}{{"time-ratio", wall}, {"cpu-ratio", cpu}} {
					q1, med, q3 := quartiles(ratios(m.v[1], m.v[0]))
					b.ReportMetric(med, m.name)
					b.ReportMetric(q1, m.name+"-q1")
					b.ReportMetric(q3, m.name+"-q3")
				}
			})
		}
	}
}

// pairedBurst is the number of Gets of a burst in
// BenchmarkGetHitEstimatesPaired: some milliseconds, long enough for the
// drainer's share of the work to land in the burst that made it, short
// enough for the machine's load to change little between the two of a
// pair.
const pairedBurst = 1 << 18

// getHitsBy reads n keys of keys from readers goroutines, each its own
// share from its own place in keys.
func getHitsBy(e *Engine[int], keys []string, readers, n int) {
	if readers == 1 {
		getHits(e, keys, n)
		return
	}
	var wg sync.WaitGroup
	mask := len(keys) - 1
	for r := range readers {
		wg.Go(func() {
			start := r * len(keys) / readers
			for i := range n / readers {
				e.GetIfPresent(keys[(start+i)&mask])
			}
		})
	}
	wg.Wait()
}

// ratios returns num[i]/den[i] for each i.
func ratios(num, den []float64) []float64 {
	r := make([]float64, len(num))
	for i := range num {
		r[i] = num[i] / max(den[i], 1)
	}
	return r
}

// quartiles returns the first quartile, the median and the third
// quartile of v (nearest rank), which it sorts.
func quartiles(v []float64) (q1, med, q3 float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	slices.Sort(v)
	at := func(q float64) float64 { return v[min(int(q*float64(len(v))), len(v)-1)] }
	return at(0.25), at(0.5), at(0.75)
}

// getHits reads n keys of keys in turn: the timed loop, a function of its
// own so that valgrind can count it alone.
//
//go:noinline
func getHits(e *Engine[int], keys []string, n int) {
	mask := len(keys) - 1
	for i := range n {
		e.GetIfPresent(keys[i&mask])
	}
}

// estimatesBenchEngine returns an engine configured as cache/memory.go
// configures the memory backend's (with background, its drain), of
// capacity len(keys) and holding them all, with the estimate miniatures
// on or off.
func estimatesBenchEngine(b *testing.B, keys []string, on, background bool) *Engine[int] {
	b.Helper()
	e, err := New(&Options[int]{
		Capacity: uint64(len(keys)),
		Lifetime: lifetime(int64(time.Hour)),
		Policy: func(c uint64) policy.Policy {
			return policy.New(c, &policy.Options{NoEstimates: !on})
		},
		BackgroundDrain: background,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Stop)
	for i, k := range keys {
		e.Set(k, i)
	}
	return e
}
