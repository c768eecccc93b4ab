package cache

// DeepSize is deepSize, for its tests.
var DeepSize = deepSize

// CleanUp runs the memory backend's pending maintenance (evictions), for
// the tests that measure the heap.
func (c *Cache[V]) CleanUp() { c.mem.CleanUp() }
