package rediscache_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
	"github.com/redis/rueidis"
)

// valuePanicClient calls ctx.Value before each client-side cache read, as
// rueidis's dialer does when the read reconnects.
type valuePanicClient struct{ rueidis.Client }

func (c valuePanicClient) DoCache(ctx context.Context, cmd rueidis.Cacheable, ttl time.Duration) rueidis.RedisResult {
	_ = ctx.Value(panicKey{})
	return c.Client.DoCache(ctx, cmd, ttl)
}

type panicKey struct{}

// panicCtx's Value panics.
type panicCtx struct{ context.Context }

func (panicCtx) Value(any) any { panic("Value") }

// TestReadCountedOnPanic: a read through the client-side cache that
// panics is not left counted in flight, which would make every later
// write of its stripe of keys pending.
func TestReadCountedOnPanic(t *testing.T) {
	t.Parallel()
	s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t)})
	rediscache.WrapClient(s, func(c rueidis.Client) rueidis.Client { return valuePanicClient{c} })
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Get with a panicking ctx.Value did not panic")
			}
		}()
		_, _, _ = s.Get(panicCtx{context.Background()}, "k")
	}()
	if n := rediscache.ReadsInFlight(s); n != 0 {
		t.Errorf("after a read panicked, %d reads are counted in flight, want 0", n)
	}
}

// runGoroutines counts the goroutines that run Store calls in the
// background, in the whole process.
func runGoroutines() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("rediscache.(*Store).run.func")) {
			n++
		}
	}
	return n
}

// TestInFlightBounded: callers with short deadlines on a paused server
// leave calls behind; MaxInFlight bounds them and their goroutines, and
// calls beyond it fail at once with ErrBusy. Close returns within about
// the timeout, although rueidis's own Close waits a second for a paused
// server, and leaves no call goroutine or connection behind.
func TestInFlightBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	// Not parallel: it counts the call goroutines of the whole process.
	srv := testserver.StartRedis(t)
	const (
		maxInFlight = 4
		timeout     = 200 * time.Millisecond
	)
	s, err := rediscache.New(context.Background(), mustURL(t, srv.RedisURL()),
		&rediscache.Options{Namespace: "b", Timeout: timeout, MaxInFlight: maxInFlight})
	if err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	defer srv.Resume()
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		busy, maxN, maxG int
	)
	stop := time.Now().Add(200 * time.Millisecond)
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(stop) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
				err := s.Set(ctx, "k", []byte("v"), time.Minute)
				cancel()
				mu.Lock()
				if errors.Is(err, rediscache.ErrBusy) {
					busy++
				}
				mu.Unlock()
				time.Sleep(time.Millisecond)
			}
		})
	}
	for time.Now().Before(stop) {
		maxN, maxG = max(maxN, rediscache.InFlight(s)), max(maxG, runGoroutines())
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	// The counter is exact. A goroutine that has given its slot back may
	// still be on its way out when the stacks are read, so they get slack:
	// without the bound there were over 200.
	if maxN > maxInFlight || maxG > 2*maxInFlight {
		t.Errorf("with MaxInFlight %d: up to %d calls in flight and %d call goroutines", maxInFlight, maxN, maxG)
	}
	if busy == 0 {
		t.Error("no call failed with ErrBusy")
	}
	start := time.Now()
	_ = s.Close()
	if d := time.Since(start); d > timeout+pauseSlack {
		t.Errorf("Close on a paused server took %v, want at most about %v", d, timeout)
	}
	deadline := time.Now().Add(50 * time.Millisecond) // for goroutines to exit
	for runGoroutines() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runGoroutines(); n != 0 {
		t.Errorf("after Close returned, %d call goroutines still run", n)
	}
	if n := rediscache.OpenConns(s); n != 0 {
		t.Errorf("after Close, the Store holds %d open connections", n)
	}
	if err := s.Set(context.Background(), "k", []byte("v"), time.Minute); !errors.Is(err, rediscache.ErrClosed) {
		t.Errorf("Set after Close = %v, want ErrClosed", err)
	}
}
