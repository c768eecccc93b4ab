// Package policy decides which entries the memory backend keeps.
//
// A Policy sees keys only by their 64-bit hash (the engine's maphash of
// the key, seeded per cache, so that no caller can choose collisions) and
// entries only by their weight. It is single-threaded: the engine calls it
// under one lock, in the order the accesses happened (hits may arrive late
// and some may be dropped, through the engine's lossy read buffers).
//
// The engine keeps the values; the policy keeps the order. Every slice
// argument named evict is appended to and returned, so that the engine
// reuses one buffer and the hot path does not allocate.
package policy

// A Policy orders the entries of one bounded cache.
type Policy interface {
	// Hit records a read of an entry the cache holds.
	Hit(h uint64)
	// Miss records a read of a key the cache does not hold. It feeds the
	// frequency estimate (a key often missed is worth admitting) and the
	// miniature simulations behind Estimates.
	Miss(h uint64)
	// Add records a new entry of weight w and appends to evict the hashes
	// of the entries the engine must drop to keep the total weight within
	// the capacity. h itself is among them when the policy refuses it.
	// Adding a hash the policy already holds is an Update.
	Add(h uint64, w uint32, evict []uint64) []uint64
	// Update records a new weight for an entry the policy holds (a Set
	// that replaced its value) and appends what must go.
	Update(h uint64, w uint32, evict []uint64) []uint64
	// Remove forgets an entry the engine deleted or found expired.
	// Removing a hash the policy does not hold does nothing.
	Remove(h uint64)
	// SetCapacity changes the bound on the total weight and appends what
	// must go to fit under a smaller one.
	SetCapacity(c uint64, evict []uint64) []uint64
	// Capacity is the bound on the total weight; Weight the total weight
	// held; Len the number of entries held.
	Capacity() uint64
	Weight() uint64
	Len() int
}

// A DropCounter is a Policy that is told how many reads the engine's lossy
// buffers dropped, so that its clocks (adaptation's epochs) and counts
// (the estimates' requests) count the requests the cache served, not only
// those it was shown.
type DropCounter interface {
	// Dropped reports the reads dropped since the last report: with a
	// Sampler whose SampleThreshold is under SampleAll, sampled counts the
	// reads of sampled keys that could not be delivered to it (Sampled)
	// and others the reads of the other keys; otherwise sampled counts
	// every dropped read, and others is 0.
	Dropped(sampled, others uint64)
}

// A Sampler is a Policy whose simulations see a spatial sample of the
// keys: those whose SampleValue is under its SampleThreshold. The engine
// delivers the reads of those keys that its buffers would drop through
// buffers of their own, to the simulations only, so that they see every
// read of their sample while the policy's own order, to keep up with a
// busy reader, sees a share of every key's reads: with two reads in three
// dropped, adaptation fed the thinned stream took shapes that lose on the
// whole one (docs/BENCHMARKS.md).
type Sampler interface {
	// SampleThreshold is the sample's threshold; SampleAll when every key
	// is sampled, or when the policy wants no read delivered by Sampled.
	SampleThreshold() uint64
	// Sampled records a read of h, a sampled key, that the policy's order
	// is not shown: a hit, or with miss a miss.
	Sampled(h uint64, miss bool)
}

// SampleAll is the SampleThreshold of a Sampler that samples every key.
const SampleAll = 1 << 24

// SampleValue is h's place in the spatial sample: a Sampler samples h if
// it is under its threshold.
func SampleValue(h uint64) uint64 { return sampleValue(h) }

// An Estimate is the hit ratio a cache of another capacity would have had
// on the same stream of requests, from a miniature simulation of the same
// policy fed a spatially sampled share of the keys (Waldspurger et al.,
// "Cache Modeling and Optimization using Miniature Simulations", USENIX
// ATC 2017).
type Estimate struct {
	Capacity uint64  // in the same weight units as Policy.Capacity
	HitRatio float64 // in [0, 1]
	Requests uint64  // the sampled requests the estimate rests on
	// RecentHitRatio and RecentRequests are the same over the recent
	// requests only (counts halved far more often), which follow a change
	// of workload within a few of autosize's intervals where the others,
	// halved every few million sampled requests, take hours.
	RecentHitRatio float64
	RecentRequests uint64
}

// An Estimator is a Policy that also estimates the hit ratio at other
// capacities.
type Estimator interface {
	Policy
	// Estimates returns one Estimate per simulated capacity, in increasing
	// order of capacity. It allocates; call it at the pace of a metrics
	// scrape, not per request.
	Estimates() []Estimate
}
