package policy

import "math"

// A TinyLFU is the policy of the memory backend: a W-TinyLFU (see core)
// that reshapes itself at run time and estimates its hit ratio at other
// capacities, both from miniature simulations (Waldspurger et al., "Cache
// Modeling and Optimization using Miniature Simulations", USENIX ATC
// 2017).
//
// A share R of the hashes is sampled (those whose mixed hash falls under
// a threshold, so a key is always or never sampled), and each sampled
// request also goes to the groups of small W-TinyLFU policies that stand
// for the cache's capacity and for each estimated one (group.go): one
// static miniature per candidate Config, from which a cache of that
// capacity would adopt the one with the best recent hit ratio (see
// adapt.go), and one that does adopt it. The cache's own policy follows
// the choices of its own capacity's group. R is chosen so that a
// miniature of the cache's own capacity holds Options.SampleEntries
// entries, and is 1 for caches no larger than that; larger capacities are
// sampled less, to hold as many.
//
// It is not safe for concurrent use: the engine calls it under its lock.
// Its methods do not allocate once the cache is full, except when the
// index map or the sketch grows.
type TinyLFU struct {
	main *core

	sampleN    int // Options.SampleEntries
	rate       float64
	meanWeight float64 // the weight per entry R was chosen for
	adds       uint64  // calls of Add, for weighEvery

	cfgs []Config // the candidate shapes
	// groups[0] stands for the cache's own capacity, the others for the
	// estimated ones; maxThreshold is the largest of their thresholds.
	groups       []group
	maxThreshold uint64
	extra        []uint64
	noEst        bool
	scratch      []uint64

	// all counts the requests since the miniatures were built (halved,
	// with every miniature's counts, each time it reaches halfAt), for
	// the SHARDS adjustment in Estimates; recent the same for the recent
	// counts, halved at recentAt.
	all, halfAt      uint64
	recent, recentAt uint64
	switches         uint64
	// builds counts build's rebuilds of the groups, so that a loop over
	// them stops when an epoch's end rebuilt them (recalibrate).
	builds uint64
	// calls numbers the calls that may count a request in a sketch, so
	// that the miniatures of a tier count each once (tier).
	calls uint64
}

var (
	_ Estimator   = (*TinyLFU)(nil)
	_ DropCounter = (*TinyLFU)(nil)
	_ Sampler     = (*TinyLFU)(nil)
)

// Options configure a TinyLFU. The zero value (or nil) is the adaptive
// policy with estimates.
type Options struct {
	// Config is the initial shape. If nil, a 1% window with admission, as
	// Caffeine starts.
	Config *Config
	// Static keeps the policy at Config: no adaptation.
	Static bool
	// Candidates are the shapes adaptation chooses from. If nil,
	// DefaultCandidates.
	Candidates []Config
	// SampleEntries is the number of entries a miniature holds at most
	// (and a miniature of the cache's own capacity holds): larger is more
	// accurate and costs more memory and time. If 0, defaultSampleEntries.
	SampleEntries int
	// NoEstimates runs no estimate miniatures; Estimates then reports
	// only the cache's own capacity (and nothing if Static).
	NoEstimates bool
}

// DefaultCandidates are the shapes adaptation chooses from: the small,
// middle and large windows that each win somewhere on the ARC traces,
// and admission off behind a 20% window, which wins where recency
// dominates at large sizes. Replayed static (docs/BENCHMARKS.md), that
// last shape beats plain LRU on P3 and P6 at 262,144 entries (66.96
// against 65.12, 90.38 against 90.16) and the 1% window without
// admission it replaced everywhere the latter mattered (OLTP, P3, P6).
var DefaultCandidates = []Config{
	{Window: 0.01, Admit: true},
	{Window: 0.20, Admit: true},
	{Window: 0.50, Admit: true},
	{Window: 0.20, Admit: false},
}

// defaultSampleEntries is Options.SampleEntries' default. At 2,048 the
// estimate of P6's first 200,000 requests at 32,768 entries was 2.44
// points off (sampling noise: another hash gave 0.17), and the backend
// replayed P3 and P6 0.2 to 1.1 points lower at every size
// (docs/BENCHMARKS.md); 4,096 doubles the miniatures' memory.
const defaultSampleEntries = 4096

// weighEvery is how often, in calls of Add, it compares the entries' mean
// weight with the one the sample rate was chosen for (recalibrate), and
// at the 64th, 128th, 256th and 512th call before that. The end of an
// epoch compares them too, but an epoch is counted in sampled requests,
// and the rate before the first comparison assumes one weight unit per
// entry: a cache of 64 MiB holding entries of 256 bytes would sample one
// request in 16,384 instead of one in 64, and reach the end of its first
// epoch after 67 million requests.
const (
	weighEvery      = 1024
	minWeighEntries = 64 // the fewest entries whose mean weight sets the rate
)

// EstimateFactors are the multiples of the capacity Estimates reports.
var EstimateFactors = []float64{0.25, 0.5, 1, 2, 4, 8}

// estimateHalfLife is the number of requests sampled at the cache's rate
// after which the miniatures' counts are halved, so that estimates follow
// the recent workload.
const estimateHalfLife = 1 << 22

// recentHalfLife is the same for the recent counts, in capacities: the
// recent counts are halved every 16 times the cache's capacity in
// requests, and at least every recentMinSampled requests sampled at the
// cache's rate (so that a miniature of the cache's capacity sees about 16
// times its entries). Autosize steers by them: with only the counts
// above, a cache of 2,048 entries whose working set quadrupled grew 3
// intervals later than a simulation halving as often, the gain of a
// larger cache diluted by hundreds of thousands of older requests
// (TestAutosizeGrowingWorkingSet).
const (
	recentHalfLife   = 16
	recentMinSampled = 8192
)

// setRecentAt sets the point at which the recent counts are halved, for
// the current capacity.
func (t *TinyLFU) setRecentAt() {
	entries := float64(t.main.capacity) / t.meanWeight
	t.recentAt = uint64(max(recentHalfLife*entries, recentMinSampled/t.rate))
}

// New returns a TinyLFU of capacity c, in weight units.
func New(c uint64, o *Options) *TinyLFU {
	var opts Options
	if o != nil {
		opts = *o
	}
	cfg := Config{Window: 0.01, Admit: true}
	if opts.Config != nil {
		cfg = *opts.Config
	}
	if opts.Candidates == nil {
		opts.Candidates = DefaultCandidates
	}
	if opts.SampleEntries <= 0 {
		opts.SampleEntries = defaultSampleEntries
	}
	t := &TinyLFU{
		main:       newCore(c, cfg),
		sampleN:    opts.SampleEntries,
		noEst:      opts.NoEstimates,
		meanWeight: 1,
	}
	switch {
	case opts.Static && opts.NoEstimates:
		// nothing to adapt, nothing to estimate
	case opts.Static:
		t.cfgs = []Config{cfg}
	case indexConfig(opts.Candidates, cfg) < 0:
		t.cfgs = append([]Config{cfg}, opts.Candidates...)
	default:
		t.cfgs = append([]Config(nil), opts.Candidates...)
	}
	t.build()
	return t
}

func indexConfig(cs []Config, c Config) int {
	for i, k := range cs {
		if k == c {
			return i
		}
	}
	return -1
}

// build chooses the sampling rate for the current capacity and mean
// weight and starts every miniature afresh.
func (t *TinyLFU) build() {
	c := t.main.capacity
	entries := float64(c) / t.meanWeight
	t.rate = 1
	if entries > float64(t.sampleN) {
		t.rate = float64(t.sampleN) / entries
	}
	t.rate = math.Ceil(t.rate*(1<<24)) / (1 << 24) // a whole threshold (group.go)
	t.all, t.halfAt = 0, uint64(estimateHalfLife/t.rate)
	t.recent = 0
	t.setRecentAt()
	current := 0
	if len(t.groups) > 0 {
		current = t.groups[0].current
	}
	if i := indexConfig(t.cfgs, t.main.cfg); i >= 0 {
		current = i
	}
	t.groups = t.groups[:0]
	t.builds++
	if len(t.cfgs) == 0 {
		t.maxThreshold = 0
		return
	}
	t.groups = append(t.groups, t.newGroup(c, t.main.cfg, current, !t.noEst, true))
	if !t.noEst {
		for _, full := range t.estimateCapacities(c) {
			t.groups = append(t.groups, t.newGroup(full, t.main.cfg, current, true, false))
		}
	}
	t.setMaxThreshold()
}

func (t *TinyLFU) setMaxThreshold() {
	t.maxThreshold = 0
	for i := range t.groups {
		t.maxThreshold = max(t.maxThreshold, t.groups[i].threshold)
	}
}

// sampleValue is h's place in the spatial sample: h is sampled at a
// threshold above it.
func sampleValue(h uint64) uint64 {
	return mix(h^0x9e3779b97f4a7c15) >> 40
}

// Hit records a read of an entry the cache holds.
func (t *TinyLFU) Hit(h uint64) {
	t.calls++
	t.main.hit(h)
	t.count()
	t.simulate(h, false)
}

// Miss records a read of a key the cache does not hold.
func (t *TinyLFU) Miss(h uint64) {
	t.calls++
	t.main.miss(h)
	t.count()
	t.simulate(h, true)
}

// Sampled implements Sampler: the read goes to the miniatures that sample
// h, as Hit or Miss sends it, and counts among the requests, but the
// cache's own policy does not see it.
func (t *TinyLFU) Sampled(h uint64, miss bool) {
	t.calls++
	t.count()
	t.simulate(h, miss)
}

// simulate feeds a read of h, a hit or with miss a miss, to the groups
// that sample it. A miniature that misses a hit inserts h at once, at the
// weight the cache holds it at.
func (t *TinyLFU) simulate(h uint64, miss bool) {
	v := sampleValue(h)
	if v >= t.maxThreshold {
		return
	}
	if miss {
		t.access(h, v, 0, false)
		return
	}
	w := uint32(1)
	if i, ok := t.main.a.find(h); ok {
		w = t.main.a.nodes[i].weight
	}
	t.access(h, v, w, true)
}

// count counts a request, halving every count of requests when they
// reach halfAt (the recent ones at recentAt), so that estimates follow
// the recent workload.
func (t *TinyLFU) count() { t.countN(1) }

// countN is count for n requests.
func (t *TinyLFU) countN(n uint64) {
	t.all += n
	t.recent += n
	if t.recent >= t.recentAt {
		t.recent /= 2
		t.halve(true)
	}
	if t.all >= t.halfAt {
		t.all /= 2
		t.halve(false)
	}
}

// halve halves every miniature's recent counts (or its long-run ones),
// and the point each group's started from.
func (t *TinyLFU) halve(recent bool) {
	for i := range t.groups {
		g := &t.groups[i]
		if recent {
			g.recentFrom /= 2
			g.each(func(m *mini) { m.rHits, m.rRequests = m.rHits/2, m.rRequests/2 })
		} else {
			g.allFrom /= 2
			g.each(func(m *mini) { m.hits, m.requests = m.hits/2, m.requests/2 })
		}
	}
}

// access feeds a sampled request (of sample value v) to the groups that
// sample it; a miniature that misses inserts h at once when its weight is
// known (the cache holds it), and otherwise when the Add that follows the
// miss comes.
func (t *TinyLFU) access(h, v uint64, w uint32, insert bool) {
	for i, b := 0, t.builds; i < len(t.groups); i++ {
		if g := &t.groups[i]; v < g.threshold && g.access(h, v, w, insert, &t.scratch) {
			if t.adapt(i); t.builds != b {
				return // rebuilt afresh: the new groups start after this request
			}
		}
	}
}

// Dropped implements DropCounter. When the engine delivers the dropped
// reads of sampled keys (SampleThreshold under SampleAll), the others,
// reads of keys no miniature samples, count among the requests the
// estimates rest on (the SHARDS adjustment expects rate × all sampled
// requests): the miniatures saw their sample whole. Each group's epoch
// advances by its share of the sampled ones, which no miniature saw (of
// every dropped read, when the engine delivers none), so that adaptation
// decides at the pace of the requests served. Replaying P6 at 262,144
// entries from one goroutine, about two reads in three were dropped, the
// epochs lasted three times as many requests, and the cache took 7
// million requests to reach the shape it took by 3 million when shown
// every read (docs/BENCHMARKS.md).
func (t *TinyLFU) Dropped(sampled, others uint64) {
	if others > 0 {
		t.countN(others)
	}
	if t.maxThreshold == 0 || sampled == 0 {
		return
	}
	share := 1.0 // of the keys the sampled ones are reads of
	if th := t.SampleThreshold(); th < SampleAll {
		share = float64(th) / (1 << 24)
	}
	for i, b := 0, t.builds; i < len(t.groups); i++ {
		g := &t.groups[i]
		g.dropFrac += float64(sampled) * g.rate / share
		whole := uint64(g.dropFrac)
		g.dropFrac -= float64(whole)
		if g.inEpoch += whole; g.epochDone() {
			if t.adapt(i); t.builds != b {
				return
			}
		}
	}
}

// spillMaxShare: the engine delivers the dropped reads of sampled keys
// (Sampled) only when at most one key in spillMaxShare is sampled (caches
// of 65,536 entries or more at the default SampleEntries). The miniatures
// then add little work per delivered read to a drainer that cannot keep
// up anyway, and their sample, a small share of the keys, is what a
// thinned stream misrepresents most. With a larger share the deliveries
// hand the drainer a large part of the reads it dropped: a Get hit on
// 8,192 entries (one key in two sampled) from two goroutines took 24.9 ns
// against 17.9 without (medians of 7 rounds, BenchmarkGetHitParallel in
// bench/hitratio).
const spillMaxShare = 16

// SampleThreshold implements Sampler: the largest of the groups'
// thresholds when it samples at most one key in spillMaxShare, SampleAll
// otherwise (and when there are no groups: nothing to deliver).
func (t *TinyLFU) SampleThreshold() uint64 {
	if t.maxThreshold == 0 || t.maxThreshold > SampleAll/spillMaxShare {
		return SampleAll
	}
	return t.maxThreshold
}

// Add records a new entry of weight w; see Policy.Add.
func (t *TinyLFU) Add(h uint64, w uint32, evict []uint64) []uint64 {
	t.calls++
	evict = t.main.add(h, w, evict)
	if t.adds++; t.adds%weighEvery == 0 || t.adds >= minWeighEntries && t.adds&(t.adds-1) == 0 {
		t.recalibrate()
	}
	if v := sampleValue(h); v < t.maxThreshold {
		t.eachMini(v, func(m *mini) {
			if !m.p.contains(h) {
				t.scratch = m.p.insert(h, w, t.scratch[:0])
			}
		})
	}
	return evict
}

// Update records a new weight for an entry; see Policy.Update.
func (t *TinyLFU) Update(h uint64, w uint32, evict []uint64) []uint64 {
	t.calls++
	evict = t.main.update(h, w, evict)
	if v := sampleValue(h); v < t.maxThreshold {
		t.eachMini(v, func(m *mini) {
			if m.p.contains(h) {
				t.scratch = m.p.update(h, w, t.scratch[:0])
			}
		})
	}
	return evict
}

// Remove forgets an entry; removing an unknown hash does nothing.
func (t *TinyLFU) Remove(h uint64) {
	t.main.remove(h)
	if v := sampleValue(h); v < t.maxThreshold {
		t.eachMini(v, func(m *mini) { m.p.remove(h) })
	}
}

// eachMini calls f on every miniature that samples the sample value v.
func (t *TinyLFU) eachMini(v uint64, f func(*mini)) {
	for i := range t.groups {
		if g := &t.groups[i]; v < g.threshold {
			g.eachSampling(v, f)
		}
	}
}

// SetCapacity changes the bound on the total weight and appends what must
// go. The sample rate and the miniatures stay: the groups of capacities
// the new one still estimates (¼× to 8×: a move by ×2 keeps five of six,
// the group of the new capacity becoming the cache's own) are kept as
// they are, warm; the others start afresh. Rebuilding them all, as a
// change of sample rate must, left autosize a quarter of cold estimates
// after each move, biased toward small sizes (a cold large miniature is
// still taking its compulsory misses), so that it shrank a cache whose
// working set needed it (TestAutosizeGrowingWorkingSet, on the engine).
func (t *TinyLFU) SetCapacity(c uint64, evict []uint64) []uint64 {
	evict = t.main.setCapacity(c, evict)
	t.resize()
	t.setRecentAt()
	return evict
}

// resize fits the groups to a new capacity at the same sample rate: see
// SetCapacity. A group's sample rate depends only on the capacity it
// stands for, so a kept group is exact as it is.
func (t *TinyLFU) resize() {
	if len(t.groups) == 0 {
		return
	}
	c := t.main.capacity
	old := t.groups
	take := func(full uint64) (group, bool) {
		for i := range old {
			if old[i].shapes != nil && old[i].full == full {
				g := old[i]
				old[i].shapes = nil
				return g, true
			}
		}
		return group{}, false
	}
	prev := old[0]
	groups := make([]group, 0, len(old))
	own, ok := take(c)
	if !ok {
		// A capacity no group stood for: the cache's adaptation carries
		// on from where it was.
		own = t.newGroup(c, t.main.cfg, prev.current, !t.noEst, true)
		own.score, own.scoreRequests, own.fullEpochs = prev.score, prev.scoreRequests, prev.fullEpochs
	}
	groups = append(groups, own)
	if !t.noEst {
		for _, full := range t.estimateCapacities(c) {
			g, ok := take(full)
			if !ok {
				g = t.newGroup(full, t.main.cfg, own.current, true, false)
			}
			groups = append(groups, g)
		}
	}
	t.groups = groups
	t.setMaxThreshold()
}

// Capacity is the bound on the total weight.
func (t *TinyLFU) Capacity() uint64 { return t.main.capacity }

// Weight is the total weight held.
func (t *TinyLFU) Weight() uint64 { return t.main.weight }

// Len is the number of entries held.
func (t *TinyLFU) Len() int { return t.main.a.len() }

// Config is the shape the policy has now.
func (t *TinyLFU) Config() Config { return t.main.cfg }

// Switches is the number of times adaptation changed the shape.
func (t *TinyLFU) Switches() uint64 { return t.switches }

// SampleRate is the share of hashes the miniatures see.
func (t *TinyLFU) SampleRate() float64 { return t.rate }

// SimulationBytes is the memory the miniature simulations hold: what
// adaptation and estimates cost on top of the cache's own policy. It is
// bounded by the sample (group.go): the cache's own group holds 5
// miniatures (the 4 default candidates and the adaptive one) of at most
// SampleEntries entries; each estimated capacity an adaptive one of at
// most SampleEntries (those of ¼× and ½× a quarter and half that) and 4
// static ones of at most SampleEntries/scoreShare; some 40 bytes an entry,
// and a sketch per set of miniatures that sample alike: about 2.5 MB at
// the default 4,096 (TestSimulationMemoryIsBounded: 2,515,104 bytes at
// 16,384 entries, 1,879,792 at 1,048,576, whose larger miniatures had not
// filled). It was 4,825,248 at 16,384 with every miniature of a group at
// its rate, 5,775,520 with a sketch per miniature, and 14,286,720 before
// the larger capacities were sampled down to SampleEntries. Adaptation
// alone (NoEstimates) holds the 4 candidates: about 0.8 MB.
func (t *TinyLFU) SimulationBytes() uint64 {
	var b uint64
	for i := range t.groups {
		b += t.groups[i].memoryBytes()
	}
	return b
}

// PolicyBytes is the memory the cache's own policy holds (nodes, index
// and sketch), not counting the values.
func (t *TinyLFU) PolicyBytes() uint64 { return t.main.memoryBytes() }

// A SecondChancer is a Policy that, before it lets an entry go, asks the
// engine whether a hit on it was dropped by the read buffers, and applies
// that hit if so (the engine's secondchance.go).
type SecondChancer interface {
	// SetReferenced gives the policy the engine's test: it reports, and
	// forgets, a dropped hit on the entry of h.
	SetReferenced(f func(h uint64) bool)
}

// SetReferenced implements SecondChancer. Only the cache's own policy
// asks: the miniatures are simulations of the sampled stream as the
// policy receives it.
func (t *TinyLFU) SetReferenced(f func(h uint64) bool) { t.main.ref = f }
