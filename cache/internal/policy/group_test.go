package policy

import (
	"fmt"
	"testing"
)

// TestGroupSketchCountsAsEachMiniaturesOwn checks that a shared sketch
// (tier, group.go) changes nothing the miniatures decide: each static
// miniature ends holding the entries, in the queues, with the hits that a
// core of its own, with a sketch of its own, gets from the same sampled
// requests. The sketch was one per miniature until the estimates' cost
// on a Get hit at 4,096 entries had to come down (docs/CACHE.md,
// "Sizing").
func TestGroupSketchCountsAsEachMiniaturesOwn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		c      uint64
		stream []uint64
	}{
		{"zipf", 2048, zipfStream(0.9, 100_000, 200_000, 3)},
		{"scans", 1024, scanStream(50_000, 200_000, 4)},
		{"loop", 4096, loopStream(5000, 100_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := New(tc.c, nil)
			// Each group's static miniatures, rebuilt alone: a core per
			// shape with its own sketch, as newGroup sizes them.
			refs := make([][]*core, len(p.groups))
			hits := make([][]uint64, len(p.groups))
			for i := range p.groups {
				g := &p.groups[i]
				for _, m := range g.shapes {
					hint := int(float64(min(g.full, maxHint))*g.scoreRate + 0.5)
					refs[i] = append(refs[i], newCoreSketch(m.p.capacity, m.p.cfg, hint))
				}
				hits[i] = make([]uint64, len(g.shapes))
			}
			held := map[uint64]bool{}
			var ev []uint64
			for _, h := range tc.stream {
				for i := range p.groups {
					if sampleValue(h) >= p.groups[i].scoreThreshold {
						continue
					}
					for j, r := range refs[i] {
						if r.hit(h) {
							hits[i][j]++
							continue
						}
						r.miss(h)
						ev = r.add(h, 1, ev[:0])
					}
				}
				if held[h] {
					p.Hit(h)
					continue
				}
				p.Miss(h)
				held[h] = true
				for _, e := range p.Add(h, 1, ev[:0]) {
					delete(held, e)
				}
			}
			for i := range p.groups {
				g := &p.groups[i]
				for j, m := range g.shapes {
					name := fmt.Sprintf("capacity %d, shape %+v", g.full, m.p.cfg)
					if m.hits != hits[i][j] {
						t.Errorf("%s: %d hits with the group's sketch, %d with its own", name, m.hits, hits[i][j])
					}
					r := refs[i][j]
					if m.p.a.len() != r.a.len() || m.p.queued != r.queued {
						t.Errorf("%s: holds %d entries %v with the group's sketch, %d %v with its own",
							name, m.p.a.len(), m.p.queued, r.a.len(), r.queued)
					}
					for _, h := range tc.stream {
						mi, mok := m.p.a.find(h)
						ri, rok := r.a.find(h)
						if mok != rok || (mok && m.p.a.nodes[mi].queue != r.a.nodes[ri].queue) {
							t.Fatalf("%s: key %#x held %v with the group's sketch, %v with its own (or in another queue)", name, h, mok, rok)
						}
					}
				}
			}
		})
	}
}

// TestScorersSampleFewerKeys checks the sizes of the miniatures: the
// cache's own group samples every miniature at its rate (they steer the
// cache), and an estimated capacity's static miniatures, which only rank
// the shapes for its adaptive one, hold at most SampleEntries/scoreShare
// entries while the adaptive one holds up to SampleEntries.
func TestScorersSampleFewerKeys(t *testing.T) {
	t.Parallel()
	p := New(16384, nil)
	for i := range p.groups {
		g := &p.groups[i]
		a := g.adaptive.p.capacity
		for _, m := range g.shapes {
			c := m.p.capacity
			switch {
			case i == 0 && c != a:
				t.Errorf("own capacity %d: a static miniature of %d entries, the adaptive one %d: want the same", g.full, c, a)
			case i > 0 && c > uint64(defaultSampleEntries/scoreShare):
				t.Errorf("capacity %d: a static miniature of %d entries, want at most %d", g.full, c, defaultSampleEntries/scoreShare)
			}
		}
		if c := g.shapes[0].p.capacity; i > 0 && a < 2*c {
			t.Errorf("capacity %d: the adaptive miniature holds %d entries, the static ones %d: want it to sample more keys", g.full, a, c)
		}
	}
}
