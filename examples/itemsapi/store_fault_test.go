package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// The store fault tests put a small loopback TCP proxy between the store
// and PostgreSQL, cut its connections or leave its connects unanswered,
// and check the store itself: its ping and its pool. fault_test.go checks
// the same faults through the itemsapi binary.

// storeFaultSecret is the password of the proxied URL: PostgreSQL (trust
// auth) never asks for it, and no error message may show it.
const storeFaultSecret = "store-fault-secret-pw"

// A storeProxy forwards loopback TCP connections to a server; it can cut
// them all, and hang: accept new connections and never answer them.
type storeProxy struct {
	t      *testing.T
	ln     net.Listener
	target string

	mu       sync.Mutex
	hang     bool
	closed   bool
	clients  map[net.Conn]net.Conn // client side -> server side (nil when hung)
	accepted int
	hung     int
	wg       sync.WaitGroup
}

// newStoreProxy listens on a free loopback port and forwards to target
// until the test ends.
func newStoreProxy(t *testing.T, target string) *storeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: listen on 127.0.0.1:0: %v", err)
	}
	p := &storeProxy{t: t, ln: ln, target: target, clients: map[net.Conn]net.Conn{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *storeProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.accepted++
		p.clients[c] = nil
		hang := p.hang
		if hang {
			p.hung++
		}
		p.mu.Unlock()
		if hang {
			// Read and drop what the client sends, never answer.
			p.wg.Go(func() { io.Copy(io.Discard, c); p.drop(c) })
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			p.t.Logf("proxy: dial %s: %v", p.target, err)
			p.drop(c)
			continue
		}
		p.mu.Lock()
		if _, ok := p.clients[c]; !ok { // cut while dialling
			p.mu.Unlock()
			s.Close()
			continue
		}
		p.clients[c] = s
		p.mu.Unlock()
		p.wg.Go(func() { io.Copy(s, c); p.drop(c) })
		p.wg.Go(func() { io.Copy(c, s); p.drop(c) })
	}
}

// drop closes client connection c and its server side.
func (p *storeProxy) drop(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropLocked(c)
}

func (p *storeProxy) dropLocked(c net.Conn) {
	s, ok := p.clients[c]
	if !ok {
		return
	}
	delete(p.clients, c)
	c.Close()
	if s != nil {
		s.Close()
	}
}

// cut closes every connection, and returns how many there were.
func (p *storeProxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.clients)
	for c := range p.clients {
		p.dropLocked(c)
	}
	return n
}

// setHang makes new connections hang (on) or be forwarded (off).
// Connections already hung stay hung.
func (p *storeProxy) setHang(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hang = on
}

// counts returns the connections accepted and hung so far.
func (p *storeProxy) counts() (accepted, hung int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted, p.hung
}

func (p *storeProxy) close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.clients {
		p.dropLocked(c)
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}

// openProxiedStore opens a store on a database of its own, through a
// storeProxy, with a password in its URL and no connect_timeout.
func openProxiedStore(t *testing.T) (*sqlStore, *storeProxy) {
	t.Helper()
	u, err := url.Parse(testserver.PostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Has("connect_timeout") {
		t.Fatalf("the test database URL sets connect_timeout: these tests need the store's default")
	}
	proxy := newStoreProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	u.User = url.UserPassword(u.User.Username(), storeFaultSecret)
	st, err := openStore(t.Context(), u.String(), 5, nil)
	if err != nil {
		t.Fatalf("openStore through the proxy = %v", err)
	}
	t.Cleanup(func() { st.close() })
	return st.(*sqlStore), proxy
}

// checkNoSecret fails t if err shows the URL's password.
func checkNoSecret(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), storeFaultSecret) {
		t.Errorf("%s: the error shows the password: %v", what, err)
	}
}

// TestStorePingAfterIdleCut: when the pool's idle connections were cut
// while the database stays up, ping succeeds at once: it must not report
// the database down once per dead connection.
func TestStorePingAfterIdleCut(t *testing.T) {
	t.Parallel()
	for _, conns := range []int{1, 4, 8} {
		t.Run(fmt.Sprintf("%d idle", conns), func(t *testing.T) {
			t.Parallel()
			s, proxy := openProxiedStore(t)
			ctx := t.Context()
			// Open conns connections, and use each again through the
			// pool, so that pgx does not check them itself when the pool
			// hands them out next (it does when it last did more than a
			// second ago): ping must meet the dead ones.
			for round := range 3 {
				held := make([]*sql.Conn, 0, conns)
				for i := range conns {
					c, err := s.db.Conn(ctx)
					if err != nil {
						t.Fatalf("round %d, connection %d: %v", round, i, err)
					}
					if err := c.PingContext(ctx); err != nil {
						t.Fatalf("round %d, connection %d: ping = %v", round, i, err)
					}
					held = append(held, c)
				}
				for _, c := range held {
					c.Close()
				}
			}
			if got := s.stats().OpenConns; got != conns {
				t.Fatalf("the pool holds %d connections, want %d", got, conns)
			}
			if n := proxy.cut(); n != conns {
				t.Fatalf("the proxy cut %d connections, want %d", n, conns)
			}
			before := s.stats().Queries
			err := s.ping(ctx)
			checkNoSecret(t, "ping", err)
			if err != nil {
				t.Fatalf("ping after %d idle connections were cut, database up = %v, want nil", conns, err)
			}
			attempts := s.stats().Queries - before
			if attempts < 1 || attempts > uint64(pingAttempts(s.db)) {
				t.Errorf("ping counted %d queries, want 1 to %d (one per attempt)", attempts, pingAttempts(s.db))
			}
			if _, err := s.get(ctx, 1); err != nil {
				t.Errorf("get(1) after the ping = %v", err)
			}
			t.Logf("%d idle connections cut: ping took %d attempts", conns, attempts)
		})
	}
}

// TestStoreRecoversFromHungConnects: while the database accepts
// connections and never answers, ping and get fail when their context
// ends; once it answers again, the store recovers without a restart, even
// though the connects started meanwhile are never answered: a connect has
// a timeout of its own, so background connects cannot fill the pool.
func TestStoreRecoversFromHungConnects(t *testing.T) {
	t.Parallel()
	s, proxy := openProxiedStore(t)
	poolSize := s.db.Stats().MaxOpenConnections
	if _, err := s.get(t.Context(), 1); err != nil {
		t.Fatalf("get(1) before the fault = %v", err)
	}
	// The pool keeps no connection from before the fault: a query on one
	// that the cut killed would fail at once, not wait.
	s.db.SetMaxIdleConns(0)
	s.db.SetMaxIdleConns(poolSize)
	proxy.setHang(true)
	proxy.cut()

	// The first wave takes every slot of the pool with a connect that
	// hangs; the second waits for a connection, so that when the first
	// wave's connects end with their contexts, database/sql starts
	// background connects for it, with no context of their own.
	type call struct {
		name string
		run  func(ctx context.Context) error
	}
	get := call{"get", func(ctx context.Context) error { _, err := s.get(ctx, 1); return err }}
	ping := call{"ping", s.ping}
	waves := []struct {
		timeout time.Duration
		calls   []call
	}{
		{500 * time.Millisecond, repeatCall(get, poolSize)},
		{2 * time.Second, append(repeatCall(get, poolSize/2), repeatCall(ping, poolSize-poolSize/2)...)},
	}
	var wg sync.WaitGroup
	errs := make([][]error, len(waves))
	for w, wave := range waves {
		errs[w] = make([]error, len(wave.calls))
		for i, c := range wave.calls {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), wave.timeout)
				defer cancel()
				errs[w][i] = c.run(ctx)
			})
		}
		if w == 0 {
			// Wait until the first wave holds every slot of the pool.
			for tries := 0; s.db.Stats().OpenConnections < poolSize; tries++ {
				if tries == 400 {
					t.Fatalf("the pool opened %d connections for %d calls, want %d", s.db.Stats().OpenConnections, poolSize, poolSize)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(waves[1].timeout + 30*time.Second):
		t.Fatalf("calls to the store did not return within 30s of their context's end")
	}
	for w, wave := range waves {
		for i, c := range wave.calls {
			err := errs[w][i]
			checkNoSecret(t, c.name, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("wave %d: %s with the database hung = %v, want an error wrapping context.DeadlineExceeded", w+1, c.name, err)
			}
		}
	}
	accepted, hung := proxy.counts()
	t.Logf("while hung: %d connections accepted by the proxy, %d hung; the pool counts %d open, %d in use",
		accepted, hung, s.stats().OpenConns, s.stats().InUse)

	// The database answers again; the connects already hung never will.
	proxy.setHang(false)
	const maxTries = 20
	var err error
	tries := 1
	for ; ; tries++ {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_, err = s.get(ctx, 1)
		cancel()
		if err == nil {
			break
		}
		checkNoSecret(t, "get", err)
		if tries == maxTries {
			st := s.stats()
			t.Fatalf("get(1) = %v %d times in a row after the database came back, want it to recover; the pool counts %d connections open, %d in use",
				err, tries, st.OpenConns, st.InUse)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := s.ping(t.Context()); err != nil {
		t.Errorf("ping after recovery = %v", err)
	}
	// The hung connects end, each with its timeout: no connection stays
	// in use.
	for polls := 1; ; polls++ {
		st := s.stats()
		if st.InUse == 0 {
			break
		}
		if polls == 100 {
			t.Fatalf("the pool counts %d of %d connections in use after recovery, want 0", st.InUse, st.OpenConns)
		}
		time.Sleep(200 * time.Millisecond)
	}
	_, hungAfter := proxy.counts()
	t.Logf("recovered after %d tries of get; %d connects hung in all", tries, hungAfter)
}

func repeatCall[T any](c T, n int) []T {
	cs := make([]T, n)
	for i := range cs {
		cs[i] = c
	}
	return cs
}

// TestHasConnectTimeout: the store's 5 s connect timeout applies only when
// neither DATABASE_URL nor PGCONNECT_TIMEOUT sets one.
func TestHasConnectTimeout(t *testing.T) {
	tests := []struct {
		url, env string
		want     bool
	}{
		{"postgres://u@127.0.0.1:5432/db", "", false},
		{"postgres://u@127.0.0.1:5432/db?sslmode=disable", "", false},
		{"postgres://u@127.0.0.1:5432/db?connect_timeout=10", "", true},
		{"postgresql://127.0.0.1/db?sslmode=disable&connect_timeout=0", "", true},
		{"postgres://127.0.0.1/db?application_name=connect_timeout", "", false},
		{"postgres://127.0.0.1/db", "3", true},
	}
	for _, tt := range tests {
		t.Setenv("PGCONNECT_TIMEOUT", tt.env)
		if got := hasConnectTimeout(tt.url); got != tt.want {
			t.Errorf("hasConnectTimeout(%q) with PGCONNECT_TIMEOUT=%q = %v, want %v", tt.url, tt.env, got, tt.want)
		}
	}
}
