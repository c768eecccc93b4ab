package engine

// Second chance for dropped hits: the read buffers are lossy, and a single
// busy reader outruns the drainer, whose policy work per record (a sketch
// increment and a list move in a table too big for the CPU's caches) costs
// more than a Get hit. Replaying the P3 trace at 262,144 entries from one
// goroutine, a quarter of the records were dropped, and the entries whose
// hits were lost went as if never read: the static policy lost 1.7
// points against itself replayed alone (docs/BENCHMARKS.md).
//
// So a hit whose record is dropped marks its node instead, with one store
// to a cache line the read has just loaded, and the policy, about to let
// an entry go (a victim, or a candidate leaving the window), asks the
// engine whether it was read meanwhile: if so it applies that hit then,
// and the entry moves on as CLOCK's second chance would move it. The
// order among the late hits is lost, the fact of the read is not. The
// memory backend's policy asks only while its shape has admission off
// (policy's core.referenced): with it on, late hits rescued entries the
// frequency filter meant to let go.

// markRead records on n a hit whose record was dropped. It writes only
// when the mark is not already there, so that a hot entry's readers do
// not keep writing its cache line.
func (n *node[V]) markRead() {
	if n.read.Load() == 0 {
		n.read.Store(1)
	}
}

// readLate reports whether the entry of h was read by a hit the policy has
// not seen, and forgets the mark: the policy applies that hit. The caller
// holds the lock (the policy calls it from within the engine's calls).
func (e *Engine[V]) readLate(h uint64) bool {
	t, i := e.slotOf(h)
	if i < 0 {
		return false
	}
	n := t.slots[i].Load()
	if n.read.Load() == 0 {
		return false
	}
	n.read.Store(0)
	return true
}
