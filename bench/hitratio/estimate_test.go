package hitratio

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/prodready/prodready/cache/policysim"
)

var (
	estimateN      = flag.Int("estimate-n", 200_000, "requests of each trace TestEstimateAccuracyOnTraces replays (0: all, at each trace's middle size)")
	estimateSample = flag.Int("estimate-sample", 0, "Options.SampleEntries of TestEstimateAccuracyOnTraces (0: the default)")
)

// replayPolicy replays trace through p as the engine would (Get, then
// Set on a miss) and returns the hit ratio.
func replayPolicy(p *policysim.Policy, trace []uint64) float64 {
	c := &policyCache{p: p, keys: map[uint64]struct{}{}}
	hits := 0
	for _, k := range trace {
		if c.Access(Key(k)) {
			hits++
		}
	}
	return float64(hits) / float64(len(trace))
}

// TestEstimateAccuracyOnTraces checks the policy's online estimates (¼×
// to 8× its capacity, from miniature simulations of a spatial sample of
// the keys) against actual replays of the policy at each capacity, on the
// ARC traces (reduced to their first 200,000 requests unless
// -estimate-n says otherwise; TRACES_DIR, default
// /work/shared/traces/arc) and a Zipf stream: within 2 points. It logs the
// largest error per trace.
func TestEstimateAccuracyOnTraces(t *testing.T) {
	dir := os.Getenv("TRACES_DIR")
	if dir == "" {
		dir = "/work/shared/traces/arc"
	}
	// The reduced traces are too short to fill the middle sizes, and a
	// miniature standing for 65,536 entries sees only a thirty-second of
	// 200,000 requests: they run at smaller sizes.
	tests := []struct {
		name          string
		file          string
		reduced, full uint64
	}{
		{"OLTP", "OLTP.lis.zst", 5_000, 5_000},
		{"P3", "P3.lis.zst", 2_048, 65_536},
		{"P6", "P6.lis.zst", 16_384, 65_536},
		{"zipf-0.8", "", 4_096, 4_096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var trace []uint64
			if tt.file == "" {
				n := *estimateN
				if n == 0 {
					n = 1_000_000
				}
				trace = Zipf(0.8, 100_000, n, 20260101)
			} else {
				var err error
				trace, err = LoadARC(filepath.Join(dir, tt.file), *estimateN)
				if os.IsNotExist(err) {
					t.Skipf("no trace %s in %s", tt.file, dir)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			size := tt.reduced
			if *estimateN == 0 {
				size = tt.full
			}
			p := policysim.New(size, &policysim.Options{SampleEntries: *estimateSample})
			own := replayPolicy(p, trace)
			worst := 0.0
			for _, e := range p.Estimates() {
				got := own
				if e.Capacity != size {
					got = replayPolicy(policysim.New(e.Capacity, &policysim.Options{NoEstimates: true}), trace)
				}
				d := 100 * math.Abs(e.HitRatio-got)
				worst = max(worst, d)
				t.Logf("%s, %d entries: estimate %.2f%% from %d sampled requests, replay %.2f%%", tt.name, e.Capacity, 100*e.HitRatio, e.Requests, 100*got)
				if d > 2 {
					t.Errorf("%s, %d entries: estimate %.2f%%, replay %.2f%%: off by %.2f points, want ≤ 2", tt.name, e.Capacity, 100*e.HitRatio, 100*got, d)
				}
			}
			t.Logf("%s: largest error %.2f points over %d requests (sample rate %.4f, miniatures %d bytes)",
				tt.name, worst, len(trace), p.SampleRate(), p.SimulationBytes())
		})
	}
}
