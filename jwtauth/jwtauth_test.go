package jwtauth_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/jwtauth"
	"github.com/prodready/prodready/signing"
)

func newKey(tb testing.TB) prodready.Secret {
	tb.Helper()
	k, err := prodready.GenerateKey(rand.Reader, 32)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func mustNew(tb testing.TB, key prodready.Secret, opts *jwtauth.Options) *jwtauth.Authority {
	tb.Helper()
	a, err := jwtauth.NewWithKey(key, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func derived(tb testing.TB, key prodready.Secret) []byte {
	tb.Helper()
	k, err := signing.DeriveKey(key, jwtauth.Purpose)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// rawToken signs header and claims by hand with HMAC-SHA256 under key.
func rawToken(tb testing.TB, header, claims any, key []byte) string {
	tb.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	text := enc(header) + "." + enc(claims)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(text))
	return text + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     prodready.Secret
		opts    *jwtauth.Options
		wantErr bool
	}{
		{name: "defaults", key: newKey(t)},
		{name: "options", key: newKey(t), opts: &jwtauth.Options{Fallbacks: []prodready.Secret{newKey(t)}, Issuer: "i", Audience: "a", TTL: time.Hour, Leeway: time.Second}},
		{name: "unset key", wantErr: true},
		{name: "unset fallback", key: newKey(t), opts: &jwtauth.Options{Fallbacks: []prodready.Secret{{}}}, wantErr: true},
		{name: "negative TTL", key: newKey(t), opts: &jwtauth.Options{TTL: -1}, wantErr: true},
		{name: "negative leeway means none", key: newKey(t), opts: &jwtauth.Options{Leeway: -1}},
		{name: "max TTL", key: newKey(t), opts: &jwtauth.Options{TTL: jwtauth.MaxTTL}},
		{name: "TTL over max", key: newKey(t), opts: &jwtauth.Options{TTL: jwtauth.MaxTTL + time.Second}, wantErr: true},
		{name: "max leeway", key: newKey(t), opts: &jwtauth.Options{Leeway: jwtauth.MaxLeeway}},
		{name: "leeway over max", key: newKey(t), opts: &jwtauth.Options{Leeway: jwtauth.MaxLeeway + time.Second}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := jwtauth.NewWithKey(tt.key, tt.opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestIssueVerify(t *testing.T) {
	t.Parallel()
	type custom struct {
		Role string `json:"role"`
		jwt.RegisteredClaims
	}
	a := mustNew(t, newKey(t), &jwtauth.Options{Issuer: "api", Audience: "web", Now: clockAt(t0)})
	c := a.NewClaims("user-42")
	if c.Issuer != "api" || c.Subject != "user-42" || len(c.Audience) != 1 || c.Audience[0] != "web" ||
		!c.IssuedAt.Equal(t0) || !c.NotBefore.Equal(t0) || !c.ExpiresAt.Equal(t0.Add(jwtauth.DefaultTTL)) {
		t.Errorf("NewClaims() = %+v", c)
	}
	token, err := a.Issue(custom{Role: "admin", RegisteredClaims: c})
	if err != nil {
		t.Fatal(err)
	}
	var got custom
	if err := a.Verify(token, &got); err != nil {
		t.Fatalf("Verify(Issue()) error = %v", err)
	}
	if got.Role != "admin" || got.Subject != "user-42" {
		t.Errorf("Verify() claims = %+v", got)
	}
	var m jwt.MapClaims
	if err := a.Verify(token, &m); err != nil || m["role"] != "admin" {
		t.Errorf("Verify(MapClaims) = %v, %v", m, err)
	}
}

func TestIssueErrors(t *testing.T) {
	t.Parallel()
	a := mustNew(t, newKey(t), nil)
	tests := []struct {
		name   string
		claims jwt.Claims
	}{
		{name: "nil", claims: nil},
		{name: "no exp", claims: jwt.RegisteredClaims{Subject: "x"}},
		{name: "map without exp", claims: jwt.MapClaims{"sub": "x"}},
		{name: "map with bad exp", claims: jwt.MapClaims{"exp": "tomorrow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, err := a.Issue(tt.claims); err == nil {
				t.Errorf("Issue() = %q, want an error", got)
			}
		})
	}
}

func TestVerifyTime(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	const ttl = 10 * time.Minute
	issuer := mustNew(t, key, &jwtauth.Options{TTL: ttl, Now: clockAt(t0)})
	token, err := issuer.Issue(issuer.NewClaims("u"))
	if err != nil {
		t.Fatal(err)
	}
	dk := derived(t, key)
	future, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		IssuedAt:  jwt.NewNumericDate(t0.Add(time.Hour)),
		ExpiresAt: jwt.NewNumericDate(t0.Add(2 * time.Hour)),
	}).SignedString(dk)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		token   string
		now     time.Time
		leeway  time.Duration
		wantErr error
		wantJWT error
	}{
		{name: "fresh", token: token, now: t0},
		{name: "before exp", token: token, now: t0.Add(ttl - time.Second), leeway: -1},
		{name: "at exp, no leeway", token: token, now: t0.Add(ttl), leeway: -1, wantErr: signing.ErrExpired, wantJWT: jwt.ErrTokenExpired},
		{name: "after exp, no leeway", token: token, now: t0.Add(ttl + time.Second), leeway: -1, wantErr: signing.ErrExpired, wantJWT: jwt.ErrTokenExpired},
		{name: "after exp within leeway", token: token, now: t0.Add(ttl + time.Second), leeway: 5 * time.Second},
		{name: "after exp within default leeway", token: token, now: t0.Add(ttl + jwtauth.DefaultLeeway - time.Second)},
		{name: "after exp beyond default leeway", token: token, now: t0.Add(ttl + jwtauth.DefaultLeeway), wantErr: signing.ErrExpired, wantJWT: jwt.ErrTokenExpired},
		{name: "before nbf, no leeway", token: token, now: t0.Add(-time.Second), leeway: -1, wantErr: signing.ErrInvalidSignature, wantJWT: jwt.ErrTokenNotValidYet},
		{name: "before nbf within leeway", token: token, now: t0.Add(-time.Second), leeway: 5 * time.Second},
		{name: "before nbf within default leeway", token: token, now: t0.Add(-jwtauth.DefaultLeeway)},
		{name: "before nbf beyond default leeway", token: token, now: t0.Add(-jwtauth.DefaultLeeway - time.Second), wantErr: signing.ErrInvalidSignature, wantJWT: jwt.ErrTokenNotValidYet},
		{name: "iat in the future", token: future, now: t0, wantErr: signing.ErrInvalidSignature, wantJWT: jwt.ErrTokenUsedBeforeIssued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := mustNew(t, key, &jwtauth.Options{Now: clockAt(tt.now), Leeway: tt.leeway})
			var c jwt.RegisteredClaims
			err := a.Verify(tt.token, &c)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Verify() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantJWT != nil && !errors.Is(err, tt.wantJWT) {
				t.Errorf("Verify() error = %v, want it to wrap %v", err, tt.wantJWT)
			}
			if errors.Is(err, signing.ErrExpired) && errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("Verify() error = %v wraps both sentinels", err)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	dk := derived(t, key)
	a := mustNew(t, key, &jwtauth.Options{Issuer: "api", Audience: "web", Now: clockAt(t0)})
	good := a.NewClaims("u")
	valid, err := a.Issue(good)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"sub": "u", "iss": "api", "aud": "web", "exp": t0.Add(time.Hour).Unix()}
	sign := func(m jwt.SigningMethod, k any) string {
		s, err := jwt.NewWithClaims(m, jwt.MapClaims(claims)).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withClaims := func(mod func(c *jwt.RegisteredClaims)) string {
		c := good
		mod(&c)
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(dk)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	parts := strings.Split(valid, ".")
	tests := []struct {
		name  string
		token string
	}{
		{name: "empty", token: ""},
		{name: "garbage", token: "a.b.c"},
		{name: "alg none", token: sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType)},
		{name: "alg none, empty signature", token: strings.Join(strings.Split(rawToken(t, map[string]string{"alg": "none", "typ": "JWT"}, claims, dk), ".")[:2], ".") + "."},
		{name: "alg NONE", token: rawToken(t, map[string]string{"alg": "NONE"}, claims, dk)},
		{name: "HS384 with the right key", token: sign(jwt.SigningMethodHS384, dk)},
		{name: "HS512 with the right key", token: sign(jwt.SigningMethodHS512, dk)},
		{name: "RS256 header, HMAC signature", token: rawToken(t, map[string]string{"alg": "RS256"}, claims, dk)},
		{name: "no alg", token: rawToken(t, map[string]string{"typ": "JWT"}, claims, dk)},
		{name: "signed with SECRET_KEY itself", token: sign(jwt.SigningMethodHS256, []byte(key.Reveal()))},
		{name: "signed with another purpose's key", token: func() string {
			k, _ := signing.DeriveKey(key, "session")
			return sign(jwt.SigningMethodHS256, k)
		}()},
		{name: "other key", token: sign(jwt.SigningMethodHS256, derived(t, newKey(t)))},
		{name: "payload changed", token: parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","exp":9999999999}`)) + "." + parts[2]},
		{name: "signature changed", token: parts[0] + "." + parts[1] + "." + flip(parts[2], 3)},
		{name: "signature dropped", token: parts[0] + "." + parts[1] + "."},
		{name: "no exp", token: withClaims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })},
		{name: "other issuer", token: withClaims(func(c *jwt.RegisteredClaims) { c.Issuer = "evil" })},
		{name: "no issuer", token: withClaims(func(c *jwt.RegisteredClaims) { c.Issuer = "" })},
		{name: "other audience", token: withClaims(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"mobile"} })},
		{name: "known kid, other key", token: func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, good)
			tok.Header["kid"] = jwtauth.KeyID(dk)
			s, _ := tok.SignedString(derived(t, newKey(t)))
			return s
		}()},
		{name: "too long", token: parts[0] + "." + strings.Repeat("A", jwtauth.MaxTokenSize) + "." + parts[2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c jwt.MapClaims
			err := a.Verify(tt.token, &c)
			if !errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("Verify() error = %v, want ErrInvalidSignature", err)
			}
		})
	}
}

// flip returns s with its byte i replaced by another base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// TestInterop checks our tokens against plain golang-jwt given the derived
// key, and theirs against ours, both ways.
func TestInterop(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	dk := derived(t, key)
	now := time.Now()
	a := mustNew(t, key, &jwtauth.Options{Issuer: "api", Now: func() time.Time { return now }})

	ours, err := a.Issue(a.NewClaims("alice"))
	if err != nil {
		t.Fatal(err)
	}
	var rc jwt.RegisteredClaims
	tok, err := jwt.ParseWithClaims(ours, &rc, func(*jwt.Token) (any, error) { return dk, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("api"), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil || !tok.Valid || rc.Subject != "alice" {
		t.Errorf("golang-jwt Parse(our token) = %v, %+v, %v", tok, rc, err)
	}
	if tok != nil && tok.Header["kid"] != jwtauth.KeyID(dk) {
		t.Errorf("kid = %v, want %v", tok.Header["kid"], jwtauth.KeyID(dk))
	}
	if _, err := jwt.Parse(ours, func(*jwt.Token) (any, error) { return []byte(key.Reveal()), nil }); err == nil {
		t.Error("our token verifies with SECRET_KEY itself; want the derived key only")
	}

	theirs := []struct {
		name   string
		claims jwt.Claims
		kid    string
	}{
		{name: "registered claims", claims: jwt.RegisteredClaims{Issuer: "api", Subject: "bob", ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}},
		{name: "map claims", claims: jwt.MapClaims{"iss": "api", "sub": "bob", "exp": now.Add(time.Minute).Unix()}},
		{name: "foreign kid", claims: jwt.MapClaims{"iss": "api", "sub": "bob", "exp": now.Add(time.Minute).Unix()}, kid: "their-key-1"},
	}
	for _, tt := range theirs {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, tt.claims)
			if tt.kid != "" {
				tok.Header["kid"] = tt.kid
			}
			s, err := tok.SignedString(dk)
			if err != nil {
				t.Fatal(err)
			}
			var got jwt.RegisteredClaims
			if err := a.Verify(s, &got); err != nil || got.Subject != "bob" {
				t.Errorf("Verify(golang-jwt token) = %+v, %v", got, err)
			}
		})
	}
}

// TestRotation: a token issued under the old key verifies while the old key
// is a fallback and fails once it is removed; new tokens use the new key.
func TestRotation(t *testing.T) {
	t.Parallel()
	k1, k2, k3 := newKey(t), newKey(t), newKey(t)
	opts := func(fallbacks ...prodready.Secret) *jwtauth.Options {
		return &jwtauth.Options{Fallbacks: fallbacks, Now: clockAt(t0)}
	}
	before := mustNew(t, k1, opts())
	oldToken, _ := before.Issue(before.NewClaims("old"))
	oldNoKid, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, before.NewClaims("old")).SignedString(derived(t, k1))
	during := mustNew(t, k2, opts(k1))
	newToken, _ := during.Issue(during.NewClaims("new"))

	tests := []struct {
		name    string
		a       *jwtauth.Authority
		token   string
		wantErr bool
	}{
		{name: "old token, old key as fallback", a: during, token: oldToken},
		{name: "old token without kid, old key as fallback", a: during, token: oldNoKid},
		{name: "old token, old key second fallback", a: mustNew(t, k3, opts(k2, k1)), token: oldToken},
		{name: "old token, old key retired", a: mustNew(t, k2, opts()), token: oldToken, wantErr: true},
		{name: "old token without kid, old key retired", a: mustNew(t, k2, opts()), token: oldNoKid, wantErr: true},
		{name: "new token, new key only", a: mustNew(t, k2, opts()), token: newToken},
		{name: "new token, old key only", a: mustNew(t, k1, opts()), token: newToken, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c jwt.RegisteredClaims
			err := tt.a.Verify(tt.token, &c)
			if (err != nil) != tt.wantErr {
				t.Errorf("Verify() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("Verify() error = %v, want ErrInvalidSignature", err)
			}
		})
	}
	tok, _, err := jwt.NewParser().ParseUnverified(newToken, &jwt.RegisteredClaims{})
	if err != nil || tok.Header["kid"] != jwtauth.KeyID(derived(t, k2)) {
		t.Errorf("new token's kid = %v, want the current key's", tok.Header["kid"])
	}
}

func TestNewTakesTheServiceConfig(t *testing.T) {
	t.Parallel()
	k1, k2 := newKey(t), newKey(t)
	old := mustNew(t, k1, &jwtauth.Options{Now: clockAt(t0)})
	token, _ := old.Issue(old.NewClaims("x"))
	a, err := jwtauth.New(prodready.Base{SecretKey: k2, SecretKeyFallbacks: []prodready.Secret{k1}}, &jwtauth.Options{Now: clockAt(t0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(token, &jwt.RegisteredClaims{}); err != nil {
		t.Errorf("Verify(token of the fallback) error = %v", err)
	}
	type config struct {
		prodready.Base
		Extra string
	}
	cfg := config{Base: prodready.Base{SecretKey: k2, SecretKeyFallbacks: []prodready.Secret{k1}}}
	for _, c := range []prodready.Settings{cfg, &cfg} {
		a, err := jwtauth.New(c, &jwtauth.Options{Now: clockAt(t0)})
		if err != nil {
			t.Fatalf("New(%T) error = %v", c, err)
		}
		if err := a.Verify(token, &jwt.RegisteredClaims{}); err != nil {
			t.Errorf("New(%T).Verify(token of the fallback) error = %v", c, err)
		}
	}
	for _, tt := range []struct {
		name string
		cfg  prodready.Settings
		opts *jwtauth.Options
	}{
		{"no SECRET_KEY", prodready.Base{}, nil},
		{"nil", nil, nil},
		{"fallbacks in opts too", prodready.Base{SecretKey: k2}, &jwtauth.Options{Fallbacks: []prodready.Secret{k1}}},
		{"unset fallback", prodready.Base{SecretKey: k2, SecretKeyFallbacks: []prodready.Secret{{}}}, nil},
	} {
		if _, err := jwtauth.New(tt.cfg, tt.opts); err == nil {
			t.Errorf("New(%s) error = nil, want an error", tt.name)
		}
	}
}

func TestSecretNeverShown(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b-CANARY"
	key := prodready.NewSecret(canary)
	a := mustNew(t, key, &jwtauth.Options{Fallbacks: []prodready.Secret{prodready.NewSecret(canary + "-old")}})
	dk := derived(t, key)
	needles := []string{canary, "CANARY", hex.EncodeToString(dk), fmt.Sprint(dk), string(dk[:12]), base64.RawURLEncoding.EncodeToString(dk)}
	var outs []string
	for _, v := range []any{a, *a, struct{ a jwtauth.Authority }{*a}} {
		for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%b"} {
			out := fmt.Sprintf(f, v)
			if strings.Contains(out, "%!(MISSING)") || strings.Contains(out, "%!(EXTRA") {
				t.Fatalf("Sprintf(%q) = %q: the test's format is wrong", f, out)
			}
			outs = append(outs, out)
		}
		j, _ := json.Marshal(v)
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "a", v)
		outs = append(outs, string(j), buf.String())
	}
	err := a.Verify("x.y.z", &jwt.RegisteredClaims{})
	outs = append(outs, err.Error())
	_, err = a.Issue(jwt.RegisteredClaims{})
	outs = append(outs, err.Error())
	for _, out := range outs {
		for _, n := range needles {
			if strings.Contains(out, n) {
				t.Errorf("output %q contains a secret (%q)", out, n)
			}
		}
	}
}

func TestVerifyNilClaims(t *testing.T) {
	t.Parallel()
	a := mustNew(t, newKey(t), nil)
	token, err := a.Issue(a.NewClaims("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(token, nil); err == nil || errors.Is(err, signing.ErrInvalidSignature) {
		t.Errorf("Verify(token, nil) error = %v, want a usage error", err)
	}
}

// TestVerifyClockSkew issues a token on a server whose clock is ahead of the
// verifier's by less than a second: NewClaims truncates "nbf" and "iat" to
// the second, so without a leeway the token is "not valid yet".
func TestVerifyClockSkew(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	verifierNow := time.Date(2026, 1, 1, 0, 0, 0, 900_000_000, time.UTC)
	issuer := mustNew(t, key, &jwtauth.Options{Now: clockAt(verifierNow.Add(300 * time.Millisecond))})
	token, err := issuer.Issue(issuer.NewClaims("u"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		leeway  time.Duration
		wantErr error
	}{
		{name: "default leeway", leeway: 0},
		{name: "explicit leeway", leeway: time.Second},
		{name: "no leeway", leeway: -1, wantErr: signing.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := mustNew(t, key, &jwtauth.Options{Leeway: tt.leeway, Now: clockAt(verifierNow)})
			err := a.Verify(token, &jwt.RegisteredClaims{})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestVerifyCompactOnly inserts characters outside the base64url alphabet,
// and dots, at every position of a valid token: Go's base64 decoders skip
// '\r' and '\n', so without the check some of these texts verify.
func TestVerifyCompactOnly(t *testing.T) {
	t.Parallel()
	a := mustNew(t, newKey(t), &jwtauth.Options{Now: clockAt(t0)})
	token, err := a.Issue(a.NewClaims("u"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(token, &jwt.RegisteredClaims{}); err != nil {
		t.Fatalf("Verify(valid) error = %v", err)
	}
	tests := []struct {
		name   string
		insert string
	}{
		{name: "LF", insert: "\n"},
		{name: "CR", insert: "\r"},
		{name: "CRLF", insert: "\r\n"},
		{name: "space", insert: " "},
		{name: "tab", insert: "\t"},
		{name: "padding", insert: "="},
		{name: "plus", insert: "+"},
		{name: "slash", insert: "/"},
		{name: "dot", insert: "."},
		{name: "NUL", insert: "\x00"},
		{name: "non-ASCII", insert: "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := 0; i <= len(token); i++ {
				mutated := token[:i] + tt.insert + token[i:]
				if err := a.Verify(mutated, &jwt.RegisteredClaims{}); !errors.Is(err, signing.ErrInvalidSignature) {
					t.Errorf("Verify(%q inserted at %d) error = %v, want ErrInvalidSignature", tt.insert, i, err)
				}
			}
		})
	}
}

// TestVerifyExpiredOnlyIfOnlyExpired checks that a token is reported
// expired only when its expiry is its only fault.
func TestVerifyExpiredOnlyIfOnlyExpired(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	dk := derived(t, key)
	a := mustNew(t, key, &jwtauth.Options{Issuer: "api", Audience: "web", Leeway: -1, Now: clockAt(t0)})
	sign := func(c jwt.RegisteredClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(dk)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	past := jwt.NewNumericDate(t0.Add(-time.Hour))
	tests := []struct {
		name    string
		claims  jwt.RegisteredClaims
		wantErr error
	}{
		{name: "expired", claims: jwt.RegisteredClaims{Issuer: "api", Audience: jwt.ClaimStrings{"web"}, ExpiresAt: past}, wantErr: signing.ErrExpired},
		{name: "expired, other issuer", claims: jwt.RegisteredClaims{Issuer: "other", Audience: jwt.ClaimStrings{"web"}, ExpiresAt: past}, wantErr: signing.ErrInvalidSignature},
		{name: "expired, other audience", claims: jwt.RegisteredClaims{Issuer: "api", Audience: jwt.ClaimStrings{"other"}, ExpiresAt: past}, wantErr: signing.ErrInvalidSignature},
		{name: "expired, no issuer nor audience", claims: jwt.RegisteredClaims{ExpiresAt: past}, wantErr: signing.ErrInvalidSignature},
		{name: "expired, issued in the future", claims: jwt.RegisteredClaims{Issuer: "api", Audience: jwt.ClaimStrings{"web"}, ExpiresAt: past, IssuedAt: jwt.NewNumericDate(t0.Add(time.Hour))}, wantErr: signing.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := a.Verify(sign(tt.claims), &jwt.RegisteredClaims{})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantErr)
			}
			if errors.Is(err, signing.ErrExpired) && errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("Verify() error = %v wraps both sentinels", err)
			}
		})
	}
}

// TestVerifyClaimsMisuse passes claims Verify cannot fill: the error is a
// usage error, not an invalid token, and comes whatever the token.
func TestVerifyClaimsMisuse(t *testing.T) {
	t.Parallel()
	a := mustNew(t, newKey(t), &jwtauth.Options{Now: clockAt(t0)})
	token, err := a.Issue(a.NewClaims("u"))
	if err != nil {
		t.Fatal(err)
	}
	var nilMap jwt.MapClaims
	tests := []struct {
		name   string
		claims jwt.Claims
	}{
		{name: "nil", claims: nil},
		{name: "struct value", claims: jwt.RegisteredClaims{}},
		{name: "typed nil pointer", claims: (*jwt.RegisteredClaims)(nil)},
		{name: "nil map", claims: nilMap},
		{name: "typed nil map pointer", claims: (*jwt.MapClaims)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, tok := range []string{token, "garbage"} {
				err := a.Verify(tok, tt.claims)
				if err == nil || errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired) {
					t.Errorf("Verify() error = %v, want a usage error", err)
				}
			}
		})
	}
}

// TestVerifyLeavesClaimsAloneOnError checks that a rejected token's content
// never reaches the caller's claims, and that a valid token's replaces it.
func TestVerifyLeavesClaimsAloneOnError(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	a := mustNew(t, key, &jwtauth.Options{Now: clockAt(t0)})
	valid, err := a.Issue(a.NewClaims("alice"))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "mallory", "exp": t0.Add(time.Hour).Unix(),
	}).SignedString(derived(t, newKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		token       string
		wantSubject string
		wantErr     bool
	}{
		{name: "forged", token: forged, wantSubject: "before", wantErr: true},
		{name: "valid", token: valid, wantSubject: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := jwt.RegisteredClaims{Subject: "before", ID: "stale"}
			err := a.Verify(tt.token, &rc)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Verify(*RegisteredClaims) error = %v, wantErr %v", err, tt.wantErr)
			}
			wantID := ""
			if tt.wantErr {
				wantID = "stale"
			}
			if rc.Subject != tt.wantSubject || rc.ID != wantID {
				t.Errorf("claims = {Subject: %q, ID: %q}, want {%q, %q}", rc.Subject, rc.ID, tt.wantSubject, wantID)
			}
			mc := jwt.MapClaims{"sub": "before", "stale": true}
			if err := a.Verify(tt.token, mc); (err != nil) != tt.wantErr {
				t.Fatalf("Verify(MapClaims) error = %v, wantErr %v", err, tt.wantErr)
			}
			if _, stale := mc["stale"]; mc["sub"] != tt.wantSubject || stale != tt.wantErr {
				t.Errorf("MapClaims = %v, want sub %q and stale key %v", mc, tt.wantSubject, tt.wantErr)
			}
		})
	}
}

// TestIssueRequiresIssuerAndAudience checks that Issue refuses claims that
// Verify would reject for their issuer or audience.
func TestIssueRequiresIssuerAndAudience(t *testing.T) {
	t.Parallel()
	a := mustNew(t, newKey(t), &jwtauth.Options{Issuer: "api", Audience: "web", Now: clockAt(t0)})
	exp := jwt.NewNumericDate(t0.Add(time.Minute))
	tests := []struct {
		name    string
		claims  jwt.Claims
		wantErr bool
	}{
		{name: "NewClaims", claims: a.NewClaims("u")},
		{name: "several audiences", claims: jwt.RegisteredClaims{Issuer: "api", Audience: jwt.ClaimStrings{"mobile", "web"}, ExpiresAt: exp}},
		{name: "map, audience as a string", claims: jwt.MapClaims{"iss": "api", "aud": "web", "exp": float64(exp.Unix())}},
		{name: "no issuer", claims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"web"}, ExpiresAt: exp}, wantErr: true},
		{name: "other issuer", claims: jwt.RegisteredClaims{Issuer: "other", Audience: jwt.ClaimStrings{"web"}, ExpiresAt: exp}, wantErr: true},
		{name: "no audience", claims: jwt.RegisteredClaims{Issuer: "api", ExpiresAt: exp}, wantErr: true},
		{name: "other audience", claims: jwt.RegisteredClaims{Issuer: "api", Audience: jwt.ClaimStrings{"mobile"}, ExpiresAt: exp}, wantErr: true},
		{name: "map, issuer not a string", claims: jwt.MapClaims{"iss": 1, "aud": "web", "exp": float64(exp.Unix())}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, err := a.Issue(tt.claims)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Issue() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil {
				if err := a.Verify(token, &jwt.RegisteredClaims{}); err != nil {
					t.Errorf("Verify(Issue()) error = %v", err)
				}
			}
		})
	}
}

// TestVerifyDatesOutOfRange: golang-jwt reads a date beyond int64 seconds as
// one far in the past, so an nbf of 1e19 passed the not-before check (found
// by FuzzVerify; its reproducer is testdata/fuzz/FuzzVerify/nbf_beyond_int64).
func TestVerifyDatesOutOfRange(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	dk := derived(t, key)
	a := mustNew(t, key, &jwtauth.Options{Issuer: "api", Audience: "web", Now: clockAt(t0)})
	header := map[string]any{"alg": "HS256", "typ": "JWT"}
	exp := t0.Add(time.Hour).Unix()
	for _, tc := range []struct {
		name   string
		claims map[string]any
	}{
		{"nbf 1e19", map[string]any{"nbf": 1e19}},
		{"nbf 9.3e18", map[string]any{"nbf": 9.3e18}},
		{"iat 1e19", map[string]any{"iat": 1e19}},
		{"iat before 1970", map[string]any{"iat": -1}},
		{"nbf after 9999", map[string]any{"nbf": 253402300800}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := map[string]any{"sub": "u", "iss": "api", "aud": "web", "exp": exp}
			for k, v := range tc.claims {
				c[k] = v
			}
			var got jwt.RegisteredClaims
			err := a.Verify(rawToken(t, header, c, dk), &got)
			if !errors.Is(err, signing.ErrInvalidSignature) {
				t.Fatalf("Verify = %v, want ErrInvalidSignature", err)
			}
		})
	}
	// The bound itself is a valid date.
	c := map[string]any{"sub": "u", "iss": "api", "aud": "web", "exp": exp, "iat": 0}
	var got jwt.RegisteredClaims
	if err := a.Verify(rawToken(t, header, c, dk), &got); err != nil {
		t.Fatalf("iat 0: %v", err)
	}
}
