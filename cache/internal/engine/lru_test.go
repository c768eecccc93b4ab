package engine

import (
	"slices"
	"testing"
)

// refLRU is the plainest LRU: a slice, most recent first.
type refLRU struct {
	order    []uint64
	w        map[uint64]uint32
	capacity uint64
}

func (r *refLRU) weight() (t uint64) {
	for _, h := range r.order {
		t += uint64(r.w[h])
	}
	return t
}

func (r *refLRU) touch(h uint64) {
	if i := slices.Index(r.order, h); i >= 0 {
		r.order = slices.Delete(r.order, i, i+1)
		r.order = slices.Insert(r.order, 0, h)
	}
}

func (r *refLRU) add(h uint64, w uint32) (evicted []uint64) {
	if i := slices.Index(r.order, h); i >= 0 {
		r.order = slices.Delete(r.order, i, i+1)
	}
	if uint64(w) > r.capacity {
		delete(r.w, h)
		return []uint64{h}
	}
	r.order = slices.Insert(r.order, 0, h)
	r.w[h] = w
	return r.shed()
}

func (r *refLRU) shed() (evicted []uint64) {
	for r.weight() > r.capacity {
		h := r.order[len(r.order)-1]
		r.order = r.order[:len(r.order)-1]
		delete(r.w, h)
		evicted = append(evicted, h)
	}
	return evicted
}

func (r *refLRU) remove(h uint64) {
	if i := slices.Index(r.order, h); i >= 0 {
		r.order = slices.Delete(r.order, i, i+1)
		delete(r.w, h)
	}
}

// TestLRUMatchesReference drives the LRU and the reference with the same
// operations on hashes chosen to collide in the index (small hashes share
// low bits), so that the index's backward shifts and growth are exercised.
func TestLRUMatchesReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		capacity uint64
		keys     uint64
		stride   uint64 // multiplier: 16 makes every hash share its low 4 bits
	}{
		{"spread", 50, 200, 0x9e3779b97f4a7c15},
		{"colliding", 40, 100, 16},
		{"larger than the initial index", 500, 2000, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLRU(tt.capacity)
			r := &refLRU{w: map[uint64]uint32{}, capacity: tt.capacity}
			x := uint64(88172645463325252)
			for i := range 20_000 {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				h := (x%tt.keys + 1) * tt.stride
				w := uint32(x>>40%4 + 1)
				switch x >> 61 {
				case 0, 1, 2:
					got := l.Add(h, w, nil)
					if want := r.add(h, w); !slices.Equal(got, want) {
						t.Fatalf("op %d: Add(%d, %d) evicted %v, want %v", i, h, w, got, want)
					}
				case 3:
					l.Remove(h)
					r.remove(h)
				case 4:
					if i%1000 == 0 {
						c := tt.capacity/2 + x%tt.capacity
						l.capacity, r.capacity = c, c // as SetCapacity, checked below
						got := l.SetCapacity(c, nil)
						if want := r.shed(); !slices.Equal(got, want) {
							t.Fatalf("op %d: SetCapacity(%d) evicted %v, want %v", i, c, got, want)
						}
					}
				default:
					l.Hit(h)
					r.touch(h)
				}
				if l.Len() != len(r.order) || l.Weight() != r.weight() {
					t.Fatalf("op %d: Len, Weight = %d, %d, want %d, %d", i, l.Len(), l.Weight(), len(r.order), r.weight())
				}
			}
			var got []uint64
			for x := l.items[0].next; x != 0; x = l.items[x].next {
				got = append(got, l.items[x].h)
			}
			if !slices.Equal(got, r.order) {
				t.Fatalf("order = %v, want %v", got, r.order)
			}
		})
	}
}
