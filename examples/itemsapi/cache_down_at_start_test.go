package main

import (
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// TestCacheDownAtStart starts the service while its Redis does not
// answer: it serves reads from the database, GET /readyz reports the
// cache unreachable, and the cache is used once Redis answers (here, once
// a proxy to the machine's Redis listens on the address).
func TestCacheDownAtStart(t *testing.T) {
	t.Parallel()
	redisURL, err := url.Parse(testserver.Redis(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers there now
	down := *redisURL
	down.Host = addr
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"SEED_ITEMS":      "5",
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       down.String(),
		"CACHE_NAMESPACE": testserver.Namespace(t),
	})
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	// A loaded machine can make SQLite miss the 1s bound of /readyz now
	// and then: a few tries for the database, none for the cache.
	for try := 1; ; try++ {
		decode(t, in.do(t, "GET", "/readyz", "", false), 503, &ready)
		if ready.Checks["cache"] != "unreachable" {
			t.Fatalf("GET /readyz = %+v, want the cache unreachable", ready)
		}
		if ready.Checks["database"] == "ok" {
			break
		}
		if try == 5 {
			t.Fatalf("GET /readyz = %+v %d times, want the database ok", ready, try)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for range 2 {
		if r := in.do(t, "GET", "/items/2", "", false); r.status != 200 {
			t.Errorf("GET /items/2 with the cache down = %s, want 200 from the database", r)
		}
	}
	in.login(t, devAdminToken)
	if r := in.do(t, "PUT", "/items/2", `{"name":"written with the cache down","price_cents":1}`, true); r.status != 200 {
		t.Errorf("PUT /items/2 with the cache down = %s, want 200", r)
	}
	if logs := in.output(); !strings.Contains(logs, "cache server unreachable at start-up") {
		t.Errorf("logs lack the warning:\n%s", logs)
	}

	// Redis comes up at the address.
	pln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again for the recovery: %v", addr, err)
	}
	defer pln.Close()
	go func() {
		for {
			c, err := pln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r, err := net.Dial("tcp", redisURL.Host)
				if err != nil {
					return
				}
				defer r.Close()
				go io.Copy(r, c)
				io.Copy(c, r)
			}()
		}
	}()
	deadline := time.Now().Add(45 * time.Second) // retries after 1, 2, 4, 8, 16s
	for {
		r := in.do(t, "GET", "/readyz", "", false)
		if r.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /readyz = %s 45s after Redis came up, want 200", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
	before := in.cacheStats(t)
	decode(t, in.do(t, "GET", "/items/3", "", false), 200, nil)
	decode(t, in.do(t, "GET", "/items/3", "", false), 200, nil)
	if after := in.cacheStats(t); after.Hits != before.Hits+1 || after.Loads != before.Loads+1 {
		t.Errorf("cache stats %+v -> %+v after two reads, want one load and one hit", before, after)
	}
	if logs := in.output(); !strings.Contains(logs, "cache server connected") {
		t.Errorf("logs lack the connection:\n%s", logs)
	}
}
