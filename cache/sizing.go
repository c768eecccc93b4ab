package cache

import (
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache/internal/policy"
)

// Sizing is what the memory backend knows of its size: its bound, what a
// bound of another size would have given (the estimates), and, with
// CACHE_AUTOSIZE, where autosize is taking it. [Stats].Sizing is nil for
// the redis and memcached backends, whose servers size themselves.
//
// See docs/CACHE.md, "Sizing", for how to read it.
type Sizing struct {
	// Unit is the unit of every capacity: "bytes" when the cache is
	// bounded by memory (CACHE_MAX_MEMORY, or autosize), "entries" when by
	// count (CACHE_MAX_SIZE).
	Unit string `json:"unit"`
	// Capacity is the current bound.
	Capacity uint64 `json:"capacity"`
	// Autosize is true when CACHE_AUTOSIZE moves the bound. Budget is then
	// the most it may be, Target the capacity the estimates argue for (the
	// bound moves toward it by at most ×2 per interval, see docs/CACHE.md),
	// and Pressure whether the last look at memory found it short (which
	// halves the bound).
	Autosize bool   `json:"autosize"`
	Budget   uint64 `json:"budget,omitempty"`
	Target   uint64 `json:"target,omitempty"`
	Pressure bool   `json:"pressure,omitempty"`
	// MaxEntries is the count that bounds the cache beside a bound in
	// bytes (CACHE_MAX_SIZE set with CACHE_MAX_MEMORY); 0 when none.
	MaxEntries uint64 `json:"max_entries,omitempty"`
	// Estimates are the hit ratios caches of other capacities would have
	// had on the same requests, in increasing order of capacity (¼×, ½×,
	// 1×, 2×, 4× and 8× the bound, with CACHE_ESTIMATES or CACHE_AUTOSIZE;
	// only 1× without either), from miniature simulations of the same
	// policy on a sample of the keys.
	Estimates []Estimate `json:"estimates"`
}

// An Estimate is the hit ratio a cache of Capacity would have had.
type Estimate struct {
	Capacity uint64  `json:"capacity"`
	HitRatio float64 `json:"hit_ratio"` // in [0, 1]
	// Requests is the number of sampled requests the estimate rests on:
	// below a thousand, its hit ratio is mostly noise.
	Requests uint64 `json:"requests"`
	// RecentHitRatio and RecentRequests are the same over the recent
	// requests only (about the last 16 times the bound's worth): what
	// CACHE_AUTOSIZE steers by, so that it follows a change of workload.
	RecentHitRatio float64 `json:"recent_hit_ratio"`
	RecentRequests uint64  `json:"recent_requests"`
}

// HitRatioAt returns the estimated hit ratio of a cache of capacity c:
// the estimate at c, or a linear interpolation in the logarithm of the
// capacity between the two around it. ok is false outside the estimates'
// range.
func (z *Sizing) HitRatioAt(c uint64) (hitRatio float64, ok bool) {
	if z == nil || c == 0 {
		return 0, false
	}
	for i, e := range z.Estimates {
		switch {
		case e.Capacity == c:
			return e.HitRatio, true
		case e.Capacity > c && i > 0 && z.Estimates[i-1].Capacity < c:
			lo := z.Estimates[i-1]
			f := math.Log(float64(c)/float64(lo.Capacity)) / math.Log(float64(e.Capacity)/float64(lo.Capacity))
			return lo.HitRatio + f*(e.HitRatio-lo.HitRatio), true
		}
	}
	return 0, false
}

// Gain returns how much the hit ratio would rise (negative: fall) with a
// bound factor times the current one, by the estimates: 0.05 is five
// points. ok is false when the estimates do not reach that far.
func (z *Sizing) Gain(factor float64) (gain float64, ok bool) {
	if z == nil || factor <= 0 {
		return 0, false
	}
	now, ok1 := z.HitRatioAt(z.Capacity)
	then, ok2 := z.HitRatioAt(uint64(math.Round(float64(z.Capacity) * factor)))
	if !ok1 || !ok2 {
		return 0, false
	}
	return then - now, true
}

// LargerCacheCheck is the ID of the finding [Sizing.LargerCache] returns.
const LargerCacheCheck = "PR-I049"

// LargerCacheThreshold is the gain, in hit ratio, from which the
// reference service logs LargerCacheCheck: five points.
const LargerCacheThreshold = 0.05

// LargerCache returns a finding (ID [LargerCacheCheck]) when the estimates
// say a bound twice the current one would raise the hit ratio by more
// than threshold (a fraction: 0.05 is five points), naming the variable
// that sets the bound. Like autosize, it uses only estimates on 1,000
// sampled requests or more. Under autosize it returns one only when the bound
// is at the budget: below it, autosize grows the bound by itself. A
// service logs the finding at most once an hour or so (the estimates
// change slowly); prefix is the service's variable prefix
// ([prodready.Options].Prefix).
func (z *Sizing) LargerCache(threshold float64, prefix string) (prodready.Finding, bool) {
	if z == nil || z.Autosize && z.Capacity < z.Budget {
		return prodready.Finding{}, false
	}
	for _, e := range z.Estimates {
		// The two estimates the gain rests on, as autosize, on at least
		// minEstimateRequests sampled requests: fewer are noise.
		if (e.Capacity == z.Capacity || e.Capacity == 2*z.Capacity) && e.Requests < minEstimateRequests {
			return prodready.Finding{}, false
		}
	}
	gain, ok := z.Gain(2)
	if !ok || gain <= threshold+1e-9 { // 0.65-0.60 is 0.05000000000000004
		return prodready.Finding{}, false
	}
	now, _ := z.HitRatioAt(z.Capacity)
	v, bigger := prefix+"CACHE_MAX_SIZE", formatCapacity(2*z.Capacity, z.Unit)
	if z.Unit == "bytes" {
		v = prefix + "CACHE_MAX_MEMORY"
	}
	hint := "set " + v + "=" + bigger
	switch {
	case z.MaxEntries > 0:
		// Both bounds hold: doubling one alone may change nothing, and
		// autosize is refused beside an explicit count (PR-E047).
		bigger += " and " + strconv.FormatUint(2*z.MaxEntries, 10) + " entries"
		hint += " and " + prefix + "CACHE_MAX_SIZE=" + strconv.FormatUint(2*z.MaxEntries, 10)
	case !z.Autosize:
		hint += ", or " + prefix + "CACHE_AUTOSIZE=true to let the cache size itself within its memory budget (" + prefix + "CACHE_MAX_MEMORY, else 25% of the container's memory limit)"
	}
	return prodready.Finding{
		ID: LargerCacheCheck, Severity: prodready.SeverityInfo, Key: v,
		Message: fmt.Sprintf("a cache twice as large (%s) would raise the hit ratio from %.1f%% to %.1f%%, by the estimates",
			bigger, 100*now, 100*(now+gain)),
		Hint: hint,
	}, true
}

// newSizing describes s, the memory backend; unit is "bytes" or
// "entries".
func newSizing(s sizer, unit string) *Sizing {
	est := s.Estimates()
	z := &Sizing{Unit: unit, Capacity: s.Capacity(), Estimates: make([]Estimate, len(est))}
	for i, e := range est {
		z.Estimates[i] = fromPolicy(e)
	}
	return z
}

func fromPolicy(e policy.Estimate) Estimate {
	return Estimate{Capacity: e.Capacity, HitRatio: e.HitRatio, Requests: e.Requests,
		RecentHitRatio: e.RecentHitRatio, RecentRequests: e.RecentRequests}
}

// attrs are the log attributes of z, in the order String prints them:
// capacity, then under autosize target, budget and pressure, then the
// estimates as multiples of the bound with their hit ratios
// ("0.25x:41.0%,0.5x:52.3%,1x:60.1%,...").
func (z *Sizing) attrs() []slog.Attr {
	out := []slog.Attr{slog.String("capacity", formatCapacity(z.Capacity, z.Unit))}
	if z.Autosize {
		out = append(out,
			slog.String("target", formatCapacity(z.Target, z.Unit)),
			slog.String("budget", formatCapacity(z.Budget, z.Unit)),
			slog.Bool("pressure", z.Pressure))
	}
	var b strings.Builder
	for i, e := range z.Estimates {
		if i > 0 {
			b.WriteByte(',')
		}
		if z.Capacity > 0 {
			b.WriteString(strconv.FormatFloat(float64(e.Capacity)/float64(z.Capacity), 'g', 3, 64))
			b.WriteByte('x')
		} else {
			b.WriteString(formatCapacity(e.Capacity, z.Unit))
		}
		if e.Requests == 0 {
			b.WriteString(":-") // no sampled request yet: no hit ratio
			continue
		}
		fmt.Fprintf(&b, ":%.1f%%", 100*e.HitRatio)
	}
	return append(out, slog.String("estimates", b.String()))
}

// formatCapacity writes a capacity compactly: entries as a number, bytes
// with a binary unit and at most one decimal (64MiB, 1.5GiB).
func formatCapacity(n uint64, unit string) string {
	if unit != "bytes" {
		return strconv.FormatUint(n, 10)
	}
	for _, u := range []struct {
		size uint64
		name string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			return strconv.FormatFloat(math.Round(float64(n)/float64(u.size)*10)/10, 'f', -1, 64) + u.name
		}
	}
	return strconv.FormatUint(n, 10) + "B"
}
