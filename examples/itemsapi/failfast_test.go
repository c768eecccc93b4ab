package main

import (
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestFailFast starts the service with configurations it must refuse:
// it must exit 1 naming the variables at fault, without opening its port
// (held here, so a listen would fail with another message) or its
// database. A port in use is refused before the database is opened.
func TestFailFast(t *testing.T) {
	t.Parallel()
	strong := randomText(t, 48)
	tests := []struct {
		name    string
		env     map[string]string // LISTEN_ADDR, if not set, is the port held here
		want    []string
		portErr bool // the error is the port's: the service tried to listen
	}{
		{"production without secrets", map[string]string{"APP_ENV": "production"},
			[]string{"SECRET_KEY: required in production", "ADMIN_TOKEN: required in production"}, false},
		{"production without SECRET_KEY", map[string]string{"APP_ENV": "production", "ADMIN_TOKEN": strong},
			[]string{"SECRET_KEY"}, false},
		{"production with a weak key", map[string]string{"APP_ENV": "production", "SECRET_KEY": "changeme-changeme-changeme-changeme", "ADMIN_TOKEN": strong},
			[]string{"SECRET_KEY"}, false},
		{"production with the development token", map[string]string{"APP_ENV": "production", "SECRET_KEY": strong, "ADMIN_TOKEN": devAdminToken},
			[]string{"ADMIN_TOKEN", "weak token"}, false},
		{"unknown profile", map[string]string{"APP_ENV": "prod"}, []string{"APP_ENV"}, false},
		{"zero timeout", map[string]string{"REQUEST_TIMEOUT": "0s", "SEED_ITEMS": "-1"}, []string{"REQUEST_TIMEOUT", "SEED_ITEMS"}, false},
		{"redis without a URL", map[string]string{"CACHE_BACKEND": "redis"}, []string{"CACHE_URL"}, false},
		{"malformed CACHE_URL", map[string]string{"CACHE_BACKEND": "redis", "CACHE_URL": "redis://cache:notaport/0"}, []string{"CACHE_URL"}, false},
		// Found: these passed the load-time checks, and the service retried
		// them forever as an unreachable server, GET /readyz at 503.
		{"CACHE_URL db not a number", map[string]string{"CACHE_BACKEND": "redis", "CACHE_URL": "redis://cache/abc"}, []string{"CACHE_URL", "not a database number"}, false},
		{"CACHE_URL protocol=3", map[string]string{"CACHE_BACKEND": "redis", "CACHE_URL": "redis://cache/0?protocol=3"}, []string{"CACHE_URL", "protocol=2"}, false},
		{"memcached CACHE_URL with a query", map[string]string{"CACHE_BACKEND": "memcached", "CACHE_URL": "memcached://cache?x=1"}, []string{"CACHE_URL", "takes no options"}, false},
		{"LISTEN_ADDR not host:port", map[string]string{"LISTEN_ADDR": "bogus"}, []string{"LISTEN_ADDR", "host:port"}, false},
		{"development token on every interface", map[string]string{"LISTEN_ADDR": "0.0.0.0:0"}, []string{"ADMIN_TOKEN", "LISTEN_ADDR", "not a loopback address"}, false},
		{"LISTEN_ADDR in use", map[string]string{}, []string{"LISTEN_ADDR", "address already in use"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			env := maps.Clone(tt.env)
			if env["LISTEN_ADDR"] == "" {
				env["LISTEN_ADDR"] = ln.Addr().String()
			}
			dir := t.TempDir()
			stdout, stderr, code := runCommand(t, dir, env)
			if code != 1 {
				t.Errorf("exit status %d, want 1\nstderr:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, bad := range []string{"listening", "address already in use", "LISTEN_ADDR"} {
				if tt.portErr && bad != "listening" || slices.Contains(tt.want, bad) {
					continue
				}
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr holds %q: the service tried to listen:\n%s", bad, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("the service created %v in its directory: it opened the database", files[0].Name())
			}
			checkNoLeak(t, "stderr", stderr, []string{strong})
		})
	}
}
