package policy

import "math/bits"

// A sketch estimates how often each hash was seen recently: a count-min
// sketch of 4-bit counters (TinyLFU, Einziger et al.), sixteen to a word,
// four counters per hash, all halved every period additions so that old
// popularity fades. It holds one word per entry it is sized for, as
// Caffeine's does.
type sketch struct {
	table     []uint64
	mask      uint64 // len(table) - 1
	additions int
	period    int
}

// resize sizes the sketch for entries entries, clearing it.
func (s *sketch) resize(entries int) {
	n := 1 << bits.Len(uint(max(entries, 16)-1))
	if cap(s.table) >= n {
		s.table = s.table[:n]
		clear(s.table)
	} else {
		s.table = make([]uint64, n)
	}
	s.mask = uint64(n - 1)
	s.additions = 0
	s.period = 10 * n
}

// entries is the number of entries the sketch is sized for.
func (s *sketch) entries() int { return len(s.table) }

// mix is a bijective 64-bit finaliser (splitmix64's), so that the
// counters of neighbouring hashes do not collide by construction.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// increment counts one occurrence of h, and halves every counter at the
// end of a period.
func (s *sketch) increment(h uint64) {
	h1 := mix(h)
	h2 := mix(h1) | 1
	added := false
	for i := range uint64(4) {
		x := h1 + i*h2
		w := &s.table[(x>>32)&s.mask]
		shift := (x & 15) << 2
		if (*w>>shift)&15 < 15 {
			*w += 1 << shift
			added = true
		}
	}
	if added {
		s.additions++
		if s.additions >= s.period {
			s.reset()
		}
	}
}

// frequency is the estimated count of h: the smallest of its counters.
func (s *sketch) frequency(h uint64) uint8 {
	h1 := mix(h)
	h2 := mix(h1) | 1
	f := uint64(15)
	for i := range uint64(4) {
		x := h1 + i*h2
		f = min(f, (s.table[(x>>32)&s.mask]>>((x&15)<<2))&15)
	}
	return uint8(f)
}

// reset halves every counter: the aging that lets the sketch forget.
func (s *sketch) reset() {
	for i, w := range s.table {
		s.table[i] = (w >> 1) & 0x7777777777777777
	}
	s.additions /= 2
}

// memoryBytes is the memory the sketch holds.
func (s *sketch) memoryBytes() uint64 { return uint64(cap(s.table)) * 8 }
