package rediscache_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// infoConn is a raw connection for reading a server's INFO fields; it is
// opened once, so it does not count itself in total_connections_received.
type infoConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialInfo(tb testing.TB, addr string) *infoConn {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return &infoConn{c: c, r: bufio.NewReader(c)}
}

// stat returns the integer field name of INFO section.
func (ic *infoConn) stat(tb testing.TB, section, name string) int64 {
	tb.Helper()
	_ = ic.c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(ic.c, "INFO %s\r\n", section); err != nil {
		tb.Fatal(err)
	}
	head, err := ic.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(head, "$") {
		tb.Fatalf("INFO reply %q, %v", head, err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(head[1:]))
	body := make([]byte, n+2)
	if _, err := io.ReadFull(ic.r, body); err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(body), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				tb.Fatalf("INFO %s = %q", name, v)
			}
			return x
		}
	}
	tb.Fatalf("INFO %s has no %s", section, name)
	return 0
}

// TestCallerDeadlineKeepsConnection: callers giving up after 0-300µs on a
// healthy server get their own context's error back and never make the
// Store drop its connection and dial again.
func TestCallerDeadlineKeepsConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	t.Parallel()
	srv := testserver.StartRedis(t)
	info := dialInfo(t, srv.Addr())
	for _, disable := range []bool{true, false} {
		t.Run(fmt.Sprintf("DisableClientCache=%v", disable), func(t *testing.T) {
			s := newStore(t, srv.RedisURL(), &rediscache.Options{Namespace: "dl", Timeout: 5 * time.Second, DisableClientCache: disable})
			before := info.stat(t, "stats", "total_connections_received")
			var canceled, ok int
			for i := range 3000 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%300)*time.Microsecond)
				var err error
				switch i % 3 {
				case 0:
					_, _, err = s.Get(ctx, strconv.Itoa(i%50))
				case 1:
					err = s.Set(ctx, strconv.Itoa(i%50), []byte("v"), time.Minute)
				case 2:
					err = s.Delete(ctx, strconv.Itoa(i%50))
				}
				cerr := ctx.Err()
				cancel()
				switch {
				case err == nil:
					ok++
				case err == cerr: // unwrapped: the caller's own error
					canceled++
				default:
					t.Fatalf("call %d: error %v (caller ctx: %v), want nil or the caller's context error", i, err, cerr)
				}
			}
			after := info.stat(t, "stats", "total_connections_received")
			t.Logf("%d ok, %d caller deadlines; connections received %d -> %d", ok, canceled, before, after)
			if after-before > 1 {
				t.Errorf("the server received %d connections during the run, want at most 1", after-before)
			}
		})
	}
}

// TestHugeTTL: a TTL or lease too long for a millisecond count in an int64
// is cut, not wrapped to a 1ms expiry.
func TestHugeTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t), DisableClientCache: true})
	for _, ttl := range []time.Duration{math.MaxInt64, math.MaxInt64 - time.Nanosecond, 200 * 365 * 24 * time.Hour} {
		if err := s.Set(ctx, "k", []byte("v"), ttl); err != nil {
			t.Fatalf("Set(ttl %v) = %v", ttl, err)
		}
		time.Sleep(5 * time.Millisecond) // past a wrapped 1ms expiry
		if _, ok, err := s.Get(ctx, "k"); !ok || err != nil {
			t.Errorf("Get after Set(ttl %v) = %v, %v; want the value", ttl, ok, err)
		}
	}
	if _, ok, err := s.TryLock(ctx, "l", math.MaxInt64); !ok || err != nil {
		t.Fatalf("TryLock(lease MaxInt64) = %v, %v", ok, err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, ok, _ := s.TryLock(ctx, "l", time.Second); ok {
		t.Error("a lease of MaxInt64 is gone at once")
	}
}

// TestLockKeyCollision: no cache key reads or blocks a lease.
func TestLockKeyCollision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t)})
	release, ok, err := s.TryLock(ctx, "x", time.Minute)
	if !ok || err != nil {
		t.Fatalf("TryLock = %v, %v", ok, err)
	}
	defer func() { _ = release(ctx) }()
	if v, ok, _ := s.Get(ctx, "x\x00lock"); ok {
		t.Errorf("Get(x\\x00lock) = %q, the lease of x", v)
	}
	if err := s.Set(ctx, "y\x00lock", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if rel, ok, err := s.TryLock(ctx, "y", time.Minute); !ok || err != nil {
		t.Errorf("TryLock(y) after Set(y\\x00lock) = %v, %v; want the lease", ok, err)
	} else {
		_ = rel(ctx)
	}
	if got, ok, _ := s.Get(ctx, "y\x00lock"); !ok || string(got) != "v" {
		t.Errorf("Get(y\\x00lock) = %q, %v; want v", got, ok)
	}
}

// TestReadYourWritesConcurrentReaders: with other goroutines reading the
// same key through the client-side cache, a Get after a Set in the same
// Store never returns an older value: a read in flight when the Set
// returns could otherwise put the old value in the client-side cache.
func TestReadYourWritesConcurrentReaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, testserver.Redis(t), &rediscache.Options{Namespace: testserver.Namespace(t), Timeout: 2 * time.Second})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_, _, _ = s.Get(ctx, "k")
				}
			}
		})
	}
	stale, n := 0, 0
	deadline := time.Now().Add(3 * time.Second)
	for i := 1; i <= 3000 && time.Now().Before(deadline); i++ {
		n++
		if err := s.Set(ctx, "k", []byte(strconv.Itoa(i)), time.Minute); err != nil {
			t.Fatal(err)
		}
		b, _, err := s.Get(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := strconv.Atoi(string(b)); got < i {
			stale++
		}
	}
	close(stop)
	wg.Wait()
	if stale > 0 {
		t.Errorf("a Get after the Store's own Set returned an older value %d times in %d", stale, n)
	}
	if n < 300 {
		t.Logf("only %d rounds in 3s", n)
	}
}

// TestTLSToPlaintextServer: rediss:// to a server without TLS names the
// TLS handshake, not just a timeout.
func TestTLSToPlaintextServer(t *testing.T) {
	t.Parallel()
	u := mustURL(t, testserver.Redis(t)).URL()
	u.Scheme = "rediss"
	_, err := rediscache.New(context.Background(), mustURL(t, u.String()), &rediscache.Options{DialTimeout: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("New(rediss:// to a plaintext server) = nil error")
	}
	if !strings.Contains(err.Error(), "tls handshake") {
		t.Errorf("New(rediss:// to a plaintext server) = %q, want it to name the TLS handshake", err)
	}
}

// TestAbandonedLeaseReleased: a lease taken after the caller of TryLock
// gave up is released, not held for its whole length by nobody.
func TestAbandonedLeaseReleased(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own server")
	}
	t.Parallel()
	srv := testserver.StartRedis(t)
	s := newStore(t, srv.RedisURL(), &rediscache.Options{Namespace: "a", Timeout: 2 * time.Second})
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	start := time.Now()
	_, _, err := s.TryLock(ctx, "k", time.Minute)
	d := time.Since(start)
	cancel()
	srv.Resume()
	if err != ctx.Err() {
		t.Fatalf("TryLock on a paused server = %v, want the caller's %v", err, ctx.Err())
	}
	// ~20ms; the slack leaves room for a loaded machine, and the bound
	// stays below the 2s timeout.
	if d > 20*time.Millisecond+pauseSlack {
		t.Errorf("TryLock with a 20ms context on a paused server took %v", d)
	}
	waitFor(t, 3*time.Second, func() bool {
		rel, ok, _ := s.TryLock(context.Background(), "k", time.Minute)
		if ok {
			_ = rel(context.Background())
		}
		return ok
	})
}
