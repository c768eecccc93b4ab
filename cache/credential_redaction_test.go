package cache_test

import (
	"errors"
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
			_, err = cache.NewWithOpenError[string](t.Context(), prodready.CacheConfig{Backend: prodready.CacheRedis, URL: u}, cause)
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
