package memcached_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/testserver"
)

// countHandler counts log records.
type countHandler struct{ n *atomic.Int64 }

func (h countHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (h countHandler) Handle(context.Context, slog.Record) error { h.n.Add(1); return nil }
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler        { return h }
func (h countHandler) WithGroup(string) slog.Handler             { return h }

// TestFault runs 5s of concurrent GetOrLoad traffic while the server is
// killed (or paused) and brought back: no call fails, calls stay within
// the timeout, the errors are counted and logged once, and the hit ratio
// is back above 50% within 2s.
func TestFault(t *testing.T) {
	if testing.Short() {
		t.Skip("5s of traffic against its own server")
	}
	for _, fault := range []testserver.Fault{testserver.Kill, testserver.Pause} {
		t.Run(fault.String(), func(t *testing.T) {
			srv := testserver.StartMemcached(t)
			faultRun(t, srv, fault, prodready.CacheConfig{
				Backend:   prodready.CacheMemcached,
				URL:       mustURL(t, "memcached://"+srv.Addr()),
				TTL:       time.Minute,
				Namespace: "fault",
			})
		})
	}
}

func faultRun(t *testing.T, srv *testserver.Server, fault testserver.Fault, cfg prodready.CacheConfig) {
	t.Helper()
	const timeout = 100 * time.Millisecond
	var logged atomic.Int64
	c, err := cache.New[string](context.Background(), cfg, &cache.Options{
		Timeout: timeout,
		Logger:  slog.New(countHandler{&logged}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := testserver.FaultRun{
		Fault: fault,
		Call: func(ctx context.Context, key string) error {
			v, err := c.GetOrLoad(ctx, key, func(context.Context) (string, error) { return "v:" + key, nil })
			if err != nil {
				return err
			}
			if v != "v:"+key {
				return fmt.Errorf("GetOrLoad(%s) = %q", key, v)
			}
			return nil
		},
		Counts: func() (uint64, uint64) { s := c.Stats(); return s.Hits, s.Misses },
	}.Run(t, srv)
	st := c.Stats()
	t.Logf("%s: %v backend_errors=%d log_records=%d", fault, r, st.BackendErrors, logged.Load())
	t.Logf("hit ratio per 100ms: %.2f", r.Windows)
	if r.Failures != 0 {
		t.Errorf("%d of %d calls failed; first: %v", r.Failures, r.Calls, r.FirstFailure)
	}
	// A call may make several backend calls (get, lock, set), each bounded
	// by the timeout; a dead server refuses at once, a paused one does not.
	limit := timeout + 50*time.Millisecond
	if fault == testserver.Pause {
		limit = 3*timeout + 50*time.Millisecond
	}
	if r.P99 > limit {
		t.Errorf("p99 = %v, want ≤ %v", r.P99, limit)
	}
	if st.BackendErrors == 0 {
		t.Error("no backend errors counted")
	}
	if n := logged.Load(); n < 1 || n > 2 {
		t.Errorf("%d log records, want 1 (at most one per ErrorLogInterval)", n)
	}
	if r.Recovery < 0 || r.Recovery > 2*time.Second {
		t.Errorf("hit ratio not above 50%% within 2s of the server's return (recovery %v)", r.Recovery)
	}
}
