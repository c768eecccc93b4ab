package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// A zipf draws item ids so that the item of popularity rank k (from 1) is
// drawn with probability proportional to 1/k^s. Ranks are mapped to ids
// 1..n through a seeded permutation, so the popular items are spread over
// the table rather than being its first rows. The same seed gives the same
// sequence of ids on every run, which is what lets the cache-on and
// cache-off scenarios see the same requests. A zipf is not safe for
// concurrent use.
type zipf struct {
	cdf  []float64 // cdf[k] = sum of 1/(i+1)^s for i <= k
	ids  []int64   // ids[k] is the id of rank k+1
	rng  *rand.Rand
	size float64
}

// newZipf returns a sampler over the ids 1..n with exponent s (any s > 0,
// unlike rand.Zipf, which needs s > 1), seeded with seed. The rank-to-id
// permutation depends on permSeed only, so that samplers built with
// different seeds (warm-up and measurement) agree on which items are hot.
func newZipf(n int, s float64, seed, permSeed uint64) (*zipf, error) {
	if n < 1 {
		return nil, fmt.Errorf("zipf: items = %d, want at least 1", n)
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return nil, fmt.Errorf("zipf: exponent s = %v, want a finite number above 0 (1.1 is typical)", s)
	}
	z := &zipf{cdf: make([]float64, n), ids: make([]int64, n)}
	sum := 0.0
	for k := range n {
		sum += 1 / math.Pow(float64(k+1), s)
		z.cdf[k] = sum
		z.ids[k] = int64(k + 1)
	}
	z.size = sum
	perm := rand.New(rand.NewPCG(permSeed, permSeed^0x9E3779B97F4A7C15))
	perm.Shuffle(n, func(i, j int) { z.ids[i], z.ids[j] = z.ids[j], z.ids[i] })
	z.rng = rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	return z, nil
}

// rank draws a popularity rank, from 0 (the most popular).
func (z *zipf) rank() int {
	u := z.rng.Float64() * z.size
	k, _ := slices.BinarySearch(z.cdf, u)
	return min(k, len(z.cdf)-1)
}

// next draws an id.
func (z *zipf) next() int64 { return z.ids[z.rank()] }

// float draws a number in [0, 1) from the same stream, for choosing
// between a read and a write.
func (z *zipf) float() float64 { return z.rng.Float64() }

// topShare returns the share of draws that fall on the k most popular
// items: the hit ratio of a perfect cache of k entries, once warm.
func (z *zipf) topShare(k int) float64 {
	if k <= 0 {
		return 0
	}
	k = min(k, len(z.cdf))
	return z.cdf[k-1] / z.size
}

// A request is one step of the load: a read or a write of id.
type request struct {
	id    int64
	write bool
}

// sequence draws n requests, each a write with probability writeShare.
func (z *zipf) sequence(n int, writeShare float64) []request {
	seq := make([]request, n)
	for i := range seq {
		seq[i].id = z.next()
		if writeShare > 0 {
			seq[i].write = z.float() < writeShare
		}
	}
	return seq
}
