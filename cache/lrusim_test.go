package cache

import (
	"container/list"
	"math/rand/v2"
	"sync"

	"github.com/prodready/prodready/cache/internal/policy"
)

// The autosize tests need a cache that estimates, before the engine and
// its policy are wired in. simLRU is a real one, small and exact: an LRU
// of keys of weight 1 (capacity in entries), with miniature LRUs fed a
// spatially sampled share of the keys (Waldspurger et al., SHARDS and
// miniature simulations), at ¼× to 8× the capacity, whose hit ratios are
// its estimates. Nothing in it is canned: the estimates come from
// replaying the keys.

// lru is a plain LRU set of keys.
type lru struct {
	cap   int
	order *list.List // front: most recent
	at    map[uint64]*list.Element
}

func newLRU(capacity int) *lru {
	return &lru{cap: max(capacity, 1), order: list.New(), at: map[uint64]*list.Element{}}
}

// access reads k and adds it on a miss; it reports a hit.
func (l *lru) access(k uint64) bool {
	if e, ok := l.at[k]; ok {
		l.order.MoveToFront(e)
		return true
	}
	l.at[k] = l.order.PushFront(k)
	l.trim()
	return false
}

func (l *lru) resize(capacity int) {
	l.cap = max(capacity, 1)
	l.trim()
}

func (l *lru) trim() {
	for l.order.Len() > l.cap {
		e := l.order.Back()
		delete(l.at, e.Value.(uint64))
		l.order.Remove(e)
	}
}

// copyFrom fills l, empty, with the most recent keys of o: an LRU is a
// stack algorithm, so a smaller LRU holds exactly the front of a larger
// one, and a new mini starts warm instead of counting its cold misses.
func (l *lru) copyFrom(o *lru) {
	for e := o.order.Front(); e != nil && l.order.Len() < l.cap; e = e.Next() {
		k := e.Value.(uint64)
		l.at[k] = l.order.PushBack(k)
	}
}

// simSample is the sampling rate of the minis: a key is sampled when its
// hash is 0 modulo simSample. simDecay is the number of sampled requests
// after which a mini halves its counts, so that its hit ratio follows a
// working set that changes.
const (
	simSample = 8
	simDecay  = 8192
)

// mini is a miniature simulation of an LRU of full-size capacity full.
type mini struct {
	full       uint64
	l          *lru
	hits, reqs uint64
}

// simLRU is an LRU with estimates; it implements sizer. It is safe for
// concurrent use, as the autosize loop and a request stream use it at
// once.
type simLRU struct {
	mu      sync.Mutex
	main    *lru
	minis   []*mini // in increasing order of full
	sets    []uint64
	maxSeen uint64 // the largest capacity ever set
}

var _ sizer = (*simLRU)(nil)

func newSimLRU(capacity uint64) *simLRU {
	s := &simLRU{main: newLRU(int(capacity)), maxSeen: capacity}
	s.layMinis(capacity)
	return s
}

// simHash mixes a key (SplitMix64's finaliser), so that sampling by its low
// bits is spatial sampling: a key is in or out, at every request of it.
func simHash(k uint64) uint64 {
	k ^= k >> 30
	k *= 0xbf58476d1ce4e5b9
	k ^= k >> 27
	k *= 0x94d049bb133111eb
	return k ^ k>>31
}

// layMinis arranges the minis at ¼× to 8× of capacity, keeping those of
// a capacity already simulated and warming new ones from the largest
// smaller-or-equal one's keys.
func (s *simLRU) layMinis(capacity uint64) {
	var out []*mini
	for _, m := range []uint64{capacity / 4, capacity / 2, capacity, 2 * capacity, 4 * capacity, 8 * capacity} {
		if m == 0 {
			continue
		}
		var kept *mini
		for _, old := range s.minis {
			if old.full == m {
				kept = old
			}
		}
		if kept == nil {
			kept = &mini{full: m, l: newLRU(int(m / simSample))}
			var from *mini
			for _, old := range s.minis {
				if from == nil || old.full > from.full {
					from = old
				}
			}
			if from != nil {
				kept.l.copyFrom(from.l)
			}
		}
		out = append(out, kept)
	}
	s.minis = out
}

// Access reads key k and adds it on a miss, in the cache and in the minis
// that sample it; it reports a hit of the cache.
func (s *simLRU) Access(k uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	hit := s.main.access(k)
	if h := simHash(k); h%simSample == 0 {
		for _, m := range s.minis {
			if m.l.access(h) {
				m.hits++
			}
			m.reqs++
			if m.reqs >= simDecay {
				m.hits, m.reqs = m.hits/2, m.reqs/2
			}
		}
	}
	return hit
}

func (s *simLRU) Capacity() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(s.main.cap)
}

func (s *simLRU) SetCapacity(c uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.main.resize(int(c))
	s.layMinis(c)
	s.sets = append(s.sets, c)
	s.maxSeen = max(s.maxSeen, c)
}

func (s *simLRU) Estimates() []policy.Estimate {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]policy.Estimate, 0, len(s.minis))
	for _, m := range s.minis {
		e := policy.Estimate{Capacity: m.full, Requests: m.reqs, RecentRequests: m.reqs}
		if m.reqs > 0 {
			// Its counts are halved often: they are recent.
			e.HitRatio = float64(m.hits) / float64(m.reqs)
			e.RecentHitRatio = e.HitRatio
		}
		out = append(out, e)
	}
	return out
}

// zipfKeys returns a deterministic Zipf stream of n keys over a key space
// of size keys (rank r is key r), with exponent 1.1.
func zipfKeys(seed uint64, n int, keys uint64) []uint64 {
	z := rand.NewZipf(rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), 1.1, 1, keys-1)
	out := make([]uint64, n)
	for i := range out {
		out[i] = z.Uint64()
	}
	return out
}
