package main

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Login throttling: each client address may fail POST /login loginBurst
// times in a row, then once per loginRefill; an address that has not
// failed for loginBurst*loginRefill is forgotten (its bucket is full
// again, as a new one would be). 500 guesses from one address take about
// 83 minutes instead of a fraction of a second.
const (
	loginBurst  = 5
	loginRefill = 10 * time.Second
	// maxThrottled bounds the addresses remembered (each is about 150
	// bytes). Past it, the addresses not remembered share one bucket, so
	// a flood of addresses neither grows memory nor wins more guesses
	// than one address, and an address remembered keeps its own.
	maxThrottled = 10_000

	codeTooManyRequests = "too_many_requests"
)

// overflowKey is the key of the bucket shared by the addresses that do not
// fit in the map; no address is written so.
const overflowKey = "overflow"

// A loginThrottle limits the failed logins of each client address with a
// token bucket (golang.org/x/time/rate). Every attempt takes a token
// before the token is compared, so that concurrent guesses cannot all pass
// one check; a success gives it back. A body that is no guess (not JSON,
// not the expected object) is answered before and takes nothing. The zero value is ready to use, with the limits above and the
// real clock; it is safe for concurrent use.
type loginThrottle struct {
	now func() time.Time // if nil, time.Now

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time // of the last token taken
}

// A loginAttempt holds the token a login attempt took.
type loginAttempt struct {
	t   *loginThrottle
	r   *rate.Reservation
	key string
}

// begin takes a token for an attempt from the client at addr (see
// clientKey). If the client has none left, it returns nil and how long
// until it has one.
func (t *loginThrottle) begin(addr string) (*loginAttempt, time.Duration) {
	now := t.clock()
	key := clientKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil {
		t.buckets = make(map[string]*bucket)
	}
	if now.Sub(t.lastSweep) >= loginRefill {
		t.sweep(now)
	}
	b, ok := t.buckets[key]
	if !ok {
		if len(t.buckets) >= maxThrottled && now.Sub(t.lastSweep) >= time.Second {
			t.sweep(now)
		}
		if len(t.buckets) >= maxThrottled {
			key = overflowKey
			b = t.buckets[key]
		}
		if b == nil {
			b = &bucket{lim: rate.NewLimiter(rate.Every(loginRefill), loginBurst)}
			t.buckets[key] = b
		}
	}
	r := b.lim.ReserveN(now, 1)
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return nil, wait
	}
	b.last = now
	return &loginAttempt{t: t, r: r, key: key}, 0
}

// refund gives the attempt's token back: the login succeeded.
func (a *loginAttempt) refund() {
	now := a.t.clock()
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	a.r.CancelAt(now)
}

// sweep forgets the buckets that are full again; the caller holds t.mu. The
// overflow bucket goes too once full, as it is then a new one.
func (t *loginThrottle) sweep(now time.Time) {
	t.lastSweep = now
	for k, b := range t.buckets {
		if b.lim.TokensAt(now) >= loginBurst {
			delete(t.buckets, k)
		}
	}
}

// clock returns the time of t.now, which tests set, or time.Now.
func (t *loginThrottle) clock() time.Time {
	if t.now == nil {
		return time.Now()
	}
	return t.now()
}

// clientKey returns the key of the client at addr, a request's RemoteAddr:
// its IP address, or for IPv6 its /64 network, which one subscriber
// usually holds whole. Proxy headers (X-Forwarded-For, Forwarded) are not
// read: any client can send them. Behind a reverse proxy every client
// shares the proxy's address, and so its bucket; rate-limit logins at the
// proxy then.
func clientKey(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host // not an IP (a unix socket, a test): the text as it is
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// tooManyLogins answers 429 with Retry-After, the whole seconds until the
// client may try again.
func tooManyLogins(w http.ResponseWriter, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, codeTooManyRequests,
		"too many failed logins from this address: try again in "+strconv.Itoa(secs)+"s", nil)
}
