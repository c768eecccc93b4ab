package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// zipfTrace returns n requests over keys keys, the key of rank k (from 1)
// drawn with probability proportional to 1/k^s, from a fixed seed, so
// every run and every cache sees the same trace. Unlike rand.Zipf, s may
// be at most 1 (the s=0.8 trace).
func zipfTrace(s float64, keys, n int, seed uint64) []string {
	cdf := make([]float64, keys)
	sum := 0.0
	for k := range keys {
		sum += 1 / math.Pow(float64(k+1), s)
		cdf[k] = sum
	}
	names := make([]string, keys)
	for k := range names {
		names[k] = "key:" + strconv.Itoa(k)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	trace := make([]string, n)
	for i := range trace {
		u := r.Float64() * sum
		k, _ := slices.BinarySearch(cdf, u)
		trace[i] = names[min(k, keys-1)]
	}
	return trace
}
