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

// lockKey returns the key of the lock (TryLock) on the cache key k:
// "{tag}", the namespace and colon, lockMarker, then k, where tag puts the
// lock in the hash slot of k's own key. On a Redis Cluster a lock lives on
// the node of the data it guards, so that one node's failure takes both
// or neither, and a script may touch both; the data keys themselves carry
// no tag of ours, so they spread over every node. The lock keys start with
// '{', which no key of a namespace does unless the namespace starts with
// it, and hold lockMarker's NUL byte, which no data key of any namespace
// without one holds.
func (s *Store) lockKey(k string) string {
	return "{" + slotTags()[slot(s.key(k))] + "}" + s.prefix + lockMarker + k
}
