package prodready_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

func loadBase(tb testing.TB, env prodready.MapEnv) prodready.Base {
	tb.Helper()
	o := opts(env, nil)
	o.Profile = prodready.Production
	var b prodready.Base
	if err := prodready.Load(ctx, &b, o); err != nil {
		tb.Fatalf("Load() error = %v", err)
	}
	return b
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	base := prodready.MapEnv{"SECRET_KEY": key, "DATABASE_URL": "postgres://app:" + canary + "@db/app"}
	with := func(k, v string) prodready.MapEnv {
		m := prodready.MapEnv{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	fp := func(env prodready.MapEnv) string {
		b := loadBase(t, env)
		s, err := prodready.Fingerprint(b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ref := fp(base)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(ref) {
		t.Fatalf("Fingerprint() = %q, want 32 hex digits", ref)
	}
	if got := fp(base); got != ref {
		t.Errorf("same config: %s, then %s", ref, got)
	}
	b := loadBase(t, base)
	if got, _ := prodready.Fingerprint(&b); got != ref {
		t.Errorf("Fingerprint(&cfg) = %s, Fingerprint(cfg) = %s", got, ref)
	}
	tests := []struct{ name, k, v string }{
		{"page size", "PAGE_SIZE", "51"},
		{"key", "SECRET_KEY", strongKey(t)},
		{"fallbacks", "SECRET_KEY_FALLBACKS", strongKey(t)},
		{"database password only", "DATABASE_URL", "postgres://app:other-password@db/app"},
		{"ttl", "CACHE_TTL", "11m"},
	}
	for _, tt := range tests {
		if got := fp(with(tt.k, tt.v)); got == ref {
			t.Errorf("%s changed but the fingerprint did not", tt.name)
		}
	}
	// Nothing of a secret is in the fingerprint, in any encoding.
	for _, s := range []string{key, canary} {
		sum := sha256.Sum256([]byte(s))
		for _, enc := range []string{s, hex.EncodeToString([]byte(s)), base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString(sum[:16])} {
			if strings.Contains(ref, enc) {
				t.Errorf("fingerprint holds an encoding of a secret")
			}
		}
	}
	if _, err := prodready.Fingerprint(42); err == nil {
		t.Error("Fingerprint(42) succeeded")
	}
	if _, err := prodready.Fingerprint((*prodready.Base)(nil)); err == nil {
		t.Error("Fingerprint(nil pointer) succeeded")
	}
}
