package signing

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prodready/prodready"
)

// Errors that Verify wraps; test for them with errors.Is. A token for
// another purpose, signed with an unknown key, tampered with or malformed
// is invalid; only a token whose signature is valid can be expired.
var (
	// ErrInvalidSignature means a token is tampered with, malformed, too
	// long, of another purpose or format version, signed with a key the
	// Signer does not know, or dated in the future.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrExpired means a token's signature is valid but it was signed
	// longer ago than the Signer's MaxAge.
	ErrExpired = errors.New("token expired")
)

// Limits of tokens and purposes.
const (
	// MaxTokenSize is the longest token Verify reads, in bytes; a longer
	// one is rejected before any decoding.
	MaxTokenSize = 64 << 10
	// MaxPayloadSize is the largest payload, in bytes, whose token fits in
	// MaxTokenSize: Sign of a larger payload returns a token that Verify
	// rejects, and SignJSON returns an error instead. (Without timestamps,
	// a few bytes more fit.)
	MaxPayloadSize = (MaxTokenSize - tokenOverhead) * 3 / 4
	// MaxPurposeLen is the longest purpose, in bytes.
	MaxPurposeLen = 128
	// MaxClockSkew is how far in the future a token's timestamp may be
	// when Options.MaxAge is set, to allow for clocks that disagree
	// between the servers of a fleet.
	MaxClockSkew = time.Minute
)

// KeySize is the size in bytes of a purpose's derived key (see DeriveKey).
const KeySize = 32

const (
	version   = "v1"
	infoLabel = "prodready signing v1 "
	macLen    = sha256.Size
	// tokenOverhead is the length of a timestamped token minus the length
	// of its payload's base64: "v1." + "." + 11 + "." + 43.
	tokenOverhead = 59
)

var b64 = base64.RawURLEncoding.Strict()

// Options configure a Signer. A nil *Options is the zero Options.
type Options struct {
	// Fallbacks are previous keys, newest first. Verify tries them, in
	// order, after the current key; Sign never uses them. If Fallbacks is
	// nil, only the current key is accepted. An unset Secret among them
	// is an error.
	Fallbacks []prodready.Secret
	// MaxAge, if > 0, makes Verify reject tokens signed longer ago with
	// ErrExpired, and tokens dated more than MaxClockSkew in the future,
	// or carrying no timestamp, with ErrInvalidSignature. If MaxAge is 0,
	// the age of a token is not checked. A negative MaxAge is an error.
	MaxAge time.Duration
	// Now is the clock. If Now is nil, time.Now is used.
	Now func() time.Time
	// NoTimestamp, if true, makes Sign leave the timestamp out, for a token
	// 11 bytes shorter that never expires. It cannot be combined with
	// MaxAge.
	NoTimestamp bool
}

// A Signer signs and verifies tokens for one purpose with a current key and
// any number of fallback keys. Make one with New or FromConfig.
//
// A Signer is immutable and safe for concurrent use. It holds only the keys
// derived for its purpose, never the secrets it was made from, and its
// renderings (String, GoString, %v, %+v, %#v, JSON, slog) show neither.
type Signer struct {
	purpose     string
	keys        []macFunc // the current key, then the fallbacks in order
	maxAge      time.Duration
	now         func() time.Time
	noTimestamp bool
}

// A macFunc appends the MAC of msg to dst under one derived key. Signers
// hold their keys inside closures: fmt prints a func as an address, even
// in the "bad verb" path that dereferences pointers to structs and arrays.
type macFunc func(dst, msg []byte) []byte

func newMACFunc(secret prodready.Secret, purpose string) (macFunc, error) {
	key, err := DeriveKey(secret, purpose)
	if err != nil {
		return nil, err
	}
	pool := &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
	return func(dst, msg []byte) []byte {
		h := pool.Get().(hash.Hash)
		h.Reset()
		h.Write(msg)
		dst = h.Sum(dst)
		pool.Put(h)
		return dst
	}, nil
}

// DeriveKey returns the KeySize-byte key that a Signer made from key uses
// for purpose:
//
//	HKDF-SHA256(secret = key.Reveal(), salt = none, info = "prodready signing v1 " + purpose)
//
// It exists so that other code can use the same key: jwtauth hands it to
// golang-jwt, and a service in another language can derive it from the
// shared SECRET_KEY. The derived key is a secret: it signs tokens of that
// purpose. It reveals nothing about key or about the keys of other
// purposes (HKDF is one-way), so handing it to a component that needs only
// that purpose is safer than handing it SECRET_KEY.
//
// The error reports an unset key or an invalid purpose (see New); it never
// contains any part of key.
func DeriveKey(key prodready.Secret, purpose string) ([]byte, error) {
	if !key.IsSet() {
		return nil, errors.New("signing: key not set")
	}
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	k, err := hkdf.Key(sha256.New, []byte(key.Reveal()), nil, infoLabel+purpose, KeySize)
	if err != nil {
		return nil, fmt.Errorf("signing: derive key: %w", err)
	}
	return k, nil
}

func checkPurpose(p string) error {
	if p == "" {
		return errors.New("signing: empty purpose")
	}
	if len(p) > MaxPurposeLen {
		return fmt.Errorf("signing: purpose longer than %d bytes", MaxPurposeLen)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c > 0x7e {
			return fmt.Errorf("signing: purpose %q: only printable ASCII is allowed", p)
		}
	}
	if p[0] == ' ' || p[len(p)-1] == ' ' {
		// "session " and "session" would be two purposes with two keys,
		// and nobody could tell their configurations apart.
		return fmt.Errorf("signing: purpose %q begins or ends with a space", p)
	}
	return nil
}

// New returns a Signer for purpose that signs with key and verifies with
// key and then each of opts.Fallbacks, in order.
//
// The purpose names what the tokens are for ("session", "cursor", "jwt",
// "password-reset"): each purpose has its own derived key, so a token made
// for one never verifies for another. It is 1 to MaxPurposeLen bytes of
// printable ASCII, and neither begins nor ends with a space.
//
// New reports an error if key or a fallback is unset, if purpose is
// invalid, or if the options are inconsistent. It does not judge the
// strength of the keys; prodready.Load does, under a hardened profile.
func New(key prodready.Secret, purpose string, opts *Options) (*Signer, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	switch {
	case o.MaxAge < 0:
		return nil, errors.New("signing: negative MaxAge")
	case o.MaxAge > 0 && o.NoTimestamp:
		return nil, errors.New("signing: MaxAge needs timestamps, but NoTimestamp is set")
	}
	if !key.IsSet() {
		return nil, errors.New("signing: key not set")
	}
	s := &Signer{
		purpose:     purpose,
		keys:        make([]macFunc, 0, 1+len(o.Fallbacks)),
		maxAge:      o.MaxAge,
		now:         o.Now,
		noTimestamp: o.NoTimestamp,
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i, k := range append([]prodready.Secret{key}, o.Fallbacks...) {
		if !k.IsSet() {
			return nil, fmt.Errorf("signing: fallback key %d not set", i-1)
		}
		m, err := newMACFunc(k, purpose)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, m)
	}
	return s, nil
}

// FromConfig returns a Signer for purpose made from a loaded configuration:
// any struct that embeds prodready.Base, or a Base itself (see
// [prodready.Settings]). SECRET_KEY is the current key and
// SECRET_KEY_FALLBACKS the fallbacks, in order; the other options are taken
// from opts. Setting opts.Fallbacks as well is an error: the configuration
// is where the fallbacks of a rotation are given.
func FromConfig(cfg prodready.Settings, purpose string, opts *Options) (*Signer, error) {
	if cfg == nil {
		return nil, errors.New("signing: nil configuration")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Fallbacks != nil {
		return nil, errors.New("signing: Options.Fallbacks set for FromConfig, which takes the fallback keys from SECRET_KEY_FALLBACKS")
	}
	b := cfg.BaseConfig()
	if !b.SecretKey.IsSet() {
		return nil, errors.New("signing: SECRET_KEY not set")
	}
	for i, k := range b.SecretKeyFallbacks {
		if !k.IsSet() {
			return nil, fmt.Errorf("signing: SECRET_KEY_FALLBACKS: key %d not set", i)
		}
	}
	o.Fallbacks = b.SecretKeyFallbacks
	return New(b.SecretKey, purpose, &o)
}

// Purpose returns the purpose s signs for, or "" for a Signer not made by
// New or FromConfig.
func (s *Signer) Purpose() string {
	if s == nil {
		return ""
	}
	return s.purpose
}

// MaxAge returns the largest age of a token Verify accepts, or 0 for no
// limit.
func (s *Signer) MaxAge() time.Duration {
	if s == nil {
		return 0
	}
	return s.maxAge
}

// usable reports whether s was made by New or FromConfig. The zero Signer
// and a nil *Signer have no key: they sign nothing and verify nothing.
func (s *Signer) usable() bool { return s != nil && len(s.keys) > 0 }

var errNoKey = fmt.Errorf("signing: Signer not made by New or FromConfig: %w", ErrInvalidSignature)

// tokenLen returns the length of a token for a payload of n bytes.
func tokenLen(n int, ts bool) int {
	l := len(version) + 1 + b64.EncodedLen(n) + 1 + b64.EncodedLen(macLen) + 1
	if ts {
		l += b64.EncodedLen(8)
	}
	return l
}

// Sign returns a token that carries payload, the time, and a MAC of both
// under the current key. The token is URL-safe: letters, digits, '-', '_'
// and '.'. The payload is encoded, not encrypted: anyone can read it.
//
// A payload longer than MaxPayloadSize gives a token that Verify rejects
// (SignJSON reports the error). The zero Signer, which has no key, returns
// "", which is not a token. If the clock returns the zero time.Time, the
// token says it was signed in year 1, which a MaxAge treats as long
// expired.
func (s *Signer) Sign(payload []byte) string {
	if !s.usable() {
		return ""
	}
	return string(s.appendToken(nil, payload, s.now()))
}

// SignAt is Sign with the signing time t in place of the clock's, to the
// millisecond; a Signer made with NoTimestamp ignores t. It exists to sign
// again, with the current key, a token verified by a fallback key without
// extending its life: pass the Token's SignedAt (package session does).
//
// The time is the caller's word. Dating a token in the past only shortens
// its life under a MaxAge; dating it in the future lengthens it, but Verify
// rejects a token dated more than MaxClockSkew ahead of its clock when
// MaxAge is set, so SignAt can extend a life by MaxClockSkew at most.
func (s *Signer) SignAt(payload []byte, t time.Time) string {
	if !s.usable() {
		return ""
	}
	return string(s.appendToken(nil, payload, t))
}

// appendToken appends a token for payload signed at now to dst.
func (s *Signer) appendToken(dst, payload []byte, now time.Time) []byte {
	n := len(dst)
	dst = growTo(dst, tokenLen(len(payload), !s.noTimestamp)+macLen)
	dst = append(dst, version...)
	dst = append(dst, '.')
	dst = b64.AppendEncode(dst, payload)
	dst = append(dst, '.')
	if !s.noTimestamp {
		var ts [8]byte
		binary.BigEndian.PutUint64(ts[:], uint64(now.UnixMilli()))
		dst = b64.AppendEncode(dst, ts[:])
	}
	end := len(dst)
	// The MAC goes into the spare capacity, then is encoded after '.'.
	dst = s.keys[0](dst, dst[n:end])
	var mac [macLen]byte
	copy(mac[:], dst[end:])
	dst = append(dst[:end], '.')
	return b64.AppendEncode(dst, mac[:])
}

func growTo(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}

// Verify checks token and returns the payload it carries. It tries the
// current key first, then each fallback in the order of Options.Fallbacks,
// and accepts the first that matches, comparing MACs in constant time: an
// invalid token costs 1+len(Fallbacks) HMACs.
//
// The error wraps ErrInvalidSignature or, for a token whose signature is
// valid but whose age exceeds MaxAge, ErrExpired. It never contains the
// token or a key.
func (s *Signer) Verify(token string) ([]byte, error) {
	t, err := s.VerifyToken(token)
	return t.Payload, err
}

// A Token is what VerifyToken learns from a valid token.
type Token struct {
	// Payload is what was signed.
	Payload []byte
	// SignedAt is when it was signed, to the millisecond, or the zero
	// Time for a token without a timestamp. (A token signed by a clock
	// that returned the zero Time also has the zero SignedAt; under a
	// MaxAge it is expired.)
	SignedAt time.Time
	// KeyIndex says which key verified it: 0 for the current key, i for
	// Options.Fallbacks[i-1]. A token with KeyIndex > 0 should be signed
	// again before its key is retired: with SignAt and SignedAt, so that
	// its life is not extended.
	KeyIndex int
}

// VerifyToken is Verify that also says when the token was signed and which
// key verified it, so that a caller can re-sign a token verified by a
// fallback key. On error it returns the zero Token.
//
// The zero Signer and a nil *Signer reject every token with an error that
// wraps ErrInvalidSignature.
func (s *Signer) VerifyToken(token string) (Token, error) {
	if !s.usable() {
		return Token{}, errNoKey
	}
	if len(token) > MaxTokenSize {
		return Token{}, fmt.Errorf("signing: token longer than %d bytes: %w", MaxTokenSize, ErrInvalidSignature)
	}
	rest, ok := strings.CutPrefix(token, version+".")
	if !ok {
		return Token{}, fmt.Errorf("signing: unknown token format: %w", ErrInvalidSignature)
	}
	dot := strings.LastIndexByte(rest, '.')
	if dot < 0 {
		return Token{}, fmt.Errorf("signing: malformed token: %w", ErrInvalidSignature)
	}
	body, macText := rest[:dot], rest[dot+1:]
	p64, t64, ok := strings.Cut(body, ".")
	if !ok || strings.IndexByte(t64, '.') >= 0 || len(macText) != b64.EncodedLen(macLen) {
		return Token{}, fmt.Errorf("signing: malformed token: %w", ErrInvalidSignature)
	}
	var mac [macLen]byte
	if n, err := b64.Decode(mac[:], []byte(macText)); err != nil || n != macLen {
		return Token{}, fmt.Errorf("signing: malformed token: %w", ErrInvalidSignature)
	}
	signed := []byte(token[:len(version)+1+dot])
	var buf [macLen]byte
	idx := -1
	for i, k := range s.keys {
		if hmac.Equal(k(buf[:0], signed), mac[:]) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return Token{}, fmt.Errorf("signing: no key of purpose %q matches: %w", s.purpose, ErrInvalidSignature)
	}
	// The MAC is valid: what follows decodes text this package wrote.
	t := Token{KeyIndex: idx}
	if t64 != "" {
		var ts [8]byte
		if n, err := b64.Decode(ts[:], []byte(t64)); err != nil || n != 8 {
			return Token{}, fmt.Errorf("signing: malformed timestamp: %w", ErrInvalidSignature)
		}
		t.SignedAt = time.UnixMilli(int64(binary.BigEndian.Uint64(ts[:])))
	}
	if s.maxAge > 0 {
		if t64 == "" {
			return Token{}, fmt.Errorf("signing: token has no timestamp: %w", ErrInvalidSignature)
		}
		now := s.now()
		if t.SignedAt.Sub(now) > MaxClockSkew {
			return Token{}, fmt.Errorf("signing: token dated in the future: %w", ErrInvalidSignature)
		}
		if age := now.Sub(t.SignedAt); age > s.maxAge {
			return Token{}, fmt.Errorf("signing: token signed %s ago, max age %s: %w",
				age.Round(time.Second), s.maxAge, ErrExpired)
		}
	}
	p, err := b64.DecodeString(p64)
	if err != nil {
		return Token{}, fmt.Errorf("signing: malformed payload: %w", ErrInvalidSignature)
	}
	t.Payload = p
	return t, nil
}

// SignJSON returns a token carrying the JSON encoding of v. It reports
// json.Marshal's error, an encoding too large for a token Verify accepts
// (see MaxPayloadSize), and a Signer not made by New or FromConfig.
func (s *Signer) SignJSON(v any) (string, error) {
	if !s.usable() {
		return "", errNoKey
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("signing: %w", err)
	}
	if tokenLen(len(b), !s.noTimestamp) > MaxTokenSize {
		return "", fmt.Errorf("signing: payload of %d bytes makes a token longer than %d bytes", len(b), MaxTokenSize)
	}
	return s.Sign(b), nil
}

// VerifyJSON verifies token like Verify and decodes its payload into v with
// json.Unmarshal. A valid token whose payload does not decode into v gives
// an error that wraps neither sentinel: the token was signed for this
// purpose, so the mismatch is the program's, not the client's.
func (s *Signer) VerifyJSON(token string, v any) error {
	p, err := s.Verify(token)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(p, v); err != nil {
		return fmt.Errorf("signing: decode payload: %w", err)
	}
	return nil
}

// String describes s by purpose and key count; it shows no key.
func (s *Signer) String() string {
	if s == nil {
		return "signing.Signer(nil)"
	}
	return "signing.Signer{purpose: " + strconv.Quote(s.purpose) + ", keys: " + strconv.Itoa(len(s.keys)) + "}"
}

// GoString returns String, so that %#v shows no key either.
func (s *Signer) GoString() string { return s.String() }
