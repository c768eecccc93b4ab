package cache

// Unsettled reports whether a failed write of key is still being repaired
// (see unsettled.go), for the linearizability test: while it is, c reads
// key as a miss, which the model cannot see.
func Unsettled[V any](c *Cache[V], key string) bool { return c.isUnsettled(key) }
