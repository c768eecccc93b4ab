package jwtauth_test

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready/jwtauth"
)

// BenchmarkVerify verifies a token NewClaims made, as a service does on
// each request.
func BenchmarkVerify(b *testing.B) {
	a := mustNew(b, newKey(b), &jwtauth.Options{Issuer: "api", Audience: "web", Now: clockAt(t0)})
	token, err := a.Issue(a.NewClaims("user-42"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var c jwt.RegisteredClaims
		if err := a.Verify(token, &c); err != nil {
			b.Fatal(err)
		}
	}
}
