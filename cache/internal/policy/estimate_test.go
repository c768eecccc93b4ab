package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Generated streams for the estimate tests: the library's own tests use
// no trace files (bench/hitratio checks the ARC traces).

// zipfStream is n requests over keys keys, the key of rank k (from 1)
// drawn with probability proportional to 1/k^s (s may be below 1).
func zipfStream(s float64, keys, n int, seed uint64) []uint64 {
	cdf := make([]float64, keys)
	sum := 0.0
	for k := range keys {
		sum += 1 / math.Pow(float64(k+1), s)
		cdf[k] = sum
	}
	r := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	out := make([]uint64, n)
	for i := range out {
		k, _ := slices.BinarySearch(cdf, r.Float64()*sum)
		out[i] = key(min(k, keys-1))
	}
	return out
}

// loopStream cycles over keys keys: LRU's worst case below keys entries.
func loopStream(keys, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = key(i % keys)
	}
	return out
}

// scanStream is a Zipf stream where every tenth block of requests is a
// scan of keys never seen before.
func scanStream(keys, n int, seed uint64) []uint64 {
	out := zipfStream(1.05, keys, n, seed)
	fresh := keys
	for i := range out {
		if (i/1000)%10 == 9 {
			out[i] = key(fresh)
			fresh++
		}
	}
	return out
}

// replay runs stream through p as the engine would and returns the hit
// ratio.
func replay(p Policy, stream []uint64) float64 { return replayWeighted(p, stream, 1, 0) }

// TestEstimateAccuracy checks each estimate of a cache of 4,096 entries,
// sampling a quarter of the keys (SampleEntries 1,024), against an actual
// replay of the policy at that capacity: within 2 points.
func TestEstimateAccuracy(t *testing.T) {
	t.Parallel()
	const capacity = 4096
	tests := []struct {
		name   string
		stream []uint64
	}{
		{"zipf 0.8", zipfStream(0.8, 100_000, 150_000, 1)},
		{"zipf 1.2", zipfStream(1.2, 200_000, 150_000, 2)},
		{"loop", loopStream(6_000, 150_000)},
		{"scans", scanStream(100_000, 150_000, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := New(capacity, &Options{SampleEntries: 1024})
			p.SetEstimateCapacities([]uint64{3000})
			replay(p, tt.stream)
			worst := 0.0
			for _, e := range p.Estimates() {
				got := replay(New(e.Capacity, &Options{NoEstimates: true}), tt.stream)
				d := 100 * math.Abs(e.HitRatio-got)
				worst = max(worst, d)
				if d > 2 {
					t.Errorf("capacity %d: estimate %.2f%% from %d requests, replay %.2f%%: off by %.2f points, want ≤ 2",
						e.Capacity, 100*e.HitRatio, e.Requests, 100*got, d)
				}
			}
			t.Logf("largest error %.2f points (sample rate %.3f, %d bytes of miniatures)", worst, p.SampleRate(), p.SimulationBytes())
		})
	}
}

// TestEstimateAccuracyInBytes is TestEstimateAccuracy for a capacity in
// bytes, as CACHE_MAX_MEMORY gives: 4,096 entries of 256 bytes in 1 MiB.
// Until round seven such a cache sampled as if each entry weighed one
// byte until an epoch's end, and its estimates rested on a few hundred
// requests.
func TestEstimateAccuracyInBytes(t *testing.T) {
	t.Parallel()
	const w, capacity = 256, 4096 * 256
	stream := zipfStream(0.8, 100_000, 150_000, 1)
	p := New(capacity, &Options{SampleEntries: 1024})
	replayWeighted(p, stream, w, 0)
	for _, e := range p.Estimates() {
		got := replayWeighted(New(e.Capacity, &Options{NoEstimates: true}), stream, w, 0)
		if d := 100 * math.Abs(e.HitRatio-got); d > 2 {
			t.Errorf("capacity %d bytes: estimate %.2f%% from %d requests, replay %.2f%%: off by %.2f points, want ≤ 2",
				e.Capacity, 100*e.HitRatio, e.Requests, 100*got, d)
		}
	}
}

// TestEstimatesCoverTheFactors checks the shape of Estimates: one per
// factor and per extra capacity, increasing, each with its requests.
func TestEstimatesCoverTheFactors(t *testing.T) {
	t.Parallel()
	p := New(1000, nil)
	p.SetEstimateCapacities([]uint64{1000, 3000})
	replay(p, zipfStream(1.1, 10_000, 20_000, 4))
	var caps []uint64
	for _, e := range p.Estimates() {
		caps = append(caps, e.Capacity)
		if e.Requests == 0 || e.HitRatio < 0 || e.HitRatio > 1 {
			t.Errorf("estimate %+v: want requests and a ratio in [0, 1]", e)
		}
	}
	want := []uint64{250, 500, 1000, 2000, 3000, 4000, 8000}
	if len(caps) != len(want) {
		t.Fatalf("capacities %v, want %v", caps, want)
	}
	for i := range want {
		if caps[i] != want[i] {
			t.Fatalf("capacities %v, want %v", caps, want)
		}
	}
}

// TestSimulationMemoryIsBounded checks that the miniatures' memory stops
// growing with the cache: a cache 64 times larger holds about as much in
// simulations once both sample the same number of entries.
func TestSimulationMemoryIsBounded(t *testing.T) {
	t.Parallel()
	small, large := New(16_384, nil), New(1<<20, nil)
	stream := zipfStream(0.9, 2_000_000, 200_000, 5)
	replay(small, stream)
	replay(large, stream)
	s, l := small.SimulationBytes(), large.SimulationBytes()
	t.Logf("simulations: %d bytes at 16,384 entries, %d at 1,048,576 (rates %.4f, %.5f)", s, l, small.SampleRate(), large.SampleRate())
	if l > 2*s || l > 8<<20 {
		t.Errorf("simulations hold %d bytes at 1,048,576 entries, %d at 16,384: want bounded (≤ 2× and ≤ 8 MiB)", l, s)
	}
}

// TestSampleRateFollowsTheWeights checks that a capacity in bytes is
// sampled by the entries it holds, not by its units, once the policy has
// seen their weight: 1,024 entries of 256 bytes in 256 KiB are no more
// than SampleEntries, so the miniatures see every key; 262,144 of them in
// 64 MiB are sampled at 1/64. Until round seven the rate was corrected
// only at the end of an epoch, itself counted in requests sampled at the
// first rate (one per weight unit): a cache of 64 MiB would have needed
// tens of millions of requests, and its estimates rested on a few dozen
// (a new user's report: "requests": 27 after 2,000,000 requests).
func TestSampleRateFollowsTheWeights(t *testing.T) {
	t.Parallel()
	tests := []struct {
		capacity     uint64
		keys, n      int
		wantRate     float64
		wantRequests uint64 // at least, for the 1x estimate
	}{
		{1 << 18, 2000, 400_000, 1, 100_000},
		{1 << 23, 40_000, 400_000, float64(defaultSampleEntries) / (1 << 15), 10_000},
		{1 << 26, 300_000, 700_000, float64(defaultSampleEntries) / (1 << 18), 1_000},
		// A cache that never fills: 3,000 entries in 8 MiB (the reference
		// service's items under CACHE_MAX_MEMORY=8MiB, where every
		// estimate rested on 0 requests).
		{1 << 23, 3000, 30_000, float64(defaultSampleEntries) / (1 << 15), 1_000},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.capacity, "/", tt.keys), func(t *testing.T) {
			t.Parallel()
			p := New(tt.capacity, nil)
			if r, want := p.SampleRate(), float64(defaultSampleEntries)/float64(tt.capacity); r > want*1.01 {
				t.Fatalf("SampleRate before any entry = %.6f, want %d of %d units (%.6f)", r, defaultSampleEntries, tt.capacity, want)
			}
			replayWeighted(p, loopStream(tt.keys, tt.n), 256, 0)
			if r := p.SampleRate(); r < tt.wantRate/1.5 || r > tt.wantRate*1.5 {
				t.Errorf("SampleRate after %d requests for entries of 256 = %.6f, want %.6f", tt.n, r, tt.wantRate)
			}
			for _, e := range p.Estimates() {
				if e.Capacity == tt.capacity && e.Requests < tt.wantRequests {
					t.Errorf("the 1x estimate rests on %d sampled requests after %d, want %d or more", e.Requests, tt.n, tt.wantRequests)
				}
			}
		})
	}
}

// TestRecentEstimatesFollowAChange checks the recent estimates (the ones
// autosize steers by) against what a cache of each capacity hit over the
// last stretch of a stream whose key space grew eightfold halfway: within
// 2 points, while the long-run estimates still carry the first half.
func TestRecentEstimatesFollowAChange(t *testing.T) {
	t.Parallel()
	const capacity = 2048
	stream := append(zipfStream(1.0, 2_000, 300_000, 6), zipfStream(1.0, 16_000, 300_000, 7)...)
	p := New(capacity, nil)
	replay(p, stream)
	for _, e := range p.Estimates() {
		// What a cache of that capacity hit over the last 16 capacities
		// of requests (about the recent counts' half-life).
		tail := len(stream) - 16*capacity
		got := replayTail(New(e.Capacity, &Options{NoEstimates: true}), stream, tail)
		if d := 100 * math.Abs(e.RecentHitRatio-got); d > 2 {
			t.Errorf("capacity %d: recent estimate %.2f%% from %d requests, the last %d requests hit %.2f%%: off by %.2f points, want ≤ 2",
				e.Capacity, 100*e.RecentHitRatio, e.RecentRequests, len(stream)-tail, 100*got, d)
		}
		if e.Capacity == capacity && e.HitRatio-e.RecentHitRatio < 0.05 {
			t.Errorf("capacity %d: long-run estimate %.2f%%, recent %.2f%%: want the long run to carry the first half's higher hit ratio",
				e.Capacity, 100*e.HitRatio, 100*e.RecentHitRatio)
		}
	}
}

// replayTail is replay, returning the hit ratio of the requests from
// index from on.
func replayTail(p Policy, stream []uint64, from int) float64 {
	return replayWeighted(p, stream, 1, from)
}

// replayWeighted is replayTail with entries of weight w.
func replayWeighted(p Policy, stream []uint64, w uint32, from int) float64 {
	return replayDropping(p, stream, w, from, nil)
}

// replayDropping is replayWeighted where the hits for which drop reports
// true are not shown to p, as the engine's full buffers drop them; they
// still count as hits.
func replayDropping(p Policy, stream []uint64, w uint32, from int, drop func(i int, h uint64) bool) float64 {
	held := map[uint64]bool{}
	hits := 0
	var ev []uint64
	for i, h := range stream {
		if held[h] {
			if drop == nil || !drop(i, h) {
				p.Hit(h)
			}
			if i >= from {
				hits++
			}
			continue
		}
		p.Miss(h)
		held[h] = true
		ev = p.Add(h, w, ev[:0])
		for _, e := range ev {
			delete(held, e)
		}
	}
	return float64(hits) / float64(len(stream)-from)
}

// TestNewCapacityStartsAtNothing checks that an estimate whose miniatures
// a resize made anew counts only the requests they saw: it used to count
// every request since the others were made as expected, and the SHARDS
// adjustment read the missing ones as hits, so a capacity that had just
// appeared estimated nearly 100% on a stream no cache can hit.
func TestNewCapacityStartsAtNothing(t *testing.T) {
	t.Parallel()
	p := New(1024, nil)
	replay(p, loopStream(1_000_000, 300_000)) // never a hit, at any capacity here
	var ev []uint64
	ev = p.SetCapacity(3000, ev) // 750 to 24,000: none of ¼× to 8× of 1,024
	_ = ev
	replay(p, loopStream(1_000_000, 20_000))
	for _, e := range p.Estimates() {
		if e.HitRatio > 0.01 || e.RecentHitRatio > 0.01 {
			t.Errorf("capacity %d: estimate %.2f%% (recent %.2f%%) on a stream that never repeats within a million keys, want ≈ 0",
				e.Capacity, 100*e.HitRatio, 100*e.RecentHitRatio)
		}
	}
}

// TestDroppedReadsAdvanceEpochs checks that reads the engine dropped move
// adaptation's clock as if shown (at the sample rate), and nothing else:
// shown a third of 30 epochs' hits and told of the rest, a full cache ends
// about 30 epochs on; not told, about 10. Shown a tenth, it ends about 12
// on, not 30: an epoch needs a quarter of its reads seen (maxDropSpeedup).
func TestDroppedReadsAdvanceEpochs(t *testing.T) {
	t.Parallel()
	epochs := func(tell bool, shown int) (uint64, uint64) {
		p := New(4096, nil) // rate 1: an epoch is 4,096 requests
		var ev []uint64
		for i := range 4096 {
			p.Miss(key(i))
			ev = p.Add(key(i), 1, ev[:0])
		}
		g := &p.groups[0]
		start := g.fullEpochs
		requests := p.groups[0].shapes[0].requests
		for i := range 30 * 4096 {
			if i%shown != 0 {
				continue
			}
			p.Hit(key(i % 4096))
			if tell {
				p.Dropped(uint64(shown-1), 0)
			}
		}
		return g.fullEpochs - start, p.groups[0].shapes[0].requests - requests
	}
	told, seenTold := epochs(true, 3)
	notTold, seen := epochs(false, 3)
	if told < 28 || told > 31 || notTold < 9 || notTold > 11 {
		t.Errorf("epochs after 30 epochs' requests, a third shown: %d told of the rest, %d not; want about 30 and 10", told, notTold)
	}
	if tenth, _ := epochs(true, 10); tenth < 11 || tenth > 13 {
		t.Errorf("epochs after 30 epochs' requests, a tenth shown and told of the rest: %d, want about 12 (4 × 3 epochs seen)", tenth)
	}
	if seenTold != seen {
		t.Errorf("the miniatures counted %d requests when told of drops, %d when not: want the same (they did not see them)", seenTold, seen)
	}
}

// TestDroppedOthersCountAsRequests checks the estimates of a cache shown
// every read of the keys its miniatures sample and only some of the
// others, told of the rest (Dropped, as the engine's spill delivers them):
// they match those of a cache shown every read. Counting only the reads
// shown, the SHARDS adjustment expected a sample as small as the thinned
// stream's and read the surplus as misses.
func TestDroppedOthersCountAsRequests(t *testing.T) {
	t.Parallel()
	stream := zipfStream(0.9, 200_000, 400_000, 11)
	// One key in 16 sampled: the share at which the policy takes
	// deliveries (SampleThreshold under SampleAll).
	whole, thinned := New(65536, nil), New(65536, nil)
	if thinned.SampleThreshold() >= SampleAll {
		t.Fatalf("at rate %.4f the policy takes no deliveries: the test would drop nothing", thinned.SampleRate())
	}
	replay(whole, stream)
	var dropped uint64
	replayDropping(thinned, stream, 1, 0, func(i int, h uint64) bool {
		if sampleValue(h) < thinned.SampleThreshold() || i%3 == 0 {
			return false
		}
		dropped++ // two reads in three of the others
		if dropped%128 == 0 {
			thinned.Dropped(0, 128)
		}
		return true
	})
	if dropped < 50_000 {
		t.Fatalf("dropped %d reads, want tens of thousands: the test must thin the stream", dropped)
	}
	w, th := whole.Estimates(), thinned.Estimates()
	for i := range w {
		if d := math.Abs(w[i].HitRatio - th[i].HitRatio); d > 0.01 {
			t.Errorf("capacity %d: %.2f%% shown two in three of the others' reads, %.2f%% shown every read: want within 1 point",
				w[i].Capacity, 100*th[i].HitRatio, 100*w[i].HitRatio)
		}
	}
}

// TestDroppedReadsBySampleShare checks how Dropped's counts move the
// clocks at each kind of sample: where the policy takes no deliveries
// (SampleThreshold is SampleAll, one key in two sampled), a dropped read is
// any key's, and an epoch advances by the group's rate per read; where it
// does (one key in 64), the sampled count is of sampled keys' reads only,
// each a request the group should have seen, and the others count only
// among the requests. A build that divided every sampled count by the
// sample's share advanced the epochs of a cache of 8,192 entries twice
// too fast.
func TestDroppedReadsBySampleShare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c        uint64
		delivers bool
	}{{8192, false}, {1 << 18, true}} {
		p := New(tc.c, &Options{NoEstimates: true})
		if got := p.SampleThreshold() < SampleAll; got != tc.delivers {
			t.Errorf("capacity %d (rate %.4f): takes deliveries %v, want %v", tc.c, p.SampleRate(), got, tc.delivers)
		}
		g := &p.groups[0]
		in, all := g.inEpoch, p.all
		p.Dropped(1000, 0)
		want := uint64(1000 * g.rate)
		if tc.delivers {
			want = 1000
		}
		if d := g.inEpoch - in; d < want-1 || d > want+1 {
			t.Errorf("capacity %d (rate %.4f): 1,000 sampled drops advanced the epoch by %d, want %d", tc.c, g.rate, d, want)
		}
		in = g.inEpoch
		p.Dropped(0, 1000)
		if g.inEpoch != in || p.all-all != 1000 {
			t.Errorf("capacity %d: 1,000 other drops advanced the epoch by %d and the requests by %d, want 0 and 1,000", tc.c, g.inEpoch-in, p.all-all)
		}
	}
}
