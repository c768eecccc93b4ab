package engine

import (
	"strconv"
	"testing"
)

// benchEngine returns an engine of 8,192 entries holding 4,096 keys, each
// read twice, and the keys.
func benchEngine(b *testing.B) (*Engine[int], []string) {
	b.Helper()
	keys := make([]string, 1<<12)
	e, err := New(&Options[int]{Capacity: 2 * uint64(len(keys)), Lifetime: lifetime(1 << 50)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Stop)
	for i := range keys {
		keys[i] = strconv.FormatUint(uint64(i), 36)
		e.Set(keys[i], i)
	}
	return e, keys
}

// BenchmarkGetIfPresent times a hit, from one goroutine and from all Ps;
// bench/hitratio compares the memory backend built on it with raw otter.
func BenchmarkGetIfPresent(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		e, keys := benchEngine(b)
		mask := len(keys) - 1
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e.GetIfPresent(keys[i&mask])
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		e, keys := benchEngine(b)
		mask := len(keys) - 1
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				e.GetIfPresent(keys[i&mask])
				i++
			}
		})
	})
}

// BenchmarkSet times a write that replaces an entry.
func BenchmarkSet(b *testing.B) {
	e, keys := benchEngine(b)
	mask := len(keys) - 1
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Set(keys[i&mask], i)
		i++
	}
}
