// Package hitratio replays request traces through caches side by side and
// reports their hit ratios: the memory backend of prodready/cache, its
// peers (otter, LRU and ARC from hashicorp/golang-lru, theine), the
// backend's own policy (cache/policysim) and Belady's offline optimum.
//
// The ARC traces (OLTP, P3, P6) are those of Nimrod Megiddo and Dharmendra
// S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", USENIX
// FAST 03, pp. 115-130, 2003.
package hitratio

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// LoadARC reads an ARC trace (zstd-compressed or plain text) from path and
// returns its page requests, each line START COUNT IGNORED NUMBER expanded
// into the COUNT pages START..START+COUNT-1. limit > 0 keeps only the
// first limit requests (the reduced traces of CI).
func LoadARC(path string, limit int) ([]uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".zst") {
		d, err := zstd.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer d.Close()
		r = d
	}
	return ParseARC(r, limit)
}

// ParseARC reads ARC trace lines from r; see LoadARC.
func ParseARC(r io.Reader, limit int) ([]uint64, error) {
	var keys []uint64
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: %q: want START COUNT IGNORED NUMBER", line, sc.Text())
		}
		start, err1 := strconv.ParseUint(f[0], 10, 64)
		count, err2 := strconv.ParseUint(f[1], 10, 32)
		if err1 != nil || err2 != nil || start > math.MaxUint64-count {
			return nil, fmt.Errorf("line %d: %q: START and COUNT must be unsigned integers", line, sc.Text())
		}
		for i := range count {
			if limit > 0 && len(keys) >= limit {
				return keys, nil
			}
			keys = append(keys, start+i)
		}
	}
	return keys, sc.Err()
}

// Zipf returns n requests over keys keys, the key of rank k (from 1)
// drawn with probability proportional to 1/k^s, from a fixed seed: every
// run and every cache sees the same stream. s may be below 1.
func Zipf(s float64, keys, n int, seed uint64) []uint64 {
	cdf := make([]float64, keys)
	sum := 0.0
	for k := range keys {
		sum += 1 / math.Pow(float64(k+1), s)
		cdf[k] = sum
	}
	// Ranks are spread over the key space, so that hot keys do not share
	// hash neighbourhoods by construction.
	perm := rand.New(rand.NewPCG(seed^1, seed)).Perm(keys)
	r := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	trace := make([]uint64, n)
	for i := range trace {
		u := r.Float64() * sum
		k, _ := slices.BinarySearch(cdf, u)
		trace[i] = uint64(perm[min(k, keys-1)])
	}
	return trace
}
