package prodready_test

import (
	"bytes"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// A NAME_FILE file lost every trailing line break, and any trailing 0x0A or
// 0x0D byte of a binary key with it (Trust issue: 32 random bytes followed
// by "\r\n\n" loaded as a 32-byte key). Exactly one final "\n" or "\r\n" is
// removed, as Docker and Kubernetes secrets are written; everything before
// it is kept byte for byte.
func TestNameFileStripsOneLineBreak(t *testing.T) {
	t.Parallel()
	key := []byte("\x00\x9f\x10\xfe\x7f\x80\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0b\x0c\x0e\x0f\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d")
	if len(key) != 32 {
		t.Fatalf("test key is %d bytes", len(key))
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	type binConfig struct {
		Key    []byte           `env:"BIN_KEY"`
		Secret prodready.Secret `env:"SECRET_BIN"`
	}
	tests := []struct {
		name string
		data []byte
		want []byte
	}{
		{"no line break", key, key},
		{"one newline", cat(key, []byte("\n")), key},
		{"one CRLF", cat(key, []byte("\r\n")), key},
		{"CRLF then newline keeps the CRLF", cat(key, []byte("\r\n\n")), cat(key, []byte("\r\n"))},
		{"two newlines keep one", cat(key, []byte("\n\n")), cat(key, []byte("\n"))},
		{"key ending in 0x0A, then a newline", cat(key[:31], []byte("\n\n")), cat(key[:31], []byte("\n"))},
		{"a final 0x0A is the line break", cat(key[:31], []byte("\n")), key[:31]},
		{"key ending in 0x0D", cat(key, []byte{0x0D}), cat(key, []byte{0x0D})},
		{"key ending in 0x0D, then a newline", cat(key, []byte{0x0D, 0x0D, 0x0A}), cat(key, []byte{0x0D})},
		{"lone CR is not a line break", cat(key, []byte("\r")), cat(key, []byte("\r"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"BIN_KEY_FILE": "run/secrets/bin", "SECRET_BIN_FILE": "run/secrets/bin"}
			fsys := fstest.MapFS{"run/secrets/bin": {Data: tt.data, Mode: 0o600}}
			var c binConfig
			if err := prodready.Load(ctx, &c, opts(env, fsys)); err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if !bytes.Equal(c.Key, tt.want) {
				t.Errorf("[]byte key = %q (%d bytes), want %q (%d bytes)", c.Key, len(c.Key), tt.want, len(tt.want))
			}
			if got := c.Secret.Reveal(); got != string(tt.want) {
				t.Errorf("Secret key = %q (%d bytes), want %q (%d bytes)", got, len(got), tt.want, len(tt.want))
			}
		})
	}
}

// A text secret whose file ends in two line breaks keeps the first: the
// Secret decoder then refuses the white space, without quoting the value,
// rather than a loader silently dropping it.
func TestNameFileTextSecretWithExtraLineBreak(t *testing.T) {
	t.Parallel()
	env := prodready.MapEnv{"TOKEN_FILE": "t"}
	fsys := fstest.MapFS{"t": {Data: []byte(canary + "\n\n"), Mode: 0o600}}
	var c fileConfig
	err := prodready.Load(ctx, &c, opts(env, fsys))
	if !errors.Is(err, prodready.ErrInvalid) {
		t.Fatalf("Load() error = %v, want ErrInvalid", err)
	}
	checkErr(t, err, "white space")
	assertNoCanary(t, canary, "error", err.Error())
}
