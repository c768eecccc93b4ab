package bench

import (
	"os"
	"testing"

	"github.com/prodready/prodready/internal/cputime"
)

// BenchmarkLoad loads the configuration with each loader, from the process
// environment with the 20 variables set (env=small) and with 500 unrelated
// variables more (env=large). Run it with ./run.sh, which also prints each
// loader's ratio to the hand-written loader.
//
// Besides ns/op (wall-clock time), each benchmark reports cpu-ns/op: the
// CPU time (user + system, all threads, so garbage collection included)
// the process spent per load. On a shared machine wall-clock time swings
// with the other processes' load; CPU time much less so.
func BenchmarkLoad(b *testing.B) {
	for _, e := range envs {
		b.Run("env="+e.name, func(b *testing.B) {
			setEnv(b, SetVars, e.extra)
			for _, l := range Loaders() {
				b.Run("loader="+l.Name, func(b *testing.B) {
					if err := l.Run(); err != nil {
						b.Fatalf("load: %v", err)
					}
					b.ReportAllocs()
					cpu0 := cputime.Process()
					for b.Loop() {
						if err := l.Run(); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}

// BenchmarkEnviron times os.Environ alone in both environments: the floor
// of any loader that lists the environment, as prodready's misspelling scan
// must (and caarlos0-env and koanf do). It is not a BenchmarkLoad row.
func BenchmarkEnviron(b *testing.B) {
	for _, e := range envs {
		b.Run("env="+e.name, func(b *testing.B) {
			setEnv(b, SetVars, e.extra)
			b.ReportAllocs()
			cpu0 := cputime.Process()
			n := 0
			for b.Loop() {
				n += len(os.Environ())
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
			if n == 0 {
				b.Fatal("empty environment")
			}
		})
	}
}
