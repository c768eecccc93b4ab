package rediscache

import "github.com/redis/rueidis"

// WrapClient replaces s's client by wrap of it.
func WrapClient(s *Store, wrap func(rueidis.Client) rueidis.Client) { s.client = wrap(s.client) }

// ReadsInFlight returns the reads in flight s's tracker counts, in all
// stripes.
func ReadsInFlight(s *Store) int64 {
	var n int64
	for i := range s.tracker.reads {
		n += s.tracker.reads[i].Load()
	}
	return n
}

// InFlight returns the number of s's calls in flight.
func InFlight(s *Store) int { return s.calls.InFlight() }

// OpenConns returns the number of connections s holds open.
func OpenConns(s *Store) int { return s.conns.Open() }

// DataKey returns the Redis key of the cache key k in s.
func DataKey(s *Store, k string) string { return s.key(k) }

// LockKey returns the Redis key of the lock (TryLock) on k in s.
func LockKey(s *Store, k string) string { return s.lockKey(k) }
