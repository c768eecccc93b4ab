package cache

import (
	"fmt"
	"math"
	"runtime/debug"
	"time"
)

// A memEntry is an entry of the memory backend: the value and the TTL it
// was stored with, which sets its lifetime, its refresh-ahead window and
// the TTL of its refresh.
type memEntry[V any] struct {
	v   V
	ttl time.Duration
	w   uint32 // weight, with MaxMemory; computed before the write (see newMemEntry)
}

// entryOverhead approximates the bytes the memory backend spends on an
// entry besides its key and value: the engine's node, its table slot and
// the policy's record of it.
const entryOverhead = 128

// newMemEntry returns the memory entry of v stored under key with ttl,
// weighed when MaxMemory is set. The weight is computed here, before
// the engine's write and outside its lock, so that a Weigher or Codec that
// panics does not panic inside the engine: the panic is returned as a
// *PanicError, counted in CodecErrors.
func (c *Cache[V]) newMemEntry(key string, v V, ttl time.Duration) (e memEntry[V], err error) {
	e = memEntry[V]{v: v, ttl: ttl}
	if !c.weighs {
		return e, nil
	}
	defer func() {
		if r := recover(); r != nil {
			c.slow.codecErrors.Add(1)
			err = fmt.Errorf("cache: weigh: %w", &PanicError{Value: r, Stack: debug.Stack(), op: "weigher"})
		}
	}()
	e.w = c.weigh(key, v)
	return e, nil
}

// weigh returns the approximate size of an entry for MaxMemory, at least
// minWeight; the engine's Weigher reads it from the entry. It may panic (user
// code): newMemEntry recovers.
func (c *Cache[V]) weigh(key string, v V) uint32 {
	n := uint64(entryOverhead + len(key))
	if c.o.Weigher != nil {
		n += uint64(max(c.o.Weigher(key, v), 0))
	} else {
		switch x := any(v).(type) {
		case string:
			n += uint64(len(x))
		case []byte:
			n += uint64(len(x))
		default:
			n += deepSize(v) // see deepsize.go
		}
	}
	n = max(n, c.minWeight)
	return uint32(min(n, math.MaxUint32))
}
