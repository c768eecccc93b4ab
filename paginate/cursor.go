package paginate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// Purpose is the signing purpose of cursors: their key is derived from the
// secret for this purpose alone, so no other token of the service (a session,
// a reset link) is a valid cursor, nor a cursor any other token.
const Purpose = "cursor"

// Limits of cursors.
const (
	// MaxCursorLen is the longest cursor token read, in bytes. A longer
	// one is rejected before its signature is checked.
	MaxCursorLen = 1024
	// MaxCursorKeys is the most sort keys a cursor holds.
	MaxCursorKeys = 8
)

// A Cursor is a position in a keyset-paginated listing: the sort keys of the
// last item of a page, and the direction of the sort. The next page holds the
// items that sort after it.
//
// Keys holds one value per sort column, in the order of [Keyset.Columns].
// Encode accepts any Go integer type (unsigned ones up to 2^63-1), string,
// []byte, float32 and float64 (finite), bool and time.Time. Decode returns
// int64, string, []byte, float64, bool and time.Time, so integers and strings
// round-trip exactly, the whole int64 range included, and a time.Time keeps
// its instant to the nanosecond and its offset from UTC (as a fixed zone, or
// UTC for a zero offset), but not its location name or monotonic reading.
//
// A Cursor made by [Keyset.After] also carries a digest of the keyset's
// columns, so that [Keyset.Where] refuses it for another sort (a client that
// changed ?sort= but kept the cursor).
type Cursor struct {
	Keys []any // one value per sort column
	Desc bool  // the listing is sorted in descending order

	order uint32 // digest of the Keyset columns it was made for; 0 for none
}

// A Cursors encodes each [Cursor] into an opaque token, and decodes tokens
// back. A token is signed, with a key derived for the purpose "cursor" (see package
// signing), so that a client can neither forge nor alter one: a cursor a
// client sends back holds keys the server itself wrote. Its content is not
// encrypted: do not put in it anything the client may not see.
//
// A Cursors is immutable and safe for concurrent use.
type Cursors struct {
	signer *signing.Signer
}

// NewCursors returns a Cursors that signs with key and accepts tokens signed
// with key or one of opts.Fallbacks. With opts.MaxAge set, older cursors are
// rejected as expired; a day is a reasonable age for a listing a person pages
// through. A nil opts is the zero signing.Options. The errors are signing.New's.
func NewCursors(key prodready.Secret, opts *signing.Options) (*Cursors, error) {
	s, err := signing.New(key, Purpose, opts)
	if err != nil {
		return nil, err
	}
	return &Cursors{signer: s}, nil
}

// Encode returns the token of cur, ready for a URL query. The error reports
// a key of an unsupported type, a non-finite float, an unsigned integer above
// 2^63-1, no keys or more than MaxCursorKeys, or a token that would be longer
// than MaxCursorLen; it is the program's, not the client's.
func (c *Cursors) Encode(cur Cursor) (string, error) {
	b, err := appendCursor(nil, cur)
	if err != nil {
		return "", err
	}
	tok := c.signer.Sign(b)
	if len(tok) > MaxCursorLen {
		return "", fmt.Errorf("paginate: cursor of %d bytes is longer than MaxCursorLen (%d): use shorter sort keys", len(tok), MaxCursorLen)
	}
	return tok, nil
}

// Decode returns the cursor that token encodes. It checks the length, then
// the signature, and only then decodes the content. Every error is a
// *ParamError for the parameter "cursor", wrapping ErrInvalidCursor and, when
// the signature does not verify, the signing error: errors.Is(err,
// signing.ErrExpired) reports an expired cursor.
func (c *Cursors) Decode(token string) (Cursor, error) {
	if len(token) > MaxCursorLen {
		return Cursor{}, cursorErr(token, fmt.Sprintf("longer than %d bytes", MaxCursorLen), ErrInvalidCursor)
	}
	payload, err := c.signer.Verify(token)
	if err != nil {
		reason := "invalid: tampered with, truncated, or signed with an unknown key"
		if errors.Is(err, signing.ErrExpired) {
			reason = "expired: start again from the first page"
		}
		return Cursor{}, cursorErr(token, reason, fmt.Errorf("%w: %w", ErrInvalidCursor, err))
	}
	cur, err := parseCursor(payload)
	if err != nil {
		// Only this service's key signs cursors: a signed but malformed
		// one comes from another version of the encoding.
		return Cursor{}, cursorErr(token, "malformed", fmt.Errorf("%w: %w", ErrInvalidCursor, err))
	}
	return cur, nil
}

func cursorErr(token, reason string, err error) *ParamError {
	return &ParamError{Param: ParamCursor, Value: truncate(token), Reason: reason, Err: err}
}

// The encoding of a cursor, before signing:
//
//	version byte (1)
//	flags byte: bit 0 descending, bit 1 column digest present; the other bits zero
//	column digest: 4 bytes big-endian, nonzero, if flag bit 1
//	count byte: 1 to MaxCursorKeys
//	count keys, each a type byte and its value:
//	  'i' int64    zig-zag varint
//	  's' string   uvarint length, bytes
//	  'b' []byte   uvarint length, bytes
//	  'f' float64  8 bytes, IEEE 754 big-endian, finite
//	  'o' bool     1 byte, 0 or 1
//	  't' time     varint Unix seconds, uvarint nanoseconds (< 1e9), varint UTC offset in seconds (|offset| < 1 day)
//
// Decoding is canonical: only the bytes Encode writes decode.
const cursorVersion = 1

const (
	flagDesc  = 1
	flagOrder = 2
)

func appendCursor(b []byte, cur Cursor) ([]byte, error) {
	if len(cur.Keys) == 0 || len(cur.Keys) > MaxCursorKeys {
		return nil, fmt.Errorf("paginate: cursor has %d keys: want 1 to %d", len(cur.Keys), MaxCursorKeys)
	}
	flags := byte(0)
	if cur.Desc {
		flags |= flagDesc
	}
	if cur.order != 0 {
		flags |= flagOrder
	}
	b = append(b, cursorVersion, flags)
	if cur.order != 0 {
		b = binary.BigEndian.AppendUint32(b, cur.order)
	}
	b = append(b, byte(len(cur.Keys)))
	for i, k := range cur.Keys {
		var err error
		if b, err = appendKey(b, k); err != nil {
			return nil, fmt.Errorf("paginate: cursor key %d: %w", i, err)
		}
	}
	return b, nil
}

func appendKey(b []byte, k any) ([]byte, error) {
	switch k := k.(type) {
	case int:
		return appendInt(b, int64(k)), nil
	case int8:
		return appendInt(b, int64(k)), nil
	case int16:
		return appendInt(b, int64(k)), nil
	case int32:
		return appendInt(b, int64(k)), nil
	case int64:
		return appendInt(b, k), nil
	case uint:
		return appendUint(b, uint64(k))
	case uint8:
		return appendUint(b, uint64(k))
	case uint16:
		return appendUint(b, uint64(k))
	case uint32:
		return appendUint(b, uint64(k))
	case uint64:
		return appendUint(b, k)
	case string:
		b = append(b, 's')
		b = binary.AppendUvarint(b, uint64(len(k)))
		return append(b, k...), nil
	case []byte:
		b = append(b, 'b')
		b = binary.AppendUvarint(b, uint64(len(k)))
		return append(b, k...), nil
	case float32:
		return appendFloat(b, float64(k))
	case float64:
		return appendFloat(b, k)
	case bool:
		if k {
			return append(b, 'o', 1), nil
		}
		return append(b, 'o', 0), nil
	case time.Time:
		_, off := k.Zone()
		b = append(b, 't')
		b = binary.AppendVarint(b, k.Unix())
		b = binary.AppendUvarint(b, uint64(k.Nanosecond()))
		return binary.AppendVarint(b, int64(off)), nil
	case nil:
		return nil, errors.New("nil: sort columns must not be NULL")
	default:
		return nil, fmt.Errorf("unsupported type %T", k)
	}
}

func appendInt(b []byte, n int64) []byte {
	return binary.AppendVarint(append(b, 'i'), n)
}

func appendUint(b []byte, n uint64) ([]byte, error) {
	if n > math.MaxInt64 {
		return nil, fmt.Errorf("%d is above the int64 range", n)
	}
	return appendInt(b, int64(n)), nil
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%v is not finite", f)
	}
	return binary.BigEndian.AppendUint64(append(b, 'f'), math.Float64bits(f)), nil
}

var errMalformed = errors.New("malformed cursor")

// parseCursor decodes what appendCursor wrote, and only that.
func parseCursor(b []byte) (Cursor, error) {
	if len(b) < 2 || b[0] != cursorVersion || b[1]&^(flagDesc|flagOrder) != 0 {
		return Cursor{}, errMalformed
	}
	cur := Cursor{Desc: b[1]&flagDesc != 0}
	r := b[2:]
	if b[1]&flagOrder != 0 {
		if len(r) < 4 {
			return Cursor{}, errMalformed
		}
		cur.order, r = binary.BigEndian.Uint32(r), r[4:]
		if cur.order == 0 {
			return Cursor{}, errMalformed
		}
	}
	if len(r) < 1 || r[0] == 0 || r[0] > MaxCursorKeys {
		return Cursor{}, errMalformed
	}
	n := int(r[0])
	cur.Keys = make([]any, 0, n)
	r = r[1:]
	for range n {
		if len(r) == 0 {
			return Cursor{}, errMalformed
		}
		typ := r[0]
		r = r[1:]
		var (
			k  any
			ok bool
		)
		switch typ {
		case 'i':
			var n int64
			n, r, ok = varint(r)
			k = n
		case 's', 'b':
			var n uint64
			n, r, ok = uvarint(r)
			if !ok || n > uint64(len(r)) {
				return Cursor{}, errMalformed
			}
			if typ == 's' {
				k = string(r[:n])
			} else {
				k = bytes.Clone(r[:n])
			}
			r = r[n:]
		case 'f':
			if len(r) < 8 {
				return Cursor{}, errMalformed
			}
			f := math.Float64frombits(binary.BigEndian.Uint64(r))
			k, r, ok = f, r[8:], !math.IsNaN(f) && !math.IsInf(f, 0)
		case 'o':
			if len(r) < 1 || r[0] > 1 {
				return Cursor{}, errMalformed
			}
			k, r, ok = r[0] == 1, r[1:], true
		case 't':
			var sec, off int64
			var nsec uint64
			if sec, r, ok = varint(r); !ok {
				break
			}
			if nsec, r, ok = uvarint(r); !ok || nsec >= 1e9 {
				ok = false
				break
			}
			if off, r, ok = varint(r); !ok || off <= -86400 || off >= 86400 {
				ok = false
				break
			}
			loc := time.UTC
			if off != 0 {
				loc = time.FixedZone("", int(off))
			}
			k = time.Unix(sec, int64(nsec)).In(loc)
		}
		if !ok {
			return Cursor{}, errMalformed
		}
		cur.Keys = append(cur.Keys, k)
	}
	if len(r) != 0 {
		return Cursor{}, errMalformed
	}
	// Canonical form: varints could be padded, so compare with what
	// Encode writes.
	if again, err := appendCursor(nil, cur); err != nil || !bytes.Equal(again, b) {
		return Cursor{}, errMalformed
	}
	return cur, nil
}

func varint(b []byte) (int64, []byte, bool) {
	n, w := binary.Varint(b)
	if w <= 0 {
		return 0, b, false
	}
	return n, b[w:], true
}

func uvarint(b []byte) (uint64, []byte, bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 {
		return 0, b, false
	}
	return n, b[w:], true
}
