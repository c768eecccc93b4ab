package jwtauth_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/jwtauth"
	"github.com/prodready/prodready/signing"
)

func ExampleAuthority_Verify() {
	// A service passes its own configuration struct, loaded by
	// prodready.Load; a fixed key and clock keep the example's output
	// stable.
	type Config struct {
		prodready.Base
		Extra string `env:"EXTRA"`
	}
	cfg := Config{Base: prodready.Base{SecretKey: prodready.NewSecret("an-example-key-of-43-characters-for-tests-1")}}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	auth, err := jwtauth.New(cfg, &jwtauth.Options{
		Issuer: "api.example.com",
		TTL:    time.Hour,
		Now:    func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	type claims struct {
		Role string `json:"role"`
		jwt.RegisteredClaims
	}
	token, err := auth.Issue(claims{Role: "admin", RegisteredClaims: auth.NewClaims("user-42")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(token)

	var got claims
	err = auth.Verify(token, &got)
	fmt.Println(got.Subject, got.Role, err)

	now = now.Add(2 * time.Hour)
	err = auth.Verify(token, &claims{})
	fmt.Println("expired:", errors.Is(err, signing.ErrExpired))
	// Output:
	// eyJhbGciOiJIUzI1NiIsImtpZCI6IlU3ZlFUUHdRSzhNIiwidHlwIjoiSldUIn0.eyJyb2xlIjoiYWRtaW4iLCJpc3MiOiJhcGkuZXhhbXBsZS5jb20iLCJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzcyMzcwMDAwLCJuYmYiOjE3NzIzNjY0MDAsImlhdCI6MTc3MjM2NjQwMH0.8Nkq-cRrR5_olBd6S2l_BafiGdJUg5DsqjjVRRp6FOc
	// user-42 admin <nil>
	// expired: true
}

// Any JWT library verifies our tokens given the purpose key, and we verify
// theirs.
func ExampleAuthority_Verify_interop() {
	key := prodready.NewSecret("an-example-key-of-43-characters-for-tests-1")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	auth, _ := jwtauth.NewWithKey(key, &jwtauth.Options{Now: clock})
	derived, _ := signing.DeriveKey(key, jwtauth.Purpose)

	theirs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "bob",
		"exp": now.Add(time.Minute).Unix(),
	}).SignedString(derived)
	var c jwt.RegisteredClaims
	fmt.Println(auth.Verify(theirs, &c), c.Subject)

	ours, _ := auth.Issue(auth.NewClaims("alice"))
	t, err := jwt.Parse(ours, func(*jwt.Token) (any, error) { return derived, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(clock))
	sub, _ := t.Claims.GetSubject()
	fmt.Println(err, sub)
	// Output:
	// <nil> bob
	// <nil> alice
}

// A token that another service of the same SECRET_KEY issued for its own
// audience is signed with the right key, but is not for this one.
func ExampleAuthority_Verify_audience() {
	key := prodready.NewSecret("an-example-key-of-43-characters-for-tests-1")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	web, _ := jwtauth.NewWithKey(key, &jwtauth.Options{Issuer: "login", Audience: "web", Now: clock})
	admin, _ := jwtauth.NewWithKey(key, &jwtauth.Options{Issuer: "login", Audience: "admin", Now: clock})

	token, _ := web.Issue(web.NewClaims("user-42"))
	err := admin.Verify(token, &jwt.RegisteredClaims{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, jwtauth.ErrAudience), errors.Is(err, jwtauth.ErrIssuer), errors.Is(err, signing.ErrInvalidSignature))
	// Output:
	// jwtauth: token audience does not include "admin": token has invalid claims: token has invalid audience
	// true false true
}
