package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// TestLoginThrottle: 500 wrong POST /login from one address took 0.16 s
// and were all answered (found in the Trust review): nothing slowed a
// guesser down. Each address may now fail loginBurst times, then once per
// loginRefill.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	type step struct {
		advance  time.Duration
		addr     string
		refund   bool          // the attempt succeeds (or is no guess)
		wantWait time.Duration // 0: allowed
	}
	const a, b = "192.0.2.1:1000", "198.51.100.7:2000"
	burst := make([]step, loginBurst)
	for i := range burst {
		burst[i] = step{addr: a}
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "burst, then refused", steps: append(burst[:loginBurst:loginBurst], step{addr: a, wantWait: loginRefill})},
		{name: "one more after the refill", steps: append(burst[:loginBurst:loginBurst],
			step{advance: loginRefill / 2, addr: a, wantWait: loginRefill / 2},
			step{advance: loginRefill / 2, addr: a},
			step{addr: a, wantWait: loginRefill})},
		{name: "other address unaffected", steps: append(burst[:loginBurst:loginBurst],
			step{addr: a, wantWait: loginRefill}, step{addr: b}, step{addr: b, refund: true})},
		{name: "other port, same address", steps: append(burst[:loginBurst:loginBurst], step{addr: "192.0.2.1:9", wantWait: loginRefill})},
		{name: "successes take nothing", steps: func() []step {
			s := make([]step, 50)
			for i := range s {
				s[i] = step{addr: a, refund: true}
			}
			return append(s, burst...)
		}()},
		{name: "refused even with the right token", steps: append(burst[:loginBurst:loginBurst], step{addr: a, refund: true, wantWait: loginRefill})},
		{name: "full again after burst*refill", steps: append(burst[:loginBurst:loginBurst], append([]step{{advance: loginBurst * loginRefill, addr: a}}, burst[1:]...)...)},
		{name: "IPv6 /64 shares a bucket", steps: []step{
			{addr: "[2001:db8::1]:1"}, {addr: "[2001:db8::2]:1"}, {addr: "[2001:db8::ffff:1]:1"}, {addr: "[2001:db8:0:0:1::]:1"}, {addr: "[2001:db8::3%eth0]:1"},
			{addr: "[2001:db8::4]:1", wantWait: loginRefill},
			{addr: "[2001:db8:0:1::1]:1"},
		}},
		{name: "IPv4-mapped is IPv4", steps: []step{
			{addr: "[::ffff:192.0.2.1]:1"}, {addr: "192.0.2.1:1"}, {addr: "[::ffff:192.0.2.1]:1"}, {addr: "192.0.2.1:1"}, {addr: "192.0.2.1:1"},
			{addr: "[::ffff:192.0.2.1]:1", wantWait: loginRefill},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			th := &loginThrottle{now: clock.now}
			for i, s := range tt.steps {
				clock.advance(s.advance)
				att, wait := th.begin(s.addr)
				if (att == nil) != (s.wantWait > 0) || wait != s.wantWait {
					t.Fatalf("step %d: begin(%s) = %v, %v; want wait %v", i, s.addr, att, wait, s.wantWait)
				}
				if att != nil && s.refund {
					att.refund()
				}
			}
		})
	}
}

// TestLoginThrottleConcurrent: every attempt takes its token before the
// comparison, so that concurrent guesses from one address cannot all pass
// one check.
func TestLoginThrottleConcurrent(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	th := &loginThrottle{now: clock.now}
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for range 100 {
		wg.Go(func() {
			if att, _ := th.begin("192.0.2.1:1"); att != nil {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != loginBurst {
		t.Errorf("%d concurrent attempts allowed, want %d", got, loginBurst)
	}
}

// TestLoginThrottleMemory: the buckets of addresses that stopped failing
// are forgotten once full again, and no more than maxThrottled are
// remembered: past that, new addresses share one bucket.
func TestLoginThrottleMemory(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	th := &loginThrottle{now: clock.now}
	addr := func(i int) string {
		return "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255) + ":1"
	}
	for i := range maxThrottled {
		if att, _ := th.begin(addr(i)); att == nil {
			t.Fatalf("address %d refused", i)
		}
	}
	// Full: the next addresses share the overflow bucket, loginBurst in all.
	refused := 0
	for i := maxThrottled; i < maxThrottled+2*loginBurst; i++ {
		if att, _ := th.begin(addr(i)); att == nil {
			refused++
		}
	}
	if refused != loginBurst {
		t.Errorf("%d of %d overflow addresses refused, want %d", refused, 2*loginBurst, loginBurst)
	}
	th.mu.Lock()
	n := len(th.buckets)
	th.mu.Unlock()
	if n > maxThrottled+1 {
		t.Errorf("%d buckets, want at most %d", n, maxThrottled+1)
	}
	// An address remembered keeps its own bucket meanwhile.
	for range loginBurst - 1 {
		if att, _ := th.begin(addr(0)); att == nil {
			t.Fatal("remembered address refused before its burst is spent")
		}
	}
	// Idle for burst*refill: every bucket is full again and forgotten.
	clock.advance(loginBurst * loginRefill)
	if att, _ := th.begin("192.0.2.1:1"); att == nil {
		t.Fatal("new address refused after the sweep")
	}
	th.mu.Lock()
	n = len(th.buckets)
	th.mu.Unlock()
	if n != 1 {
		t.Errorf("%d buckets after the sweep, want 1", n)
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, want string }{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:1234", "192.0.2.1"},
		{"[2001:db8::1]:443", "2001:db8::/64"},
		{"[fe80::1%eth0]:443", "fe80::/64"},
		{"192.0.2.1", "192.0.2.1"},
		{"@", "@"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := clientKey(tt.addr); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestLoginThrottled runs the throttle through POST /login: loginBurst
// wrong tokens are 401, the next attempt is 429 with Retry-After and a
// JSON error whatever the token, and the right token from another address
// still logs in. X-Forwarded-For changes nothing.
func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	clock := newFakeClock()
	s.logins.now = clock.now
	h := s.handler()
	login := func(addr, token string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/login", strings.NewReader(`{"token":"`+token+`"}`))
		r.RemoteAddr = addr
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	const guesser, admin = "203.0.113.9:5000", "198.51.100.7:6000"
	// Bodies that are no guess (400) take nothing.
	for range 2 * loginBurst {
		r := httptest.NewRequest("POST", "/login", strings.NewReader(`{"token":1}`))
		r.RemoteAddr = guesser
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("bad body = %d %s, want 400", w.Code, w.Body)
		}
	}
	for i := range loginBurst {
		if w := login(guesser, "wrong-guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong login %d = %d %s, want 401", i, w.Code, w.Body)
		}
	}
	for _, tc := range []struct {
		name   string
		token  string
		header []string
	}{
		{"wrong token", "wrong-guess", nil},
		{"right token", testToken, nil},
		{"forwarded for another address", "wrong-guess", []string{"X-Forwarded-For", "192.0.2.200", "Forwarded", "for=192.0.2.200"}},
	} {
		w := login(guesser, tc.token, tc.header...)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "10" {
			t.Fatalf("%s: login = %d, Retry-After %q, %s; want 429 after 10", tc.name, w.Code, w.Header().Get("Retry-After"), w.Body)
		}
		if e := errorBody(t, w); e.Code != codeTooManyRequests || strings.Contains(w.Body.String(), testToken) {
			t.Errorf("%s: error %+v", tc.name, e)
		}
		if len(w.Result().Cookies()) != 0 {
			t.Errorf("%s: 429 sets a cookie", tc.name)
		}
	}
	if w := login(admin, testToken); w.Code != http.StatusNoContent {
		t.Fatalf("login from another address = %d %s, want 204", w.Code, w.Body)
	}
	clock.advance(loginRefill - time.Second)
	w := login(guesser, "wrong-guess")
	var body map[string]map[string]string
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" || json.Unmarshal(w.Body.Bytes(), &body) != nil {
		t.Fatalf("login 9s later = %d, Retry-After %q; want 429 after 1", w.Code, w.Header().Get("Retry-After"))
	}
	clock.advance(time.Second)
	if w := login(guesser, testToken); w.Code != http.StatusNoContent {
		t.Fatalf("right login after the refill = %d %s, want 204", w.Code, w.Body)
	}
}
