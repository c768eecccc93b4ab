package paginate

import (
	"bytes"
	"database/sql/driver"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
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
// items that sort after it. Make one with [Keyset.After]: [Keyset.Where]
// accepts only a cursor that After made for the same keyset, directly or
// through a token, and refuses a Cursor literal.
//
// Keys holds one value per sort column, in the order of [Keyset.Columns].
// Encode accepts what database/sql binds, reduced the way it reduces them:
//
//   - Go integers (unsigned ones up to 2^63-1), string, []byte, bool,
//     float32 and float64 (not NaN or an infinity), and time.Time;
//   - a type whose underlying type is one of those (type ID int64), as that
//     type;
//   - a driver.Valuer (sql.NullInt64, uuid.UUID), as the value its Value
//     method returns, which must not be NULL;
//   - [16]byte, or a type of that underlying type without a Value method;
//   - last, an encoding.TextMarshaler (netip.Addr), as its text, a string.
//
// Decode returns int64, string, []byte, [16]byte, float64, bool and
// time.Time, and Where binds those. A Valuer or TextMarshaler therefore comes
// back as its value, not its type: a uuid.UUID, whose Value is its text, is
// bound as a string, which PostgreSQL converts to uuid, but which SQLite
// compares as TEXT, right only against a column that holds the same text.
// Integers and strings round-trip exactly, the whole int64 range included,
// and a time.Time keeps its instant to the nanosecond, its offset from UTC
// and its zone abbreviation ("EST"), in a fixed zone (time.UTC for UTC), so
// that it prints as it did; it loses its location's rules and its monotonic
// reading.
//
// The token of a cursor is at most [MaxCursorLen] bytes, which leaves about
// 700 bytes for the keys; Encode fails for longer ones.
type Cursor struct {
	Keys []any // one value per sort column
	Desc bool  // the listing is sorted in descending order

	order uint32 // digest of the Keyset it was made for; 0 for none
}

// A Cursors encodes each [Cursor] into an opaque token, and decodes tokens
// back. A token is signed, with a key derived for the purpose "cursor" (see
// package signing), so that a client can neither forge nor alter one: a
// cursor a client sends back holds keys the server itself wrote. Its content
// is not encrypted: the client can read the keys, so do not sort by anything
// the client may not see.
//
// A Cursors is immutable and safe for concurrent use.
type Cursors struct {
	signer *signing.Signer
}

// NewCursors returns a Cursors for a loaded configuration: it signs with
// SECRET_KEY and accepts tokens signed with it or one of
// SECRET_KEY_FALLBACKS. cfg is any struct that embeds prodready.Base, or a
// Base (see [prodready.Settings]). With opts.MaxAge set, older cursors are
// rejected as expired; a day is a reasonable age for a listing a person
// pages through. A nil opts is the zero signing.Options. The errors are
// signing.FromConfig's.
func NewCursors(cfg prodready.Settings, opts *signing.Options) (*Cursors, error) {
	s, err := signing.FromConfig(cfg, Purpose, opts)
	if err != nil {
		return nil, err
	}
	return &Cursors{signer: s}, nil
}

// Encode returns the token of cur, ready for a URL query. The error reports
// a key of an unsupported type, a NULL (nil) key, a NaN or infinite float, an
// unsigned integer above 2^63-1, a time whose zone name is longer than 32
// bytes or not printable ASCII, or whose offset from UTC is a day or more, a
// Value or MarshalText method's error, no keys or more than MaxCursorKeys, or
// a token that would be longer than MaxCursorLen; it names the key and is
// the program's, not the client's. [NewEnvelope] calls its next function,
// which usually calls Encode, for the last row of every page, so that such
// an error shows on the first page, not only on pages that have a next one.
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
//	  'u' [16]byte 16 bytes
//	  't' time     varint Unix seconds, uvarint nanoseconds (< 1e9), varint UTC offset in seconds (|offset| < 1 day),
//	               uvarint length and bytes of the zone name (at most 32 bytes, printable ASCII, no space)
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

// appendKey appends the key k. Types beyond the built-in ones are reduced to
// them the way database/sql binds an argument: a driver.Valuer by its
// Value, a named type by its kind; then [16]byte and, last, an
// encoding.TextMarshaler by its text.
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
		return appendString(b, 's', k), nil
	case []byte:
		return appendString(b, 'b', string(k)), nil
	case [16]byte:
		return append(append(b, 'u'), k[:]...), nil
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
		return appendTime(b, k)
	case nil:
		return nil, errors.New("nil: sort columns must not be NULL")
	case driver.Valuer:
		v, err := valueOf(k)
		if err != nil {
			return nil, fmt.Errorf("%T: %w", k, err)
		}
		switch v.(type) {
		case int64, float64, bool, []byte, string, time.Time:
			return appendKey(b, v)
		case nil:
			return nil, fmt.Errorf("%T is NULL: sort columns must not be NULL", k)
		}
		return nil, fmt.Errorf("%T: Value returned %T, not a driver.Value", k, v)
	}
	switch v := reflect.ValueOf(k); v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(b, v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return appendUint(b, v.Uint())
	case reflect.String:
		return appendString(b, 's', v.String()), nil
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, v.Float())
	case reflect.Bool:
		return appendKey(b, v.Bool())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return appendString(b, 'b', string(v.Bytes())), nil
		}
	case reflect.Array:
		if v.Len() == 16 && v.Type().Elem().Kind() == reflect.Uint8 {
			var u [16]byte
			for i := range u {
				u[i] = byte(v.Index(i).Uint())
			}
			return appendKey(b, u)
		}
	}
	if m, ok := k.(encoding.TextMarshaler); ok {
		text, err := m.MarshalText()
		if err != nil {
			return nil, fmt.Errorf("%T: %w", k, err)
		}
		return appendString(b, 's', string(text)), nil
	}
	return nil, fmt.Errorf("unsupported type %T", k)
}

// valueOf calls v.Value, turning a panic of a nil pointer receiver into an
// error as database/sql does.
func valueOf(v driver.Valuer) (val driver.Value, err error) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	return v.Value()
}

func appendString(b []byte, typ byte, s string) []byte {
	b = append(b, typ)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// maxZoneName is the longest time zone abbreviation a cursor holds. The
// abbreviations of the tz database have 3 to 6 characters.
const maxZoneName = 32

func appendTime(b []byte, t time.Time) ([]byte, error) {
	name, off := t.Zone()
	if off <= -86400 || off >= 86400 {
		return nil, fmt.Errorf("time %v: UTC offset of %ds is not within a day", t, off)
	}
	if !validZoneName(name) {
		return nil, fmt.Errorf("time %v: zone name %q: want at most %d printable ASCII characters without spaces", t, name, maxZoneName)
	}
	b = append(b, 't')
	b = binary.AppendVarint(b, t.Unix())
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	b = binary.AppendVarint(b, int64(off))
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...), nil
}

func validZoneName(s string) bool {
	if len(s) > maxZoneName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
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
	if math.IsNaN(f) {
		return nil, errors.New("float NaN: a NaN sort key orders before or after nothing; keep NaN out of sort columns")
	}
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("float %v: not finite", f)
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
		case 'u':
			if len(r) < 16 {
				return Cursor{}, errMalformed
			}
			k, r, ok = [16]byte(r[:16]), r[16:], true
		case 't':
			var sec, off int64
			var nsec, n uint64
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
			if n, r, ok = uvarint(r); !ok || n > uint64(len(r)) || !validZoneName(string(r[:n])) {
				ok = false
				break
			}
			name := string(r[:n])
			r = r[n:]
			// The zone's name and offset, so that the time prints as
			// it did when encoded: a driver that binds t.String()
			// (modernc.org/sqlite) then binds the text it stored.
			loc := time.UTC
			if off != 0 || name != "UTC" {
				loc = time.FixedZone(name, int(off))
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
