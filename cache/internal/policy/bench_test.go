package policy

import (
	"fmt"
	"testing"
)

// BenchmarkAccess measures one request (a hit, or a miss and an Add) on a
// Zipf stream, for the static policy, the adaptive one without estimates
// and the full one, at a capacity the miniatures see whole (1,024) and
// at ones they sample (8,192: a quarter; 65,536: a thirty-second):
// what adaptation and estimates cost on the engine's policy path.
func BenchmarkAccess(b *testing.B) {
	stream := zipfStream(0.9, 1_000_000, 1<<20, 9)
	for _, c := range []uint64{1024, 8192, 65536} {
		for _, v := range []struct {
			name string
			o    *Options
		}{
			{"static", &Options{Static: true, NoEstimates: true}},
			{"adaptive", &Options{NoEstimates: true}},
			{"estimates", nil},
		} {
			b.Run(fmt.Sprintf("%s/%d", v.name, c), func(b *testing.B) {
				p := New(c, v.o)
				held := map[uint64]bool{}
				ev := make([]uint64, 0, 16)
				i := 0
				for b.Loop() {
					h := stream[i&(len(stream)-1)]
					i++
					if held[h] {
						p.Hit(h)
						continue
					}
					p.Miss(h)
					held[h] = true
					ev = p.Add(h, 1, ev[:0])
					for _, e := range ev {
						delete(held, e)
					}
				}
			})
		}
	}
}
