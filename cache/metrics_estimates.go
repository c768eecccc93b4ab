package cache

import (
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/prodready/prodready/cache/internal/policy"
)

// The estimates in the metrics: two observable gauges, the hit ratio a
// cache of another size would have had and the capacity that size stands
// for, one series per size (cache.size = 0.25x … 8x, and budget under
// autosize). They exist only when the memory backend runs its estimate
// miniatures (CACHE_AUTOSIZE); otherwise they are not created.
//
// The counters' callback reads only atomics; the estimates take the
// engine's lock (a drain, a sweep of a few slots, and the policy's copy
// of its estimates). So a collection reuses the estimates a previous one
// took if they are younger than estimateMaxAge: however often the
// provider collects, or however many readers it has, the engine is asked
// at most once per estimateMaxAge, and the lock is held for one
// Estimates call. The estimates move over millions of requests; ten
// seconds of lag is nothing to them.

// estimateMaxAge is the longest a collection reuses the estimates of an
// earlier one.
const estimateMaxAge = 10 * time.Second

// attrSize is the attribute of the estimate gauges: the size an estimate
// is for, as a multiple of the bound ("0.25x" … "8x") or "budget".
const attrSize = "cache.size"

// sizeBudget is the cache.size of the estimate at the autosize budget,
// interpolated between the two estimates around it (see
// [Sizing.HitRatioAt]), as autosize weighs it.
const sizeBudget = "budget"

// estimateGauges are the instruments of the estimates, with an attribute
// set per size made once, so that a collection does not allocate them.
type estimateGauges struct {
	hitRatio metric.Float64ObservableGauge
	capacity metric.Int64ObservableGauge
	labels   []string                          // per policy.EstimateFactors: "0.25x", …
	opts     map[string][]metric.ObserveOption // by cache.size

	mu sync.Mutex // guards the fields below
	at time.Time  // when z was taken; zero for never
	z  *Sizing
}

// newEstimateGauges creates the gauges on meter; base are the Cache's
// attributes, weighs whether capacities are in bytes.
func newEstimateGauges(meter metric.Meter, base []attribute.KeyValue, weighs bool) (*estimateGauges, error) {
	g := &estimateGauges{opts: map[string][]metric.ObserveOption{}}
	unit := "{entry}"
	if weighs {
		unit = "By"
	}
	var err1, err2 error
	g.hitRatio, err1 = meter.Float64ObservableGauge("cache.size.estimated_hit_ratio", metric.WithUnit("1"),
		metric.WithDescription("Hit ratio a memory cache of another size (cache.size: a multiple of the bound, or the autosize budget) would have had, from miniature simulations on a sample of the keys; only with CACHE_AUTOSIZE."))
	g.capacity, err2 = meter.Int64ObservableGauge("cache.size.estimated_capacity", metric.WithUnit(unit),
		metric.WithDescription("Capacity each cache.size of cache.size.estimated_hit_ratio stands for, in the bound's unit (bytes or entries)."))
	if err1 != nil {
		return nil, err1
	}
	if err2 != nil {
		return nil, err2
	}
	for _, f := range policy.EstimateFactors {
		g.labels = append(g.labels, strconv.FormatFloat(f, 'g', -1, 64)+"x")
	}
	for _, l := range append(g.labels[:len(g.labels):len(g.labels)], sizeBudget) {
		set := attribute.NewSet(append(base[:len(base):len(base)], attribute.String(attrSize, l))...)
		g.opts[l] = []metric.ObserveOption{metric.WithAttributeSet(set)}
	}
	return g, nil
}

// instruments are the gauges, for RegisterCallback.
func (g *estimateGauges) instruments() []metric.Observable {
	return []metric.Observable{g.hitRatio, g.capacity}
}

// sizing returns the estimates for a collection at now: those of the last
// collection if they are younger than estimateMaxAge, otherwise fresh
// ones from take (one Estimates call). A clock that goes back takes fresh
// ones.
func (g *estimateGauges) sizing(now time.Time, take func() *Sizing) *Sizing {
	g.mu.Lock()
	defer g.mu.Unlock()
	if age := now.Sub(g.at); g.at.IsZero() || age < 0 || age >= estimateMaxAge {
		g.z, g.at = take(), now
	}
	return g.z
}

// observe reports z's estimates: one per multiple of the bound that
// policy.EstimateFactors names, and the budget's under autosize. An
// estimate at another capacity (the bound moved since) is left out, as is
// one resting on no sampled request yet (its 0 means "no data").
func (g *estimateGauges) observe(o metric.Observer, z *Sizing) {
	if z == nil || z.Capacity == 0 {
		return
	}
	for i, f := range policy.EstimateFactors {
		c := uint64(f * float64(z.Capacity))
		for _, e := range z.Estimates {
			if e.Capacity == c && e.Requests > 0 {
				o.ObserveFloat64(g.hitRatio, e.HitRatio, g.opts[g.labels[i]]...)
				o.ObserveInt64(g.capacity, int64(min(c, 1<<63-1)), g.opts[g.labels[i]]...)
				break
			}
		}
	}
	for _, e := range z.Estimates {
		if e.Requests == 0 {
			return // the budget's would be interpolated from a 0 that means "no data"
		}
	}
	if z.Autosize && z.Budget > 0 {
		if r, ok := z.HitRatioAt(z.Budget); ok {
			o.ObserveFloat64(g.hitRatio, r, g.opts[sizeBudget]...)
			o.ObserveInt64(g.capacity, int64(min(z.Budget, 1<<63-1)), g.opts[sizeBudget]...)
		}
	}
}
