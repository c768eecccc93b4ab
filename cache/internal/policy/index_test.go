package policy

import (
	"math/rand/v2"
	"testing"
)

// TestIndexMatchesMap drives an index and a map with the same random adds
// and deletes, over key spaces that collide in the table's home slots in
// different ways (random hashes, small integers with 0, multiples of a
// large power of two), and checks that every lookup agrees and the count
// matches: the backward shift of a delete must keep every entry after it
// reachable, and a fingerprint match must be confirmed by the node.
func TestIndexMatchesMap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		key  func(r *rand.Rand) uint64
	}{
		{"random", func(r *rand.Rand) uint64 { return r.Uint64() }},
		{"small integers", func(r *rand.Rand) uint64 { return uint64(r.IntN(300)) }},
		{"multiples of 2^40", func(r *rand.Rand) uint64 { return uint64(r.IntN(300)) << 40 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(7, 9))
			var x index
			x.init(4)
			var nodes []node // node v holds the hash mapped to v
			model := map[uint64]int32{}
			var keys []uint64
			del := func(k uint64) {
				x.delete(k, model[k])
				delete(model, k)
			}
			for op := range 200_000 {
				switch {
				case r.IntN(3) > 0 || len(keys) == 0:
					k := tc.key(r)
					if _, ok := model[k]; ok {
						del(k) // a new node for k, as a policy's re-add
					} else {
						keys = append(keys, k)
					}
					v := int32(len(nodes))
					nodes = append(nodes, node{hash: k})
					model[k] = v
					x.add(k, v)
				default:
					j := r.IntN(len(keys))
					k := keys[j]
					keys[j] = keys[len(keys)-1]
					keys = keys[:len(keys)-1]
					del(k)
					if _, ok := x.get(k, nodes); ok {
						t.Fatalf("op %d: get(%#x) found after delete", op, k)
					}
				}
				if op%1000 == 0 || len(keys) < 50 {
					for k, v := range model {
						if got, ok := x.get(k, nodes); !ok || got != v {
							t.Fatalf("op %d: get(%#x) = %d, %v; want %d", op, k, got, ok, v)
						}
					}
				}
				if x.len() != len(model) {
					t.Fatalf("op %d: len() = %d, want %d", op, x.len(), len(model))
				}
				if len(keys) > 5000 { // churn around a steady size too
					for _, k := range keys[:2500] {
						del(k)
					}
					keys = keys[2500:]
				}
			}
		})
	}
}
