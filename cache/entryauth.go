package cache

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cacheurl"
	"github.com/prodready/prodready/signing"
)

// EntryPurpose is the purpose (see [signing.DeriveKey]) of the key that
// authenticates the entries of the redis and memcached backends:
//
//	key = HKDF-SHA256(SECRET_KEY, info = "prodready signing v1 prodready/cache-entry")
//
// A service in another language that shares the cache derives the same
// key from the same SECRET_KEY.
const EntryPurpose = "prodready/cache-entry"

// macSize is the length of an envelope's MAC: HMAC-SHA256 truncated to
// 128 bits. A forger who cannot compute HMAC has a 2^-128 chance per try,
// and each try is a round trip to the cache server; 16 bytes per entry is
// what the truncation saves over the full 32.
const macSize = 16

// ErrNoKey is returned by [New] for a redis or memcached configuration
// without a SecretKey: the entries on a shared server are authenticated,
// so that whoever can write to the server cannot forge them. Wrapped with
// prodready.ErrMissing. A configuration from prodready.Load always has
// one (SECRET_KEY, or the development key of this process).
var ErrNoKey = errors.New("no SECRET_KEY to authenticate the entries with (cache.New reads it from the configuration it is given: set SECRET_KEY)")

// An entryMAC seals (seal true: writes the MAC into b) or verifies (seal
// false: reports whether b's MAC is right) the envelope b stored under
// key, under one derived key. The key lives inside the closure, where no
// fmt verb can reach it.
type entryMAC func(key string, b []byte, seal bool) bool

// entryAuth authenticates a Cache's remote entries: the current key seals
// them, and it or any fallback verifies them. A nil *entryAuth does
// neither (the test hook NewWithBackend without a key).
type entryAuth struct {
	macs []entryMAC // the current key's first
}

// newEntryAuth derives the keys of cfg for the namespace cfg.Namespace.
func newEntryAuth(cfg prodready.CacheConfig) (*entryAuth, error) {
	a := &entryAuth{}
	for i, k := range append([]prodready.Secret{cfg.SecretKey}, cfg.SecretKeyFallbacks...) {
		m, err := newEntryMAC(k, cfg.Namespace)
		if err != nil {
			if i == 0 {
				return nil, fmt.Errorf("SecretKey: %w", err)
			}
			return nil, fmt.Errorf("SecretKeyFallbacks: key %d: %w", i, err)
		}
		a.macs = append(a.macs, m)
	}
	return a, nil
}

// macState is the reusable state of one MAC computation.
type macState struct {
	h   hash.Hash
	buf []byte // the namespace, the key and the header
	sum []byte
}

// maxKeptBuf bounds the buffer a macState keeps between uses.
const maxKeptBuf = 4 << 10

func newEntryMAC(secret prodready.Secret, ns string) (entryMAC, error) {
	k, err := signing.DeriveKey(secret, EntryPurpose)
	if err != nil {
		return nil, err
	}
	pool := &sync.Pool{New: func() any {
		return &macState{h: hmac.New(sha256.New, k), buf: make([]byte, 0, 256), sum: make([]byte, 0, sha256.Size)}
	}}
	return func(key string, b []byte, seal bool) bool {
		st := pool.Get().(*macState)
		// MAC input: len(ns) ns len(key) key, as uvarints and bytes, so
		// that no two (namespace, key) pairs give the same bytes; then the
		// envelope without its MAC field.
		buf := binary.AppendUvarint(st.buf[:0], uint64(len(ns)))
		buf = append(buf, ns...)
		buf = binary.AppendUvarint(buf, uint64(len(key)))
		buf = append(buf, key...)
		buf = append(buf, b[:envelopeHeader]...)
		st.h.Reset()
		st.h.Write(buf)
		st.h.Write(b[envelopeHeader+macSize:])
		st.sum = st.h.Sum(st.sum[:0])
		tag := b[envelopeHeader : envelopeHeader+macSize]
		ok := true
		if seal {
			copy(tag, st.sum[:macSize])
		} else {
			ok = hmac.Equal(st.sum[:macSize], tag)
		}
		if cap(buf) <= maxKeptBuf {
			st.buf = buf
		} else {
			st.buf = st.buf[:0]
		}
		pool.Put(st)
		return ok
	}, nil
}

// seal writes the MAC of the envelope b, stored under key, into b.
func (a *entryAuth) seal(key string, b []byte) {
	if a != nil {
		a.macs[0](key, b, true)
	}
}

// verify reports whether the envelope b, read from key, carries the MAC
// of the current key or of a fallback. b has been decoded: it is long
// enough.
func (a *entryAuth) verify(key string, b []byte) bool {
	if a == nil {
		return true
	}
	for _, m := range a.macs {
		if m(key, b, false) {
			return true
		}
	}
	return false
}

// checkRemoteKey refuses a redis or memcached configuration without a
// SecretKey, after checking its URL: a malformed URL is the first thing
// to fix. It is New's check, not build's, so that the tests of the
// envelope (NewWithBackend) can run without a key.
func checkRemoteKey(cfg prodready.CacheConfig) error {
	if cfg.SecretKey.IsSet() {
		return nil
	}
	var err error
	switch cfg.Backend {
	case prodready.CacheRedis:
		_, err = cacheurl.ParseRedis(cfg.URL.Reveal())
	case prodready.CacheMemcached:
		_, err = cacheurl.ParseMemcached(cfg.URL.Reveal())
	}
	if err != nil {
		return fmt.Errorf("%w: %w", prodready.ErrInvalid, err)
	}
	return fmt.Errorf("%w: %w", ErrNoKey, prodready.ErrMissing)
}
