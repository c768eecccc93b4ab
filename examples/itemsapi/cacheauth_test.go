package main

import (
	"strings"
	"testing"

	"github.com/prodready/prodready/internal/testserver"
)

// TestCacheWrongPassword starts the service against a Redis that refuses
// the password of CACHE_URL: it must exit 1 at start-up saying so, not
// take the refusal for an outage.
//
// Found: the refusal (WRONGPASS) was treated as an unreachable server: the
// service started, retried in the background forever, and GET /readyz
// stayed 503.
func TestCacheWrongPassword(t *testing.T) {
	t.Parallel()
	password, wrong := randomText(t, 32), randomText(t, 32)
	srv := testserver.StartRedisWithPassword(t, password)
	_, stderr, code := runCommand(t, t.TempDir(), map[string]string{
		"LISTEN_ADDR":     "127.0.0.1:0",
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       "redis://:" + wrong + "@" + srv.Addr() + "/0",
		"CACHE_NAMESPACE": testserver.Namespace(t),
	})
	if code != 1 {
		t.Errorf("exit status %d, want 1\nstderr:\n%s", code, stderr)
	}
	for _, w := range []string{"CACHE_URL", "WRONGPASS"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stderr, "cache server unreachable") {
		t.Errorf("the refused password was taken for an outage:\n%s", stderr)
	}
	checkNoLeak(t, "stderr", stderr, []string{wrong, password})
}
