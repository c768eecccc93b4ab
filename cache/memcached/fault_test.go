package memcached_test

import (
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/testserver"
)

// TestFault runs concurrent GetOrLoad, Get, Set and Delete traffic while
// the server is killed, paused or restarted (and, flapping, killed three
// times) and brought back, and checks what testserver.CacheFault lists:
// fail-open, calls bounded by their timeout, errors counted and logged
// once, recovery, and no goroutine left after Close. Each run logs its
// FAULTS line: the faults injected and the calls made under them.
func TestFault(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of traffic against its own server")
	}
	tests := []struct {
		name   string
		fault  testserver.Fault
		cycles int
	}{
		{"kill", testserver.Kill, 1},
		{"pause", testserver.Pause, 1},
		{"restart", testserver.Restart, 1},
		{"flapping kill", testserver.Kill, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testserver.StartMemcached(t)
			testserver.CacheFault(t, srv, testserver.FaultRun{Fault: tt.fault, Cycles: tt.cycles}, prodready.CacheConfig{
				Backend:   prodready.CacheMemcached,
				URL:       mustURL(t, "memcached://"+srv.Addr()),
				TTL:       time.Minute,
				Namespace: "fault",
			}, cache.Options{})
		})
	}
}
