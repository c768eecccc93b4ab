package rediscache

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// hashMarker follows the namespace (and a NUL byte) in the key of a cache
// key that holds a NUL byte; lockMarker, in the key of a lease.
const (
	hashMarker = "\x00sha256:"
	lockMarker = "\x00lock:"
)

// key returns the Redis key of the cache key k. A k with a NUL byte is
// stored under its hash, so that no cache key reaches the keys that start
// with a NUL byte after the namespace: those of hashed keys and leases.
func (s *Store) key(k string) string {
	if strings.IndexByte(k, 0) < 0 {
		return s.prefix + k
	}
	sum := sha256.Sum256([]byte(k))
	return s.prefix + hashMarker + hex.EncodeToString(sum[:])
}

func (s *Store) lockKey(k string) string { return s.prefix + lockMarker + k }
