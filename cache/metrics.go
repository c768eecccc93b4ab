package cache

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/prodready/prodready"
)

// meterName is the instrumentation scope of the Cache's instruments (the
// otel_scope_name label of the Prometheus exporter).
const meterName = "github.com/prodready/prodready/cache"

// Attribute keys of every measurement of a Cache.
const (
	attrName      = "cache.name"      // Options.Name
	attrNamespace = "cache.namespace" // CACHE_NAMESPACE
	attrBackend   = "cache.backend"   // memory, redis or memcached
	attrOutcome   = "cache.outcome"   // of a load or a backend call
	attrOperation = "cache.operation" // of a backend call
)

// durationBuckets are the bucket bounds, in seconds, of both histograms:
// from a near-cache or loopback round trip (100µs) to a slow loader (10s).
// The SDK's default bounds (0 to 10000) are meant for milliseconds and
// would put every call in the first bucket.
var durationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// The outcomes of a load (cache.outcome on cache.load.duration).
const (
	loadOK       = iota // the loader returned a value
	loadNotFound        // it returned ErrNotFound (a negative result, not a failure)
	loadError           // it failed, panicked or did not return
	numLoadOutcomes
)

var loadOutcomeNames = [numLoadOutcomes]string{"ok", "not_found", "error"}

// A backendOp is a kind of call to a redis or memcached server
// (cache.operation on cache.backend.duration).
type backendOp int

const (
	opGet         backendOp = iota
	opSet                   // Backend.Set
	opDelete                // Backend.Delete
	opLock                  // Locker.TryLock
	opUnlock                // the release of a Locker's lease
	opLease                 // Fencer.Lease
	opFencedSet             // the store of a Fencer's lease
	opLeaseFree             // the release of a Fencer's lease
	opConditional           // Fencer.StoreIf
	numBackendOps
)

var backendOpNames = [numBackendOps]string{"get", "set", "delete", "lock", "unlock", "lease", "fenced_set", "lease_release", "store_if"}

// A nearCacheCounter is a Backend with a client-side (near) cache that
// counts the reads it answered without the server: the redis backend.
type nearCacheCounter interface {
	NearCacheHits() uint64
}

// cacheMetrics are a Cache's instruments. The counters are asynchronous:
// a callback reads the Cache's counts when the MeterProvider collects, so
// a lookup pays nothing for them; the same callback reports the size
// estimates, which it refreshes at most every estimateMaxAge (see
// metrics_estimates.go). Only loads and remote calls, which cost
// far more than a clock read, record into the histograms.
type cacheMetrics struct {
	reg metric.Registration

	load     metric.Float64Histogram
	loadOpts [numLoadOutcomes][]metric.RecordOption

	backend     metric.Float64Histogram
	backendOpts [numBackendOps][2][]metric.RecordOption // [op][failed]
}

// A counterSpec describes one observable counter and where in Stats it
// reads its value.
type counterSpec struct {
	name, unit, desc string
	value            func(Stats) uint64
}

// counterSpecs are the Cache's counters, one per Stats count, in the order
// of Stats. docs/CACHE.md ("Metrics") lists them with their Prometheus
// names.
var counterSpecs = []counterSpec{
	{"cache.hits", "{hit}", "Lookups (Get, GetOrLoad) answered from the cache, negative entries included.", func(s Stats) uint64 { return s.Hits }},
	{"cache.misses", "{miss}", "Lookups that found no live entry.", func(s Stats) uint64 { return s.Misses }},
	{"cache.loads", "{load}", "Calls of a loader: misses that loaded (one per key for concurrent misses) and refreshes.", func(s Stats) uint64 { return s.Loads }},
	{"cache.load.errors", "{error}", "Loads that failed with an error other than ErrNotFound, or panicked.", func(s Stats) uint64 { return s.LoadErrors }},
	{"cache.backend.errors", "{error}", "Failed calls to the redis or memcached server.", func(s Stats) uint64 { return s.BackendErrors }},
	{"cache.codec.errors", "{error}", "Values that did not encode and stored entries that did not decode.", func(s Stats) uint64 { return s.CodecErrors }},
	{"cache.auth.failures", "{entry}", "Entries from the server whose MAC did not verify (never served).", func(s Stats) uint64 { return s.AuthFailures }},
	{"cache.evictions", "{entry}", "Entries the memory backend dropped for its size bound or expiry.", func(s Stats) uint64 { return s.Evictions }},
}

// startMetrics creates the Cache's instruments on o.MeterProvider, and
// wraps the remote backend, when there is one, so that its calls are
// timed. cfg gives the namespace attribute. It is called once by New,
// after the backend is open.
func (c *Cache[V]) startMetrics(cfg prodready.CacheConfig) error {
	meter := c.o.MeterProvider.Meter(meterName)
	base := []attribute.KeyValue{
		attribute.String(attrName, c.o.Name),
		attribute.String(attrNamespace, cfg.Namespace),
		attribute.String(attrBackend, string(c.kind)),
	}
	common := metric.WithAttributeSet(attribute.NewSet(base...))
	m := &cacheMetrics{}

	var errs []error
	counters := make([]metric.Int64ObservableCounter, len(counterSpecs))
	observables := make([]metric.Observable, 0, len(counterSpecs)+1)
	for i, s := range counterSpecs {
		ctr, err := meter.Int64ObservableCounter(s.name, metric.WithUnit(s.unit), metric.WithDescription(s.desc))
		errs = append(errs, err)
		counters[i] = ctr
		observables = append(observables, ctr)
	}
	var near metric.Int64ObservableCounter
	nc, hasNear := c.remote.(nearCacheCounter)
	if hasNear {
		var err error
		near, err = meter.Int64ObservableCounter("cache.near_cache.hits", metric.WithUnit("{hit}"),
			metric.WithDescription("Reads of the redis backend answered by its client-side (near) cache, without a round trip; a subset of the backend's reads, not of cache.hits."))
		errs = append(errs, err)
		observables = append(observables, near)
	}
	// The estimate gauges exist only when the memory backend runs its
	// estimate miniatures, which it does only under autosize
	// (cache/memory.go): elsewhere they would report nothing, and take a
	// mutex at every collection to say so.
	var est *estimateGauges
	if c.auto != nil {
		var err error
		est, err = newEstimateGauges(meter, base, c.weighs)
		errs = append(errs, err)
		if est != nil {
			observables = append(observables, est.instruments()...)
		}
	}
	var err error
	m.load, err = meter.Float64Histogram("cache.load.duration", metric.WithUnit("s"),
		metric.WithDescription("Time a loader took, by outcome (ok, not_found, error)."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	errs = append(errs, err)
	m.backend, err = meter.Float64Histogram("cache.backend.duration", metric.WithUnit("s"),
		metric.WithDescription("Time a call to the redis or memcached server took, by operation and outcome (ok, error)."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return err
	}

	for i, name := range loadOutcomeNames {
		set := attribute.NewSet(append(base[:len(base):len(base)], attribute.String(attrOutcome, name))...)
		m.loadOpts[i] = []metric.RecordOption{metric.WithAttributeSet(set)}
	}
	for op, name := range backendOpNames {
		for failed, outcome := range [2]string{"ok", "error"} {
			set := attribute.NewSet(append(base[:len(base):len(base)],
				attribute.String(attrOperation, name), attribute.String(attrOutcome, outcome))...)
			m.backendOpts[op][failed] = []metric.RecordOption{metric.WithAttributeSet(set)}
		}
	}

	observeOpts := []metric.ObserveOption{common}
	m.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := c.counts() // the counters, without the estimates
		for i, s := range counterSpecs {
			o.ObserveInt64(counters[i], int64(s.value(st)), observeOpts...)
		}
		if hasNear {
			o.ObserveInt64(near, int64(nc.NearCacheHits()), observeOpts...)
		}
		// The estimates take the engine's lock: at most once per
		// estimateMaxAge, see metrics_estimates.go.
		if est != nil {
			est.observe(o, est.sizing(c.now(), c.sizing))
		}
		return nil
	}, observables...)
	if err != nil {
		return err
	}
	c.metrics = m
	if c.remote != nil {
		c.remote = m.timed(c.remote)
		c.locker, _ = c.remote.(Locker)
	}
	return nil
}

// stopMetrics unregisters the counters' callback, so that a closed Cache
// is neither reported nor kept alive by the MeterProvider. Close calls it
// once.
func (c *Cache[V]) stopMetrics() {
	if c.metrics != nil {
		_ = c.metrics.reg.Unregister() // fails only if the provider is shut down, when nothing is collected anyway
	}
}

// loadDone records a load that began at start and ended with err (a
// panicking loader's error is not ErrNotFound: see invoke).
func (m *cacheMetrics) loadDone(ctx context.Context, start time.Time, err error) {
	outcome := loadOK
	switch {
	case err == nil:
	case errors.Is(err, ErrNotFound):
		outcome = loadNotFound
	default:
		outcome = loadError
	}
	m.load.Record(ctx, time.Since(start).Seconds(), m.loadOpts[outcome]...)
}

// backendDone records a call op to the server that began at start and
// ended with err.
func (m *cacheMetrics) backendDone(ctx context.Context, op backendOp, start time.Time, err error) {
	failed := 0
	if err != nil {
		failed = 1
	}
	m.backend.Record(ctx, time.Since(start).Seconds(), m.backendOpts[op][failed]...)
}
