package signing_test

import (
	"bytes"
	"crypto/hkdf"
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
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// newKey returns a random key from crypto/rand.
func newKey(tb testing.TB) prodready.Secret {
	tb.Helper()
	k, err := prodready.GenerateKey(rand.Reader, 32)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// fixedClock returns a clock that reads *t.
func fixedClock(t *time.Time) func() time.Time { return func() time.Time { return *t } }

func mustNew(tb testing.TB, key prodready.Secret, purpose string, opts *signing.Options) *signing.Signer {
	tb.Helper()
	s, err := signing.New(key, purpose, opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

func TestNew(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tests := []struct {
		name    string
		key     prodready.Secret
		purpose string
		opts    *signing.Options
		wantErr bool
	}{
		{name: "nil options", key: key, purpose: "session"},
		{name: "user purpose", key: key, purpose: "password reset/v2:x"},
		{name: "fallbacks", key: key, purpose: "p", opts: &signing.Options{Fallbacks: []prodready.Secret{newKey(t)}}},
		{name: "max age", key: key, purpose: "p", opts: &signing.Options{MaxAge: time.Hour}},
		{name: "longest purpose", key: key, purpose: strings.Repeat("p", signing.MaxPurposeLen)},
		{name: "unset key", key: prodready.Secret{}, purpose: "p", wantErr: true},
		{name: "empty purpose", key: key, purpose: "", wantErr: true},
		{name: "purpose too long", key: key, purpose: strings.Repeat("p", signing.MaxPurposeLen+1), wantErr: true},
		{name: "purpose with NUL", key: key, purpose: "a\x00b", wantErr: true},
		{name: "purpose with newline", key: key, purpose: "a\nb", wantErr: true},
		{name: "purpose not ASCII", key: key, purpose: "sessión", wantErr: true},
		{name: "purpose with leading space", key: key, purpose: " session", wantErr: true},
		{name: "purpose with trailing space", key: key, purpose: "session ", wantErr: true},
		{name: "purpose of a space", key: key, purpose: " ", wantErr: true},
		{name: "unset fallback", key: key, purpose: "p", opts: &signing.Options{Fallbacks: []prodready.Secret{newKey(t), {}}}, wantErr: true},
		{name: "negative max age", key: key, purpose: "p", opts: &signing.Options{MaxAge: -time.Second}, wantErr: true},
		{name: "max age without timestamps", key: key, purpose: "p", opts: &signing.Options{MaxAge: time.Second, NoTimestamp: true}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := signing.New(tt.key, tt.purpose, tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && s.Purpose() != tt.purpose {
				t.Errorf("Purpose() = %q, want %q", s.Purpose(), tt.purpose)
			}
		})
	}
}

func TestNewDoesNotKeepOptions(t *testing.T) {
	t.Parallel()
	old := newKey(t)
	opts := &signing.Options{Fallbacks: []prodready.Secret{old}}
	s := mustNew(t, newKey(t), "p", opts)
	token := mustNew(t, old, "p", nil).Sign([]byte("x"))
	opts.Fallbacks[0] = newKey(t)
	opts.MaxAge = time.Nanosecond
	if _, err := s.Verify(token); err != nil {
		t.Errorf("Verify() after changing the caller's Options = %v, want nil", err)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tests := []struct {
		name    string
		payload []byte
		opts    *signing.Options
	}{
		{name: "empty", payload: nil},
		{name: "text", payload: []byte(`{"user":42}`)},
		{name: "binary", payload: []byte{0, 1, 2, 0xff, '.', '=', '\n'}},
		{name: "dots and base64 chars", payload: []byte("a.b.c-_=+/")},
		{name: "large", payload: bytes.Repeat([]byte("x"), 40000)},
		{name: "no timestamp", payload: []byte("hello"), opts: &signing.Options{NoTimestamp: true}},
		{name: "with max age", payload: []byte("hello"), opts: &signing.Options{MaxAge: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustNew(t, key, "test", tt.opts)
			token := s.Sign(tt.payload)
			for _, c := range token {
				if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", c) {
					t.Fatalf("Sign() = %q: %q is not URL-safe", token, c)
				}
			}
			if !strings.HasPrefix(token, "v1.") {
				t.Errorf("Sign() = %q, want the prefix v1.", token)
			}
			got, err := s.Verify(token)
			if err != nil {
				t.Fatalf("Verify(Sign()) error = %v", err)
			}
			if !bytes.Equal(got, tt.payload) {
				t.Errorf("Verify(Sign(p)) = %q, want %q", got, tt.payload)
			}
		})
	}
}

func TestTokenLayout(t *testing.T) {
	t.Parallel()
	key := prodready.NewSecret("an-example-key-of-43-characters-for-tests-1")
	now := time.UnixMilli(1_700_000_000_123)
	s := mustNew(t, key, "session", &signing.Options{Now: fixedClock(&now)})
	token := s.Sign([]byte("hi"))
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		t.Fatalf("Sign() = %q, want 4 fields", token)
	}
	if parts[0] != "v1" || parts[1] != base64.RawURLEncoding.EncodeToString([]byte("hi")) {
		t.Errorf("Sign() = %q, want v1.aGk....", token)
	}
	ts, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(ts) != 8 {
		t.Fatalf("timestamp field %q: %v", parts[2], err)
	}
	var ms int64
	for _, b := range ts {
		ms = ms<<8 | int64(b)
	}
	if ms != now.UnixMilli() {
		t.Errorf("timestamp = %d, want %d", ms, now.UnixMilli())
	}
	// The documented derivation and MAC, computed here independently.
	dk, err := hkdf.Key(sha256.New, []byte(key.Reveal()), nil, "prodready signing v1 session", 32)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, dk)
	m.Write([]byte(token[:strings.LastIndexByte(token, '.')]))
	if want := base64.RawURLEncoding.EncodeToString(m.Sum(nil)); parts[3] != want {
		t.Errorf("MAC field = %q, want %q", parts[3], want)
	}
	if got, want := len(token), len(parts[1])+59; got != want {
		t.Errorf("len(token) = %d, want %d", got, want)
	}
	tv, err := s.VerifyToken(token)
	if err != nil {
		t.Fatal(err)
	}
	if !tv.SignedAt.Equal(now) || tv.KeyIndex != 0 {
		t.Errorf("VerifyToken() = {SignedAt: %v, KeyIndex: %d}, want {%v, 0}", tv.SignedAt, tv.KeyIndex, now)
	}
}

// TestDeriveKeyVector pins the derivation with a vector computed outside Go
// (Python's hmac module, RFC 5869 by hand), so that a change of the
// derivation, which would invalidate every token in the field, cannot pass
// unnoticed.
func TestDeriveKeyVector(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, purpose, want string
	}{
		{"an-example-key-of-43-characters-for-tests-1", "session", vectorSession},
		{"an-example-key-of-43-characters-for-tests-1", "jwt", vectorJWT},
	}
	for _, tt := range tests {
		t.Run(tt.purpose, func(t *testing.T) {
			t.Parallel()
			got, err := signing.DeriveKey(prodready.NewSecret(tt.key), tt.purpose)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tt.want {
				t.Errorf("DeriveKey() = %x, want %s", got, tt.want)
			}
		})
	}
	if _, err := signing.DeriveKey(prodready.Secret{}, "x"); err == nil {
		t.Error("DeriveKey(unset key) error = nil, want an error")
	}
	if _, err := signing.DeriveKey(prodready.NewSecret("k"), ""); err == nil {
		t.Error("DeriveKey(empty purpose) error = nil, want an error")
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	s := mustNew(t, key, "session", nil)
	valid := s.Sign([]byte("payload"))
	parts := strings.Split(valid, ".")
	other := mustNew(t, newKey(t), "session", nil).Sign([]byte("payload"))
	foreign := mustNew(t, key, "cursor", nil).Sign([]byte("payload"))
	noTS := mustNew(t, key, "session", &signing.Options{NoTimestamp: true}).Sign([]byte("payload"))
	// The last character of the MAC carries 2 unused bits; a non-canonical
	// encoding decodes to the same MAC unless decoding is strict.
	mac := []byte(parts[3])
	mac[len(mac)-1] = nonCanonical(mac[len(mac)-1])
	tests := []struct {
		name  string
		token string
	}{
		{name: "empty", token: ""},
		{name: "garbage", token: "not a token"},
		{name: "version only", token: "v1."},
		{name: "unknown version", token: "v2" + strings.TrimPrefix(valid, "v1")},
		{name: "no version", token: strings.TrimPrefix(valid, "v1.")},
		{name: "other key", token: other},
		{name: "other purpose", token: foreign},
		{name: "payload changed", token: strings.Join([]string{"v1", flip(parts[1], 0), parts[2], parts[3]}, ".")},
		{name: "payload swapped", token: strings.Join([]string{"v1", "b3RoZXI", parts[2], parts[3]}, ".")},
		{name: "timestamp dropped", token: strings.Join([]string{"v1", parts[1], "", parts[3]}, ".")},
		{name: "timestamp added", token: strings.Replace(noTS, "..", "."+parts[2]+".", 1)},
		{name: "mac dropped", token: strings.Join(parts[:3], ".")},
		{name: "mac empty", token: strings.Join(parts[:3], ".") + "."},
		{name: "mac truncated", token: valid[:len(valid)-1]},
		{name: "mac extended", token: valid + "A"},
		{name: "mac not canonical", token: strings.Join([]string{"v1", parts[1], parts[2], string(mac)}, ".")},
		{name: "mac not base64", token: valid[:len(valid)-2] + "!!"},
		{name: "extra field", token: strings.Join([]string{"v1", parts[1], parts[2], "x", parts[3]}, ".")},
		{name: "padding", token: valid + "="},
		{name: "too long", token: "v1." + strings.Repeat("A", signing.MaxTokenSize) + ".." + parts[3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Verify(tt.token)
			if !errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("Verify() error = %v, want ErrInvalidSignature", err)
			}
			if errors.Is(err, signing.ErrExpired) {
				t.Errorf("Verify() error = %v, also ErrExpired", err)
			}
			if got != nil {
				t.Errorf("Verify() payload = %q, want nil", got)
			}
		})
	}
}

// flip returns token with its byte i replaced by another base64url
// character.
func flip(token string, i int) string {
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// nonCanonical returns a base64url character that differs from c only in
// its 2 lowest bits, which are unused in the last character of 32 bytes.
func nonCanonical(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return alphabet[i^1]
}

func TestMaxAge(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	signedAt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const maxAge = 10 * time.Minute
	tests := []struct {
		name    string
		now     time.Time // the clock when verifying
		maxAge  time.Duration
		tamper  bool
		wantErr error
	}{
		{name: "fresh", now: signedAt, maxAge: maxAge},
		{name: "just under max age", now: signedAt.Add(maxAge - time.Millisecond), maxAge: maxAge},
		{name: "at max age", now: signedAt.Add(maxAge), maxAge: maxAge},
		{name: "just over max age", now: signedAt.Add(maxAge + time.Millisecond), maxAge: maxAge, wantErr: signing.ErrExpired},
		{name: "a year old", now: signedAt.AddDate(1, 0, 0), maxAge: maxAge, wantErr: signing.ErrExpired},
		{name: "a year old without max age", now: signedAt.AddDate(1, 0, 0)},
		{name: "future within skew", now: signedAt.Add(-signing.MaxClockSkew), maxAge: maxAge},
		{name: "future beyond skew", now: signedAt.Add(-signing.MaxClockSkew - time.Millisecond), maxAge: maxAge, wantErr: signing.ErrInvalidSignature},
		{name: "expired and tampered", now: signedAt.AddDate(1, 0, 0), maxAge: maxAge, tamper: true, wantErr: signing.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := signedAt
			token := mustNew(t, key, "p", &signing.Options{Now: fixedClock(&clock)}).Sign([]byte("x"))
			if tt.tamper {
				token = strings.Replace(token, "v1.eA.", "v1.eQ.", 1)
			}
			clock = tt.now
			s := mustNew(t, key, "p", &signing.Options{MaxAge: tt.maxAge, Now: fixedClock(&clock)})
			got, err := s.Verify(token)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Verify() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && string(got) != "x" {
				t.Errorf("Verify() = %q, want %q", got, "x")
			}
		})
	}
}

func TestMaxAgeRejectsTokenWithoutTimestamp(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	token := mustNew(t, key, "p", &signing.Options{NoTimestamp: true}).Sign([]byte("x"))
	if _, err := mustNew(t, key, "p", nil).Verify(token); err != nil {
		t.Errorf("Verify() without MaxAge error = %v, want nil", err)
	}
	_, err := mustNew(t, key, "p", &signing.Options{MaxAge: time.Hour}).Verify(token)
	if !errors.Is(err, signing.ErrInvalidSignature) {
		t.Errorf("Verify() with MaxAge error = %v, want ErrInvalidSignature", err)
	}
}

func TestSentinelsAreDistinct(t *testing.T) {
	t.Parallel()
	if errors.Is(signing.ErrExpired, signing.ErrInvalidSignature) || errors.Is(signing.ErrInvalidSignature, signing.ErrExpired) {
		t.Error("ErrExpired and ErrInvalidSignature match each other")
	}
}

// TestRotation follows a key rotation: the old key becomes a fallback, then
// is retired.
func TestRotation(t *testing.T) {
	t.Parallel()
	k1, k2, k3 := newKey(t), newKey(t), newKey(t)
	before := mustNew(t, k1, "session", nil)
	oldToken := before.Sign([]byte("old"))

	during := mustNew(t, k2, "session", &signing.Options{Fallbacks: []prodready.Secret{k1}})
	after := mustNew(t, k2, "session", nil)
	onlyOld := mustNew(t, k1, "session", nil)
	newToken := during.Sign([]byte("new"))

	tests := []struct {
		name      string
		s         *signing.Signer
		token     string
		want      string
		wantIndex int
		wantErr   error
	}{
		{name: "old token, old key as fallback", s: during, token: oldToken, want: "old", wantIndex: 1},
		{name: "old token, old key retired", s: after, token: oldToken, wantErr: signing.ErrInvalidSignature},
		{name: "new token signed with the current key", s: after, token: newToken, want: "new", wantIndex: 0},
		{name: "new token not signed with the fallback", s: onlyOld, token: newToken, wantErr: signing.ErrInvalidSignature},
		{
			name: "second fallback", token: oldToken, want: "old", wantIndex: 2,
			s: mustNew(t, k3, "session", &signing.Options{Fallbacks: []prodready.Secret{k2, k1}}),
		},
		{
			name: "fallback of another purpose", token: oldToken, wantErr: signing.ErrInvalidSignature,
			s: mustNew(t, k2, "cursor", &signing.Options{Fallbacks: []prodready.Secret{k1}}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.s.VerifyToken(tt.token)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("VerifyToken() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if string(got.Payload) != tt.want || got.KeyIndex != tt.wantIndex {
				t.Errorf("VerifyToken() = {%q, KeyIndex %d}, want {%q, %d}", got.Payload, got.KeyIndex, tt.want, tt.wantIndex)
			}
		})
	}
}

// TestRotationOrder checks the documented order: the current key first, then
// the fallbacks as given. With the same key twice, the earlier position wins.
func TestRotationOrder(t *testing.T) {
	t.Parallel()
	k1, k2 := newKey(t), newKey(t)
	token := mustNew(t, k1, "p", nil).Sign([]byte("x"))
	tests := []struct {
		name      string
		key       prodready.Secret
		fallbacks []prodready.Secret
		want      int
	}{
		{name: "current before fallbacks", key: k1, fallbacks: []prodready.Secret{k1}, want: 0},
		{name: "fallbacks in order", key: k2, fallbacks: []prodready.Secret{k1, k1}, want: 1},
		{name: "later fallback", key: k2, fallbacks: []prodready.Secret{k2, k1}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustNew(t, tt.key, "p", &signing.Options{Fallbacks: tt.fallbacks})
			got, err := s.VerifyToken(token)
			if err != nil {
				t.Fatal(err)
			}
			if got.KeyIndex != tt.want {
				t.Errorf("KeyIndex = %d, want %d", got.KeyIndex, tt.want)
			}
		})
	}
}

// TestFromConfig checks that FromConfig takes the keys of any configuration
// that embeds prodready.Base, given as a value or a pointer: SECRET_KEY
// signs and SECRET_KEY_FALLBACKS verify. A new user wrote
// signing.FromBase(cfg, …) with cfg their own struct and got "cannot use
// cfg (variable of struct type Config) as prodready.Base value".
func TestFromConfig(t *testing.T) {
	t.Parallel()
	type config struct {
		prodready.Base
		Extra string
	}
	type nested struct{ config }
	k1, k2 := newKey(t), newKey(t)
	b := prodready.Base{SecretKey: k2, SecretKeyFallbacks: []prodready.Secret{k1}}
	tests := []struct {
		name string
		cfg  prodready.Settings
	}{
		{"Base", b},
		{"*Base", &b},
		{"struct embedding Base", config{Base: b, Extra: "x"}},
		{"pointer to it", &config{Base: b}},
		{"Base embedded two levels down", nested{config{Base: b}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := signing.FromConfig(tt.cfg, "p", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Verify(mustNew(t, k1, "p", nil).Sign(nil)); err != nil {
				t.Errorf("Verify(token of SECRET_KEY_FALLBACKS[0]) error = %v", err)
			}
			if _, err := mustNew(t, k2, "p", nil).Verify(s.Sign(nil)); err != nil {
				t.Errorf("token of FromConfig does not verify with SECRET_KEY: %v", err)
			}
		})
	}
}

func TestFromConfigErrors(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	tests := []struct {
		name string
		cfg  prodready.Settings
		opts *signing.Options
		want string
	}{
		{"nil", nil, nil, "nil configuration"},
		{"no SECRET_KEY", prodready.Base{}, nil, "SECRET_KEY not set"},
		{"unset fallback", prodready.Base{SecretKey: key, SecretKeyFallbacks: []prodready.Secret{{}}}, nil, "SECRET_KEY_FALLBACKS: key 0 not set"},
		// Before FromConfig, FromBase dropped them silently.
		{"fallbacks in opts too", prodready.Base{SecretKey: key}, &signing.Options{Fallbacks: []prodready.Secret{newKey(t)}}, "Options.Fallbacks"},
		{"bad purpose", prodready.Base{SecretKey: key}, nil, "purpose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			purpose := "p"
			if tt.name == "bad purpose" {
				purpose = ""
			}
			s, err := signing.FromConfig(tt.cfg, purpose, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FromConfig() = %v, %v; want an error about %q", s, err, tt.want)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	type claims struct {
		User  int64    `json:"u"`
		Roles []string `json:"r"`
	}
	s := mustNew(t, newKey(t), "p", nil)
	want := claims{User: 42, Roles: []string{"admin"}}
	token, err := s.SignJSON(want)
	if err != nil {
		t.Fatal(err)
	}
	var got claims
	if err := s.VerifyJSON(token, &got); err != nil {
		t.Fatalf("VerifyJSON() error = %v", err)
	}
	if got.User != want.User || len(got.Roles) != 1 || got.Roles[0] != "admin" {
		t.Errorf("VerifyJSON() = %+v, want %+v", got, want)
	}
	if err := s.VerifyJSON(flip(token, len(token)-5), &got); !errors.Is(err, signing.ErrInvalidSignature) {
		t.Errorf("VerifyJSON(tampered) error = %v, want ErrInvalidSignature", err)
	}
	var wrongType struct{ User string }
	err = s.VerifyJSON(s.Sign([]byte(`{"User":1}`)), &wrongType)
	if err == nil || errors.Is(err, signing.ErrInvalidSignature) || errors.Is(err, signing.ErrExpired) {
		t.Errorf("VerifyJSON(valid token, wrong type) error = %v, want a decoding error", err)
	}
	if _, err := s.SignJSON(func() {}); err == nil {
		t.Error("SignJSON(func) error = nil, want an error")
	}
}

// TestSecretNeverShown prints a Signer, and every error the package returns,
// in every way, and looks for the secret and the derived key.
func TestSecretNeverShown(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-b2f1c9e0d7a64c1e9f3a8b5d2e7c4a10-CANARY"
	key := prodready.NewSecret(canary)
	s := mustNew(t, key, "session", &signing.Options{Fallbacks: []prodready.Secret{prodready.NewSecret(canary + "-old")}})
	dk, _ := signing.DeriveKey(key, "session")
	needles := []string{
		canary, "CANARY", hex.EncodeToString(dk), base64.RawURLEncoding.EncodeToString(dk),
		fmt.Sprint(dk), fmt.Sprintf("%v", dk[:8]), string(dk[:12]),
	}
	var outs []string
	for _, v := range []any{s, *s, struct{ s *signing.Signer }{s}, struct{ s signing.Signer }{*s}} {
		for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%b", "%T"} {
			out := fmt.Sprintf(f, v)
			if strings.Contains(out, "%!(MISSING)") || strings.Contains(out, "%!(EXTRA") {
				t.Fatalf("Sprintf(%q) = %q: the test's format is wrong", f, out)
			}
			outs = append(outs, out)
		}
		j, _ := json.Marshal(v)
		outs = append(outs, string(j))
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "signer", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "signer", v)
		outs = append(outs, buf.String())
	}
	_, err := s.Verify("v1.x..x")
	outs = append(outs, err.Error())
	_, err = signing.New(key, "", nil)
	outs = append(outs, err.Error())
	_, err = signing.New(key, "p", &signing.Options{Fallbacks: []prodready.Secret{{}}})
	outs = append(outs, err.Error())
	var nilSigner *signing.Signer
	_, err = nilSigner.Verify("v1.x..x")
	outs = append(outs, err.Error(), nilSigner.String())
	for _, out := range outs {
		for _, n := range needles {
			if strings.Contains(out, n) {
				t.Errorf("output %q contains a secret (%q)", out, n)
			}
		}
	}
}

// TestMaxPayloadSize checks the documented limit: a payload of
// MaxPayloadSize bytes gives a token Verify accepts, one byte more does not,
// and SignJSON reports what Sign cannot.
func TestMaxPayloadSize(t *testing.T) {
	t.Parallel()
	s := mustNew(t, newKey(t), "p", nil)
	tests := []struct {
		name    string
		size    int
		wantErr bool
	}{
		{name: "max", size: signing.MaxPayloadSize},
		{name: "one more", size: signing.MaxPayloadSize + 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload := bytes.Repeat([]byte("x"), tt.size)
			token := s.Sign(payload)
			if _, err := s.Verify(token); (err != nil) != tt.wantErr {
				t.Errorf("Verify(Sign(%d bytes)) error = %v, wantErr %v", tt.size, err, tt.wantErr)
			}
			// The JSON string of size-2 bytes encodes to size bytes.
			jt, err := s.SignJSON(string(payload[2:]))
			if (err != nil) != tt.wantErr {
				t.Fatalf("SignJSON(%d bytes of JSON) error = %v, wantErr %v", tt.size, err, tt.wantErr)
			}
			if errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("SignJSON() error = %v wraps ErrInvalidSignature", err)
			}
			if err == nil {
				if _, err := s.Verify(jt); err != nil {
					t.Errorf("Verify(SignJSON()) error = %v", err)
				}
			}
		})
	}
}

// TestZeroSigner checks that a Signer not made by New neither panics nor
// signs or verifies anything.
func TestZeroSigner(t *testing.T) {
	t.Parallel()
	valid := mustNew(t, newKey(t), "p", nil).Sign([]byte("x"))
	tests := []struct {
		name string
		s    *signing.Signer
	}{
		{name: "zero", s: &signing.Signer{}},
		{name: "nil", s: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.s.Sign([]byte("x")); got != "" {
				t.Errorf("Sign() = %q, want \"\"", got)
			}
			if got := tt.s.SignAt([]byte("x"), time.Now()); got != "" {
				t.Errorf("SignAt() = %q, want \"\"", got)
			}
			for _, token := range []string{"", valid} {
				if _, err := tt.s.Verify(token); !errors.Is(err, signing.ErrInvalidSignature) {
					t.Errorf("Verify(%q) error = %v, want ErrInvalidSignature", token, err)
				}
			}
			if _, err := tt.s.SignJSON(1); err == nil {
				t.Error("SignJSON() error = nil, want an error")
			}
			if err := tt.s.VerifyJSON(valid, new(any)); !errors.Is(err, signing.ErrInvalidSignature) {
				t.Errorf("VerifyJSON() error = %v, want ErrInvalidSignature", err)
			}
			if tt.s.Purpose() != "" || tt.s.MaxAge() != 0 || tt.s.String() == "" {
				t.Errorf("Purpose() = %q, MaxAge() = %v, String() = %q", tt.s.Purpose(), tt.s.MaxAge(), tt.s.String())
			}
		})
	}
}

// TestSignAt checks that SignAt dates a token as told, so a re-signed token
// keeps its expiry, and that a date too far ahead is still rejected.
func TestSignAt(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := mustNew(t, key, "p", &signing.Options{MaxAge: time.Hour, Now: fixedClock(&now)})
	tests := []struct {
		name    string
		at      time.Time
		wantErr error
	}{
		{name: "now", at: now},
		{name: "in the past, within max age", at: now.Add(-59*time.Minute - 999*time.Millisecond)},
		{name: "in the past, beyond max age", at: now.Add(-61 * time.Minute), wantErr: signing.ErrExpired},
		{name: "in the future, within skew", at: now.Add(signing.MaxClockSkew)},
		{name: "in the future, beyond skew", at: now.Add(signing.MaxClockSkew + time.Millisecond), wantErr: signing.ErrInvalidSignature},
		{name: "sub-millisecond", at: now.Add(-1500 * time.Microsecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.VerifyToken(s.SignAt([]byte("x"), tt.at))
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("VerifyToken(SignAt()) error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && !got.SignedAt.Equal(tt.at.Truncate(time.Millisecond)) {
				t.Errorf("SignedAt = %v, want %v", got.SignedAt, tt.at.Truncate(time.Millisecond))
			}
		})
	}
	noTS := mustNew(t, key, "p", &signing.Options{NoTimestamp: true})
	if got, want := noTS.SignAt([]byte("x"), now), noTS.Sign([]byte("x")); got != want {
		t.Errorf("SignAt() without timestamps = %q, want Sign()'s %q", got, want)
	}
}

// TestOddClocks signs with clocks at the edges of the timestamp's range,
// the zero time.Time among them: a timestamp is always written, and a
// MaxAge judges it like any other.
func TestOddClocks(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		at         time.Time
		wantMaxAge error // verified by a Signer with a MaxAge and a sane clock
	}{
		{name: "zero time", at: time.Time{}, wantMaxAge: signing.ErrExpired},
		{name: "before the epoch", at: time.UnixMilli(-1), wantMaxAge: signing.ErrExpired},
		{name: "earliest", at: time.UnixMilli(-1 << 63), wantMaxAge: signing.ErrExpired},
		{name: "latest", at: time.UnixMilli(1<<63 - 1), wantMaxAge: signing.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at := tt.at
			signer := mustNew(t, key, "p", &signing.Options{Now: fixedClock(&at)})
			token := signer.Sign([]byte("x"))
			got, err := signer.VerifyToken(token)
			if err != nil {
				t.Fatalf("VerifyToken() without MaxAge error = %v", err)
			}
			if !got.SignedAt.Equal(tt.at) {
				t.Errorf("SignedAt = %v, want %v", got.SignedAt, tt.at)
			}
			v := mustNew(t, key, "p", &signing.Options{MaxAge: time.Hour, Now: fixedClock(&now)})
			if _, err := v.Verify(token); !errors.Is(err, tt.wantMaxAge) {
				t.Errorf("Verify() with MaxAge error = %v, want %v", err, tt.wantMaxAge)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := mustNew(t, newKey(t), "p", &signing.Options{Fallbacks: []prodready.Secret{newKey(t)}})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := fmt.Appendf(nil, "%d/%d", g, i)
				got, err := s.Verify(s.Sign(p))
				if err != nil || !bytes.Equal(got, p) {
					t.Errorf("Verify(Sign(%q)) = %q, %v", p, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Derived keys of "an-example-key-of-43-characters-for-tests-1", computed
// with Python's hmac and hashlib (RFC 5869 HKDF written out).
const (
	vectorSession = "aec0d7e8edb2ed04b3e3b8f102ae91dba14829d0c513ebcdb9c331b273d75caa"
	vectorJWT     = "092f3439518a984931ad1b6dcb13b60f5bf5330b9e12f6d060681a157038d052"
)
