package cache

import (
	"hash/maphash"
	"sync/atomic"
)

// Write generations close the window between a GetOrLoad's miss and the
// registration of its load (see start): a Set or Delete that completes in
// that window is not overwritten by the load's result.
//
// Every Set and Delete bumps the generation of its key's stripe before it
// looks for an in-flight load; a miss reads the generation right after its
// lookup (the remote backends: before it), and start, having registered
// the load, reads it again. The two pairs of sequentially consistent
// atomics (the write's bump then its read of shard.loading, the load's
// increment of shard.loading then its read of the generation) make at
// least one side see the other: either the write finds the load and
// supersedes it under the shard's lock, or the load finds the bump and is
// born superseded (its result goes to its callers, and is not stored).
// A load whose miss came after the bump, while the write was still on its
// way, stores only into an empty entry (the engine's SetIfAbsent, or the
// remote backends' fenced store), so a write that lands first wins.
//
// Stripes are shared by keys: a write of another key of the stripe makes a
// concurrent load skip its store (a miss later, never a stale value). With
// genStripes stripes that is rare.

// genStripes is the number of write generations of a Cache.
const genStripes = 1024

// generations holds the write generation of each stripe of keys.
type generations [genStripes]atomic.Uint64

// gen returns the write generation of key's stripe. It uses the hash bits
// above those that pick the shard.
func (c *Cache[V]) gen(key string) *atomic.Uint64 {
	return &c.gens[(maphash.String(c.seed, key)>>32)%genStripes]
}

// wrote bumps the write generation of key, before a Set or Delete looks
// for the in-flight load of key.
func (c *Cache[V]) wrote(key string) { c.gen(key).Add(1) }

// written reports whether a Set or Delete of key's stripe began since the
// generation was g0.
func (c *Cache[V]) written(key string, g0 uint64) bool { return c.gen(key).Load() != g0 }
