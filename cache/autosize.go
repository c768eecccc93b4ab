package cache

import (
	"math"

	"github.com/prodready/prodready/cache/internal/policy"
)

// CACHE_AUTOSIZE: every interval the memory backend's bound moves toward
// the smallest capacity whose estimated hit ratio is within a margin of
// the best one the memory budget allows. This file is the decision; the
// loop that applies it is autosize_loop.go.
//
// The rules, in the order step applies them:
//
//   - Memory pressure (see membudget.Reading.Pressure) halves the bound at
//     once, every interval it is reported, down to the floor: shrinking is
//     cheap (the coldest entries go) and late shrinking is an OOM kill.
//   - A bound above the budget (the budget was lowered) drops to it.
//   - Otherwise the estimates name a target (chooseTarget). The bound
//     moves only when the target has pointed the same way (up or down) for
//     autosizeHold intervals in a row, so that noise in the estimates does
//     not make it flip; then it moves at most ×2 or ÷2, and the count
//     starts again. The estimates at the new bound have to settle first.
//   - Never above the budget, never below the floor (budget/64).

// sizer is what autosize drives: the memory engine, whose policy
// estimates the hit ratio at other capacities from miniature simulations.
// Capacities are in the engine's weight units (bytes when the cache is
// bounded by memory, as it always is under autosize).
type sizer interface {
	Capacity() uint64
	SetCapacity(c uint64)
	Estimates() []policy.Estimate
}

const (
	// autosizeHold is how many intervals in a row the estimates must
	// argue for a move the same way before the bound moves.
	autosizeHold = 3
	// autosizeFloorDiv: the bound never goes below budget/autosizeFloorDiv.
	autosizeFloorDiv = 64
	// minEstimateRequests is the least number of sampled requests an
	// estimate must rest on to be used: fewer (just after a resize, or on
	// an idle cache) and its hit ratio is noise.
	minEstimateRequests = 1000
	// defaultAutosizeMargin is CACHE_AUTOSIZE_MARGIN's default: half a
	// point of hit ratio, as a fraction.
	defaultAutosizeMargin = 0.005
)

// recentEstimates returns est over the recent requests only
// (policy.Estimate's RecentHitRatio and RecentRequests): autosize steers
// by them, so that a change of workload moves the bound within a few
// intervals rather than after millions of requests.
func recentEstimates(est []policy.Estimate) []policy.Estimate {
	out := make([]policy.Estimate, len(est))
	for i, e := range est {
		out[i] = policy.Estimate{Capacity: e.Capacity, HitRatio: e.RecentHitRatio, Requests: e.RecentRequests}
	}
	return out
}

// chooseTarget returns the smallest capacity, among the estimates at or
// below budget and the budget itself, whose estimated hit ratio is within
// margin (a fraction: 0.005 is half a point) of the best of them. The hit
// ratio at the budget, when it falls between two estimates, is interpolated
// linearly in the logarithm of the capacity (hit ratio curves are close to
// straight on a log scale between sizes a factor 2 apart). Estimates on
// fewer than minEstimateRequests sampled requests, or with a hit ratio
// outside [0, 1], are not used; ok is false when none is left at or below
// budget.
func chooseTarget(est []policy.Estimate, budget uint64, margin float64) (target uint64, ok bool) {
	type point struct {
		c  uint64
		hr float64
	}
	var pts []point
	var above *policy.Estimate // the first usable estimate above budget
	for i := range est {
		e := &est[i]
		if e.Requests < minEstimateRequests || !(e.HitRatio >= 0 && e.HitRatio <= 1) || e.Capacity == 0 {
			continue
		}
		if e.Capacity <= budget {
			pts = append(pts, point{e.Capacity, e.HitRatio})
		} else if above == nil || e.Capacity < above.Capacity {
			above = e
		}
	}
	if len(pts) == 0 {
		return 0, false
	}
	// The estimates come in increasing order of capacity; do not rely on
	// it for the last point below budget.
	below := pts[0]
	for _, p := range pts {
		if p.c > below.c {
			below = p
		}
	}
	if above != nil && below.c < budget {
		f := math.Log(float64(budget)/float64(below.c)) / math.Log(float64(above.Capacity)/float64(below.c))
		pts = append(pts, point{budget, below.hr + f*(above.HitRatio-below.hr)})
	}
	best := 0.0
	for _, p := range pts {
		best = max(best, p.hr)
	}
	target = math.MaxUint64
	for _, p := range pts {
		if p.hr >= best-margin && p.c < target {
			target = p.c
		}
	}
	return target, true
}

// A controller turns estimates into moves of the bound, with hysteresis.
// It is not safe for concurrent use: one loop owns it.
type controller struct {
	budget uint64  // the most the bound may be, in weight units
	margin float64 // see chooseTarget
	dir    int     // the way the last target pointed: -1, 0 or +1
	held   int     // intervals in a row it has pointed that way
}

// A decision is what one step of the controller concluded.
type decision struct {
	next   uint64 // the bound to set (the current one when nothing moves)
	target uint64 // where the estimates point; 0 when they said nothing
	reason string // pressure, budget, grow, shrink, hold or wait
}

// floor is the least bound: budget/64, at least 1.
func (k *controller) floor() uint64 { return max(k.budget/autosizeFloorDiv, 1) }

// step decides the bound for the next interval, from the current bound
// cur, the estimates, and whether memory pressure is reported.
func (k *controller) step(cur uint64, est []policy.Estimate, pressure bool) decision {
	floor := k.floor()
	if pressure {
		k.dir, k.held = 0, 0
		next := max(min(cur, k.budget)/2, floor)
		return decision{next: min(next, cur), reason: "pressure"}
	}
	if cur > k.budget {
		k.dir, k.held = 0, 0
		return decision{next: k.budget, reason: "budget"}
	}
	target, ok := chooseTarget(est, k.budget, k.margin)
	if !ok {
		k.dir, k.held = 0, 0
		return decision{next: cur, reason: "wait"}
	}
	target = max(target, floor)
	dir := 0
	switch {
	case target > cur:
		dir = 1
	case target < cur:
		dir = -1
	}
	if dir == 0 || dir != k.dir {
		k.dir, k.held = dir, 0
	}
	if dir == 0 {
		return decision{next: cur, target: target, reason: "hold"}
	}
	k.held++
	if k.held < autosizeHold {
		return decision{next: cur, target: target, reason: "hold"}
	}
	k.held = 0
	if dir > 0 {
		next := min(target, satMul2(cur), k.budget)
		return decision{next: next, target: target, reason: "grow"}
	}
	return decision{next: max(target, cur/2, floor), target: target, reason: "shrink"}
}

// satMul2 is 2c, saturating at the largest uint64.
func satMul2(c uint64) uint64 {
	if c > math.MaxUint64/2 {
		return math.MaxUint64
	}
	return 2 * c
}
