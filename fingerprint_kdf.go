package prodready

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// The parameters of the key derivation that a fingerprint's key comes
// from: argon2id (RFC 9106) with 3 passes over 64 MiB, one lane, the
// second of RFC 9106's recommended settings but for its four lanes (lanes
// split the work between cores; they do not add to an attacker's cost).
// Each guess at SECRET_KEY then costs an attacker who holds a fingerprint
// 192 MiB of memory traffic and, here, about 150 ms of one core; docs/SECURITY.md
// gives the measurements (BenchmarkFingerprintKey). Changing any of these
// changes every fingerprint.
const (
	fingerprintKDFTime    = 3
	fingerprintKDFMemory  = 64 << 10 // KiB
	fingerprintKDFThreads = 1
	fingerprintKeySize    = 32
)

// fingerprintSalt is the argon2id salt. It is fixed, as replicas that do
// not share anything but their configuration must derive the same key; it
// keeps the derived key apart from every other use of SECRET_KEY.
var fingerprintSalt = []byte("prodready fingerprint v2")

// fingerprintKDFCalls counts the derivations, for the test that Load never
// runs one.
var fingerprintKDFCalls atomic.Int64

// fingerprintKeys remembers the keys derived in this process, by the
// SHA-256 of their SECRET_KEY, so that a service that shows its
// fingerprint on each health check pays for the derivation once. The
// process holds SECRET_KEY anyway: keeping its derived key adds nothing an
// attacker could read elsewhere.
var fingerprintKeys struct {
	sync.Mutex
	m map[[sha256.Size]byte][]byte
}

// fingerprintKey returns the key a fingerprint hides secrets behind: a
// memory-hard function of the SECRET_KEY k (argon2id), so that the
// fingerprint, which replicas print and compare, is a far slower oracle
// for k than a token signed with it. It is computed once per fingerprint,
// whatever the number of secrets, and only when a fingerprint is asked
// for, never by Load.
func fingerprintKey(k []byte) []byte {
	id := sha256.Sum256(k)
	fingerprintKeys.Lock()
	key, ok := fingerprintKeys.m[id]
	fingerprintKeys.Unlock()
	if ok {
		return key
	}
	key = deriveFingerprintKey(k)
	fingerprintKeys.Lock()
	if fingerprintKeys.m == nil || len(fingerprintKeys.m) >= 16 {
		fingerprintKeys.m = make(map[[sha256.Size]byte][]byte)
	}
	fingerprintKeys.m[id] = key
	fingerprintKeys.Unlock()
	return key
}

// deriveFingerprintKey runs the derivation itself.
func deriveFingerprintKey(k []byte) []byte {
	fingerprintKDFCalls.Add(1)
	return argon2.IDKey(k, fingerprintSalt, fingerprintKDFTime, fingerprintKDFMemory, fingerprintKDFThreads, fingerprintKeySize)
}
