package rediscache_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
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
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
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

// TestTLSToPlaintextServer: rediss:// to a server without TLS names the
// TLS handshake, not just a timeout.
//
// Found in the review of the redis and memcached stores (commit e550cd3,
// "rediscache, memcached: fixes from review"); the test was in regress_test.go.
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
