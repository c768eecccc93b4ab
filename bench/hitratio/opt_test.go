package hitratio

import (
	"math/rand/v2"
	"testing"
)

// bruteOPT is the most hits any replacement (with bypass) can get on
// trace with room for size entries, by trying every choice.
func bruteOPT(trace []uint64, size int) int {
	var best func(i int, in map[uint64]bool) int
	best = func(i int, in map[uint64]bool) int {
		if i == len(trace) {
			return 0
		}
		k := trace[i]
		if in[k] {
			return 1 + best(i+1, in)
		}
		// Bypass.
		b := best(i+1, in)
		if len(in) < size {
			in[k] = true
			b = max(b, best(i+1, in))
			delete(in, k)
			return b
		}
		for v := range in {
			if !in[v] {
				continue
			}
			delete(in, v)
			in[k] = true
			b = max(b, best(i+1, in))
			delete(in, k)
			in[v] = true
		}
		return b
	}
	return best(0, map[uint64]bool{})
}

func TestOPTIsOptimal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n := 1 + r.IntN(12)
		keys := 1 + r.IntN(6)
		trace := make([]uint64, n)
		for i := range trace {
			trace[i] = uint64(r.IntN(keys))
		}
		size := 1 + r.IntN(3)
		if got, want := OPT(trace, size), bruteOPT(trace, size); got != want {
			t.Fatalf("OPT(%v, %d) = %d hits, want %d", trace, size, got, want)
		}
	}
}

func TestOPTCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		trace []uint64
		size  int
		want  int
	}{
		{"empty", nil, 4, 0},
		{"no room", []uint64{1, 1, 1}, 0, 0},
		{"repeats", []uint64{1, 1, 1}, 1, 2},
		// LRU gets no hit on this loop; OPT keeps one key and alternates the other slot.
		{"loop larger than the cache", []uint64{1, 2, 3, 1, 2, 3, 1, 2, 3}, 2, 4},
		{"all fit", []uint64{1, 2, 3, 1, 2, 3}, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := OPT(tt.trace, tt.size); got != tt.want {
				t.Errorf("OPT(%v, %d) = %d, want %d", tt.trace, tt.size, got, tt.want)
			}
		})
	}
}
