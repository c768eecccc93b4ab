package rediscache_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestNewAuthFailure: a server that refuses the password of CACHE_URL
// (WRONGPASS), or wants one CACHE_URL does not give (NOAUTH), is a
// configuration error, not an outage.
//
// Found: the error wrapped neither ErrInvalid nor anything a service could
// match, so the reference service took it for an unreachable server and
// retried forever, with GET /readyz at 503.
func TestNewAuthFailure(t *testing.T) {
	t.Parallel()
	const password = "right-" + canary
	srv := testserver.StartRedisWithPassword(t, password)
	tests := []struct {
		name    string
		url     string
		wantErr error // nil: New succeeds
	}{
		{name: "wrong password", url: "redis://:wrong-" + canary + "@" + srv.Addr() + "/0", wantErr: rediscache.ErrAuth},
		{name: "wrong user", url: "redis://nobody:" + password + "@" + srv.Addr() + "/0", wantErr: rediscache.ErrAuth},
		{name: "no password", url: "redis://" + srv.Addr() + "/0", wantErr: rediscache.ErrAuth},
		{name: "right password", url: "redis://:" + password + "@" + srv.Addr() + "/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: mustURL(t, tt.url), CacheNamespace: testserver.Namespace(t), SecretKey: sharedKey}
			c, err := cache.New[string](t.Context(), cfg, &cache.Options{Timeout: 2 * time.Second})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				defer c.Close()
				if err := c.Set(t.Context(), "k", "v"); err != nil {
					t.Fatalf("Set: %v", err)
				}
				return
			}
			if err == nil {
				_ = c.Close()
				t.Fatal("New = nil error, want one")
			}
			t.Logf("New error: %v", err)
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, prodready.ErrInvalid) {
				t.Errorf("New error = %v, want it to wrap ErrAuth and prodready.ErrInvalid", err)
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("New error quotes the password: %v", err)
			}
			if !strings.Contains(err.Error(), "CACHE_URL") {
				t.Errorf("New error = %q, want it to name CACHE_URL", err)
			}
		})
	}
}

// TestURLOptions: the rueidis URL options the backend accepts work on a
// real server.
func TestURLOptions(t *testing.T) {
	t.Parallel()
	base := strings.TrimSuffix(testserver.Redis(t), "/0")
	for _, q := range []string{
		"/0?protocol=2",
		"/0?client_cache=0",
		"/0?client_name=prodready-test",
		"/0?dial_timeout=3s",
		"?db=0",
	} {
		t.Run(q, func(t *testing.T) {
			t.Parallel()
			cfg := prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: mustURL(t, base+q), CacheNamespace: testserver.Namespace(t), SecretKey: sharedKey}
			c, err := cache.New[string](t.Context(), cfg, &cache.Options{Timeout: 2 * time.Second})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer c.Close()
			if err := c.Set(t.Context(), "k", "v"); err != nil {
				t.Fatalf("Set: %v", err)
			}
			if v, ok, err := c.Get(t.Context(), "k"); err != nil || !ok || v != "v" {
				t.Fatalf("Get = %q, %v, %v, want v", v, ok, err)
			}
		})
	}
}
