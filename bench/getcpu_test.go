package bench

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/prodready/prodready/internal/cputime"
)

// BenchmarkGetHitCPU compares Get hits of the memory backend and of raw
// otter (configured alike: a size bound and a one-hour lifetime) by the
// CPU time the process spends per Get, in rounds alternated between the
// two, from one goroutine and from two. CPU time, unlike wall time, does
// not count the time other processes take on a shared machine, and it does
// count otter's maintenance, which runs on goroutines of its own. It
// reports the median round of each and the ratio of the medians.
func BenchmarkGetHitCPU(b *testing.B) {
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
	const round = 1 << 17
	for _, par := range []int{1, 2} {
		b.Run("goroutines="+strconv.Itoa(par), func(b *testing.B) {
			run := func(get func(i int)) time.Duration {
				start := cputime.Process()
				done := make(chan struct{})
				for g := range par {
					go func() {
						for i := range round {
							get(i + 7*g)
						}
						done <- struct{}{}
					}()
				}
				for range par {
					<-done
				}
				return cputime.Process() - start
			}
			ours := func() time.Duration { return run(func(i int) { _, _, _ = c.Get(ctx, keys[i&2047]) }) }
			raw := func() time.Duration { return run(func(i int) { _, _ = o.GetIfPresent(keys[i&2047]) }) }
			var os, rs []time.Duration
			for b.Loop() {
				if len(os)%2 == 0 {
					os, rs = append(os, ours()), append(rs, raw())
				} else {
					rs, os = append(rs, raw()), append(os, ours())
				}
			}
			slices.Sort(os)
			slices.Sort(rs)
			n := float64(round * par)
			om, rm := os[len(os)/2], rs[len(rs)/2]
			b.ReportMetric(float64(om)/n, "ours-cpu-ns/get")
			b.ReportMetric(float64(rm)/n, "otter-cpu-ns/get")
			b.ReportMetric(float64(om)/float64(rm), "ratio")
		})
	}
}
