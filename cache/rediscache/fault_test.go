package rediscache_test

import (
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestFault runs 5s of concurrent GetOrLoad traffic while the server is
// killed (or paused) and brought back: no call fails, calls stay within
// the timeout, the errors are counted and logged once, and the hit ratio
// is back above 50% within 2s.
func TestFault(t *testing.T) {
	if testing.Short() {
		t.Skip("5s of traffic against its own server")
	}
	// A paused server keeps its connections, and the near cache would serve
	// every hot key without asking it: pause without the near cache, so the
	// calls reach the hung server.
	tests := []struct {
		fault  testserver.Fault
		noNear bool
	}{
		{testserver.Kill, false},
		{testserver.Kill, true},
		{testserver.Pause, true},
	}
	for _, tt := range tests {
		name := tt.fault.String()
		if tt.noNear {
			name += "/no near cache"
		}
		t.Run(name, func(t *testing.T) {
			srv := testserver.StartRedis(t)
			testserver.CacheFault(t, srv, tt.fault, prodready.CacheConfig{
				Backend:   prodready.CacheRedis,
				URL:       mustURL(t, srv.RedisURL()),
				TTL:       time.Minute,
				Namespace: "fault",
			}, cache.Options{DisableNearCache: tt.noNear})
		})
	}
}
