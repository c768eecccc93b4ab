package jwtauth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// Defaults and limits.
const (
	// Purpose is the signing purpose whose derived key signs the tokens
	// (see signing.DeriveKey).
	Purpose = "jwt"
	// DefaultTTL is the lifetime NewClaims gives a token when Options.TTL
	// is 0.
	DefaultTTL = 15 * time.Minute
	// MaxTokenSize is the longest token Verify reads, in bytes; a longer
	// one is rejected before it is decoded.
	MaxTokenSize = 8 << 10
)

// Options configure an Authority. A nil *Options is the zero Options.
type Options struct {
	// Fallbacks are previous keys, newest first, whose "jwt" keys Verify
	// accepts after the current one's. If Fallbacks is nil, only the
	// current key is accepted. An unset Secret among them is an error.
	Fallbacks []prodready.Secret
	// Issuer, if not "", is the "iss" claim NewClaims sets and Verify
	// requires.
	Issuer string
	// Audience, if not "", is the "aud" claim NewClaims sets and Verify
	// requires among a token's audiences.
	Audience string
	// TTL is the lifetime NewClaims gives a token. If TTL is 0, DefaultTTL
	// is used. A negative TTL is an error.
	TTL time.Duration
	// Leeway is how far the clocks of the issuer and the verifier may
	// disagree: it extends "exp" and moves "nbf" and "iat" earlier. If
	// Leeway is 0, there is none. A negative Leeway is an error.
	Leeway time.Duration
	// Now is the clock. If Now is nil, time.Now is used.
	Now func() time.Time
}

// An Authority issues and verifies HS256 JSON Web Tokens with the "jwt" key
// derived from SECRET_KEY, and accepts the "jwt" keys of the fallbacks.
// Make one with New or FromBase.
//
// An Authority is immutable and safe for concurrent use. It holds no
// secret in a form fmt or a logger can print.
type Authority struct {
	keys     []func() []byte // the current key, then the fallbacks'; closures so fmt cannot print them
	kids     []string        // each key's "kid"
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
	parser   *jwt.Parser
}

// New returns an Authority that signs with key's "jwt" key and verifies
// with it and then each fallback's, in order. It reports an error for an
// unset key or fallback and for a negative TTL or Leeway.
func New(key prodready.Secret, opts *Options) (*Authority, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.TTL < 0:
		return nil, errors.New("jwtauth: negative TTL")
	case o.TTL == 0:
		o.TTL = DefaultTTL
	}
	if o.Leeway < 0 {
		return nil, errors.New("jwtauth: negative Leeway")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &Authority{issuer: o.Issuer, audience: o.Audience, ttl: o.TTL, now: o.Now}
	for i, k := range append([]prodready.Secret{key}, o.Fallbacks...) {
		if !k.IsSet() {
			if i == 0 {
				return nil, errors.New("jwtauth: key not set")
			}
			return nil, fmt.Errorf("jwtauth: fallback key %d not set", i-1)
		}
		dk, err := signing.DeriveKey(k, Purpose)
		if err != nil {
			return nil, fmt.Errorf("jwtauth: %w", err)
		}
		a.keys = append(a.keys, func() []byte { return dk })
		a.kids = append(a.kids, KeyID(dk))
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(o.Now),
		jwt.WithLeeway(o.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
	}
	if o.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(o.Issuer))
	}
	if o.Audience != "" {
		popts = append(popts, jwt.WithAudience(o.Audience))
	}
	a.parser = jwt.NewParser(popts...)
	return a, nil
}

// FromBase returns an Authority made from a loaded configuration:
// b.SecretKey is the current key and b.SecretKeyFallbacks the fallbacks,
// which replace opts.Fallbacks.
func FromBase(b prodready.Base, opts *Options) (*Authority, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Fallbacks = b.SecretKeyFallbacks
	return New(b.SecretKey, &o)
}

// KeyID returns the "kid" header that tokens signed with the derived key
// key carry: the first 8 bytes of SHA-256("prodready jwt kid v1" + key),
// base64url. It identifies a key without revealing it.
func KeyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("prodready jwt kid v1"))
	h.Write(key)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:8])
}

// NewClaims returns registered claims for subject: "iss" and "aud" from the
// options, "iat" and "nbf" now, "exp" after the TTL. Embed them in the
// service's own claims type, or pass them to Issue as they are.
func (a *Authority) NewClaims(subject string) jwt.RegisteredClaims {
	now := a.now()
	c := jwt.RegisteredClaims{
		Issuer:    a.issuer,
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(a.ttl)),
	}
	if a.audience != "" {
		c.Audience = jwt.ClaimStrings{a.audience}
	}
	return c
}

// Issue returns claims as a compact HS256 JWT signed with the current key,
// with a "kid" header (see KeyID). The claims must have an expiry: a token
// without one would be valid for ever, and Verify rejects it.
func (a *Authority) Issue(claims jwt.Claims) (string, error) {
	if claims == nil {
		return "", errors.New("jwtauth: nil claims")
	}
	exp, err := claims.GetExpirationTime()
	if err != nil {
		return "", fmt.Errorf("jwtauth: %w", err)
	}
	if exp == nil {
		return "", errors.New("jwtauth: claims without an expiry (exp)")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = a.kids[0]
	s, err := t.SignedString(a.keys[0]())
	if err != nil {
		return "", fmt.Errorf("jwtauth: %w", err)
	}
	return s, nil
}

// Verify checks token and decodes its claims into claims, a pointer such as
// *jwt.RegisteredClaims, *jwt.MapClaims or the service's own type embedding
// jwt.RegisteredClaims.
//
// It accepts HS256 only (never "none" nor another algorithm), a signature by
// the current key or a fallback's, tried in order (the key whose KeyID is
// the "kid" header only, when a token names a known one), an "exp" in the
// future, "nbf" and "iat" not in the future (give or take the leeway), and
// the issuer and audience of the options.
//
// The error wraps signing.ErrExpired for an expired token and
// signing.ErrInvalidSignature for every other failure, along with
// golang-jwt's own error (jwt.ErrTokenExpired, jwt.ErrTokenSignatureInvalid,
// jwt.ErrTokenNotValidYet...). On error, claims may hold the token's
// unverified content: do not use it.
func (a *Authority) Verify(token string, claims jwt.Claims) error {
	if claims == nil {
		return errors.New("jwtauth: nil claims")
	}
	if len(token) > MaxTokenSize {
		return fmt.Errorf("jwtauth: token longer than %d bytes: %w", MaxTokenSize, signing.ErrInvalidSignature)
	}
	_, err := a.parser.ParseWithClaims(token, claims, a.keyFunc)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrTokenExpired):
		return fmt.Errorf("jwtauth: %w: %w", signing.ErrExpired, err)
	default:
		return fmt.Errorf("jwtauth: %w: %w", signing.ErrInvalidSignature, err)
	}
}

func (a *Authority) keyFunc(t *jwt.Token) (any, error) {
	if t.Method != jwt.SigningMethodHS256 {
		return nil, fmt.Errorf("unexpected signing method %q", t.Method.Alg())
	}
	if kid, ok := t.Header["kid"].(string); ok {
		for i, k := range a.kids {
			if k == kid {
				return a.keys[i](), nil
			}
		}
	}
	set := jwt.VerificationKeySet{Keys: make([]jwt.VerificationKey, len(a.keys))}
	for i, k := range a.keys {
		set.Keys[i] = k()
	}
	return set, nil
}

// String describes a by issuer and key count; it shows no key.
func (a *Authority) String() string {
	return "jwtauth.Authority{issuer: " + strconv.Quote(a.issuer) + ", keys: " + strconv.Itoa(len(a.keys)) + "}"
}

// GoString returns String, so that %#v shows no key either.
func (a *Authority) GoString() string { return a.String() }
