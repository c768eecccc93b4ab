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
// request also goes to small W-TinyLFU policies of capacity × R: one per
// candidate Config, from which the cache adopts the one with the best
// recent hit ratio (see adapt.go), and as many per estimated capacity,
// since a cache of that capacity would adapt to the best of them (see
// Estimates). R is chosen so that a miniature of the
// cache's own capacity holds Options.SampleEntries entries, and is 1 for
// caches no larger than that.
//
// It is not safe for concurrent use: the engine calls it under its lock.
// Its methods do not allocate once the cache is full, except when the
// index map or the sketch grows.
type TinyLFU struct {
	main *core

	static     bool
	sampleN    int // Options.SampleEntries
	threshold  uint64
	rate       float64
	meanWeight float64 // the weight per entry R was chosen for

	cands   []mini // one per candidate Config, at capacity × R
	current int    // index in cands of the main policy's Config
	ests    []mini // estimate miniatures: one per candidate per capacity
	extra   []uint64
	noEst   bool
	scratch []uint64

	// all and sampled count the requests since the miniatures were built
	// (halved together every estimateHalfLife sampled ones), for the
	// SHARDS adjustment in Estimates.
	all, sampledReqs uint64

	// adaptation state, in sampled requests
	epochLen, inEpoch uint64
	score             []float64
	scoreRequests     float64
	switches          uint64
	fullEpochs        uint64 // epochs since the cache first filled
}

var _ Estimator = (*TinyLFU)(nil)

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
	// SampleEntries is the number of entries a miniature of the cache's
	// own capacity holds: larger is more accurate and costs more memory
	// and time. If 0, defaultSampleEntries.
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

// EstimateFactors are the multiples of the capacity Estimates reports.
var EstimateFactors = []float64{0.25, 0.5, 1, 2, 4, 8}

// A mini is a miniature simulation and its counts of sampled requests.
type mini struct {
	p        *core
	full     uint64 // the capacity it stands for
	hits     uint64
	requests uint64
	epoch    uint64 // hits this adaptation epoch
}

// estimateHalfLife is the number of sampled requests after which a
// miniature's counts are halved, so that estimates follow the recent
// workload.
const estimateHalfLife = 1 << 22

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
		static:     opts.Static,
		sampleN:    opts.SampleEntries,
		noEst:      opts.NoEstimates,
		meanWeight: 1,
	}
	if t.static {
		opts.Candidates = []Config{cfg}
	} else if i := indexConfig(opts.Candidates, cfg); i < 0 {
		opts.Candidates = append([]Config{cfg}, opts.Candidates...)
	}
	if t.static && t.noEst {
		opts.Candidates = nil // nothing to adapt, nothing to estimate
	}
	t.cands = make([]mini, len(opts.Candidates))
	for i, k := range opts.Candidates {
		t.cands[i].p = &core{cfg: k}
	}
	t.current = indexConfig(opts.Candidates, cfg)
	t.score = make([]float64, len(t.cands))
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
	t.threshold = uint64(math.Ceil(t.rate * (1 << 24)))
	t.rate = float64(t.threshold) / (1 << 24)
	for i := range t.cands {
		t.cands[i] = t.newMini(c, t.cands[i].p.cfg)
	}
	t.ests = t.ests[:0]
	if !t.noEst {
		for _, f := range EstimateFactors {
			if f != 1 {
				t.addEstimate(uint64(f * float64(c)))
			}
		}
		for _, x := range t.extra {
			t.addEstimate(x)
		}
	}
	// Adapt after every epochMul miniature capacities of sampled
	// requests, so that a decision rests on some turnover.
	t.epochLen = uint64(max(epochMul*float64(t.sampleN)*min(1, entries/float64(t.sampleN)), 1024))
	t.inEpoch = 0
	t.fullEpochs = 0
	t.all, t.sampledReqs = 0, 0
	clear(t.score)
	t.scoreRequests = 0
}

// addEstimate adds the miniatures that estimate capacity full: one per
// candidate shape, since a cache of that capacity would adapt to the
// best of them.
func (t *TinyLFU) addEstimate(full uint64) {
	for i := range t.cands {
		t.ests = append(t.ests, t.newMini(full, t.cands[i].p.cfg))
	}
}

// newMini returns a miniature standing for capacity full.
func (t *TinyLFU) newMini(full uint64, cfg Config) mini {
	c := uint64(math.Round(float64(full) * t.rate))
	if full > 0 {
		c = max(c, 1)
	}
	// The sketch as the cache's own starts (newCore), scaled.
	hint := int(math.Round(float64(min(full, maxHint)) * t.rate))
	return mini{p: newCoreSketch(c, cfg, hint), full: full}
}

// sampled reports whether h is in the spatial sample.
func (t *TinyLFU) sampled(h uint64) bool {
	return mix(h^0x9e3779b97f4a7c15)>>40 < t.threshold
}

// Hit records a read of an entry the cache holds.
func (t *TinyLFU) Hit(h uint64) {
	t.main.hit(h)
	t.all++
	if t.sampled(h) {
		w := uint32(1)
		if i, ok := t.main.a.find(h); ok {
			w = t.main.a.nodes[i].weight
		}
		t.access(h, w, true)
	}
}

// Miss records a read of a key the cache does not hold.
func (t *TinyLFU) Miss(h uint64) {
	t.main.miss(h)
	t.all++
	if t.sampled(h) {
		t.access(h, 0, false)
	}
}

// access feeds a sampled request to every miniature; one that misses
// inserts h at once when its weight is known (the cache holds it), and
// otherwise when the Add that follows the miss comes.
func (t *TinyLFU) access(h uint64, w uint32, insert bool) {
	if t.sampledReqs >= estimateHalfLife {
		t.halve()
	}
	t.sampledReqs++
	for i := range t.cands {
		t.cands[i].access(h, w, insert, &t.scratch)
	}
	for i := range t.ests {
		t.ests[i].access(h, w, insert, &t.scratch)
	}
	t.inEpoch++
	if t.inEpoch >= t.epochLen {
		t.adapt()
	}
}

// halve halves every count of requests, so that estimates follow the
// recent workload.
func (t *TinyLFU) halve() {
	t.all /= 2
	t.sampledReqs /= 2
	t.eachMini(func(m *mini) { m.hits, m.requests = m.hits/2, m.requests/2 })
}

func (m *mini) access(h uint64, w uint32, insert bool, scratch *[]uint64) {
	m.requests++
	if m.p.hit(h) {
		m.hits++
		m.epoch++
		return
	}
	m.p.miss(h)
	if insert {
		*scratch = m.p.add(h, w, (*scratch)[:0])
	}
}

// Add records a new entry of weight w; see Policy.Add.
func (t *TinyLFU) Add(h uint64, w uint32, evict []uint64) []uint64 {
	evict = t.main.add(h, w, evict)
	if t.sampled(h) {
		t.eachMini(func(m *mini) {
			if !m.p.contains(h) {
				t.scratch = m.p.add(h, w, t.scratch[:0])
			}
		})
	}
	return evict
}

// Update records a new weight for an entry; see Policy.Update.
func (t *TinyLFU) Update(h uint64, w uint32, evict []uint64) []uint64 {
	evict = t.main.update(h, w, evict)
	if t.sampled(h) {
		t.eachMini(func(m *mini) {
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
	if t.sampled(h) {
		t.eachMini(func(m *mini) { m.p.remove(h) })
	}
}

func (t *TinyLFU) eachMini(f func(*mini)) {
	for i := range t.cands {
		f(&t.cands[i])
	}
	for i := range t.ests {
		f(&t.ests[i])
	}
}

// SetCapacity changes the bound on the total weight and appends what must
// go. The miniatures start afresh at the new scale.
//
// The sample rate and the miniatures' counts stay: the candidates'
// miniatures are resized to the new capacity, and the estimate miniatures
// of capacities the new one still estimates (¼× to 8×: a move by ×2 keeps
// five of six) are kept as they are, warm. Rebuilding them all, as a
// change of sample rate must, left autosize a quarter of cold estimates
// after each move, biased toward small sizes (a cold large miniature is
// still taking its compulsory misses), so that it shrank a cache whose
// working set needed it (TestAutosizeGrowingWorkingSet, on the engine).
func (t *TinyLFU) SetCapacity(c uint64, evict []uint64) []uint64 {
	evict = t.main.setCapacity(c, evict)
	t.resize()
	return evict
}

// resize fits the miniatures to a new capacity at the same sample rate:
// see SetCapacity. Every miniature stands for a (capacity, shape) pair;
// those the new capacity still needs are kept with their counts, a
// candidate of the old capacity becoming an estimate at ½× (or ¼×…) and
// an estimate at the new capacity becoming a candidate.
func (t *TinyLFU) resize() {
	c := t.main.capacity
	pool := make([]mini, 0, len(t.cands)+len(t.ests))
	pool = append(append(pool, t.cands...), t.ests...)
	take := func(full uint64, cfg Config) mini {
		for i, m := range pool {
			if m.p != nil && m.full == full && m.p.cfg == cfg {
				pool[i].p = nil
				return m
			}
		}
		return t.newMini(full, cfg)
	}
	for i := range t.cands {
		t.cands[i] = take(c, t.cands[i].p.cfg)
	}
	if t.noEst {
		return
	}
	t.ests = t.ests[:0:0]
	for _, full := range t.estimateCapacities(c) {
		for i := range t.cands {
			t.ests = append(t.ests, take(full, t.cands[i].p.cfg))
		}
	}
}

// estimateCapacities are the capacities other than c that Estimates
// reports: EstimateFactors × c, and the extra ones.
func (t *TinyLFU) estimateCapacities(c uint64) []uint64 {
	var out []uint64
	for _, f := range EstimateFactors {
		if f != 1 {
			out = append(out, uint64(f*float64(c)))
		}
	}
	return append(out, t.extra...)
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
// bounded by the sample: about candidates × 15.75 × SampleEntries entries
// (the six capacities ¼× to 8× add up to 15.75×) of some 50 bytes each
// once the cache is larger than SampleEntries entries, and that many
// times the cache's entry count below: 63 miniature capacities with the
// four default candidates, about 14 MB at the default 4,096
// (TestSimulationMemoryIsBounded: 14,286,720 bytes at 16,384 entries).
func (t *TinyLFU) SimulationBytes() uint64 {
	var b uint64
	t.eachMini(func(m *mini) { b += m.p.memoryBytes() })
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
