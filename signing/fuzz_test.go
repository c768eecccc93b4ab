package signing_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// FuzzVerify checks that Verify never panics, that it accepts a token only
// in the exact form Sign writes it (no two texts verify as one token), that
// Verify(Sign(m)) round-trips m, and that changing any single byte of a
// valid token makes it invalid.
//
// The keys are fixed, not random, so that tokens in the corpus stay valid
// from one run to the next and the fuzzer can mutate them.
func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cur := prodready.NewSecret("fuzz-current-key-0123456789-abcdefghijklmn")
	old := prodready.NewSecret("fuzz-previous-key-0123456789-abcdefghijklm")
	s, err := signing.New(cur, "fuzz", &signing.Options{
		Fallbacks: []prodready.Secret{old}, MaxAge: time.Hour, Now: clock,
	})
	if err != nil {
		f.Fatal(err)
	}
	// byKey[i] signs as the key VerifyToken reports as KeyIndex i.
	byKey := make([]*signing.Signer, 2)
	for i, k := range []prodready.Secret{cur, old} {
		if byKey[i], err = signing.New(k, "fuzz", &signing.Options{Now: clock}); err != nil {
			f.Fatal(err)
		}
	}
	past := now.Add(-2 * time.Hour)
	expired, _ := signing.New(cur, "fuzz", &signing.Options{Now: func() time.Time { return past }})
	noTS, _ := signing.New(cur, "fuzz", &signing.Options{NoTimestamp: true})
	other, _ := signing.New(cur, "other", &signing.Options{Now: clock})

	f.Add([]byte("payload"), s.Sign([]byte("payload")), uint16(0), byte(1))
	f.Add([]byte{}, byKey[1].Sign([]byte(`{"user":1}`)), uint16(70), byte(0x80))
	f.Add([]byte{0, 0xff}, expired.Sign([]byte("old")), uint16(5), byte(2))
	f.Add([]byte("x"), noTS.Sign([]byte("x")), uint16(3), byte(1))
	f.Add([]byte("x"), other.Sign([]byte("x")), uint16(3), byte(1))
	f.Add([]byte("a.b"), "v1...", uint16(1), byte(255))
	f.Add([]byte(nil), "", uint16(0), byte(0))

	f.Fuzz(func(t *testing.T, payload []byte, token string, pos uint16, delta byte) {
		// Arbitrary input: no panic, and acceptance only of the exact text
		// SignAt produces for the payload and time it verified to.
		got, err := s.VerifyToken(token)
		switch {
		case err == nil:
			if re := byKey[got.KeyIndex].SignAt(got.Payload, got.SignedAt); re != token {
				t.Fatalf("Verify accepted %q, but SignAt of its payload and time is %q", token, re)
			}
		case !errors.Is(err, signing.ErrInvalidSignature) && !errors.Is(err, signing.ErrExpired):
			t.Fatalf("Verify(%q) error = %v, wraps no sentinel", token, err)
		}

		// Round trip.
		valid := s.Sign(payload)
		p, err := s.Verify(valid)
		if err != nil {
			if len(valid) <= signing.MaxTokenSize {
				t.Fatalf("Verify(Sign(%q)) error = %v", payload, err)
			}
			return
		}
		if !bytes.Equal(p, payload) {
			t.Fatalf("Verify(Sign(%q)) = %q", payload, p)
		}

		// Any single-byte change is rejected.
		if delta == 0 {
			delta = 1
		}
		b := []byte(valid)
		i := int(pos) % len(b)
		b[i] += delta
		if p, err := s.Verify(string(b)); err == nil {
			t.Fatalf("Verify accepted %q, %q with byte %d changed (payload %q)", b, valid, i, p)
		}
	})
}
