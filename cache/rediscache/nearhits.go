package rediscache

// NearCacheHits returns how many reads the client-side (near) cache
// answered without a round trip to the server since New. It is zero with
// the client-side cache disabled. The cache package reports it as the
// metric cache.near_cache.hits.
func (s *Store) NearCacheHits() uint64 { return s.nearHits.Load() }
