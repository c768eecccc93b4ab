package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// findRoot returns the directory of the prodready module: dir or the
// nearest parent whose go.mod declares github.com/prodready/prodready.
func findRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && firstLine(string(b)) == "module github.com/prodready/prodready" {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod of module github.com/prodready/prodready in %s or its parents; run from the repository or pass -root", dir)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// buildService builds examples/itemsapi of the module at root into dir and
// returns the binary's path.
func buildService(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "itemsapi")
	cmd := exec.CommandContext(ctx, "go", "build", "-C", root, "-o", bin, "./examples/itemsapi")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build -C %s ./examples/itemsapi: %w\n%s", root, err, out)
	}
	return bin, nil
}

// checkLoopback returns an error unless host (a host or host:port) is a
// loopback IP address or "localhost": the load generator never sends load,
// or database traffic, anywhere else.
func checkLoopback(hostport string) error {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not a loopback address; itemsload only sends load to 127.0.0.1, ::1 or localhost", hostport)
	}
	return nil
}

// parseListenLine returns the address in a "listening" log line of slog's
// text handler (msg=listening addr=127.0.0.1:1234) or JSON handler
// ({"msg":"listening","addr":"127.0.0.1:1234"}), with any http:// prefix
// dropped.
func parseListenLine(line string) (string, bool) {
	line = strings.TrimSpace(line)
	var addr string
	if strings.HasPrefix(line, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != "listening" {
			return "", false
		}
		a, ok := m["addr"].(string)
		if !ok {
			return "", false
		}
		addr = a
	} else {
		// msg=listening from slog's TextHandler, a bare "INFO listening"
		// from the default logger.
		if !strings.Contains(line, "msg=listening") && !strings.Contains(line, " listening ") {
			return "", false
		}
		_, rest, ok := strings.Cut(line, " addr=")
		if !ok {
			return "", false
		}
		if strings.HasPrefix(rest, `"`) {
			v, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return "", false
			}
			addr, _ = strconv.Unquote(v)
		} else {
			addr, _, _ = strings.Cut(rest, " ")
		}
	}
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
	addr = strings.TrimSuffix(addr, "/")
	return addr, addr != ""
}

// A service is one running itemsapi process.
type service struct {
	cmd  *exec.Cmd
	base string // http://host:port
	done chan struct{}

	mu   sync.Mutex
	tail []string // last lines of its output
}

const tailLines = 30

// startService starts bin with env added to a minimal environment and waits
// until it logs its address and answers /readyz with 200, or timeout.
func startService(ctx context.Context, bin, dir string, env []string, timeout time.Duration) (*service, error) {
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = cmd.Stderr // both go to the pipe
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &service{cmd: cmd, done: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		// Read every line, so the service never blocks on a full pipe.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		found := false
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.tail = append(s.tail, line)
			if len(s.tail) > tailLines {
				s.tail = s.tail[len(s.tail)-tailLines:]
			}
			s.mu.Unlock()
			if !found {
				if a, ok := parseListenLine(line); ok {
					found = true
					addrc <- a
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = cmd.Wait(); close(s.done) }()

	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var addr string
	select {
	case addr = <-addrc:
	case <-s.done:
		return nil, fmt.Errorf("itemsapi exited before listening (%v); its last output:\n%s", cmd.ProcessState, joinLines(s.lastLines()))
	case <-deadline.C:
		s.stop(5 * time.Second)
		return nil, fmt.Errorf("itemsapi logged no \"listening addr=...\" line within %v; its last output:\n%s", timeout, joinLines(s.lastLines()))
	case <-ctx.Done():
		s.stop(5 * time.Second)
		return nil, ctx.Err()
	}
	if err := checkLoopback(addr); err != nil {
		s.stop(5 * time.Second)
		return nil, fmt.Errorf("itemsapi listens on %s: %w", addr, err)
	}
	s.base = "http://" + addr
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("itemsapi exited before /readyz answered 200; its last output:\n%s", joinLines(s.lastLines()))
		case <-deadline.C:
			s.stop(5 * time.Second)
			return nil, fmt.Errorf("GET %s/readyz did not answer 200 within %v; its last output:\n%s", s.base, timeout, joinLines(s.lastLines()))
		case <-ctx.Done():
			s.stop(5 * time.Second)
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *service) lastLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tail...)
}

// stop sends SIGTERM and waits up to grace before killing the process.
func (s *service) stop(grace time.Duration) error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("itemsapi did not stop within %v of SIGTERM; killed", grace)
	}
}

// cpuSeconds returns the user + system CPU time of the service so far,
// from /proc (Linux; clock ticks of 1/100 s), or -1.
func (s *service) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may hold spaces: split after it.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b)[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return float64(u+st) / 100
}

// getJSON decodes the JSON body of GET base+path into a map.
func getJSON(ctx context.Context, c *http.Client, base, path string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d, want 200 (is APP_ENV development or testing?): %.200s", path, resp.StatusCode, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("GET %s: body is not a JSON object: %w", path, err)
	}
	return m, nil
}

// counter returns the number under key in m, or in an object nested one
// level below (the contract leaves open whether /debug/cache nests the
// stats), and whether it was found.
func counter(m map[string]any, key string) (uint64, bool) {
	if v, ok := m[key].(float64); ok && v >= 0 {
		return uint64(v), true
	}
	for _, v := range m {
		if sub, ok := v.(map[string]any); ok {
			if n, ok := sub[key].(float64); ok && n >= 0 {
				return uint64(n), true
			}
		}
	}
	return 0, false
}

// A snapshot is the service's counters at one moment.
type snapshot struct {
	queries, hits, misses uint64
	cpu                   float64
}

func (s *service) snapshot(ctx context.Context, c *http.Client) (snapshot, error) {
	db, err := getJSON(ctx, c, s.base, "/debug/db")
	if err != nil {
		return snapshot{}, err
	}
	q, ok := counter(db, "queries")
	if !ok {
		return snapshot{}, errors.New(`GET /debug/db: no "queries" number in the body; the contract (spec/itemsapi.md) names it`)
	}
	cs, err := getJSON(ctx, c, s.base, "/debug/cache")
	if err != nil {
		return snapshot{}, err
	}
	h, ok1 := counter(cs, "hits")
	m, ok2 := counter(cs, "misses")
	if !ok1 || !ok2 {
		return snapshot{}, errors.New(`GET /debug/cache: no "hits" and "misses" numbers in the body; cache.Stats has them`)
	}
	return snapshot{queries: q, hits: h, misses: m, cpu: s.cpuSeconds()}, nil
}

// randomHex returns n random bytes as hex, for the service's secrets.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// A postgresDB is a database created for one scenario.
type postgresDB struct {
	admin *url.URL // the server's URL, with the password removed
	pass  string
	name  string
}

// createPostgresDB creates a fresh database with psql on the server of
// adminURL and returns it.
func createPostgresDB(ctx context.Context, adminURL, name string) (*postgresDB, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, fmt.Errorf("PRODREADY_BENCH_POSTGRES_URL is not a postgres://user@host:port/db URL; set it to one, e.g. postgres://postgres@127.0.0.1:5432/postgres")
	}
	if err := checkLoopback(u.Host); err != nil {
		return nil, fmt.Errorf("PRODREADY_BENCH_POSTGRES_URL (%s): %w", u.Redacted(), err)
	}
	p := &postgresDB{admin: u, name: name}
	if u.User != nil {
		p.pass, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	if err := p.psql(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	return p, nil
}

// url returns the URL of the created database, password included, for the
// service's DATABASE_URL only.
func (p *postgresDB) url() string {
	u := *p.admin
	u.Path = "/" + p.name
	if p.pass != "" {
		u.User = url.UserPassword(u.User.Username(), p.pass)
	}
	return u.String()
}

func (p *postgresDB) drop(ctx context.Context) error {
	return p.psql(ctx, "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)")
}

// psql runs one statement; the password goes through PGPASSWORD, never the
// command line.
func (p *postgresDB) psql(ctx context.Context, stmt string) error {
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", p.admin.String(), "-c", stmt)
	cmd.Env = os.Environ()
	if p.pass != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+p.pass)
	}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("psql not found in PATH: install the PostgreSQL client (apt-get install postgresql-client) or run with -databases sqlite")
	}
	if err != nil {
		return fmt.Errorf("psql %s on %s: %w: %s", stmt, p.admin.Redacted(), err, strings.TrimSpace(string(out)))
	}
	return nil
}
