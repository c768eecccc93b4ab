package engine

import "github.com/prodready/prodready/cache/internal/policy"

// The sampled reads: a policy that feeds a spatial sample of the keys to
// miniature simulations (policy.Sampler) steers its shape by them, so a
// read of a sampled key is recorded in buffers of its own. Those rings
// fill at the sample rate (2,048 / entries in a large cache), so they
// rarely drop a record even when a single busy reader outruns the
// drainer and the other rings drop a quarter of theirs: the sample the
// miniatures see stays whole, as in the policy replayed alone.

// refreshSampling publishes the policy's sample threshold to the readers.
// The caller holds the lock, or is New.
func (e *Engine[V]) refreshSampling() {
	var t uint64
	if s, ok := e.p.(policy.Sampler); ok {
		t = s.SampleThreshold()
	}
	if e.sampling.Load() != t {
		e.sampling.Store(t)
	}
}

// drainAll passes every buffered read to the policy, misses first. The
// caller holds the lock.
func (e *Engine[V]) drainAll() {
	e.misses.drain(e.p, true)
	e.hits.drain(e.p, false)
	e.sampledMisses.drain(e.p, true)
	e.sampledHits.drain(e.p, false)
	e.refreshSampling()
}
