package prodready_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// TestBaseMustBeEmbeddedWithoutPrefix checks that a Base that is a named or
// nested field, or has a prefix tag, is refused, and that one embedded
// through an embedded struct gets the profile rules.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): such a Base loaded without its rules applying.
func TestBaseMustBeEmbeddedWithoutPrefix(t *testing.T) {
	t.Parallel()
	var named struct{ Core prodready.Base }
	var nested struct {
		Group struct{ prodready.Base }
	}
	var prefixed struct {
		prodready.Base `prefix:"X_"`
	}
	type inner struct{ prodready.Base }
	var viaEmbedding struct{ inner }
	for _, dst := range []any{&named, &nested, &prefixed} {
		err := prodready.Load(ctx, dst, opts(nil, nil))
		if err == nil || !strings.Contains(err.Error(), "prodready.Base") {
			t.Errorf("Load(%T) = %v, want Base's placement refused", dst, err)
		}
	}
	o := opts(prodready.MapEnv{"SECRET_KEY": "changeme"}, nil)
	o.Profile = prodready.Production
	if err := prodready.Load(ctx, &viaEmbedding, o); !errors.Is(err, prodready.ErrWeakSecret) {
		t.Errorf("Base embedded through an embedded struct: Load() = %v, want the production rules", err)
	}
}

// TestEmbeddedBasePointerIsRefused checks that an embedded *Base is
// refused by Load and Fingerprint.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): an embedded *Base panicked.
func TestEmbeddedBasePointerIsRefused(t *testing.T) {
	t.Parallel()
	var c struct {
		*prodready.Base
		N int `env:"N"`
	}
	err := prodready.Load(ctx, &c, opts(nil, nil))
	if err == nil || !strings.Contains(err.Error(), "pointer to a struct cannot group variables") {
		t.Errorf("Load() = %v", err)
	}
	if _, err := prodready.Fingerprint(c); err == nil {
		t.Error("Fingerprint() accepted an embedded *Base")
	}
}

// TestMemorySizeOnlyAsAField checks that a MemorySize inside a
// slice is refused: its percentage could not be resolved at load.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): it was silently accepted.
func TestMemorySizeOnlyAsAField(t *testing.T) {
	t.Parallel()
	var c struct {
		Bufs []prodready.MemorySize `env:"BUFS"`
	}
	if err := prodready.Load(ctx, &c, opts(nil, nil)); err == nil || !strings.Contains(err.Error(), "MemorySize must be a field of its own") {
		t.Errorf("Load() = %v", err)
	}
}

// TestFileFormCollision checks that a field named like
// another's NAME_FILE form is refused.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): such a pair was accepted.
func TestFileFormCollision(t *testing.T) {
	t.Parallel()
	var c struct {
		TLSKey     string `env:"TLS_KEY"`
		TLSKeyFile string `env:"TLS_KEY_FILE"`
	}
	if err := prodready.Load(ctx, &c, opts(nil, nil)); err == nil || !strings.Contains(err.Error(), "file form of TLS_KEY") {
		t.Errorf("Load() = %v, want the collision refused", err)
	}
}
