package memcached_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/memcached"
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
			testserver.CacheFault(t, srv, testserver.FaultRun{Fault: tt.fault, Cycles: tt.cycles}, prodready.Base{
				CacheBackend:   prodready.CacheMemcached,
				CacheURL:       mustURL(t, "memcached://"+srv.Addr()),
				CacheTTL:       time.Minute,
				CacheNamespace: "fault",
			}, cache.Options{})
		})
	}
}

// TestCallerContextPaused: on a hung server, a call returns the caller's
// context error when it ends, not after the Store's longer timeout.
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
func TestCallerContextPaused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	t.Parallel()
	srv := testserver.StartMemcached(t)
	s := newStore(t, srv.Addr(), &memcached.Options{Namespace: "p", Timeout: time.Second})
	if err := s.Set(context.Background(), "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	defer srv.Resume()
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Get", func(ctx context.Context) error { _, _, err := s.Get(ctx, "k"); return err }},
		{"Set", func(ctx context.Context) error { return s.Set(ctx, "k", []byte("v"), time.Minute) }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, "k") }},
		{"TryLock", func(ctx context.Context) error { _, _, err := s.TryLock(ctx, "k", time.Second); return err }},
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		start := time.Now()
		err := c.call(ctx)
		d := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with a 20ms context on a paused server = %v, want context.DeadlineExceeded", c.name, err)
		}
		// ~20ms; the slack leaves room for a loaded machine, and the
		// bound stays below the 1s timeout.
		if d > 20*time.Millisecond+pauseSlack {
			t.Errorf("%s with a 20ms context on a paused server took %v", c.name, d)
		}
	}
}
