package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// The fault tests put a loopback TCP proxy between the itemsapi binary and
// PostgreSQL, and through it cut the database's connections while a
// request is in flight, take the database down (connections refused, or
// accepted and never answered) and bring it back. They assert what a
// client sees meanwhile: a JSON 5xx within REQUEST_TIMEOUT, never a hang;
// /readyz 503 while /healthz stays 200; cached items still served; and
// recovery without a restart once the database answers again.

// faultRequestTimeout is the REQUEST_TIMEOUT of the instances under
// fault: low, so that a request that waits for a dead database ends soon.
const faultRequestTimeout = 2 * time.Second

// faultBound is the longest a request may take to be answered under a
// fault: REQUEST_TIMEOUT plus a generous margin for a loaded machine.
const faultBound = faultRequestTimeout + 2*time.Second

// proxyMode is what a pgProxy does with a new connection.
type proxyMode int

const (
	modeForward   proxyMode = iota // connect it to the server
	modeRefuse                     // close it at once: the server is down
	modeBlackhole                  // keep it open and never answer: the server hangs or the network drops packets
)

func (m proxyMode) String() string {
	return [...]string{"forward", "refuse", "blackhole"}[m]
}

// A pgProxy forwards loopback TCP connections to a server, and injects
// faults into them.
type pgProxy struct {
	t      *testing.T
	ln     net.Listener
	target string // host:port of the server

	mu      sync.Mutex
	cond    *sync.Cond // signalled when hold turns off or a connection is cut
	mode    proxyMode
	hold    bool          // server-to-client bytes wait while set
	held    chan struct{} // a non-blocking send when bytes start waiting
	conns   map[*proxyConn]struct{}
	closing bool

	// Counts, under mu.
	accepted, refused, blackholed int
	cutEvents, cutConns           int
	outages                       int

	wg sync.WaitGroup
}

// A proxyConn is one client connection and, when forwarded, its
// connection to the server.
type proxyConn struct {
	client, server net.Conn // server is nil when blackholed
	cut            bool     // under pgProxy.mu
}

// newPGProxy listens on a free loopback port and forwards to target
// until the test ends.
func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: listen on 127.0.0.1:0: %v", err)
	}
	p := &pgProxy{t: t, ln: ln, target: target, held: make(chan struct{}, 1), conns: map[*proxyConn]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *pgProxy) addr() string { return p.ln.Addr().String() }

func (p *pgProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		p.accepted++
		mode, closing := p.mode, p.closing
		if closing || mode == modeRefuse {
			p.refused++
			p.mu.Unlock()
			c.Close()
			continue
		}
		pc := &proxyConn{client: c}
		p.conns[pc] = struct{}{}
		if mode == modeBlackhole {
			p.blackholed++
			p.mu.Unlock()
			// Read and drop what the client sends, until the connection is cut.
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				io.Copy(io.Discard, c)
				p.drop(pc, false)
			}()
			continue
		}
		p.mu.Unlock()
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			p.t.Logf("proxy: dial %s: %v", p.target, err)
			p.drop(pc, false)
			continue
		}
		p.mu.Lock()
		pc.server = s
		if pc.cut { // cut while dialling
			p.mu.Unlock()
			s.Close()
			continue
		}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(pc, c, s, false)
		go p.pump(pc, s, c, true)
	}
}

// pump copies src to dst until either fails, then closes the connection
// on both sides. Bytes from the server wait while hold is set.
func (p *pgProxy) pump(pc *proxyConn, dst, src net.Conn, fromServer bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if fromServer && !p.waitHold(pc) {
				break
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	p.drop(pc, false)
}

// waitHold waits while hold is set, and reports whether pc is still
// connected.
func (p *pgProxy) waitHold(pc *proxyConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold && !pc.cut {
		select {
		case p.held <- struct{}{}:
		default:
		}
	}
	for p.hold && !pc.cut {
		p.cond.Wait()
	}
	return !pc.cut
}

// drop closes pc on both sides; reset sends an RST to the client instead
// of a FIN, as a crashed server or a middlebox does.
func (p *pgProxy) drop(pc *proxyConn, reset bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropLocked(pc, reset)
}

func (p *pgProxy) dropLocked(pc *proxyConn, reset bool) {
	if pc.cut {
		return
	}
	pc.cut = true
	delete(p.conns, pc)
	if tc, ok := pc.client.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	pc.client.Close()
	if pc.server != nil {
		pc.server.Close()
	}
	p.cond.Broadcast()
}

// cut closes every open connection on both sides, and returns how many
// there were.
func (p *pgProxy) cut(reset bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns)
	for pc := range p.conns {
		p.dropLocked(pc, reset)
	}
	p.cutEvents++
	p.cutConns += n
	return n
}

// setHold starts or ends holding the bytes the server sends. Starting it
// empties the held signal.
func (p *pgProxy) setHold(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = on
	if on {
		select {
		case <-p.held:
		default:
		}
	}
	p.cond.Broadcast()
}

// down cuts every connection and handles new ones as mode does: the start
// of an outage.
func (p *pgProxy) down(mode proxyMode) int {
	p.mu.Lock()
	p.mode = mode
	p.outages++
	p.mu.Unlock()
	return p.cut(true)
}

// up ends an outage: new connections are forwarded. It returns how many
// blackholed connections are open: connects that nothing answers, which
// it cuts (they fail at once) when cutHung is set, and otherwise leaves
// unanswered until the test ends, as a proxy in front of a database that
// lost the handshake would.
func (p *pgProxy) up(cutHung bool) (hung int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = modeForward
	for pc := range p.conns {
		if pc.server == nil {
			hung++
			if cutHung {
				p.dropLocked(pc, true)
			}
		}
	}
	return hung
}

func (p *pgProxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *pgProxy) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%d connections accepted, %d refused, %d blackholed; %d cuts dropping %d connections; %d outage windows",
		p.accepted, p.refused, p.blackholed, p.cutEvents, p.cutConns, p.outages)
}

func (p *pgProxy) close() {
	p.mu.Lock()
	p.closing = true
	p.hold = false
	for pc := range p.conns {
		p.dropLocked(pc, false)
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

// A faultResult is the outcome of a request sent under a fault.
type faultResult struct {
	resp response
	took time.Duration
	err  error // the request got no answer
}

// try sends a request as do does, but returns a failure instead of
// failing t, so that it may run on any goroutine.
func (in *instance) try(method, path, body string, auth bool) faultResult {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.base+path, rd)
	if err != nil {
		return faultResult{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth && in.cookie != nil {
		req.AddCookie(&http.Cookie{Name: in.cookie.Name, Value: in.cookie.Value})
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return faultResult{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return faultResult{resp: response{status: resp.StatusCode, header: resp.Header, body: b}, took: time.Since(start), err: err}
}

// checkServerError fails t unless r is a JSON 5xx error with a stable
// code, answered within faultBound, and returns its status and code.
func (in *instance) checkServerError(t *testing.T, what string, r faultResult) string {
	t.Helper()
	if r.err != nil {
		t.Errorf("%s: no answer after %v: %v (want a JSON 5xx within %v)", what, r.took.Round(time.Millisecond), r.err, faultBound)
		return ""
	}
	checkNoLeak(t, what+" response", string(r.resp.body)+fmt.Sprint(r.resp.header), in.secrets)
	code, _ := r.resp.errorCode()
	var body map[string]any
	jsonErr := json.Unmarshal(r.resp.body, &body)
	switch {
	case r.resp.status < 500 || r.resp.status > 599:
		t.Errorf("%s = %s, want a 5xx", what, r.resp)
	case r.resp.header.Get("Content-Type") != "application/json" || jsonErr != nil:
		t.Errorf("%s = %s (Content-Type %q), want a JSON body", what, r.resp, r.resp.header.Get("Content-Type"))
	case !slices.Contains([]string{codeInternal, codeUnavailable, codeTimeout}, code):
		t.Errorf("%s = %s, want error code internal, unavailable or timeout", what, r.resp)
	}
	if r.took > faultBound {
		t.Errorf("%s answered after %v, want within REQUEST_TIMEOUT %v + 2s", what, r.took.Round(time.Millisecond), faultRequestTimeout)
	}
	return fmt.Sprintf("%d %s", r.resp.status, code)
}

// checkAlive fails t now if the process has exited, and checks /healthz.
func (in *instance) checkAlive(t *testing.T) {
	t.Helper()
	select {
	case <-in.exited:
		t.Fatalf("%s exited under the fault: %v\n%s", in.name, in.err, in.output())
	default:
	}
	var h map[string]string
	decode(t, in.do(t, "GET", "/healthz", "", false), 200, &h)
	if h["status"] != "ok" {
		t.Errorf("GET /healthz = %v, want status ok", h)
	}
}

// logLines returns the lines of the instance's logs, from byte offset
// from, that hold substr.
func (in *instance) logLines(from int, substr string) string {
	var b strings.Builder
	for line := range strings.Lines(in.output()[from:]) {
		if strings.Contains(line, substr) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// readyz returns GET /readyz's status and body.
func (in *instance) readyz(t *testing.T) (int, struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}) {
	t.Helper()
	var body struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	r := in.do(t, "GET", "/readyz", "", false)
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("GET /readyz = %s: not JSON: %v", r, err)
	}
	return r.status, body
}

// awaitRecovery waits, polling /readyz a bounded number of times, until the
// instance is ready again, then checks that reads and writes work; it
// returns the polls it took and the failed requests among the first
// reads after recovery.
func (in *instance) awaitRecovery(t *testing.T, fresh func(*testing.T) int64) (polls int) {
	t.Helper()
	const maxPolls = 30
	start := time.Now()
	for polls = 1; ; polls++ {
		status, body := in.readyz(t)
		if status == 200 && body.Checks["database"] == "ok" {
			break
		}
		if polls == maxPolls {
			var db storeStats
			decode(t, in.do(t, "GET", "/debug/db", "", true), 200, &db)
			t.Fatalf("GET /readyz = %d %v after %d polls (%v) since the database came back, want 200; the pool counts %d connections open, %d in use",
				status, body, polls, time.Since(start).Round(time.Millisecond), db.OpenConns, db.InUse)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Reads and writes work again, on more connections than the pool
	// keeps idle: no bad connection is handed out.
	for range 12 {
		id := fresh(t)
		var it Item
		decode(t, in.do(t, "GET", "/items/"+strconv.FormatInt(id, 10), "", false), 200, &it)
		if it.ID != id {
			t.Fatalf("GET /items/%d = %+v", id, it)
		}
	}
	var page struct {
		Items []Item `json:"items"`
	}
	decode(t, in.do(t, "GET", "/items?limit=10", "", false), 200, &page)
	if len(page.Items) != 10 {
		t.Errorf("GET /items?limit=10 after recovery: %d items, want 10", len(page.Items))
	}
	id := fresh(t)
	path := "/items/" + strconv.FormatInt(id, 10)
	decode(t, in.do(t, "GET", path, "", false), 200, nil) // cached
	name := "recovered " + randomText(t, 6)
	decode(t, in.do(t, "PUT", path, `{"name":"`+name+`","price_cents":7}`, true), 200, nil)
	var it Item
	decode(t, in.do(t, "GET", path, "", false), 200, &it)
	if it.Name != name {
		t.Errorf("GET %s after PUT = %+v, want name %q", path, it, name)
	}
	var created Item
	decode(t, in.do(t, "POST", "/items", `{"name":"created after recovery","price_cents":1}`, true), 201, &created)
	decode(t, in.do(t, "GET", "/items/"+strconv.FormatInt(created.ID, 10), "", false), 200, nil)
	return polls
}

// TestFaultPostgres runs the itemsapi binary on PostgreSQL through a
// pgProxy and injects database faults, with each cache backend.
func TestFaultPostgres(t *testing.T) {
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			faultPostgres(t, backend)
		})
	}
}

func faultPostgres(t *testing.T, backend string) {
	dbURL := testserver.PostgresDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.addr()
	const seed = 400
	var env map[string]string
	var secrets []string
	if backend == "redis" {
		env, secrets = postgresEnv(t, u.String(), testserver.Redis(t), testserver.Namespace(t))
	} else {
		env, secrets = postgresEnv(t, u.String(), "", "")
		env["CACHE_BACKEND"] = backend
		delete(env, "CACHE_URL")
		delete(env, "CACHE_NAMESPACE")
	}
	env["SEED_ITEMS"] = strconv.Itoa(seed)
	env["REQUEST_TIMEOUT"] = faultRequestTimeout.String()
	in := start(t, "itemsapi", t.TempDir(), env, secrets...)
	in.login(t, env["ADMIN_TOKEN"])
	if status, body := in.readyz(t); status != 200 {
		t.Fatalf("GET /readyz before any fault = %d %v, want 200", status, body)
	}

	// Item ids that no request has read yet: never cached.
	next := int64(100)
	fresh := func(t *testing.T) int64 {
		t.Helper()
		next++
		if next > seed {
			t.Fatalf("out of fresh items: raise seed above %d", seed)
		}
		return next
	}
	// Items read before any outage: cached (CACHE_TTL 5m).
	cached := []int64{1, 2, 3}
	cachedItems := map[int64]Item{}
	for _, id := range cached {
		var it Item
		decode(t, in.do(t, "GET", "/items/"+strconv.FormatInt(id, 10), "", false), 200, &it)
		cachedItems[id] = it
	}
	stats := in.cacheStats(t)

	t.Run("connection cut mid-request", func(t *testing.T) {
		requests := []struct {
			name, method string
			path         func() string
			body         string
		}{
			{"uncached item", "GET", func() string { return "/items/" + strconv.FormatInt(fresh(t), 10) }, ""},
			{"list", "GET", func() string { return "/items?limit=20" }, ""},
			{"update", "PUT", func() string { return "/items/" + strconv.FormatInt(fresh(t), 10) }, `{"name":"written under a cut","price_cents":3}`},
			{"create", "POST", func() string { return "/items" }, `{"name":"created under a cut","price_cents":4}`},
		}
		for _, reset := range []bool{false, true} {
			for _, rq := range requests {
				kind := map[bool]string{false: "FIN", true: "RST"}[reset]
				path := rq.path()
				what := fmt.Sprintf("%s %s (%s), its connection cut (%s)", rq.method, path, rq.name, kind)
				proxy.setHold(true)
				done := make(chan faultResult, 1)
				go func() { done <- in.try(rq.method, path, rq.body, true) }()
				select {
				case <-proxy.held:
				case r := <-done:
					proxy.setHold(false)
					t.Fatalf("%s: answered %v %v before the database did", what, r.resp, r.err)
				case <-time.After(10 * time.Second):
					proxy.setHold(false)
					t.Fatalf("%s: the database's answer did not reach the proxy within 10s", what)
				}
				cutAt := time.Now()
				mark := len(in.output())
				n := proxy.cut(reset)
				proxy.setHold(false)
				var r faultResult
				select {
				case r = <-done:
				case <-time.After(faultBound + 30*time.Second):
					t.Fatalf("%s: no answer %v after the cut (client timeout 30s)", what, time.Since(cutAt))
				}
				got := in.checkServerError(t, what, r)
				t.Logf("%s: %d connections cut, answered %s %v after the cut", what, n, got, time.Since(cutAt).Round(time.Millisecond))
				in.checkAlive(t)
				// A dead connection costs at most one failed request: the
				// pool discards it.
				failed := 0
				for range 5 {
					r := in.try("GET", "/items/"+strconv.FormatInt(fresh(t), 10), "", false)
					if r.err != nil || r.resp.status != 200 {
						failed++
						t.Logf("%s: a read after the cut = %v %v; logged:\n%s", what, r.resp, r.err, in.logLines(mark, `"level":"WARN"`))
					}
				}
				if failed > n {
					t.Errorf("%s: %d of 5 reads after the cut failed, want at most one per connection cut (%d)", what, failed, n)
				}
			}
		}
	})

	t.Run("idle connections cut, database up", func(t *testing.T) {
		// A dead connection in the pool costs at most one failed request:
		// the pool discards it, and the database answers on a new one.
		for _, reset := range []bool{false, true} {
			kind := map[bool]string{false: "FIN", true: "RST"}[reset]
			// Open several connections, and use them again, so that pgx
			// does not check them on their next use (it does when a
			// connection was last taken from the pool more than 1s ago).
			for range 3 {
				var wg sync.WaitGroup
				for range 6 {
					wg.Go(func() { in.try("GET", "/items?limit=100", "", false) })
				}
				wg.Wait()
			}
			mark := len(in.output())
			n := proxy.cut(reset)
			// The database answers: /readyz must say so at once, not
			// once per dead connection. Polled at most n+1 times, to tell
			// a check that fails once per dead connection from one that
			// keeps failing.
			falseReady := 0
			for polls := 1; ; polls++ {
				status, body := in.readyz(t)
				if status == 200 {
					break
				}
				falseReady++
				if polls > n {
					t.Fatalf("GET /readyz = %d %+v %d times in a row after %d idle connections were cut (%s) with the database up, want 200; logged:\n%s",
						status, body, polls, n, kind, in.logLines(mark, "readiness check failed"))
				}
			}
			if falseReady > 0 {
				t.Errorf("GET /readyz = 503 (database unreachable) %d times in a row after %d idle connections of the pool were cut (%s), with the database up, want 200 at once: the readiness ping is not retried on a dead connection; logged:\n%s",
					falseReady, n, kind, in.logLines(mark, "readiness check failed"))
			}
			failed := 0
			for range 8 {
				r := in.try("GET", "/items/"+strconv.FormatInt(fresh(t), 10), "", false)
				if r.err != nil || r.resp.status != 200 {
					failed++
				}
			}
			if failed > n {
				t.Errorf("%d of 8 reads failed after %d idle connections were cut (%s), want at most one per connection", failed, n, kind)
			}
			t.Logf("%d idle connections cut (%s), database up: /readyz said 503 %d times before 200; %d of 8 reads failed after", n, kind, falseReady, failed)
		}
	})

	outages := []struct {
		mode     proxyMode
		keepHung bool   // connects that hang when the database returns stay unanswered
		dbCheck  string // what /readyz says of the database once the pool holds no live connection
		dbStatus int    // the status of a request that needs the database, 0 for any 5xx
	}{
		{modeRefuse, false, "unreachable", http.StatusServiceUnavailable},
		{modeBlackhole, false, "timeout", http.StatusServiceUnavailable},
		{modeBlackhole, true, "timeout", http.StatusServiceUnavailable},
	}
	checkDown := func(t *testing.T, o proxyMode, when string, allowed ...string) {
		t.Helper()
		mark := len(in.output())
		start := time.Now()
		status, body := in.readyz(t)
		if took := time.Since(start); took > faultBound {
			t.Errorf("GET /readyz took %v, want within %v", took, faultBound)
		}
		if status != http.StatusServiceUnavailable || body.Status != "unavailable" ||
			!slices.Contains(allowed, body.Checks["database"]) || body.Checks["cache"] != "ok" {
			t.Errorf("GET /readyz %s the database went down (%s) = %d %+v, want 503 unavailable, database %v, cache ok; logged:\n%s",
				when, o, status, body, allowed, in.logLines(mark, "readiness check failed"))
		}
	}
	for _, o := range outages {
		name := "database down " + o.mode.String()
		if o.keepHung {
			name += ", its hung connects never answered"
		}
		t.Run(name, func(t *testing.T) {
			n := proxy.down(o.mode)
			t.Logf("outage (%s) begins: %d connections cut", o.mode, n)
			in.checkAlive(t)
			// /readyz: 503 naming the database. The first check may meet a
			// connection of the pool that the outage cut ("unreachable").
			checkDown(t, o.mode, "just after", "unreachable", o.dbCheck)
			in.checkAlive(t)
			// Cached items are still served, from the cache.
			for _, id := range cached {
				var it Item
				decode(t, in.do(t, "GET", "/items/"+strconv.FormatInt(id, 10), "", false), 200, &it)
				if it != cachedItems[id] {
					t.Errorf("GET /items/%d while the database is down = %+v, want the cached %+v", id, it, cachedItems[id])
				}
			}
			// What needs the database fails fast, in JSON, many at once:
			// more than the pool's 8 connections.
			reqs := []struct{ method, path, body string }{
				{"GET", "/items?limit=10", ""},
				{"GET", "/items?limit=100", ""},
				{"PUT", "/items/" + strconv.FormatInt(fresh(t), 10), `{"name":"written while down","price_cents":5}`},
				{"POST", "/items", `{"name":"created while down","price_cents":6}`},
			}
			for range 16 {
				reqs = append(reqs, struct{ method, path, body string }{"GET", "/items/" + strconv.FormatInt(fresh(t), 10), ""})
			}
			results := make([]faultResult, len(reqs))
			var wg sync.WaitGroup
			for i, rq := range reqs {
				wg.Go(func() { results[i] = in.try(rq.method, rq.path, rq.body, true) })
			}
			wg.Wait()
			answers := map[string]int{}
			var slowest time.Duration
			for i, rq := range reqs {
				what := fmt.Sprintf("%s %s while the database is down (%s)", rq.method, rq.path, o.mode)
				answers[in.checkServerError(t, what, results[i])]++
				if o.dbStatus != 0 && results[i].err == nil && results[i].resp.status != o.dbStatus {
					t.Errorf("%s = %s, want %d", what, results[i].resp, o.dbStatus)
				}
				slowest = max(slowest, results[i].took)
			}
			t.Logf("outage (%s): %d concurrent requests needing the database answered %v, the slowest in %v", o.mode, len(reqs), answers, slowest.Round(time.Millisecond))
			checkDown(t, o.mode, "well after", o.dbCheck)
			in.checkAlive(t)
			var db storeStats
			decode(t, in.do(t, "GET", "/debug/db", "", true), 200, &db)
			hung := proxy.up(!o.keepHung)
			polls := in.awaitRecovery(t, fresh)
			t.Logf("outage (%s) ends: %d connects still hanging when it ended, after every request had been answered (the pool counted %d open, %d in use); ready again after %d polls of /readyz; %d connections open through the proxy",
				o.mode, hung, db.OpenConns, db.InUse, polls, proxy.open())
		})
	}

	after := in.cacheStats(t)
	t.Logf("%s: cache hits %d -> %d, misses %d -> %d", backend, stats.Hits, after.Hits, stats.Misses, after.Misses)
	if after.Hits < stats.Hits+uint64(len(cached)*len(outages)) {
		t.Errorf("cache hits %d -> %d, want at least %d more: the cached items were not served from the cache", stats.Hits, after.Hits, len(cached)*len(outages))
	}
	t.Logf("faults injected (%s cache): %s", backend, proxy)
}
