package bench

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/securecookie"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cputime"
	"github.com/prodready/prodready/jwtauth"
	"github.com/prodready/prodready/signing"
)

// signPayload is a small session: what a cookie or cursor usually carries.
var signPayload = []byte(`{"user":"42","role":"editor"}`)

func signingKey(b *testing.B) prodready.Secret {
	b.Helper()
	k, err := prodready.GenerateKey(rand.Reader, 32)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkSignVerify signs and verifies signPayload, with a timestamp and a
// max age, once per op: prodready's signing against gorilla/securecookie in
// hash-only mode (HMAC-SHA256, no encryption) with the payload passed as
// bytes (NopEncoder), so neither side pays for serialization. Besides
// ns/op, each reports cpu-ns/op, the process's CPU time per op (see
// cpuTime), steadier than wall-clock time on a shared machine. Run it with
//
//	go test -run '^$' -bench 'Sign' -count 5 -benchmem
func BenchmarkSignVerify(b *testing.B) {
	key := signingKey(b)
	b.Run("impl=signing", func(b *testing.B) {
		s, err := signing.New(key, "session", &signing.Options{MaxAge: 24 * time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			p, err := s.Verify(s.Sign(signPayload))
			if err != nil || !bytes.Equal(p, signPayload) {
				b.Fatal(p, err)
			}
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("impl=securecookie", func(b *testing.B) {
		hashKey, err := signing.DeriveKey(key, "session")
		if err != nil {
			b.Fatal(err)
		}
		sc := securecookie.New(hashKey, nil).SetSerializer(securecookie.NopEncoder{}).MaxAge(86400)
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			v, err := sc.Encode("session", signPayload)
			if err != nil {
				b.Fatal(err)
			}
			var p []byte
			if err := sc.Decode("session", v, &p); err != nil || !bytes.Equal(p, signPayload) {
				b.Fatal(p, err)
			}
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}

// BenchmarkSignVerifyJWT issues and verifies one HS256 token per op, with
// the same registered claims: jwtauth (kid header, exp required, iat
// checked) against raw golang-jwt (SignedString + ParseWithClaims with
// HS256 as the only valid method).
func BenchmarkSignVerifyJWT(b *testing.B) {
	key := signingKey(b)
	claims := func() jwt.RegisteredClaims {
		now := time.Now()
		return jwt.RegisteredClaims{
			Subject:   "user-42",
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
		}
	}
	b.Run("impl=jwtauth", func(b *testing.B) {
		a, err := jwtauth.NewWithKey(key, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			t, err := a.Issue(claims())
			if err != nil {
				b.Fatal(err)
			}
			var c jwt.RegisteredClaims
			if err := a.Verify(t, &c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("impl=golang-jwt", func(b *testing.B) {
		dk, err := signing.DeriveKey(key, jwtauth.Purpose)
		if err != nil {
			b.Fatal(err)
		}
		keyFunc := func(*jwt.Token) (any, error) { return dk, nil }
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for b.Loop() {
			t, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims()).SignedString(dk)
			if err != nil {
				b.Fatal(err)
			}
			var c jwt.RegisteredClaims
			if _, err := jwt.ParseWithClaims(t, &c, keyFunc, jwt.WithValidMethods([]string{"HS256"})); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}
