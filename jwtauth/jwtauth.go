package jwtauth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"slices"
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
	// MaxTTL is the longest Options.TTL New accepts: a JWT cannot be
	// revoked before it expires.
	MaxTTL = 7 * 24 * time.Hour
	// DefaultLeeway is the leeway Verify allows when Options.Leeway is 0:
	// signing.MaxClockSkew, the skew package signing tolerates.
	DefaultLeeway = signing.MaxClockSkew
	// MaxLeeway is the largest Options.Leeway New accepts.
	MaxLeeway = 5 * time.Minute
	// MaxTokenSize is the longest token Verify reads, in bytes; a longer
	// one is rejected before it is decoded.
	MaxTokenSize = 8 << 10
)

// Options configure an Authority. A nil *Options is the zero Options.
type Options struct {
	// Fallbacks are previous keys, newest first, whose "jwt" keys Verify
	// accepts after the current one's, for NewWithKey; New takes them from
	// SECRET_KEY_FALLBACKS and refuses them here. If Fallbacks is nil, only the
	// current key is accepted. An unset Secret among them is an error.
	Fallbacks []prodready.Secret
	// Issuer, if not "", is the "iss" claim NewClaims sets, Issue
	// requires of the claims it signs and Verify requires.
	Issuer string
	// Audience, if not "", is the "aud" claim NewClaims sets, and the
	// audience Issue requires among the claims' audiences and Verify
	// among a token's. Without Issuer and Audience, every service that
	// shares SECRET_KEY mints tokens this one accepts: set Audience.
	Audience string
	// TTL is the lifetime NewClaims gives a token. If TTL is 0, DefaultTTL
	// is used. A negative TTL or one over MaxTTL is an error.
	TTL time.Duration
	// Leeway is how far the clocks of the issuer and the verifier may
	// disagree: it extends "exp" and moves "nbf" and "iat" earlier. If
	// Leeway is 0, DefaultLeeway (one minute) is used; a negative Leeway
	// means none. A Leeway over MaxLeeway is an error.
	Leeway time.Duration
	// Now is the clock. If Now is nil, time.Now is used.
	Now func() time.Time
}

// An Authority issues and verifies HS256 JSON Web Tokens with the "jwt" key
// derived from SECRET_KEY, and accepts the "jwt" keys of the fallbacks.
// Make one with New or NewWithKey.
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

// NewWithKey returns an Authority for a key that does not come from the
// configuration ([New] is the usual constructor): it signs with key's
// "jwt" key and verifies with it and then each of opts.Fallbacks', in order. It reports an error for an
// unset key or fallback, for a negative TTL or one over MaxTTL, and for a
// Leeway over MaxLeeway.
func NewWithKey(key prodready.Secret, opts *Options) (*Authority, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.TTL < 0:
		return nil, errors.New("jwtauth: negative TTL")
	case o.TTL == 0:
		o.TTL = DefaultTTL
	case o.TTL > MaxTTL:
		return nil, fmt.Errorf("jwtauth: TTL %s over the maximum of %s", o.TTL, MaxTTL)
	}
	switch {
	case o.Leeway < 0:
		o.Leeway = 0
	case o.Leeway == 0:
		o.Leeway = DefaultLeeway
	case o.Leeway > MaxLeeway:
		return nil, fmt.Errorf("jwtauth: Leeway %s over the maximum of %s", o.Leeway, MaxLeeway)
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

// New returns an Authority for a loaded configuration: any struct that
// embeds prodready.Base, or a Base (see [prodready.Settings]). SECRET_KEY's
// "jwt" key signs; it and then SECRET_KEY_FALLBACKS' verify. Setting
// opts.Fallbacks as well is an error: the configuration is where the
// fallbacks of a rotation are given. The other errors are NewWithKey's.
func New(cfg prodready.Settings, opts *Options) (*Authority, error) {
	if cfg == nil {
		return nil, errors.New("jwtauth: nil configuration")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Fallbacks != nil {
		return nil, errors.New("jwtauth: Options.Fallbacks set for New, which takes the fallback keys from SECRET_KEY_FALLBACKS")
	}
	b := cfg.BaseConfig()
	if !b.SecretKey.IsSet() {
		return nil, errors.New("jwtauth: SECRET_KEY not set")
	}
	o.Fallbacks = b.SecretKeyFallbacks
	return NewWithKey(b.SecretKey, &o)
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
// without one would be valid for ever, and Verify rejects it. They must
// also carry the Issuer ("iss") and Audience (among "aud") of the options,
// when set, since Verify would reject a token without them; NewClaims sets
// both.
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
	if a.issuer != "" {
		if iss, err := claims.GetIssuer(); err != nil || iss != a.issuer {
			return "", fmt.Errorf("jwtauth: claims' issuer (iss) is not %q", a.issuer)
		}
	}
	if a.audience != "" {
		if aud, err := claims.GetAudience(); err != nil || !slices.Contains(aud, a.audience) {
			return "", fmt.Errorf("jwtauth: claims' audience (aud) does not include %q", a.audience)
		}
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = a.kids[0]
	s, err := t.SignedString(a.keys[0]())
	if err != nil {
		return "", fmt.Errorf("jwtauth: %w", err)
	}
	return s, nil
}

// Verify checks token and decodes its claims into claims: a non-nil
// pointer such as *jwt.RegisteredClaims, *jwt.MapClaims or a pointer to the
// service's own type embedding jwt.RegisteredClaims, or a non-nil
// jwt.MapClaims.
//
// It accepts the compact form only (three base64url fields, nothing else:
// no whitespace, no padding), HS256 only (never "none" nor another
// algorithm), a signature by the current key or a fallback's, tried in order
// (the key whose KeyID is the "kid" header only, when a token names a known
// one), an "exp" in the future, "nbf" and "iat" not in the future (give or
// take the leeway), and the issuer and audience of the options.
//
// It refuses a token whose header has a "crit" parameter (RFC 7515
// §4.1.11: no extension is understood) and one whose exp, nbf or iat is
// not a JSON number (RFC 7519 NumericDate; "exp":"1767229200" is refused).
//
// The error wraps signing.ErrExpired for a token whose only fault is its
// expiry, and signing.ErrInvalidSignature for every other failure (an
// expired token of the wrong issuer is invalid), along with golang-jwt's own
// error (jwt.ErrTokenExpired, jwt.ErrTokenSignatureInvalid,
// jwt.ErrTokenNotValidYet...). A validly signed token of another issuer or
// audience also wraps ErrIssuer or ErrAudience, and its error says so
// rather than "invalid signature". Claims of the wrong kind (nil, a struct
// rather than a pointer to it, a nil pointer or a nil map) are the
// program's mistake: the error then wraps neither sentinel.
//
// The token is decoded into a fresh value of claims' type, which is copied
// into claims only if the token is valid: on error, claims is unchanged. On
// success it holds the token's claims only; fields the token lacks are
// zero, and a jwt.MapClaims holds no other key.
func (a *Authority) Verify(token string, claims jwt.Claims) error {
	fresh, commit, err := freshClaims(claims)
	if err != nil {
		return err
	}
	if len(token) > MaxTokenSize {
		return fmt.Errorf("jwtauth: token longer than %d bytes: %w", MaxTokenSize, signing.ErrInvalidSignature)
	}
	if !compact(token) {
		return fmt.Errorf("jwtauth: token not in compact form: %w", signing.ErrInvalidSignature)
	}
	_, err = a.parser.ParseWithClaims(token, fresh, a.keyFunc)
	if err == nil {
		err = datesInRange(fresh)
	}
	switch {
	case err == nil:
		commit()
		return nil
	case onlyExpired(err):
		return fmt.Errorf("jwtauth: %w: %w", signing.ErrExpired, err)
	}
	if e := a.verifyFailure(err, fresh); e != nil {
		return e
	}
	return fmt.Errorf("jwtauth: %w: %w", signing.ErrInvalidSignature, err)
}

// minDate and maxDate bound the exp, nbf and iat a token may carry: the
// years 1970 to 9999, as RFC 7519's NumericDate and every JSON number a
// signer means. golang-jwt turns a number beyond int64 seconds (1e19) into a
// date far in the past, which would make such an nbf or iat pass its check.
var (
	minDate = time.Unix(0, 0)
	maxDate = time.Unix(253402300799, 0) // 9999-12-31T23:59:59Z
)

// datesInRange refuses a token whose exp, nbf or iat lies outside
// [minDate, maxDate].
func datesInRange(c jwt.Claims) error {
	for _, d := range []struct {
		name string
		get  func() (*jwt.NumericDate, error)
	}{{"exp", c.GetExpirationTime}, {"nbf", c.GetNotBefore}, {"iat", c.GetIssuedAt}} {
		t, err := d.get()
		if err != nil {
			return err
		}
		if t != nil && (t.Before(minDate) || t.After(maxDate)) {
			return rejection("claim " + d.name + " is outside the years 1970 to 9999")
		}
	}
	return nil
}

// compact reports whether token is three fields of base64url characters
// joined by '.'. Go's base64 decoders skip '\r' and '\n', so without this
// check several texts would verify as one token.
func compact(token string) bool {
	dots := 0
	for i := 0; i < len(token); i++ {
		switch c := token[i]; {
		case c == '.':
			dots++
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return dots == 2
}

// freshClaims returns a zero value of claims' type to parse into, and a
// function that copies it into claims. It reports claims that Verify cannot
// fill: nil, not a pointer or map, a nil pointer or a nil map.
func freshClaims(claims jwt.Claims) (jwt.Claims, func(), error) {
	if claims == nil {
		return nil, nil, errors.New("jwtauth: nil claims")
	}
	v := reflect.ValueOf(claims)
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil, fmt.Errorf("jwtauth: claims is a nil %T", claims)
		}
		fresh := reflect.New(v.Type().Elem())
		return fresh.Interface().(jwt.Claims), func() { v.Elem().Set(fresh.Elem()) }, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil, fmt.Errorf("jwtauth: claims is a nil %T; pass a pointer to it", claims)
		}
		fresh := reflect.MakeMap(v.Type())
		return fresh.Interface().(jwt.Claims), func() {
			v.Clear()
			for it := fresh.MapRange(); it.Next(); {
				v.SetMapIndex(it.Key(), it.Value())
			}
		}, nil
	default:
		return nil, nil, fmt.Errorf("jwtauth: claims of type %T cannot be filled; pass a pointer", claims)
	}
}

// onlyExpired reports whether err, from golang-jwt, has the expiry as its
// only cause. golang-jwt joins every failed claim check into one error, so
// errors.Is(err, jwt.ErrTokenExpired) holds for a token that is also of
// the wrong issuer or audience.
func onlyExpired(err error) bool {
	if !errors.Is(err, jwt.ErrTokenExpired) {
		return false
	}
	only := true
	var walk func(error)
	walk = func(e error) {
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		default:
			if e != jwt.ErrTokenExpired && e != jwt.ErrTokenInvalidClaims {
				only = false
			}
		}
	}
	walk(err)
	return only
}

func (a *Authority) keyFunc(t *jwt.Token) (any, error) {
	if t.Method != jwt.SigningMethodHS256 {
		return nil, fmt.Errorf("unexpected signing method %q", t.Method.Alg())
	}
	if err := checkToken(t); err != nil {
		return nil, err
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
