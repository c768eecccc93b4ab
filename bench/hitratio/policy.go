package hitratio

import (
	"hash/fnv"

	"github.com/prodready/prodready/cache/policysim"
)

// newPolicy is the policy of the memory backend (cache/internal/policy,
// through its exported alias cache/policysim) wrapped single-threaded: a
// map of the keys it holds plays the values, and the evictions it
// reports keep the map in step. Keys are hashed with FNV-1a, so that
// every run samples the same keys.
func newPolicy(o *policysim.Options) func(int) (Policy, error) {
	return func(size int) (Policy, error) {
		return &policyCache{p: policysim.New(uint64(size), o), keys: make(map[uint64]struct{}, size)}, nil
	}
}

// A policyCache replays a trace through a policysim.Policy.
type policyCache struct {
	p     *policysim.Policy
	keys  map[uint64]struct{}
	evict []uint64
}

// hashKey is the 64-bit FNV-1a hash of k.
func hashKey(k string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(k))
	return f.Sum64()
}

func (c *policyCache) Access(k string) bool {
	h := hashKey(k)
	if _, ok := c.keys[h]; ok {
		c.p.Hit(h)
		return true
	}
	c.p.Miss(h)
	c.keys[h] = struct{}{}
	c.evict = c.p.Add(h, 1, c.evict[:0])
	for _, e := range c.evict {
		delete(c.keys, e)
	}
	return false
}

func (c *policyCache) Close() {}
