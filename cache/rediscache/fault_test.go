package rediscache_test

import (
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestFault runs concurrent GetOrLoad, Get, Set and Delete traffic while
// the server is killed, paused or restarted (and, flapping, killed three
// times) and brought back, with the near cache on and off, and checks
// what testserver.CacheFault lists: fail-open, calls bounded by their
// timeout, errors counted and logged once, recovery, and no goroutine
// left after Close. Each run logs its FAULTS line: the faults injected and
// the calls made under them.
func TestFault(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of traffic against its own server")
	}
	tests := []struct {
		name   string
		fault  testserver.Fault
		cycles int
		noNear bool
	}{
		{"kill", testserver.Kill, 1, false},
		{"kill/no near cache", testserver.Kill, 1, true},
		// With the near cache, hot keys are served without the server,
		// but misses, leases, Sets and Deletes reach it.
		{"pause", testserver.Pause, 1, false},
		{"pause/no near cache", testserver.Pause, 1, true},
		{"restart", testserver.Restart, 1, false},
		{"restart/no near cache", testserver.Restart, 1, true},
		{"flapping kill", testserver.Kill, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testserver.StartRedis(t)
			testserver.CacheFault(t, srv, testserver.FaultRun{Fault: tt.fault, Cycles: tt.cycles}, prodready.Base{
				CacheBackend:   prodready.CacheRedis,
				CacheURL:       mustURL(t, srv.RedisURL()),
				CacheTTL:       time.Minute,
				CacheNamespace: "fault",
			}, cache.Options{DisableNearCache: tt.noNear})
		})
	}
}
