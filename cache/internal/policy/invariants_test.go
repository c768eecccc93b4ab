package policy

import (
	"encoding/binary"
	"testing"
)

// checkCore verifies a core's bookkeeping against its lists: every
// indexed node is in the list of its queue exactly once, the per-queue
// and total weights add up, and the total is within the capacity.
func checkCore(t *testing.T, p *core) {
	t.Helper()
	var queued [numQueues]uint64
	seen := 0
	for q := range numQueues {
		prev := int32(q)
		for i := p.a.nodes[q].next; i != int32(q); i = p.a.nodes[i].next {
			n := p.a.nodes[i]
			if n.queue != q || n.prev != prev {
				t.Fatalf("node %d in list %d has queue %d, prev %d (want %d)", i, q, n.queue, n.prev, prev)
			}
			if j, ok := p.a.find(n.hash); !ok || j != i {
				t.Fatalf("node %d (hash %x) is listed but indexed at %d, %v", i, n.hash, j, ok)
			}
			queued[q] += uint64(n.weight)
			seen++
			prev = i
		}
	}
	if seen != p.a.len() {
		t.Fatalf("lists hold %d nodes, index %d", seen, p.a.len())
	}
	if queued != p.queued {
		t.Fatalf("queued weights = %v, lists add up to %v", p.queued, queued)
	}
	if w := queued[0] + queued[1] + queued[2]; w != p.weight {
		t.Fatalf("weight = %d, lists add up to %d", p.weight, w)
	}
	if p.weight > p.capacity {
		t.Fatalf("weight %d over capacity %d", p.weight, p.capacity)
	}
}

// A model is what the engine knows: the hashes it holds and their weights.
type model map[uint64]uint32

// apply checks an evict list against the model (only held hashes, or the
// hash just added; no duplicates) and removes its hashes.
func (m model) apply(t *testing.T, op string, added uint64, evict []uint64) {
	t.Helper()
	seen := map[uint64]bool{}
	for _, h := range evict {
		if _, ok := m[h]; !ok && h != added {
			t.Fatalf("%s: evicted %x, which is not held", op, h)
		}
		if seen[h] {
			t.Fatalf("%s: evicted %x twice", op, h)
		}
		seen[h] = true
		delete(m, h)
	}
}

// FuzzPolicy drives the LRU and the adaptive TinyLFU (sampling at under
// 1, so that the miniatures see a share of the keys; with the engine's
// second chance, some reads dropped and reported late, see SecondChancer;
// and with reads dropped and delivered to the miniatures, or counted, see
// Sampler and DropCounter) through arbitrary calls and checks the
// invariants after each: weight within capacity, Len and Weight those of
// the held entries, evictions only of held entries, Remove of an unknown
// hash a no-op.
func FuzzPolicy(f *testing.F) {
	f.Add([]byte{0, 1, 1, 0, 2, 1, 3, 1, 4, 5, 1, 6, 0, 2, 9, 1})
	f.Add(binary.LittleEndian.AppendUint64(nil, 0x0102030405060708))
	f.Fuzz(func(t *testing.T, ops []byte) {
		for _, mk := range []struct {
			name string
			new  func(c uint64) Policy
		}{
			{"LRU", func(c uint64) Policy { return NewLRU(c) }},
			{"TinyLFU", func(c uint64) Policy { return New(c, &Options{SampleEntries: 4}) }},
			{"static", func(c uint64) Policy {
				return New(c, &Options{Static: true, Config: &Config{Window: 0.5}, NoEstimates: true})
			}},
			{"second chance", func(c uint64) Policy { return New(c, &Options{SampleEntries: 4}) }},
			// one key in 16 sampled: it takes the dropped reads of its sample
			{"deliveries", func(c uint64) Policy { return New(c, &Options{SampleEntries: 1}) }},
		} {
			p := mk.new(16)
			m := model{}
			marked := map[uint64]bool{} // held entries read by a dropped hit
			if sc, ok := p.(SecondChancer); ok && mk.name == "second chance" {
				sc.SetReferenced(func(h uint64) bool {
					if _, ok := m[h]; !ok {
						t.Fatalf("asked about %x, which the engine does not hold", h)
					}
					r := marked[h]
					delete(marked, h)
					return r
				})
			}
			var evict []uint64
			for i := 0; i+2 < len(ops); i += 3 {
				op, key, w := ops[i]%7, uint64(ops[i+1]%40)*0x9e3779b97f4a7c15, uint32(ops[i+2]%20)
				_, held := m[key]
				switch op {
				case 0: // read
					if held && mk.name == "second chance" && w%2 == 0 {
						marked[key] = true // the record dropped
					} else if held {
						p.Hit(key)
					} else {
						p.Miss(key)
					}
				case 1, 2: // set
					m[key] = w // the engine's table holds the key as the policy decides
					evict = p.Add(key, w, evict[:0])
					m.apply(t, mk.name+" Add", key, evict)
					forget(marked, evict)
				case 3:
					if held {
						evict = p.Update(key, w, evict[:0])
						m[key] = w
						m.apply(t, mk.name+" Update", key, evict)
						forget(marked, evict)
					}
				case 4:
					p.Remove(key)
					delete(m, key)
					delete(marked, key)
				case 5:
					evict = p.SetCapacity(uint64(w)*2, evict[:0])
					m.apply(t, mk.name+" SetCapacity", 0, evict)
					forget(marked, evict)
				case 6: // a read the buffers dropped: spilled, and counted
					if s, ok := p.(Sampler); ok {
						s.Sampled(key, !held)
					}
					if dc, ok := p.(DropCounter); ok {
						dc.Dropped(uint64(w%3), uint64(w%5)*16)
					}
				}
				var sum uint64
				for _, w := range m {
					sum += uint64(w)
				}
				if p.Weight() > p.Capacity() || p.Len() != len(m) || p.Weight() != sum {
					t.Fatalf("%s after op %d: Weight %d, Capacity %d, Len %d; held %d entries weighing %d",
						mk.name, i/3, p.Weight(), p.Capacity(), p.Len(), len(m), sum)
				}
				if tl, ok := p.(*TinyLFU); ok {
					checkCore(t, tl.main)
					tl.eachMini(0, func(mm *mini) { checkCore(t, mm.p) })
				}
			}
		}
	})
}

// forget drops the marks of evicted entries, as the engine's nodes go
// with them.
func forget(marked map[uint64]bool, evict []uint64) {
	for _, h := range evict {
		delete(marked, h)
	}
}
