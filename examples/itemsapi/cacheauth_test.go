package main

import (
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// TestCacheWrongPassword starts the service against a Redis that refuses
// the password of CACHE_URL: it must exit 1 at start-up saying so, not
// take the refusal for an outage.
//
// Found: the refusal (WRONGPASS) was treated as an unreachable server: the
// service started, retried in the background forever, and GET /readyz
// stayed 503.
func TestCacheWrongPassword(t *testing.T) {
	t.Parallel()
	password, wrong := randomText(t, 32), randomText(t, 32)
	srv := testserver.StartRedisWithPassword(t, password)
	_, stderr, code := runCommand(t, t.TempDir(), map[string]string{
		"LISTEN_ADDR":     "127.0.0.1:0",
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       "redis://:" + wrong + "@" + srv.Addr() + "/0",
		"CACHE_NAMESPACE": testserver.Namespace(t),
	})
	if code != 1 {
		t.Errorf("exit status %d, want 1\nstderr:\n%s", code, stderr)
	}
	for _, w := range []string{"CACHE_URL", "WRONGPASS"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stderr, "cache server unreachable") {
		t.Errorf("the refused password was taken for an outage:\n%s", stderr)
	}
	checkNoLeak(t, "stderr", stderr, []string{wrong, password})
}

// TestCacheWrongPasswordAfterOutage: the cache server does not answer at
// start-up, then comes back and refuses the password: the background
// reconnect stops, saying why, rather than retrying forever.
func TestCacheWrongPasswordAfterOutage(t *testing.T) {
	t.Parallel()
	password, wrong := randomText(t, 32), randomText(t, 32)
	srv := testserver.StartRedisWithPassword(t, password)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers there now
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"SEED_ITEMS":      "5",
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       "redis://:" + wrong + "@" + addr + "/0",
		"CACHE_NAMESPACE": testserver.Namespace(t),
	}, wrong, password)

	// The server comes up at the address: a proxy to the private one.
	pln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	defer pln.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := pln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() {
				defer c.Close()
				r, err := net.Dial("tcp", srv.Addr())
				if err != nil {
					return
				}
				defer r.Close()
				go io.Copy(r, c)
				io.Copy(c, r)
			}()
		}
	}()
	const refused = "cache server refused CACHE_URL: not retrying"
	deadline := time.Now().Add(45 * time.Second) // retries after 1, 2, 4, 8, 16s
	for !strings.Contains(in.output(), refused) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q 45s after the server came up; logs:\n%s", refused, in.output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	n := accepted.Load()
	time.Sleep(5 * time.Second) // longer than the next retry would wait at first
	if got := accepted.Load(); got != n {
		t.Errorf("%d more connections after the refusal: the service still retries", got-n)
	}
	if c := strings.Count(in.output(), refused); c != 1 {
		t.Errorf("%q logged %d times, want once", refused, c)
	}
	if !strings.Contains(in.output(), "WRONGPASS") {
		t.Errorf("logs lack WRONGPASS:\n%s", in.output())
	}
}
