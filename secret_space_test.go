package prodready_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// Review finding: SECRET_KEY kept a trailing newline while the same text in
// SECRET_KEY_FALLBACKS was trimmed, so a rotation invalidated every token
// signed under the old key. A secret with white space at either end is now
// refused; one given without it rotates into the fallbacks unchanged.
func TestSecretSurroundingSpace(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	tests := []struct {
		name, value string
		wantErr     bool
	}{
		{"clean", key, false},
		{"trailing newline", key + "\n", true},
		{"trailing CRLF", key + "\r\n", true},
		{"leading space", " " + key, true},
		{"tab", key + "\t", true},
		{"inner space is kept", key[:10] + " " + key[10:], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b prodready.Base
			o := opts(prodready.MapEnv{"SECRET_KEY": tt.value}, nil)
			o.Profile = prodready.Production
			o.Silence = []string{"PR-W041", "PR-I040"}
			err := prodready.Load(context.Background(), &b, o)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Load() = %v, want nil", err)
				}
				if b.SecretKey.Reveal() != tt.value {
					t.Errorf("SECRET_KEY changed while loading")
				}
				return
			}
			if !errors.Is(err, prodready.ErrInvalid) {
				t.Fatalf("Load() = %v, want ErrInvalid", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "SECRET_KEY") || !strings.Contains(msg, "white space") {
				t.Errorf("error = %q, want it to name SECRET_KEY and the white space", msg)
			}
			if strings.Contains(msg, key[:12]) {
				t.Errorf("error = %q shows the key", msg)
			}
		})
	}
}

// The key that signed yesterday's tokens, moved into the fallbacks, is the
// same key.
func TestRotatedKeyIsUnchanged(t *testing.T) {
	t.Parallel()
	old, cur := strongKey(t), strongKey(t)
	var before, after prodready.Base
	if err := prodready.Load(context.Background(), &before, opts(prodready.MapEnv{"SECRET_KEY": old}, nil)); err != nil {
		t.Fatal(err)
	}
	env := prodready.MapEnv{"SECRET_KEY": cur, "SECRET_KEY_FALLBACKS": " " + old + " ,\t" + strongKey(t)}
	if err := prodready.Load(context.Background(), &after, opts(env, nil)); err != nil {
		t.Fatal(err)
	}
	if len(after.SecretKeyFallbacks) != 2 || !after.SecretKeyFallbacks[0].Equal(before.SecretKey) {
		t.Errorf("SECRET_KEY_FALLBACKS[0] differs from the SECRET_KEY it was rotated from")
	}
}
