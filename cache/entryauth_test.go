package cache

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

const entryCanary = "canary-entry-key-5c0ffee5c0ffee5c0ffee"

func newTestAuth(t testing.TB, ns string, key string, fallbacks ...string) *entryAuth {
	t.Helper()
	cfg := prodready.CacheConfig{Namespace: ns, SecretKey: prodready.NewSecret(key)}
	for _, f := range fallbacks {
		cfg.SecretKeyFallbacks = append(cfg.SecretKeyFallbacks, prodready.NewSecret(f))
	}
	a, err := newEntryAuth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEntryMACFormat pins the MAC to the format docs/CACHE.md gives, so
// that a service in another language can read and write the entries:
// HMAC-SHA256 under signing.DeriveKey(SECRET_KEY, EntryPurpose) of
// uvarint(len(ns)) ns uvarint(len(key)) key, the 34-byte header and the
// payload, truncated to 16 bytes.
func TestEntryMACFormat(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, "orders", entryCanary)
	b := encodeEnvelope(envelope{expires: 1, ttl: 2, fingerprint: 3, payload: []byte(`"v"`)})
	a.seal("user:42", b)

	k, err := signing.DeriveKey(prodready.NewSecret(entryCanary), EntryPurpose)
	if err != nil {
		t.Fatal(err)
	}
	h := hmac.New(sha256.New, k)
	h.Write([]byte{6})
	h.Write([]byte("orders"))
	h.Write([]byte{7})
	h.Write([]byte("user:42"))
	h.Write(b[:envelopeHeader])
	h.Write(b[envelopeHeader+macSize:])
	want := h.Sum(nil)[:macSize]
	if got := b[envelopeHeader : envelopeHeader+macSize]; !hmac.Equal(got, want) {
		t.Errorf("MAC = %x, want %x", got, want)
	}
	if !a.verify("user:42", b) {
		t.Error("verify of a sealed envelope = false")
	}
}

func TestEntryMACBinds(t *testing.T) {
	t.Parallel()
	sealed := func(a *entryAuth, key string) []byte {
		b := encodeEnvelope(envelope{expires: 1, payload: []byte(`"v"`)})
		a.seal(key, b)
		return b
	}
	a := newTestAuth(t, "a", entryCanary)
	tests := []struct {
		name string
		a    *entryAuth
		key  string
		b    []byte
		want bool
	}{
		{"same", a, "k", sealed(a, "k"), true},
		{"other key", a, "k2", sealed(a, "k"), false},
		// Length prefixes: ("a", "b:c") and ("a:b", "c") are different
		// inputs, though namespace+":"+key is the same.
		{"namespace and key boundary", newTestAuth(t, "a:b", entryCanary), "c", sealed(a, "b:c"), false},
		{"other secret", newTestAuth(t, "a", entryCanary+"x"), "k", sealed(a, "k"), false},
		{"fallback", newTestAuth(t, "a", entryCanary+"new", entryCanary+"older", entryCanary), "k", sealed(a, "k"), true},
		{"unsealed", a, "k", encodeEnvelope(envelope{expires: 1, payload: []byte(`"v"`)}), false},
		{"no key verifies anything", nil, "k", encodeEnvelope(envelope{expires: 1}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.a.verify(tt.key, tt.b); got != tt.want {
				t.Errorf("verify = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEntryAuthRedacted: no rendering of the authenticator or of a Cache
// holding it shows the key.
func TestEntryAuthRedacted(t *testing.T) {
	t.Parallel()
	a := newTestAuth(t, "ns", entryCanary)
	c := &Cache[string]{auth: a}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		for _, v := range []any{a, *a, c} {
			if s := fmt.Sprintf(f, v); strings.Contains(s, entryCanary) || strings.Contains(strings.ToLower(s), "5c0ffee") {
				t.Errorf("Sprintf(%q) shows the key: %s", f, s)
			}
		}
	}
}

// BenchmarkEntryVerify isolates the MAC's share of reading an entry: the
// envelope decode alone (mac=off, the path before entries were
// authenticated) and with the verification (mac=on), for a small row and
// a 4 KiB value. The Get benchmarks on a real server are
// BenchmarkEntryAuth.
func BenchmarkEntryVerify(b *testing.B) {
	a := newTestAuth(b, "orders", entryCanary)
	for _, size := range []int{64, 4096} {
		env := encodeEnvelope(envelope{expires: 1, payload: make([]byte, size)})
		a.seal("user:42", env)
		for _, mac := range []bool{false, true} {
			b.Run(fmt.Sprintf("size=%d/mac=%v", size, mac), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := decodeEnvelope(env); err != nil {
						b.Fatal(err)
					}
					if mac && !a.verify("user:42", env) {
						b.Fatal("verify = false")
					}
				}
			})
		}
	}
}
