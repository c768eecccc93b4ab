package cache

import (
	"math"
	"math/rand/v2"
	"time"
)

// An item is an entry of the redis and memcached backends, decoded. The
// memory backend stores V itself in its engine (cache/internal/engine),
// which keeps the lifetime, and its negative entries in a second engine, so
// that its hit path reads exactly what the engine's does.
type item[V any] struct {
	v         V
	base      time.Duration // the TTL asked for, before jitter
	ttl       time.Duration // jittered lifetime
	refreshAt int64         // Unix nanoseconds from which a read refreshes; 0 for never
	negative  bool          // a cached ErrNotFound
}

// result returns the item's value, or ErrNotFound for a negative item.
func (it *item[V]) result() (V, error) {
	if it.negative {
		var zero V
		return zero, ErrNotFound
	}
	return it.v, nil
}

// negativeHit reports whether the memory backend holds a negative entry
// for key.
func (c *Cache[V]) negativeHit(key string) bool {
	if c.neg == nil {
		return false
	}
	_, ok := c.neg.GetIfPresent(key)
	return ok
}

// newItem returns the remote entry for v with a jittered ttl.
func (c *Cache[V]) newItem(v V, negative bool, ttl time.Duration) item[V] {
	ttl = min(ttl, MaxTTL)
	it := item[V]{base: ttl, ttl: c.jitter(ttl), negative: negative}
	if !negative {
		it.v = v
		if c.refresh {
			ahead := time.Duration(float64(it.ttl) * c.o.RefreshAhead)
			it.refreshAt = addNanos(c.now().UnixNano(), it.ttl-ahead)
		}
	}
	return it
}

// addNanos returns t (Unix nanoseconds) plus d, saturated at the largest
// time an int64 holds.
func addNanos(t int64, d time.Duration) int64 {
	if d > 0 && t > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return t + int64(d)
}

// lifetime returns the lifetime of a value written to the memory backend
// with ttl, over an entry that had rest to live (rest is
// not positive for a new entry). It is the jittered TTL, except that a
// write never brings forward a deadline that is itself within the
// jittered range of the TTL, so that rewriting a hot key does not move its
// deadline about. The lifetime stays within the jitter band.
func (c *Cache[V]) lifetime(ttl, rest time.Duration) time.Duration {
	d := c.jitter(ttl)
	if rest > d && float64(rest) <= float64(ttl)*(1+c.o.Jitter) {
		return rest
	}
	return d
}

// jitter returns ttl, cut to MaxTTL, times a random factor in
// [1-Jitter, 1+Jitter].
func (c *Cache[V]) jitter(ttl time.Duration) time.Duration {
	ttl = min(ttl, MaxTTL)
	if c.o.Jitter == 0 {
		return ttl
	}
	f := float64(ttl) * (1 + c.o.Jitter*(2*rand.Float64()-1))
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return max(time.Duration(f), 1)
}
