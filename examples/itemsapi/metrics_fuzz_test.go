package main

import (
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// FuzzBearerMatches feeds GET /metrics' Authorization parser any header:
// it never panics, and accepts exactly "Bearer <token>" (scheme in any
// case, spaces around the token ignored).
func FuzzBearerMatches(f *testing.F) {
	const token = "mT0-0123456789abcdefghijklmnopqrstuv"
	for _, s := range []string{"", "Bearer " + token, "bearer " + token, "Bearer", "Bearer ", "Basic " + token, "Bearer " + token + "x", "Bearer  " + token + " ", "\x00 \xff"} {
		f.Add(s)
	}
	secret := prodready.NewSecret(token)
	f.Fuzz(func(t *testing.T, header string) {
		got := bearerMatches(header, secret)
		scheme, cred, ok := strings.Cut(header, " ")
		want := ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(cred) == token
		if got != want {
			t.Errorf("bearerMatches(%q) = %v, want %v", header, got, want)
		}
	})
}
