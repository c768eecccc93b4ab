package cache_test

import (
	"bytes"

	htmltemplate "html/template"

	"fmt"
	"math"
	"testing"
	texttemplate "text/template"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// TestTypeFingerprint checks that an entry written for another value type
// or codec is a miss counted in CodecErrors, not a wrong value.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestTypeFingerprint(t *testing.T) {
	t.Parallel()
	type userV1 struct {
		ID   int
		Name string
	}
	type userV2 struct {
		UserID int `json:"user_id"`
		Email  string
	}
	server := newFakeServer()
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: fakeURL(t), CacheNamespace: "users"}
	open := func(codec cache.Codec) *cache.Cache[userV2] {
		c, err := closeLater[userV2](t)(cache.NewWithBackend[userV2](t.Context(), cfg, &cache.Options{Codec: codec}, &fakeBackend{s: server, ns: "users"}))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name  string
		entry []byte
		codec cache.Codec
	}{
		{"other type", cache.EncodeEnvelope[userV1](nil, false, math.MaxInt64, 0, time.Hour, []byte(`{"ID":1,"Name":"ann"}`)), nil},
		{"other codec", cache.EncodeEnvelope[userV2](nil, false, math.MaxInt64, 0, time.Hour, []byte(`{"user_id":1}`)), otherJSON{}},
		{"version 1 envelope", append([]byte{1, 0}, make([]byte, 16)...), nil},
	}
	for i, tt := range tests {
		key := fmt.Sprint("u", i)
		server.put("users", key, tt.entry)
		c := open(tt.codec)
		v, ok, err := c.Get(t.Context(), key)
		if ok || err != nil {
			t.Errorf("%s: Get = %+v, %v, %v, want a miss", tt.name, v, ok, err)
		}
		if got := c.Stats().CodecErrors; got != 1 {
			t.Errorf("%s: CodecErrors = %d, want 1", tt.name, got)
		}
	}
	// The same type and codec read their own entries.
	c := open(nil)
	if err := c.Set(t.Context(), "same", userV2{UserID: 7}); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := open(nil).Get(t.Context(), "same"); !ok || err != nil || v.UserID != 7 {
		t.Fatalf("Get by another Cache[userV2] = %+v, %v, %v, want the entry", v, ok, err)
	}
}

// otherJSON is JSON under another name, as a different Codec.
type otherJSON struct{ cache.JSON }

// TestFingerprintImportPath checks that two types with the same package
// and type names but different import paths have different fingerprints.
//
// Found in the second review of the cache package (commit 8b16f2e,
// "cache: second review"); the test was in review2_fixes_test.go.
func TestFingerprintImportPath(t *testing.T) {
	t.Parallel()
	a := cache.EncodeEnvelope[texttemplate.Template](nil, false, 1, 0, time.Hour, nil)
	b := cache.EncodeEnvelope[htmltemplate.Template](nil, false, 1, 0, time.Hour, nil)
	if bytes.Equal(a, b) {
		t.Fatal("text/template.Template and html/template.Template have the same fingerprint")
	}
	a = cache.EncodeEnvelope[[]*texttemplate.Template](nil, false, 1, 0, time.Hour, nil)
	b = cache.EncodeEnvelope[[]*htmltemplate.Template](nil, false, 1, 0, time.Hour, nil)
	if bytes.Equal(a, b) {
		t.Fatal("[]*text/template.Template and []*html/template.Template have the same fingerprint")
	}
}
