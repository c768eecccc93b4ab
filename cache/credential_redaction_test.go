package cache_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// The outside attack ("Trust" issue): the cache's redactor removed the
// password and query values of 8 bytes or more from a backend's error, and
// nothing it did not know about: a driver quoting another form of the URL
// (';' between parameters, a credential it re-encoded) or a key/value DSN
// kept the credential.
func TestBackendErrorHidesCredentials(t *testing.T) {
	t.Parallel()
	const c = "C4NARYcache"
	tests := []struct{ name, url, cause string }{
		{"password after ';' in the URL quoted by the driver", "redis://cache:6379/0",
			"dial redis://cache:6379/0?db=0;password=" + c + ": refused"},
		{"another URL in the message", "redis://cache:6379/0",
			`parse "redis://u:` + c + `@other:x/0": invalid port`},
		{"key/value DSN", "redis://cache:6379/0",
			"connect host=cache user=app password=" + c + " sslmode=require"},
		{"short password inside the URL", "redis://:p" + c[:2] + "@cache:6379/0",
			"dial redis://:p" + c[:2] + "@cache:6379/0?client_secret=" + c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := prodready.ParseSecretURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			cause := errors.New(tt.cause)
			_, err = cache.NewWithOpenError[string](t.Context(), prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u}, cause)
			if err == nil {
				t.Fatal("New error = nil, want one")
			}
			if strings.Contains(err.Error(), c) || strings.Contains(err.Error(), "p"+c[:2]+"@") {
				t.Errorf("New error = %q: shows the credential", err)
			}
			if !errors.Is(err, cause) {
				t.Errorf("New error = %v: does not wrap the backend's error", err)
			}
		})
	}
}

// TestRendersNoSecret prints a Cache whose URL holds a password with every
// fmt verb and both slog handlers, and looks for the password in plain,
// hex and base64 forms.
//
// Found in the first review of the cache package (commit 9c05f6d,
// "cache: fixes from review"); the test was in review_fixes_test.go.
func TestRendersNoSecret(t *testing.T) {
	t.Parallel()
	const password = "Canary-pw_s3cr3t"
	u, err := prodready.ParseSecretURL("redis://user:" + password + "@cache.internal:6379/0?token=" + password)
	if err != nil {
		t.Fatal(err)
	}
	cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u, CacheNamespace: "ns"}
	c, err := closeLater[string](t)(cache.NewWithBackend[string](t.Context(), cfg, nil, &fakeBackend{s: newFakeServer(), ns: "ns"}))
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{
		password,
		url.PathEscape(password),
		hex.EncodeToString([]byte(password)),
		strings.ToUpper(hex.EncodeToString([]byte(password))),
		base64.StdEncoding.EncodeToString([]byte(password)),
		base64.RawURLEncoding.EncodeToString([]byte(password)),
	}
	type holder struct{ C *cache.Cache[string] }
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out = append(out, fmt.Sprintf(verb, c), fmt.Sprintf(verb, holder{c}), fmt.Sprintf(verb, &holder{c}))
	}
	out = append(out, c.String())
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("cache", "cache", c, "holder", holder{c})
		out = append(out, buf.String())
	}
	for _, s := range out {
		for _, f := range forms {
			if i := strings.Index(s, f); i >= 0 {
				t.Errorf("rendering shows the password (as %q): ...%s...", f, s[max(i-60, 0):min(i+len(f)+20, len(s))])
			}
		}
	}
	if s := fmt.Sprint(c); !strings.Contains(s, "redis") || !strings.Contains(s, "cache.internal") {
		t.Errorf("fmt.Sprint(c) = %q, want the backend and the redacted URL", s)
	}
}
