package cache

import (
	"encoding/binary"
	"encoding/json"
	"errors"
)

// A Codec turns values into bytes and back, for the backends that store
// entries outside the process. Marshal receives a V; Unmarshal receives a *V
// to fill. A Codec must be safe for concurrent use. An error from either is
// not fatal: a value that does not encode is not stored, and one that does
// not decode is a miss; both are counted in [Stats].CodecErrors.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default [Codec]: encoding/json.
type JSON struct{}

// Marshal returns the JSON encoding of v.
func (JSON) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes the JSON data into v.
func (JSON) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

var _ Codec = JSON{}

// The envelope wraps every value stored in a Backend, so that logical
// expiry (by the Cache's clock), negative entries, refresh-ahead and
// per-entry TTLs work the same on every backend, and so that an entry
// nobody holding the key wrote is never served:
//
//	byte 0      version (envelopeVersion)
//	byte 1      flags (flagNegative)
//	bytes 2-9   expiry, Unix nanoseconds, big-endian
//	bytes 10-17 start of the refresh-ahead window, Unix nanoseconds; 0 for none
//	bytes 18-25 the TTL the entry was stored with, before jitter, nanoseconds
//	bytes 26-33 fingerprint of the value's type and the Codec (see fingerprint)
//	bytes 34-49 MAC: HMAC-SHA256 of the namespace, the key and every other
//	            byte of the envelope, truncated to 16 bytes (see entryAuth)
//	bytes 50-   the Codec's encoding of the value; empty for a negative entry
//
// Versions 1 (no TTL or fingerprint) and 2 (no MAC) are misses.
const (
	envelopeVersion = 3
	envelopeHeader  = 34
	flagNegative    = 1 << 0
)

// errCorrupt reports an envelope that does not parse.
var errCorrupt = errors.New("corrupt entry")

// envelope is a decoded entry header.
type envelope struct {
	negative    bool
	expires     int64 // Unix nanoseconds
	refreshAt   int64 // Unix nanoseconds; 0 for none
	ttl         int64 // nanoseconds
	fingerprint uint64
	mac         [macSize]byte // as read; encodeEnvelope writes it as is
	payload     []byte
}

func encodeEnvelope(e envelope) []byte {
	b := make([]byte, envelopeHeader+macSize+len(e.payload))
	b[0] = envelopeVersion
	if e.negative {
		b[1] |= flagNegative
	}
	binary.BigEndian.PutUint64(b[2:], uint64(e.expires))
	binary.BigEndian.PutUint64(b[10:], uint64(e.refreshAt))
	binary.BigEndian.PutUint64(b[18:], uint64(e.ttl))
	binary.BigEndian.PutUint64(b[26:], e.fingerprint)
	copy(b[envelopeHeader:], e.mac[:])
	copy(b[envelopeHeader+macSize:], e.payload)
	return b
}

func decodeEnvelope(b []byte) (envelope, error) {
	if len(b) < envelopeHeader+macSize || b[0] != envelopeVersion || b[1]&^flagNegative != 0 {
		return envelope{}, errCorrupt
	}
	e := envelope{
		negative:    b[1]&flagNegative != 0,
		expires:     int64(binary.BigEndian.Uint64(b[2:])),
		refreshAt:   int64(binary.BigEndian.Uint64(b[10:])),
		ttl:         int64(binary.BigEndian.Uint64(b[18:])),
		fingerprint: binary.BigEndian.Uint64(b[26:]),
		payload:     b[envelopeHeader+macSize:],
	}
	copy(e.mac[:], b[envelopeHeader:])
	if e.negative && len(e.payload) != 0 {
		return envelope{}, errCorrupt
	}
	return e, nil
}
