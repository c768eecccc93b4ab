package signing_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// jsonClaims is a typical payload of SignJSON.
type jsonClaims struct {
	User  string            `json:"user"`
	N     int64             `json:"n"`
	Tags  []string          `json:"tags,omitempty"`
	Extra map[string]string `json:"extra,omitempty"`
}

// FuzzVerifyJSON feeds VerifyJSON arbitrary tokens, and arbitrary payloads
// under a valid signature. It checks that VerifyJSON never panics; that it
// fails with a sentinel exactly when Verify refuses the token, and
// otherwise decodes the payload as json.Unmarshal does, failing with
// neither sentinel when the payload does not fit; and that what SignJSON
// signs, VerifyJSON reads back.
//
// The key and clock are fixed, not random, so that tokens in the corpus
// stay valid from one run to the next.
func FuzzVerifyJSON(f *testing.F) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := signing.New(prodready.NewSecret("fuzz-json-current-key-0123456789-abcdefghi"), "fuzz-json",
		&signing.Options{MaxAge: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	good, err := s.SignJSON(jsonClaims{User: "u", N: 42, Tags: []string{"a"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, []byte(`{"user":"u","n":1}`), "u", int64(1))
	f.Add(s.Sign([]byte(`[1,2]`)), []byte(`{"n":1e3}`), "", int64(-1))
	f.Add("v1...", []byte(`{"n":"1"}`), "\xff", int64(0))
	f.Add("", []byte(`null`), "é", int64(1<<62))
	f.Add(good+"=", []byte(`{"USER":"x","user":"y","extra":{"k":"v"}}`), "\u2028", int64(9))

	f.Fuzz(func(t *testing.T, token string, payload []byte, user string, n int64) {
		// Arbitrary tokens.
		var c jsonClaims
		err := s.VerifyJSON(token, &c)
		_, verr := s.Verify(token)
		sentinel := errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired)
		if (verr != nil) != sentinel {
			t.Fatalf("VerifyJSON(%q) error = %v, Verify error = %v: want a sentinel exactly when Verify fails", token, err, verr)
		}

		// Arbitrary payloads behind a valid signature.
		tok := s.Sign(payload)
		if _, err := s.Verify(tok); err != nil {
			return // too large for a token
		}
		var got, want jsonClaims
		err = s.VerifyJSON(tok, &got)
		werr := json.Unmarshal(payload, &want)
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("VerifyJSON(Sign(%q)) error = %v, json.Unmarshal error = %v", payload, err, werr)
		case err != nil && (errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired)):
			t.Fatalf("VerifyJSON(Sign(%q)) error = %v, a sentinel for a valid token", payload, err)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Fatalf("VerifyJSON(Sign(%q)) = %+v, want %+v", payload, got, want)
		}

		// Round trip.
		in := jsonClaims{User: user, N: n, Tags: []string{user}}
		b, _ := json.Marshal(in)
		tok, err = s.SignJSON(in)
		if err != nil {
			if len(b) <= signing.MaxPayloadSize {
				t.Fatalf("SignJSON(%+v) error = %v", in, err)
			}
			return
		}
		var back, wantBack jsonClaims
		_ = json.Unmarshal(b, &wantBack) // invalid UTF-8 comes back as U+FFFD
		if err := s.VerifyJSON(tok, &back); err != nil || !reflect.DeepEqual(back, wantBack) {
			t.Fatalf("VerifyJSON(SignJSON(%+v)) = %+v, %v", in, back, err)
		}
	})
}
