package testserver

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// CacheFault runs 5s of concurrent GetOrLoad traffic through a cache built
// from cfg and opts on srv while fault is applied to srv and undone, and
// checks what the cache layer promises whatever the backend: no call fails,
// calls stay within the timeout, the errors are counted and logged once, and
// the hit ratio is back above 50% within 2s. opts.Timeout and opts.Logger
// are set here.
func CacheFault(t *testing.T, srv *Server, fault Fault, cfg prodready.CacheConfig, opts cache.Options) {
	t.Helper()
	const timeout = 100 * time.Millisecond
	var logged atomic.Int64
	opts.Timeout = timeout
	opts.Logger = slog.New(countHandler{&logged})
	c, err := cache.New[string](context.Background(), cfg, &opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := FaultRun{
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
	if fault == Pause {
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

// countHandler counts log records.
type countHandler struct{ n *atomic.Int64 }

func (h countHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (h countHandler) Handle(context.Context, slog.Record) error { h.n.Add(1); return nil }
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler        { return h }
func (h countHandler) WithGroup(string) slog.Handler             { return h }
