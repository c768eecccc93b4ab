package jwtauth_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/jwtauth"
	"github.com/prodready/prodready/signing"
)

// The fuzzed Authority's keys and clock are fixed, not random, so that the
// tokens of the seed corpus in testdata/fuzz stay valid from one run to the
// next and the fuzzer can mutate them.
var (
	fuzzCurrentKey  = prodready.NewSecret("fuzz-jwt-current-key-0123456789-abcdefghij")
	fuzzPreviousKey = prodready.NewSecret("fuzz-jwt-previous-key-0123456789-abcdefghi")
	fuzzNow         = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	fuzzIssuer   = "api"
	fuzzAudience = "web"
)

// FuzzVerify feeds Verify arbitrary tokens, and arbitrary header and claims
// JSON under a valid HS256 signature by the current key (the only way past
// the MAC to the claim checks). It checks that Verify never panics; that it
// fails only with signing.ErrInvalidSignature or signing.ErrExpired and
// leaves the claims alone then; that every token it accepts is no forgery:
// three canonical base64url fields, the header's alg HS256, a signature
// that is the HMAC of the first two fields under one of the Authority's
// keys, an unexpired exp, nbf and iat not in the future (give or take the
// leeway), all three JSON numbers, no crit header, and the issuer and
// audience of the options, as an independent reading of the JSON finds
// them; and that changing any single byte of an accepted token makes it
// invalid.
func FuzzVerify(f *testing.F) {
	a, err := jwtauth.NewWithKey(fuzzCurrentKey, &jwtauth.Options{
		Fallbacks: []prodready.Secret{fuzzPreviousKey},
		Issuer:    fuzzIssuer, Audience: fuzzAudience, Now: func() time.Time { return fuzzNow },
	})
	if err != nil {
		f.Fatal(err)
	}
	var keys [][]byte
	for _, k := range []prodready.Secret{fuzzCurrentKey, fuzzPreviousKey} {
		dk, err := signing.DeriveKey(k, jwtauth.Purpose)
		if err != nil {
			f.Fatal(err)
		}
		keys = append(keys, dk)
	}
	issue := func(key prodready.Secret, now time.Time) string {
		iss, err := jwtauth.NewWithKey(key, &jwtauth.Options{Issuer: fuzzIssuer, Audience: fuzzAudience, Now: func() time.Time { return now }})
		if err != nil {
			f.Fatal(err)
		}
		tok, err := iss.Issue(iss.NewClaims("user-42"))
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	valid := issue(fuzzCurrentKey, fuzzNow)
	if err := a.Verify(valid, &jwt.RegisteredClaims{}); err != nil {
		f.Fatalf("Verify(Issue()) error = %v", err)
	}
	header := `{"alg":"HS256","typ":"JWT"}`
	claims := `{"iss":"api","aud":"web","sub":"u","exp":1767229200,"iat":1767225600}`
	f.Add(valid, []byte(header), []byte(claims), uint16(0), byte('x'))
	f.Add(issue(fuzzPreviousKey, fuzzNow), []byte(`{"alg":"HS256"}`), []byte(`{"iss":"api","aud":["web","x"],"exp":1767229200}`), uint16(40), byte('A'))
	f.Add(issue(fuzzCurrentKey, fuzzNow.Add(-time.Hour)), []byte(`{"alg":"none"}`), []byte(claims), uint16(70), byte('.'))
	f.Add(hs256([]byte(header), []byte(`{"iss":"evil","aud":"web","exp":1767229200}`), keys[0]), []byte(`{"alg":"HS384"}`), []byte(`{"exp":"1767229200","iss":"api","aud":"web"}`), uint16(5), byte('='))
	f.Add(valid+"\n", []byte(`{"alg":"HS256","kid":"nope"}`), []byte(`{"iss":"api","aud":"web","exp":1767229200,"nbf":1767229200}`), uint16(1), byte(' '))
	f.Add("a.b.c", []byte(`{"alg":"HS256","alg":"none"}`), []byte(`{"iss":"api","aud":"web","exp":1e300}`), uint16(9), byte(0))
	f.Add("", []byte(`[]`), []byte(`null`), uint16(0), byte(0))

	f.Fuzz(func(t *testing.T, token string, header, claims []byte, pos uint16, x byte) {
		check := func(what, token string) bool {
			ok := false
			for _, claims := range []jwt.Claims{&jwt.RegisteredClaims{Subject: "unchanged"}, jwt.MapClaims{"sub": "unchanged"}} {
				before := fmtClaims(claims)
				err := a.Verify(token, claims)
				if err != nil {
					if !errors.Is(err, signing.ErrInvalidSignature) && !errors.Is(err, signing.ErrExpired) {
						t.Fatalf("Verify(%s %q, %T) error = %v, wraps no sentinel", what, token, claims, err)
					}
					if after := fmtClaims(claims); after != before {
						t.Fatalf("Verify(%s %q, %T) error = %v, but the claims changed from %s to %s", what, token, claims, err, before, after)
					}
					continue
				}
				ok = true
				if problem := forged(token, keys, reflect.TypeOf(claims).Kind() == reflect.Map); problem != "" {
					t.Fatalf("Verify(%s %q, %T) accepted a token that %s", what, token, claims, problem)
				}
			}
			return ok
		}

		// Arbitrary tokens.
		check("token", token)

		// Arbitrary header and claims, signed with the current key.
		signed := hs256(header, claims, keys[0])
		base := valid
		if check("signed", signed) {
			base = signed
		}

		// Any single-byte change of an accepted token is refused.
		b := []byte(base)
		i := int(pos) % len(b)
		if b[i] == x {
			return
		}
		b[i] = x
		if err := a.Verify(string(b), &jwt.RegisteredClaims{}); err == nil {
			t.Fatalf("Verify(%q), token %q with byte %d changed to %q, accepted", b, base, i, x)
		}
	})
}

// hs256 returns the compact JWT of header and claims, signed with key.
func hs256(header, claims, key []byte) string {
	text := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(text))
	return text + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// fmtClaims renders claims for a before-and-after comparison.
func fmtClaims(c jwt.Claims) string {
	b, _ := json.Marshal(c)
	return string(b)
}

// oracleClaims are the claims Verify checks, as encoding/json reads them
// into a struct (keys matched without regard to case, the last one
// winning), kept raw for an independent reading.
type oracleClaims struct {
	Exp json.RawMessage `json:"exp"`
	Nbf json.RawMessage `json:"nbf"`
	Iat json.RawMessage `json:"iat"`
	Iss json.RawMessage `json:"iss"`
	Aud json.RawMessage `json:"aud"`
}

// forged returns what is wrong with a token Verify accepted, or "" if it
// is one the holder of one of keys issued and it is valid now. asMap says
// the claims were read into a jwt.MapClaims, whose keys match exactly.
func forged(token string, keys [][]byte, asMap bool) string {
	fields := strings.Split(token, ".")
	if len(fields) != 3 {
		return "has " + strconv.Itoa(len(fields)) + " fields"
	}
	var raw [3][]byte
	for i, s := range fields {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
			return "has field " + strconv.Itoa(i) + " not in canonical base64url"
		}
		raw[i] = b
	}
	signedBy := -1
	for i, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(fields[0] + "." + fields[1]))
		if hmac.Equal(m.Sum(nil), raw[2]) {
			signedBy = i
		}
	}
	if signedBy < 0 {
		return "no key of the Authority signed"
	}
	var h map[string]any
	if err := json.Unmarshal(raw[0], &h); err != nil || h["alg"] != "HS256" {
		return "has a header whose alg is not HS256"
	}
	if _, ok := h["crit"]; ok {
		return "has a crit header, and no extension is understood"
	}

	// golang-jwt decodes the claims with a json.Decoder, which reads the
	// first value only.
	var c oracleClaims
	if asMap {
		var m map[string]json.RawMessage
		if err := json.NewDecoder(bytes.NewReader(raw[1])).Decode(&m); err != nil {
			return "has claims that are not a JSON object"
		}
		c = oracleClaims{Exp: m["exp"], Nbf: m["nbf"], Iat: m["iat"], Iss: m["iss"], Aud: m["aud"]}
	} else if err := json.NewDecoder(bytes.NewReader(raw[1])).Decode(&c); err != nil {
		return "has claims that are not a JSON object"
	}
	now := float64(fuzzNow.Unix())
	leeway := jwtauth.DefaultLeeway.Seconds()
	exp, ok := seconds(c.Exp)
	switch {
	case !ok:
		return "has no numeric exp"
	case !(exp+leeway > now):
		return "is expired (exp " + strconv.FormatFloat(exp, 'g', -1, 64) + ")"
	}
	// The dates are truncated to whole seconds before they are compared.
	for _, d := range []struct {
		name string
		raw  json.RawMessage
	}{{"nbf", c.Nbf}, {"iat", c.Iat}} {
		if d.raw == nil || string(d.raw) == "null" {
			continue
		}
		if v, ok := seconds(d.raw); !ok || !(v < now+leeway+1) {
			return "has " + d.name + " " + string(d.raw) + " in the future"
		}
	}
	var iss string
	if json.Unmarshal(c.Iss, &iss) != nil || iss != fuzzIssuer {
		return "has issuer " + string(c.Iss) + ", not " + strconv.Quote(fuzzIssuer)
	}
	var aud any
	if json.Unmarshal(c.Aud, &aud) != nil {
		return "has no audience"
	}
	switch v := aud.(type) {
	case string:
		if v == fuzzAudience {
			return ""
		}
	case []any:
		for _, s := range v {
			if s == fuzzAudience {
				return ""
			}
		}
	}
	return "has audience " + string(c.Aud) + ", without " + strconv.Quote(fuzzAudience)
}

// seconds reads a NumericDate: a JSON number, and not a string holding one
// (RFC 7519 §2).
func seconds(raw json.RawMessage) (float64, bool) {
	var v any
	if raw == nil || json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	f, ok := v.(float64)
	return f, ok && !math.IsNaN(f)
}
