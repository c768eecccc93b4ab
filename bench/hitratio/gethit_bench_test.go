package hitratio

import (
	"strconv"
	"testing"
)

// getHitKeys returns the keys of the Get-hit benchmarks: 4,096 of them,
// in a cache of twice that, so that every Get hits.
func getHitKeys() []string {
	keys := make([]string, 1<<12)
	for i := range keys {
		keys[i] = Key(uint64(i))
	}
	return keys
}

// warmGetHit builds m with room for twice the keys and reads every key
// twice, so that each is stored and then hits.
func warmGetHit(b *testing.B, m Maker, keys []string) Policy {
	b.Helper()
	p, err := m.New(2 * len(keys))
	if err != nil {
		b.Fatal(err)
	}
	for range 2 {
		for _, k := range keys {
			p.Access(k)
		}
	}
	return p
}

// BenchmarkGetHitParallel measures a Get that hits, from all Ps, in each
// cache of the tables: the speed an engine chosen for its hit ratio must
// keep (within 1.15× of raw otter).
func BenchmarkGetHitParallel(b *testing.B) {
	keys := getHitKeys()
	mask := len(keys) - 1
	for _, m := range Makers {
		b.Run(m.Name, func(b *testing.B) {
			if m.Name == "policy" {
				// The bare policy is a simulation, for one goroutine: run
				// from all Ps it raced and panicked.
				b.Skip("policy is not safe for concurrent use")
			}
			p := warmGetHit(b, m, keys)
			defer p.Close()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if !p.Access(keys[i&mask]) {
						b.Error("miss on key " + strconv.Itoa(i&mask))
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkGetHit is BenchmarkGetHitParallel from one goroutine.
func BenchmarkGetHit(b *testing.B) {
	keys := getHitKeys()
	mask := len(keys) - 1
	for _, m := range Makers {
		b.Run(m.Name, func(b *testing.B) {
			p := warmGetHit(b, m, keys)
			defer p.Close()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if !p.Access(keys[i&mask]) {
					b.Fatal("miss on key " + strconv.Itoa(i&mask))
				}
				i++
			}
		})
	}
}
