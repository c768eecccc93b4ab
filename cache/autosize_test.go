package cache

import (
	"testing"

	"github.com/prodready/prodready/cache/internal/policy"
)

// curve returns the estimates at ¼×, ½×, 1×, 2×, 4× and 8× of capacity
// cur, with the hit ratios given in percent, each on 10,000 sampled
// requests.
func curve(cur uint64, pct ...float64) []policy.Estimate {
	mult := []float64{0.25, 0.5, 1, 2, 4, 8}
	out := make([]policy.Estimate, len(pct))
	for i, p := range pct {
		out[i] = policy.Estimate{Capacity: uint64(float64(cur) * mult[i]), HitRatio: p / 100, Requests: 10000}
	}
	return out
}

func TestChooseTarget(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	tests := []struct {
		name   string
		est    []policy.Estimate
		budget uint64
		margin float64
		want   uint64
		wantOK bool
	}{
		{"flat: the smallest size is as good", curve(64*mb, 80, 80.1, 80.2, 80.2, 80.3, 80.3), 512 * mb, 0.005, 16 * mb, true},
		{"knee at 1x: stay", curve(64*mb, 40, 60, 79.8, 80, 80.1, 80.2), 512 * mb, 0.005, 64 * mb, true},
		{"knee at 4x: grow to it", curve(64*mb, 10, 20, 40, 70, 89.8, 90), 512 * mb, 0.005, 256 * mb, true},
		{"knee beyond the budget: the budget", curve(64*mb, 10, 20, 40, 70, 89.8, 90), 128 * mb, 0.005, 128 * mb, true},
		{"growing working set: best at 8x", curve(64*mb, 5, 10, 20, 40, 60, 80), 1024 * mb, 0.005, 512 * mb, true},
		{"budget between two estimates: interpolated", curve(64*mb, 5, 10, 20, 40, 60, 80), 181 * mb, 0.005, 181 * mb, true},
		{"wider margin takes a smaller size", curve(64*mb, 40, 60, 78, 80, 80.1, 80.2), 512 * mb, 0.025, 64 * mb, true},
		{"noisy curve: the smallest within the margin, not the first dip", curve(64*mb, 79.9, 79.2, 80.3, 79.6, 80.1, 80.2), 512 * mb, 0.005, 16 * mb, true},
		{"noisy curve with a spike", curve(64*mb, 70, 75, 78, 81, 78.5, 80), 512 * mb, 0.005, 128 * mb, true},
		{"too few sampled requests", []policy.Estimate{{Capacity: 1, HitRatio: .5, Requests: 999}}, 10, 0.005, 0, false},
		{"nothing at or below the budget", curve(64*mb, 10, 20, 40, 70, 89.8, 90), 8 * mb, 0.005, 0, false},
		{"no estimates", nil, 10, 0.005, 0, false},
		{"a hit ratio out of range is ignored", []policy.Estimate{
			{Capacity: 1, HitRatio: 2, Requests: 5000},
			{Capacity: 2, HitRatio: .3, Requests: 5000},
			{Capacity: 4, HitRatio: .31, Requests: 5000},
		}, 100, 0.005, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := chooseTarget(tt.est, tt.budget, tt.margin)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("chooseTarget() = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestControllerStep runs the controller over sequences of intervals and
// checks the bound after each: it moves only after autosizeHold intervals
// that agree, at most ×2 or ÷2 at a time, never above the budget, and
// halves at once under pressure.
func TestControllerStep(t *testing.T) {
	t.Parallel()
	const budget = 1024
	type interval struct {
		est      func(cur uint64) []policy.Estimate
		pressure bool
	}
	flat := func(cur uint64) []policy.Estimate { return curve(cur, 80, 80, 80, 80, 80, 80) }
	knee := func(at uint64) func(cur uint64) []policy.Estimate {
		// A hit ratio that climbs until capacity at, then stays.
		return func(cur uint64) []policy.Estimate {
			est := curve(cur, 0, 0, 0, 0, 0, 0)
			for i := range est {
				est[i].HitRatio = min(float64(est[i].Capacity)/float64(at), 1) * 0.9
			}
			return est
		}
	}
	none := func(uint64) []policy.Estimate { return nil }
	repeat := func(n int, iv interval) []interval {
		out := make([]interval, n)
		for i := range out {
			out[i] = iv
		}
		return out
	}
	tests := []struct {
		name      string
		start     uint64
		intervals []interval
		want      []uint64 // the bound after each interval
	}{
		{"flat curve: shrinks every third interval, by half, to the floor",
			512, repeat(18, interval{est: flat}),
			[]uint64{512, 512, 256, 256, 256, 128, 128, 128, 64, 64, 64, 32, 32, 32, 16, 16, 16, 16}},
		{"knee: grows by doubling to the knee and stays",
			64, repeat(12, interval{est: knee(512)}),
			[]uint64{64, 64, 128, 128, 128, 256, 256, 256, 512, 512, 512, 512}},
		{"knee between estimates: the first estimate past it",
			64, repeat(12, interval{est: knee(300)}),
			[]uint64{64, 64, 128, 128, 128, 256, 256, 256, 512, 512, 512, 512}},
		{"knee above the budget: stops at the budget",
			256, repeat(9, interval{est: knee(4000)}),
			[]uint64{256, 256, 512, 512, 512, 1024, 1024, 1024, 1024}},
		{"pressure halves at once, every interval, and growth waits again",
			512, append(append(repeat(2, interval{est: knee(1024)}), repeat(2, interval{est: knee(1024), pressure: true})...), repeat(4, interval{est: knee(1024)})...),
			[]uint64{512, 512, 256, 128, 128, 128, 256, 256}},
		{"pressure stops at the floor",
			64, repeat(4, interval{est: flat, pressure: true}),
			[]uint64{32, 16, 16, 16}},
		{"no estimates: nothing moves",
			512, repeat(5, interval{est: none}),
			[]uint64{512, 512, 512, 512, 512}},
		{"above the budget: down to it at once",
			4096, repeat(2, interval{est: none}),
			[]uint64{1024, 1024}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := &controller{budget: budget, margin: 0.005}
			cur := tt.start
			var got []uint64
			for _, iv := range tt.intervals {
				d := k.step(cur, iv.est(cur), iv.pressure)
				if d.next > budget && cur <= budget {
					t.Fatalf("step(%d) = %+v: above the budget %d", cur, d, budget)
				}
				cur = d.next
				got = append(got, cur)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("bounds = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("bounds = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// Noise that flips the target between growing and shrinking never holds
// for autosizeHold intervals, so the bound does not move.
func TestControllerIgnoresFlippingNoise(t *testing.T) {
	t.Parallel()
	k := &controller{budget: 1 << 20, margin: 0.005}
	cur := uint64(1 << 16)
	up := curve(cur, 50, 60, 70, 75, 76, 76)       // argues for 4×
	down := curve(cur, 70, 69.8, 70, 70, 70, 70.1) // argues for ¼×
	for i := range 30 {
		est := up
		if i%4 >= 2 { // two intervals each way, never three
			est = down
		}
		if d := k.step(cur, est, false); d.next != cur {
			t.Fatalf("interval %d: step = %+v, want the bound to stay at %d", i, d, cur)
		}
	}
}
