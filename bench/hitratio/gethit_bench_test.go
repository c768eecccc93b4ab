package hitratio

import (
	"strconv"
	"testing"
)

// BenchmarkGetHitParallel measures a Get that hits, from all Ps, in each
// cache of the tables: the speed an engine chosen for its hit ratio must
// keep (within 1.15× of raw otter).
func BenchmarkGetHitParallel(b *testing.B) {
	const n = 1 << 12
	keys := make([]string, n)
	for i := range keys {
		keys[i] = Key(uint64(i))
	}
	for _, m := range Makers {
		b.Run(m.Name, func(b *testing.B) {
			p, err := m.New(2 * n)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			for range 2 {
				for _, k := range keys {
					p.Access(k)
				}
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if !p.Access(keys[i&(n-1)]) {
						b.Error("miss on key " + strconv.Itoa(i&(n-1)))
						return
					}
					i++
				}
			})
		})
	}
}
