package memcached

import "time"

// Expiration exposes expiration to the tests.
func Expiration(ttl time.Duration, now time.Time) int32 { return expiration(ttl, now) }

// OpenConns returns the number of connections s holds open.
func OpenConns(s *Store) int { return s.conns.Open() }

// InFlight returns the number of s's calls in flight.
func InFlight(s *Store) int { return s.calls.InFlight() }
