package policy

// An index maps the hashes of a policy's entries to their nodes. It
// replaces a map[uint64]int32: the engine's background drain passes every
// sampled read to each miniature (4 candidates, and a group of 5 per
// estimated capacity with the estimates on), and a lookup in a Go map (hashing the already random
// hash, then probing its groups) was most of that cost (a CPU profile of
// a Get hit with the estimates on, docs/CACHE.md "Sizing").
//
// Open addressing with linear probing over one uint64 per slot: the top
// 32 bits of the hash scrambled by a multiply (Fibonacci hashing, so that
// hashes differing only in their high bits, or a test's small integers,
// spread), which also choose the home slot, and the node's index plus
// one; 0 is an empty slot. A match of those 32 bits is confirmed against
// the node's own hash, which the caller reads next anyway, so a lookup
// touches one slot's cache line and the node's. At most 3/4 full, at 8
// bytes a slot: 11 to 21 bytes an entry. A deletion shifts the entries
// after it back (no tombstones), so probes stay short under churn.
type index struct {
	slots []uint64
	shift uint // 32 - log2(len(slots)): a fingerprint's top bits are its home
	n     int
}

// minIndexSlots is the smallest table: a miniature of a few entries.
const minIndexSlots = 8

// init empties x and sizes it for hint entries.
func (x *index) init(hint int) {
	slots := minIndexSlots
	for slots*3 < hint*4 {
		slots *= 2
	}
	x.alloc(slots)
	x.n = 0
}

// alloc makes an empty table of slots slots, a power of two up to 2^32.
func (x *index) alloc(slots int) {
	x.slots = make([]uint64, slots)
	x.shift = 32
	for s := slots; s > 1; s >>= 1 {
		x.shift--
	}
}

// fingerprint returns the 32 bits of h a slot keeps.
func fingerprint(h uint64) uint32 { return uint32((h * 0x9e3779b97f4a7c15) >> 32) }

// home is the first slot probed for fingerprint f.
func (x *index) home(f uint32) int { return int(f >> x.shift) }

// len is the number of entries.
func (x *index) len() int { return x.n }

// get returns the node of h; nodes are the arena's.
func (x *index) get(h uint64, nodes []node) (int32, bool) {
	f := fingerprint(h)
	mask := len(x.slots) - 1
	for i := x.home(f); ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, false
		}
		if uint32(s>>32) == f {
			if v := int32(uint32(s) - 1); nodes[v].hash == h {
				return v, true
			}
		}
	}
}

// add maps h, which x does not hold, to node v.
func (x *index) add(h uint64, v int32) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	f := fingerprint(h)
	x.place(uint64(f)<<32 | uint64(uint32(v)+1))
	x.n++
}

// place puts slot value s at the first free slot from its home.
func (x *index) place(s uint64) {
	mask := len(x.slots) - 1
	i := x.home(uint32(s >> 32))
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

// grow doubles the table.
func (x *index) grow() {
	old := x.slots
	x.alloc(2 * len(old))
	for _, s := range old {
		if s != 0 {
			x.place(s)
		}
	}
}

// delete removes the mapping of h to node v, and shifts back the entries
// of the probe sequence after it that may take its slot.
func (x *index) delete(h uint64, v int32) {
	want := uint64(fingerprint(h))<<32 | uint64(uint32(v)+1)
	mask := len(x.slots) - 1
	p := x.home(uint32(want >> 32))
	for x.slots[p] != want {
		if x.slots[p] == 0 {
			return
		}
		p = (p + 1) & mask
	}
	x.n--
	for j := (p + 1) & mask; x.slots[j] != 0; j = (j + 1) & mask {
		// The entry at j may move to the hole at p unless its home lies
		// cyclically in (p, j]: then p is before its home.
		k := x.home(uint32(x.slots[j] >> 32))
		if (p < j && (k <= p || k > j)) || (p > j && k <= p && k > j) {
			x.slots[p] = x.slots[j]
			p = j
		}
	}
	x.slots[p] = 0
}

// memoryBytes is the memory the table holds.
func (x *index) memoryBytes() uint64 { return uint64(len(x.slots)) * 8 }
