package memcached_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/internal/testserver"
)

// TestExpirationNear2038: a TTL over 30 days never becomes an expiry in
// the past, which memcached would take as "expired": close to 2038 it is
// the latest absolute time, and past it 30 days, relative.
func TestExpirationNear2038(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	const month = 30 * 24 * 60 * 60
	for _, c := range []struct {
		now  time.Time
		ttl  time.Duration
		want int32
	}{
		{time.Unix(1_800_000_000, 0), 40 * day, 1_800_000_000 + 40*86400 + 1},
		{time.Unix(1_800_000_000, 0), math.MaxInt64, math.MaxInt32},
		{time.Unix(math.MaxInt32-40*86400, 0), 100 * day, math.MaxInt32},
		{time.Unix(math.MaxInt32-10*86400, 0), 100 * day, month},
		{time.Unix(math.MaxInt32, 0), 31 * day, month},
		{time.Unix(math.MaxInt32+1000, 0), math.MaxInt64, month},
		{time.Unix(math.MaxInt32+1000, 0), time.Minute, 61},
	} {
		got := memcached.Expiration(c.ttl, c.now)
		if got != c.want {
			t.Errorf("expiration(%v, %d) = %d, want %d", c.ttl, c.now.Unix(), got, c.want)
		}
		if got > month && int64(got) <= c.now.Unix() {
			t.Errorf("expiration(%v, %d) = %d, in the past", c.ttl, c.now.Unix(), got)
		}
	}
}

// currConns returns memcached's curr_connections on addr, asked on a
// connection of its own (counted in it).
func currConns(tb testing.TB, addr string) int {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprint(c, "stats\r\n"); err != nil {
		tb.Fatal(err)
	}
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "STAT curr_connections "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	tb.Fatalf("no curr_connections in stats on %s", addr)
	return 0
}

// callGoroutines counts the goroutines that run Store calls in the
// background.
func callGoroutines() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("memcached.(*Store).do.func")) {
			n++
		}
	}
	return n
}

// exitGrace is how long a call goroutine that has finished its call may
// take to exit; calls left running would take the server's whole pause.
const exitGrace = 50 * time.Millisecond

// noCallGoroutines reports an error if call goroutines still run after
// exitGrace.
func noCallGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(exitGrace)
	for callGoroutines() != 0 {
		if time.Now().After(deadline) {
			t.Errorf("after Close returned, %d call goroutines still run", callGoroutines())
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCloseWaitsForAbandonedCalls: a call left behind by a caller that
// gave up, which succeeds after Close was called, does not park its
// connection in the closed client: Close waits for it, and no goroutine
// or connection of the Store is left after Close.
func TestCloseWaitsForAbandonedCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	// Not parallel: it counts the call goroutines of the whole process.
	srv := testserver.StartMemcached(t)
	base := currConns(t, srv.Addr())
	s, err := memcached.New(context.Background(), mustURL(t, "memcached://"+srv.Addr()), &memcached.Options{Namespace: "c", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	if _, _, err := s.Get(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get on a paused server = %v, want context.DeadlineExceeded", err)
	}
	cancel()
	// The abandoned Get succeeds (a miss) once the server resumes, during
	// Close, and releases its connection to the client's pool.
	resumed := make(chan struct{})
	go func() {
		defer close(resumed)
		time.Sleep(100 * time.Millisecond)
		srv.Resume()
	}()
	defer func() { <-resumed }()
	start := time.Now()
	_ = s.Close()
	d := time.Since(start)
	noCallGoroutines(t)
	if n := memcached.OpenConns(s); n != 0 {
		t.Errorf("after Close, the Store holds %d open connections", n)
	}
	if d > 2*time.Second+pauseSlack {
		t.Errorf("Close took %v, want at most the 2s timeout", d)
	}
	waitFor(t, 3*time.Second, func() bool { return currConns(t, srv.Addr()) <= base })
	if _, _, err := s.Get(context.Background(), "k"); !errors.Is(err, memcached.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
}

// TestInFlightBounded: callers with short deadlines on a paused server
// leave calls behind; MaxInFlight bounds them (and their goroutines and
// connections), and calls beyond it fail at once with ErrBusy. Close
// returns within about the timeout and leaves nothing behind.
func TestInFlightBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	// Not parallel: it counts the call goroutines of the whole process.
	srv := testserver.StartMemcached(t)
	const (
		maxInFlight = 4
		timeout     = 300 * time.Millisecond
	)
	s, err := memcached.New(context.Background(), mustURL(t, "memcached://"+srv.Addr()),
		&memcached.Options{Namespace: "b", Timeout: timeout, MaxInFlight: maxInFlight})
	if err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	defer srv.Resume()
	var (
		wg                        sync.WaitGroup
		mu                        sync.Mutex
		busy, maxN, maxG, maxConn int
	)
	stop := time.Now().Add(200 * time.Millisecond)
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(stop) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
				_, _, err := s.Get(ctx, "k")
				cancel()
				mu.Lock()
				if errors.Is(err, memcached.ErrBusy) {
					busy++
				}
				mu.Unlock()
				time.Sleep(time.Millisecond)
			}
		})
	}
	for time.Now().Before(stop) {
		maxN = max(maxN, memcached.InFlight(s))
		maxG, maxConn = max(maxG, callGoroutines()), max(maxConn, memcached.OpenConns(s))
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	// The counter is exact. A goroutine or connection that has given its
	// slot back may still be on its way out when read, so they get slack:
	// without the bound there were over 200.
	if maxN > maxInFlight || maxG > 2*maxInFlight || maxConn > 2*maxInFlight {
		t.Errorf("with MaxInFlight %d: up to %d calls in flight, %d call goroutines and %d connections", maxInFlight, maxN, maxG, maxConn)
	}
	if busy == 0 {
		t.Error("no call failed with ErrBusy")
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Logf("Close = %v", err)
	}
	if d := time.Since(start); d > timeout+pauseSlack {
		t.Errorf("Close on a paused server took %v, want at most about %v", d, timeout)
	}
	noCallGoroutines(t)
	if n := memcached.OpenConns(s); n != 0 {
		t.Errorf("after Close, the Store holds %d open connections", n)
	}
}
