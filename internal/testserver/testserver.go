// Package testserver finds the Redis, Memcached and PostgreSQL servers
// that tests talk to, and starts private Redis and Memcached servers for
// tests that kill and pause their server.
//
// The shared servers are named by PRODREADY_TEST_REDIS_URL (default
// redis://127.0.0.1:6379/0), PRODREADY_TEST_MEMCACHED_ADDR (default
// 127.0.0.1:11211) and PRODREADY_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). When a
// server does not answer, or the binary to start a private one is missing,
// the test is skipped with a message, or fails when
// PRODREADY_REQUIRE_SERVERS=1 (as CI sets it).
//
// Tests that use a shared cache server must use a namespace of their own
// ([Namespace]) and must never flush the server. Tests that use PostgreSQL
// get a database of their own ([PostgresDatabase]), dropped when they end.
//
// A private server counts as started only when the process started
// answers with its own PID (INFO server, or stats); if another process
// took the port first, it is started again on another port.
package testserver

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment variables read by this package.
const (
	EnvRedisURL       = "PRODREADY_TEST_REDIS_URL"
	EnvMemcachedAddr  = "PRODREADY_TEST_MEMCACHED_ADDR"
	EnvRequireServers = "PRODREADY_REQUIRE_SERVERS"
)

const (
	defaultRedisURL      = "redis://127.0.0.1:6379/0"
	defaultMemcachedAddr = "127.0.0.1:11211"
	probeTimeout         = 500 * time.Millisecond
	startTimeout         = 10 * time.Second
)

// Redis returns the URL of the shared Redis server, or skips tb (fails it
// under PRODREADY_REQUIRE_SERVERS=1) when no server answers there.
func Redis(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv(EnvRedisURL)
	if raw == "" {
		raw = defaultRedisURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		tb.Fatalf("testserver: %s is not a redis URL", EnvRedisURL)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "6379")
	}
	if err := probe(host); err != nil {
		unavailable(tb, "redis", fmt.Sprintf("no server answers at %s (set %s): %v", host, EnvRedisURL, err))
	}
	return raw
}

// Memcached returns the host:port of the shared Memcached server, or skips
// tb (fails it under PRODREADY_REQUIRE_SERVERS=1) when no server answers there.
func Memcached(tb testing.TB) string {
	tb.Helper()
	addr := os.Getenv(EnvMemcachedAddr)
	if addr == "" {
		addr = defaultMemcachedAddr
	}
	if err := probe(addr); err != nil {
		unavailable(tb, "memcached", fmt.Sprintf("no server answers at %s (set %s): %v", addr, EnvMemcachedAddr, err))
	}
	return addr
}

// Namespace returns a cache namespace unique to this test run, so tests
// sharing a server never see each other's keys.
func Namespace(tb testing.TB) string {
	tb.Helper()
	return "test-" + rand.Text()[:16]
}

func probe(addr string) error {
	c, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		return err
	}
	return c.Close()
}

func unavailable(tb testing.TB, what, msg string) {
	tb.Helper()
	if os.Getenv(EnvRequireServers) == "1" {
		tb.Fatalf("testserver: %s required (%s=1): %s", what, EnvRequireServers, msg)
	}
	tb.Skipf("testserver: skipping, %s unavailable: %s", what, msg)
}

// A Server is a private server process on a loopback port, started by
// [StartRedis] or [StartMemcached] for one test, which may kill, restart,
// pause and resume it. It is stopped when the test ends. Its methods are
// safe for concurrent use.
type Server struct {
	tb   testing.TB
	name string
	args []string
	addr string
	tls  *tls.Config // how pid talks to a TLS-only server; nil for TCP

	mu     sync.Mutex
	cmd    *exec.Cmd
	exit   chan struct{} // closed when cmd has exited
	counts FaultCounts   // faults injected by Kill, Stop and Pause
}

// FaultCounts counts the faults injected into a [Server]: each Kill
// (SIGKILL), Stop (SIGTERM, a clean shutdown) and Pause (SIGSTOP) of a
// running server, and each Restart and Resume that undid one.
type FaultCounts struct {
	Kills, Stops, Pauses, Restarts, Resumes int
}

// Total returns the number of faults injected: kills, stops and pauses.
func (c FaultCounts) Total() int { return c.Kills + c.Stops + c.Pauses }

func (c FaultCounts) String() string {
	return fmt.Sprintf("kills=%d stops=%d pauses=%d restarts=%d resumes=%d", c.Kills, c.Stops, c.Pauses, c.Restarts, c.Resumes)
}

// Faults returns the faults injected into s so far. The Kill that ends
// every server when its test ends is not counted.
func (s *Server) Faults() FaultCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// StartRedis starts redis-server on a free loopback port, without
// persistence. It skips tb (or fails it under PRODREADY_REQUIRE_SERVERS=1)
// when redis-server is not installed.
func StartRedis(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, "redis-server", func(port string) []string {
		return []string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"}
	})
}

// StartMemcached starts memcached on a free loopback port, without UDP. It
// skips tb (or fails it under PRODREADY_REQUIRE_SERVERS=1) when memcached is
// not installed.
func StartMemcached(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, "memcached", func(port string) []string {
		args := []string{"-l", "127.0.0.1", "-p", port, "-U", "0", "-m", "64"}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "root")
		}
		return args
	})
}

// startAttempts bounds the ports start tries: another process can take a
// free port between freePort closing it and the server binding it.
const startAttempts = 5

func start(tb testing.TB, name string, args func(port string) []string) *Server {
	tb.Helper()
	return startTLS(tb, name, args, nil)
}

// startTLS is start for a server that pid reaches over TLS with tc (when
// not nil).
func startTLS(tb testing.TB, name string, args func(port string) []string, tc *tls.Config) *Server {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		unavailable(tb, name, err.Error())
	}
	var err error
	for range startAttempts {
		port := freePort(tb)
		s := &Server{tb: tb, name: name, args: args(port), addr: net.JoinHostPort("127.0.0.1", port), tls: tc}
		if err = s.start(); err == nil {
			tb.Cleanup(s.stop)
			return s
		}
	}
	tb.Fatal(err)
	return nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// RedisURL returns redis://host:port/0 for a Redis server.
func (s *Server) RedisURL() string { return "redis://" + s.addr + "/0" }

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return fmt.Errorf("testserver: %s already running", s.name)
	}
	cmd := exec.Command(s.name, s.args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testserver: start %s: %w", s.name, err)
	}
	exited := make(chan error, 1)
	go wait(cmd, exited)
	deadline := time.Now().Add(startTimeout)
	for {
		pid, err := s.pid()
		if err == nil && pid == cmd.Process.Pid {
			break
		}
		if err == nil { // another process answers on the port
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("testserver: another %s (pid %d) answers on %s", s.name, pid, s.addr)
		}
		select {
		case err := <-exited:
			return fmt.Errorf("testserver: %s on %s exited at start: %v", s.name, s.addr, err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("testserver: %s did not answer on %s within %v", s.name, s.addr, startTimeout)
		}
	}
	s.cmd = cmd
	s.exit = make(chan struct{})
	go s.reap(cmd, exited, s.exit)
	return nil
}

// reap waits for cmd, the server's process, to exit, and closes exit.
func (s *Server) reap(cmd *exec.Cmd, exited <-chan error, exit chan struct{}) {
	<-exited
	s.mu.Lock()
	if s.cmd == cmd {
		s.cmd = nil
	}
	s.mu.Unlock()
	close(exit)
}

// pid asks the server on s.addr for its process ID: INFO server for
// Redis, stats for Memcached. It fails while nothing answers there.
func (s *Server) pid() (int, error) {
	c, err := net.DialTimeout("tcp", s.addr, probeTimeout)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(probeTimeout))
	if s.tls != nil {
		c = tls.Client(c, s.tls)
	}
	req, field := "INFO server\r\n", "process_id:"
	if s.name == "memcached" {
		req, field = "stats\r\n", "STAT pid "
	}
	if pw := requirePass(s.args); pw != "" {
		req = "AUTH " + pw + "\r\n" + req
	}
	if _, err := io.WriteString(c, req); err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
		if line := sc.Text(); line == "END" || strings.HasPrefix(line, "-") {
			break
		}
	}
	return 0, fmt.Errorf("testserver: no %s pid on %s", s.name, s.addr)
}

// wait waits for cmd and sends its result on exited.
func wait(cmd *exec.Cmd, exited chan<- error) { exited <- cmd.Wait() }

// Kill kills the server with SIGKILL (a crash: its connections are reset,
// nothing is flushed) and waits until it has exited and its port is
// closed. Killing a stopped server is a no-op.
func (s *Server) Kill() { s.halt(syscall.SIGKILL, true) }

// Stop stops the server with SIGTERM (a clean shutdown, as for a
// restart by its operator) and waits until it has exited and its port is
// closed; it falls back to SIGKILL after 10s. Stopping a stopped server is
// a no-op.
func (s *Server) Stop() { s.halt(syscall.SIGTERM, true) }

// stop kills the server when its test ends, uncounted.
func (s *Server) stop() { s.halt(syscall.SIGKILL, false) }

func (s *Server) halt(sig syscall.Signal, count bool) {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	if cmd != nil && count {
		if sig == syscall.SIGKILL {
			s.counts.Kills++
		} else {
			s.counts.Stops++
		}
	}
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	if sig != syscall.SIGKILL && sigCont != nil {
		_ = cmd.Process.Signal(sigCont) // a paused server cannot shut down
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exit:
	case <-time.After(startTimeout):
		_ = cmd.Process.Kill()
		<-exit
	}
	deadline := time.Now().Add(startTimeout)
	for probe(s.addr) == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// Restart starts the server again on the same port, after Kill or Stop.
func (s *Server) Restart() {
	s.tb.Helper()
	if err := s.start(); err != nil {
		s.tb.Error(err)
		return
	}
	s.mu.Lock()
	s.counts.Restarts++
	s.mu.Unlock()
}

// Pause stops the server process with SIGSTOP, and waits until it is
// stopped: connections stay open and nothing answers, as with a hung server.
func (s *Server) Pause() {
	s.tb.Helper()
	if sigStop == nil {
		s.tb.Skip("testserver: pausing a server needs SIGSTOP, which this system lacks")
	}
	if !s.signal(sigStop) {
		return
	}
	s.mu.Lock()
	cmd := s.cmd
	s.counts.Pauses++
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	stat := fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)
	for range 200 {
		b, err := os.ReadFile(stat)
		if err != nil {
			time.Sleep(10 * time.Millisecond) // no /proc: give the signal time
			return
		}
		// The state follows the parenthesized command name.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Resume continues a paused server with SIGCONT.
func (s *Server) Resume() {
	s.tb.Helper()
	if sigCont == nil {
		s.tb.Skip("testserver: resuming a server needs SIGCONT, which this system lacks")
	}
	if s.signal(sigCont) {
		s.mu.Lock()
		s.counts.Resumes++
		s.mu.Unlock()
	}
}

// signal sends sig to the server; it reports whether it could.
func (s *Server) signal(sig os.Signal) bool {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		s.tb.Errorf("testserver: %s is not running", s.name)
		return false
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.tb.Errorf("testserver: signal %s: %v", s.name, err)
		return false
	}
	return true
}

func freePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
