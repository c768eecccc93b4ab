//go:build unix

package engine

import (
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/internal/policy"
)

// BenchmarkGetHitEstimates times a Get hit on the engine as the memory
// backend builds it (the adaptive W-TinyLFU, the background drain, a
// lifetime), with the estimate miniatures off and on side by side, at
// 4,096 entries (the sample rate is then 1: every key feeds the 24
// estimate miniatures) and at 262,144 (a rate of 2,048/262,144). Every Get
// is a hit on a full cache. The miniatures cost nothing on the reader's
// own path: they run on the drainer's goroutine, which a reader only
// wakes; so besides ns/op it reports cpu-ns/op, the process's CPU time
// (user and system, every goroutine) per Get, which counts the drainer.
//
//	go test -run '^$' -bench GetHitEstimates -count 5 ./cache/internal/engine
//
// The goal is on within 1.10x of off (docs/CACHE.md, "Sizing").
func BenchmarkGetHitEstimates(b *testing.B) {
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
					e := estimatesBenchEngine(b, keys, on)
					mask := n - 1
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := processCPU()
					if par {
						b.RunParallel(func(pb *testing.PB) {
							i := 0
							for pb.Next() {
								e.GetIfPresent(keys[i&mask])
								i++
							}
						})
					} else {
						i := 0
						for b.Loop() {
							e.GetIfPresent(keys[i&mask])
							i++
						}
					}
					b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// estimatesBenchEngine returns an engine configured as cache/memory.go
// configures the memory backend's, of capacity len(keys) and holding them
// all, with the estimate miniatures on or off.
func estimatesBenchEngine(b *testing.B, keys []string, on bool) *Engine[int] {
	b.Helper()
	e, err := New(&Options[int]{
		Capacity: uint64(len(keys)),
		Lifetime: lifetime(int64(time.Hour)),
		Policy: func(c uint64) policy.Policy {
			return policy.New(c, &policy.Options{NoEstimates: !on})
		},
		BackgroundDrain: true,
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

// processCPU returns the CPU time the process has used, user and system,
// in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
