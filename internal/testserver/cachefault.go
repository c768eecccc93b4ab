package testserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// The calls of a cache fault run, by share of the traffic.
const (
	opGetOrLoad = iota // 12 in 20
	opGet              // 4 in 20
	opSet              // 3 in 20
	opDelete           // 1 in 20
	numOps
)

var opNames = [numOps]string{"GetOrLoad", "Get", "Set", "Delete"}

func opOf(i int) int {
	switch n := i % 20; {
	case n < 12:
		return opGetOrLoad
	case n < 16:
		return opGet
	case n < 19:
		return opSet
	}
	return opDelete
}

// faultTimeout is the cache's Timeout in a fault run.
const faultTimeout = 100 * time.Millisecond

// CacheFault runs concurrent GetOrLoad, Get, Set and Delete traffic
// through a cache built from cfg and opts on srv while run.Fault is
// applied to srv and undone (run.Cycles times), and checks what the cache
// layer promises whatever the backend:
//
//   - fail-open: no GetOrLoad fails, and every value read is one written
//     or loaded for its key; Get, Set and Delete return nil or a backend
//     error (never ErrClosed or a wrong value), and each error they return
//     is counted in Stats().BackendErrors, which rises;
//   - bounded calls: every call returns (the run fails after a minute of
//     hanging), and calls made while the server is down or hung return
//     while it still is, at least one per goroutine (judged when 4 per
//     goroutine were made), so they end by their timeout, not by the
//     server's return;
//   - errors are logged once (ErrorLogInterval is a minute);
//   - recovery: once the traffic stops, a Set is read back and
//     every key loaded is a hit, with no backend error;
//   - Close returns nil, later calls return ErrClosed, and no goroutine of
//     the cache is left.
//
// It reports the run, whose figures (faults injected, calls under fault)
// it also logs. run.Call and run.Counts are set here, as are opts.Timeout
// and opts.Logger.
func CacheFault(t *testing.T, srv *Server, run FaultRun, cfg prodready.Base, opts cache.Options) FaultReport {
	t.Helper()
	leaks := []goleak.Option{
		goleak.IgnoreCurrent(),
		// The server's own process watchers, restarted with it.
		goleak.IgnoreAnyFunction("github.com/prodready/prodready/internal/testserver.wait"),
		goleak.IgnoreAnyFunction("github.com/prodready/prodready/internal/testserver.(*Server).reap"),
	}
	var logged atomic.Int64
	if !cfg.SecretKey.IsSet() {
		cfg.SecretKey = prodready.NewSecret(rand.Text() + rand.Text()) // see cache.ErrNoKey
	}
	opts.Timeout = faultTimeout
	opts.Logger = slog.New(countHandler{&logged})
	// New checks the server within the 100ms timeout, which a starved
	// machine may miss: retry for up to 10s (what is tested is the run).
	var c *cache.Cache[string]
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		if c, err = cache.New[string](context.Background(), cfg, &opts); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	closed := false
	defer func() {
		if !closed {
			_ = c.Close()
		}
	}()

	// Values are "key|n": a value of another key shows.
	value := func(key string, i int) string { return key + "|" + strconv.Itoa(i) }
	wrong := func(key, v string) bool { return !strings.HasPrefix(v, key+"|") }
	var (
		counts   [numOps]atomic.Int64 // calls
		errCount [numOps]atomic.Int64 // backend errors returned
	)
	// backendErr accepts err, returned by op, if it is a backend error.
	backendErr := func(op int, key string, err error) error {
		if errors.Is(err, cache.ErrClosed) || errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "cache: ") {
			return fmt.Errorf("%s(%s) error = %w, want nil or a backend error", opNames[op], key, err)
		}
		errCount[op].Add(1)
		return nil
	}
	run.Call = func(ctx context.Context, i int, key string) error {
		op := opOf(i)
		counts[op].Add(1)
		switch op {
		case opGetOrLoad:
			v, err := c.GetOrLoad(ctx, key, func(context.Context) (string, error) { return value(key, i), nil })
			if err != nil {
				return fmt.Errorf("GetOrLoad(%s) error = %w, want the loader's value (fail-open)", key, err)
			}
			if wrong(key, v) {
				return fmt.Errorf("GetOrLoad(%s) = %q, a value never written for the key", key, v)
			}
		case opGet:
			v, ok, err := c.Get(ctx, key)
			if err != nil {
				return backendErr(op, key, err)
			}
			if ok && wrong(key, v) {
				return fmt.Errorf("Get(%s) = %q, a value never written for the key", key, v)
			}
		case opSet:
			if err := c.Set(ctx, key, value(key, i)); err != nil {
				return backendErr(op, key, err)
			}
		case opDelete:
			if err := c.Delete(ctx, key); err != nil {
				return backendErr(op, key, err)
			}
		}
		return nil
	}
	run.Counts = func() (uint64, uint64) { s := c.Stats(); return s.Hits, s.Misses }
	if run.Goroutines == 0 {
		run.Goroutines = 16
	}
	if run.Keys == 0 {
		run.Keys = 32
	}
	if run.Cycles <= 0 {
		run.Cycles = 1
	}
	r := run.Run(t, srv)

	st := c.Stats()
	var returned int64
	var mix []string
	for op := range numOps {
		returned += errCount[op].Load()
		mix = append(mix, fmt.Sprintf("%s=%d (errors %d)", opNames[op], counts[op].Load(), errCount[op].Load()))
	}
	t.Logf("%s: %v backend_errors=%d log_records=%d", run.Fault, r, st.BackendErrors, logged.Load())
	t.Logf("calls: %s", strings.Join(mix, " "))
	t.Logf("hit ratio per %v: %.2f", orDefault(run.Window, 100*time.Millisecond), r.Windows)
	f := srv.Faults()
	t.Logf("FAULTS backend=%s fault=%s %v calls-under-fault=%d", cfg.CacheBackend, run.Fault, f, r.UnderFault)

	if r.Failures != 0 {
		t.Errorf("%d of %d calls failed; first: %v", r.Failures, r.Calls, r.FirstFailure)
	}
	if r.Injected != run.Cycles || r.Restored != run.Cycles {
		t.Errorf("%d faults injected and %d undone, want %d", r.Injected, r.Restored, run.Cycles)
	}
	if r.UnderFault == 0 {
		t.Error("no call was made while the server was down")
	}
	// A call on a dead server fails at once, and one on a hung server
	// within its timeout (a few timeouts for GetOrLoad): while the server
	// is down for DownFor (10 timeouts by default) every goroutine gets
	// answers. Calls that waited for the server would all return after it
	// came back.
	// Judged only when enough calls ran under the fault: a process starved
	// of CPU makes few calls, and may not see its own timeouts in time.
	if least := int64(run.Goroutines); r.UnderFault < 4*least {
		t.Logf("only %d calls under fault: too few to judge whether they end by their timeout", r.UnderFault)
	} else if r.DownReturned < least {
		t.Errorf("%d of the %d calls made while the server was down returned before it came back, want at least %d (one per goroutine): calls wait for the server instead of their timeout",
			r.DownReturned, r.UnderFault, least)
	}
	if st.BackendErrors == 0 {
		t.Error("no backend errors counted")
	}
	if uint64(returned) > st.BackendErrors {
		t.Errorf("Get, Set and Delete returned %d backend errors, but Stats().BackendErrors = %d: every error must be counted", returned, st.BackendErrors)
	}
	if n := logged.Load(); n < 1 || n > 2 {
		t.Errorf("%d log records, want 1 (at most one per ErrorLogInterval)", n)
	}
	// The hit ratio per window after the return is logged, not judged: a
	// process starved of CPU (a shared CI machine) sees few windows.
	// checkRecovered below checks recovery by counts.
	if r.Recovery < 0 {
		t.Logf("the hit ratio did not rise above 50%% in the %d windows seen after the server's last return: %.2f", len(r.AfterReturn), r.AfterReturn)
	}

	checkRecovered(t, c, run.Keys, value, wrong)

	closed = true
	if err := c.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if _, _, err := c.Get(context.Background(), "k0"); !errors.Is(err, cache.ErrClosed) {
		t.Errorf("Get after Close error = %v, want ErrClosed", err)
	}
	if err := goleak.Find(leaks...); err != nil {
		t.Errorf("goroutines left after Close: %v", err)
	}
	return r
}

// checkRecovered checks, once the traffic has stopped and the server is
// back, that the cache uses it again: a Set is read back (within 10s, the
// time a client may take to reconnect), then every key loaded is a hit on
// a second read, and none of it counts a backend error.
func checkRecovered(t *testing.T, c *cache.Cache[string], keys int, value func(string, int) string, wrong func(key, v string) bool) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Set(ctx, "recovery", value("recovery", 0))
		v, ok, gerr := c.Get(ctx, "recovery")
		if err == nil && gerr == nil && ok && v == value("recovery", 0) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the cache does not use the server again 10s after its return: Set = %v, Get = %q, %v, %v", err, v, ok, gerr)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A pass over the keys may meet a timeout on a machine starved of
	// CPU, and a key whose write failed during the fault is read as a miss
	// and takes no store until the cache has deleted it twice, a second
	// (cache.settleTime) apart, once the server answers (docs/CACHE.md,
	// "Failed writes"): recovery is a clean pass within 10s. The old bound,
	// 5 passes 100ms apart, was shorter than that repair on a loaded
	// machine.
	var problems []string
	deadline = time.Now().Add(10 * time.Second)
	passes := 0
	for {
		problems = recoveryPass(c, keys, value, wrong)
		passes++
		if len(problems) == 0 {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("after recovery, %d passes over the keys in 10s failed; the last: %s", passes, strings.Join(problems, "; "))
}

// recoveryPass loads every key, then reads it back, and reports what was
// not a hit of the key's value or counted a backend error.
func recoveryPass(c *cache.Cache[string], keys int, value func(string, int) string, wrong func(key, v string) bool) []string {
	ctx := context.Background()
	var problems []string
	before := c.Stats()
	for k := range keys {
		key := fmt.Sprintf("k%d", k)
		v, err := c.GetOrLoad(ctx, key, func(context.Context) (string, error) { return value(key, -1), nil })
		if err != nil || wrong(key, v) {
			problems = append(problems, fmt.Sprintf("GetOrLoad(%s) = %q, %v", key, v, err))
		}
	}
	hits := c.Stats().Hits
	for k := range keys {
		key := fmt.Sprintf("k%d", k)
		v, ok, err := c.Get(ctx, key)
		if err != nil || !ok || wrong(key, v) {
			problems = append(problems, fmt.Sprintf("Get(%s) = %q, %v, %v; want a hit", key, v, ok, err))
		}
	}
	after := c.Stats()
	if n := after.BackendErrors - before.BackendErrors; n != 0 {
		problems = append(problems, fmt.Sprintf("%d backend errors, want 0", n))
	}
	if n := after.Hits - hits; n != uint64(keys) {
		problems = append(problems, fmt.Sprintf("%d hits in %d Gets of loaded keys, want %d", n, keys, keys))
	}
	return problems
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// countHandler counts log records.
type countHandler struct{ n *atomic.Int64 }

func (h countHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (h countHandler) Handle(context.Context, slog.Record) error { h.n.Add(1); return nil }
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler        { return h }
func (h countHandler) WithGroup(string) slog.Handler             { return h }
