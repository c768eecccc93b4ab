package jwtauth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready/jwtauth"
	"github.com/prodready/prodready/signing"
)

// strictFixture returns an Authority (issuer "api", audience "web", clock
// t0) and a function that signs a header and claims with its current key.
// Every header gets "alg":"HS256" and the claims a valid sub, iss, aud, exp,
// nbf and iat unless the test overrides them, so that only the rule under
// test can fail.
func strictFixture(t *testing.T) (*jwtauth.Authority, func(header, claims map[string]any) string) {
	t.Helper()
	key := newKey(t)
	dk := derived(t, key)
	a := mustNew(t, key, &jwtauth.Options{Issuer: "api", Audience: "web", Now: clockAt(t0)})
	sign := func(header, claims map[string]any) string {
		h := map[string]any{"alg": "HS256", "typ": "JWT"}
		for k, v := range header {
			h[k] = v
		}
		c := map[string]any{"sub": "u", "iss": "api", "aud": "web", "exp": t0.Add(time.Hour).Unix(), "nbf": t0.Unix(), "iat": t0.Unix()}
		for k, v := range claims {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		return rawToken(t, h, c, dk)
	}
	return a, sign
}

// jsonNull is a claim value that rawToken renders as JSON null (a nil in
// the claims map deletes the claim instead).
type jsonNull struct{}

func (jsonNull) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// TestVerifyCrit: Verify accepted a token whose header carried "crit",
// which RFC 7515 §4.1.11 says a recipient must reject unless it understands
// every extension named (found in the Trust review: {"crit":["b64"],
// "b64":false} verified). jwtauth understands no extension, so any crit is
// refused, a malformed one included, even on a token whose only other fault
// is its expiry.
func TestVerifyCrit(t *testing.T) {
	t.Parallel()
	a, sign := strictFixture(t)
	tests := []struct {
		name   string
		header map[string]any
		claims map[string]any
	}{
		{name: "b64 extension", header: map[string]any{"crit": []string{"b64"}, "b64": false}},
		{name: "unknown extension present", header: map[string]any{"crit": []string{"x-ext"}, "x-ext": 1}},
		{name: "names an absent header", header: map[string]any{"crit": []string{"exp"}}},
		{name: "names a registered header", header: map[string]any{"crit": []string{"typ"}}},
		{name: "empty list", header: map[string]any{"crit": []string{}}},
		{name: "string, not a list", header: map[string]any{"crit": "b64", "b64": false}},
		{name: "list of a number", header: map[string]any{"crit": []any{1}}},
		{name: "null", header: map[string]any{"crit": jsonNull{}}},
		{name: "object", header: map[string]any{"crit": map[string]any{"b64": true}}},
		{name: "expired too", header: map[string]any{"crit": []string{"b64"}, "b64": false},
			claims: map[string]any{"exp": t0.Add(-time.Hour).Unix(), "nbf": t0.Add(-2 * time.Hour).Unix(), "iat": t0.Add(-2 * time.Hour).Unix()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, claims := range []jwt.Claims{&jwt.RegisteredClaims{}, &jwt.MapClaims{}} {
				err := a.Verify(sign(tt.header, tt.claims), claims)
				if !errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired) {
					t.Errorf("Verify(%T) error = %v, want ErrInvalidSignature and not ErrExpired", claims, err)
				}
				if err != nil && !strings.Contains(err.Error(), "crit") {
					t.Errorf("Verify(%T) error = %q, want it to name the crit header", claims, err)
				}
			}
		})
	}
	// The same token without crit verifies: crit was the only fault.
	if err := a.Verify(sign(map[string]any{"b64": false, "x-ext": 1}, nil), &jwt.RegisteredClaims{}); err != nil {
		t.Fatalf("Verify(no crit) error = %v", err)
	}
}

// TestVerifyNumericDates: Verify accepted "exp":"1767229200", a JSON
// string, because golang-jwt's NumericDate reads a json.Number and
// encoding/json fills one from a quoted number (found in the Trust review).
// RFC 7519 §2 makes NumericDate a JSON number; exp, nbf and iat must be one,
// whatever the case of the key (encoding/json fills a struct field from
// "EXP" too).
func TestVerifyNumericDates(t *testing.T) {
	t.Parallel()
	a, sign := strictFixture(t)
	exp := t0.Add(time.Hour).Unix()
	tests := []struct {
		name   string
		claims map[string]any
	}{
		{name: "exp string", claims: map[string]any{"exp": "1780318800"}},
		{name: "exp string in exponent form", claims: map[string]any{"exp": "1.7803188e9"}},
		{name: "nbf string", claims: map[string]any{"nbf": "1780315200"}},
		{name: "iat string", claims: map[string]any{"iat": "1780315200"}},
		{name: "exp null", claims: map[string]any{"exp": jsonNull{}}},
		{name: "nbf null", claims: map[string]any{"nbf": jsonNull{}}},
		{name: "iat true", claims: map[string]any{"iat": true}},
		{name: "exp object", claims: map[string]any{"exp": map[string]any{"n": exp}}},
		{name: "EXP string after exp", claims: map[string]any{"EXP": "1780318800"}},
		{name: "Nbf string", claims: map[string]any{"Nbf": "1780315200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, claims := range []jwt.Claims{&jwt.RegisteredClaims{}, &jwt.MapClaims{}} {
				err := a.Verify(sign(nil, tt.claims), claims)
				if !errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired) {
					t.Errorf("Verify(%T) error = %v, want ErrInvalidSignature and not ErrExpired", claims, err)
				}
			}
		})
	}
	// Numbers in every JSON form verify: the dates were the only fault.
	for _, claims := range []map[string]any{
		{"exp": exp},
		{"exp": float64(exp) + 0.5, "nbf": float64(t0.Unix()) - 0.5},
		{"exp": 1.7803188e9, "iat": 0},
	} {
		if err := a.Verify(sign(nil, claims), &jwt.RegisteredClaims{}); err != nil {
			t.Errorf("Verify(%v) error = %v", claims, err)
		}
	}
}

// TestVerifyIssuerAudienceErrors: a token for another audience or from
// another issuer failed with the text "invalid signature" (found in the
// Trust review), which sends whoever reads the log after the keys. Those
// failures wrap ErrAudience or ErrIssuer, say so, and still wrap
// signing.ErrInvalidSignature, the class of every rejected token.
func TestVerifyIssuerAudienceErrors(t *testing.T) {
	t.Parallel()
	a, sign := strictFixture(t)
	past := t0.Add(-time.Hour).Unix()
	tests := []struct {
		name      string
		claims    map[string]any
		wantIss   bool
		wantAud   bool
		wantOther error
	}{
		{name: "valid"},
		{name: "other audience", claims: map[string]any{"aud": "mobile"}, wantAud: true},
		{name: "other audiences", claims: map[string]any{"aud": []string{"mobile", "tv"}}, wantAud: true},
		{name: "no audience", claims: map[string]any{"aud": nil}, wantAud: true},
		{name: "other issuer", claims: map[string]any{"iss": "evil"}, wantIss: true},
		{name: "no issuer", claims: map[string]any{"iss": nil}, wantIss: true},
		{name: "other issuer and audience", claims: map[string]any{"iss": "evil", "aud": "mobile"}, wantIss: true, wantAud: true},
		{name: "other issuer, expired", claims: map[string]any{"iss": "evil", "exp": past, "nbf": past - 60, "iat": past - 60}, wantIss: true, wantOther: jwt.ErrTokenExpired},
		{name: "not yet valid, other audience", claims: map[string]any{"aud": "mobile", "nbf": t0.Add(time.Hour).Unix(), "exp": t0.Add(2 * time.Hour).Unix()}, wantAud: true, wantOther: jwt.ErrTokenNotValidYet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, claims := range []jwt.Claims{&jwt.RegisteredClaims{}, &jwt.MapClaims{}} {
				err := a.Verify(sign(nil, tt.claims), claims)
				if !tt.wantIss && !tt.wantAud {
					if err != nil {
						t.Fatalf("Verify(%T) error = %v", claims, err)
					}
					continue
				}
				if got := errors.Is(err, jwtauth.ErrIssuer); got != tt.wantIss {
					t.Errorf("Verify(%T) error = %v; Is(ErrIssuer) = %v, want %v", claims, err, got, tt.wantIss)
				}
				if got := errors.Is(err, jwtauth.ErrAudience); got != tt.wantAud {
					t.Errorf("Verify(%T) error = %v; Is(ErrAudience) = %v, want %v", claims, err, got, tt.wantAud)
				}
				if !errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired) {
					t.Errorf("Verify(%T) error = %v, want ErrInvalidSignature and not ErrExpired", claims, err)
				}
				if tt.wantOther != nil && !errors.Is(err, tt.wantOther) {
					t.Errorf("Verify(%T) error = %v, want it to wrap %v too", claims, err, tt.wantOther)
				}
				if strings.Contains(err.Error(), "signature") {
					t.Errorf("Verify(%T) error = %q speaks of the signature, which is good", claims, err)
				}
			}
		})
	}
}

// TestVerifyErrorText: every failure of a token signed with the right key
// read "invalid signature", which sends whoever reads the log after the
// keys (found in the Trust review). Only a signature at fault says so.
func TestVerifyErrorText(t *testing.T) {
	t.Parallel()
	a, sign := strictFixture(t)
	future := t0.Add(time.Hour).Unix()
	tests := []struct {
		name      string
		token     string
		signature bool // the error is the signature's
	}{
		{name: "not yet valid", token: sign(nil, map[string]any{"nbf": future})},
		{name: "issued in the future", token: sign(nil, map[string]any{"iat": future})},
		{name: "no exp", token: sign(nil, map[string]any{"exp": nil})},
		{name: "nbf after 9999", token: sign(nil, map[string]any{"nbf": 253402300800})},
		{name: "crit", token: sign(map[string]any{"crit": []string{"b64"}, "b64": false}, nil)},
		{name: "exp string", token: sign(nil, map[string]any{"exp": "1780318800"})},
		{name: "other key", token: rawToken(t, map[string]any{"alg": "HS256"}, map[string]any{"iss": "api", "aud": "web", "exp": future}, derived(t, newKey(t))), signature: true},
		{name: "signature changed", token: flip(sign(nil, nil), len(sign(nil, nil))-5), signature: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := a.Verify(tt.token, &jwt.RegisteredClaims{})
			if !errors.Is(err, signing.ErrInvalidSignature) {
				t.Fatalf("Verify() error = %v, want ErrInvalidSignature", err)
			}
			if got := strings.Contains(err.Error(), "signature"); got != tt.signature {
				t.Errorf("Verify() error = %q; speaks of the signature: %v, want %v", err, got, tt.signature)
			}
		})
	}
}
