package redact

import (
	"fmt"
	"strconv"
)

// maxKey is the longest key [Key] quotes.
const maxKey = 64

// Key renders a key that came from outside (a configuration file's
// unknown or duplicate key) for an error message: quoted when it looks
// like a name, else described by its length, since a secret pasted in
// the wrong place becomes a key. A name is at most 64 bytes of letters,
// digits, '_', '.' and '-' with at most 4 changes between lower case,
// upper case and digits (cache_ttl, oauth2_client_id, CacheTTL): random
// tokens change class every few characters (sk_live_4eC39Hq...).
func Key(k string) string {
	if k == "" || NameLike(k) {
		return strconv.Quote(k)
	}
	return fmt.Sprintf("of %d bytes (not shown: it does not look like a name)", len(k))
}

// NameLike reports whether k looks like a name rather than a token; see
// [Key].
func NameLike(k string) bool {
	if !nameLike(k, maxKey) {
		return false
	}
	changes, prev := 0, 0
	for i := 0; i < len(k); i++ {
		class := 0
		switch c := k[i]; {
		case 'a' <= c && c <= 'z':
			class = 1
		case 'A' <= c && c <= 'Z':
			class = 2
		case '0' <= c && c <= '9':
			class = 3
		}
		if class != 0 && prev != 0 && class != prev {
			changes++
		}
		prev = class
	}
	return changes <= 4
}
