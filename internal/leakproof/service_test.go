package leakproof_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// The reference service, examples/itemsapi, built and run as an operator
// would, with the canaries in its environment: every endpoint, error paths
// included, and its logs, in text (development) and JSON (production).

// buildService builds examples/itemsapi into a temporary directory.
func buildService(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "itemsapi")
	cmd := exec.Command("go", "build", "-o", bin, "../../examples/itemsapi")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/itemsapi: %v\n%s", err, out)
	}
	return bin
}

func environ(env map[string]string) []string {
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// runService runs bin with args in dir and env, and returns its stdout,
// stderr and exit status.
func runService(t *testing.T, bin, dir string, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = environ(env)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// A proc is a running service.
type proc struct {
	cmd    *exec.Cmd
	base   string
	mu     sync.Mutex
	out    bytes.Buffer
	exited chan struct{}
	err    error
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// serve starts bin in dir with env and waits for its listening line.
func serve(t *testing.T, bin, dir string, env map[string]string) *proc {
	t.Helper()
	env["LISTEN_ADDR"] = "127.0.0.1:0"
	p := &proc{cmd: exec.Command(bin), exited: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = environ(env)
	p.cmd.Stdout = lockedWriter{&p.mu, &p.out}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.out.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1] + m[2]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.stop(t) })
	select {
	case a := <-addr:
		p.base = "http://" + a
	case <-p.exited:
		t.Fatalf("itemsapi exited before listening: %v\n%s", p.err, p.output())
	case <-time.After(2 * time.Minute):
		t.Fatalf("itemsapi: no listening line after 2 minutes:\n%s", p.output())
	}
	return p
}

// stop sends SIGTERM and waits for the process to exit.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("itemsapi did not stop within 30s of SIGTERM")
	}
}

var httpClient = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// call sends one request and scans its status line, header and body.
func (p *proc) call(t *testing.T, s scan, method, path, ctype, body string, cookie *http.Cookie) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	w := method + " " + path
	if len(w) > 60 {
		w = w[:60]
	}
	s.text(w+" response", fmt.Sprintf("%s\n%v\n%s", resp.Status, resp.Header, b))
	return resp.StatusCode, resp.Header, string(b)
}

// walk hits every endpoint of the service, error paths included.
func (p *proc) walk(t *testing.T, s scan, c canaries) {
	t.Helper()
	const js = "application/json"
	for _, r := range []struct{ method, path, ctype, body string }{
		{"GET", "/healthz", "", ""},
		{"GET", "/readyz", "", ""},
		{"GET", "/items", "", ""},
		{"GET", "/items?limit=0", "", ""},
		{"GET", "/items?limit=abc", "", ""},
		{"GET", "/items?limit=1&limit=2", "", ""},
		{"GET", "/items?cursor=garbage", "", ""},
		{"GET", "/items?page=2", "", ""},
		{"GET", "/items/1", "", ""},
		{"GET", "/items/1", "", ""},
		{"GET", "/items/999999", "", ""},
		{"GET", "/items/abc", "", ""},
		{"DELETE", "/items/1", "", ""},
		{"POST", "/healthz", "", ""},
		{"GET", "/nope", "", ""},
		{"GET", "/me", "", ""},
		{"GET", "/debug/config", "", ""},
		{"GET", "/debug/cache", "", ""},
		{"GET", "/debug/db", "", ""},
		{"GET", "/debug/fleet", "", ""},
		{"POST", "/items", js, `{"name":"x","price_cents":1}`},
		{"PUT", "/items/1", js, `{"name":"x","price_cents":1}`},
		{"POST", "/login", js, `{"token":"` + c.fallback + `"}`},
		{"POST", "/login", js, `{"token":"` + c.key + `"}`},
		{"POST", "/login", js, `{"token":"` + c.admin[:len(c.admin)-1] + `"}`},
		{"POST", "/login", js, `{"token":""}`},
		{"POST", "/login", js, `{"token":`},
		{"POST", "/login", js, `{"token":"` + c.admin + `","admin":true}`},
		{"POST", "/login", js, `{"token":"` + c.admin + `"} {}`},
		{"POST", "/login", "text/plain", `{"token":"` + c.admin + `"}`},
		{"POST", "/login", js, `{"token":` + `123}`},
		{"POST", "/login", js, `{"token":"` + strings.Repeat(c.admin, 200) + `"}`},
	} {
		p.call(t, s, r.method, r.path, r.ctype, r.body, nil)
	}
	// A cursor of another key, and a tampered one.
	_, _, body := p.call(t, s, "GET", "/items?limit=3", "", "", nil)
	var page struct {
		Next string `json:"next"`
	}
	json.Unmarshal([]byte(body), &page)
	cur := page.Next // a cursor, or a URL that holds one
	if i := strings.Index(cur, "cursor="); i >= 0 {
		cur = cur[i+len("cursor="):]
		if j := strings.IndexByte(cur, '&'); j >= 0 {
			cur = cur[:j]
		}
	}
	if len(cur) > 8 {
		p.call(t, s, "GET", "/items?limit=3&cursor="+cur, "", "", nil)
		p.call(t, s, "GET", "/items?limit=3&cursor="+cur[:len(cur)-2]+"AA", "", "", nil)
	} else {
		t.Errorf("GET /items?limit=3 holds no next cursor: %s", body)
	}
	status, h, _ := p.call(t, s, "POST", "/login", js, `{"token":"`+c.admin+`"}`, nil)
	if status != http.StatusNoContent {
		t.Fatalf("POST /login with ADMIN_TOKEN = %d, want 204", status)
	}
	var cookie *http.Cookie
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Value != "" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatalf("POST /login set no cookie: %v", h)
	}
	// The cookie is signed data, not the key: it must hold no canary.
	s.text("session cookie", cookie.Value)
	tampered := &http.Cookie{Name: cookie.Name, Value: cookie.Value[:len(cookie.Value)-2] + "AA"}
	for _, r := range []struct {
		method, path, ctype, body string
		cookie                    *http.Cookie
	}{
		{"GET", "/me", "", "", cookie},
		{"GET", "/me", "", "", tampered},
		{"GET", "/debug/config", "", "", cookie},
		{"GET", "/debug/config", "", "", tampered},
		{"GET", "/debug/cache", "", "", cookie},
		{"GET", "/debug/db", "", "", cookie},
		{"GET", "/debug/fleet", "", "", cookie},
		{"POST", "/items", js, `{"name":"leak","price_cents":5}`, cookie},
		{"POST", "/items", js, `{"name":"leak"}`, cookie},
		{"POST", "/items", js, `{"name":"leak","price_cents":"x"}`, cookie},
		{"POST", "/items", js, `{"name":"leak","price_cents":5,"x":1}`, cookie},
		{"POST", "/items", js, `not json`, cookie},
		{"POST", "/items", js, ``, cookie},
		{"POST", "/items", "text/plain", `{}`, cookie},
		{"PUT", "/items/2", js, `{"name":"leak2","price_cents":6}`, cookie},
		{"PUT", "/items/999999", js, `{"name":"leak2","price_cents":6}`, cookie},
		{"PUT", "/items/abc", js, `{"name":"leak2","price_cents":6}`, cookie},
		{"GET", "/items/2", "", "", cookie},
		{"POST", "/logout", "", "", cookie},
	} {
		p.call(t, s, r.method, r.path, r.ctype, r.body, r.cookie)
	}
}

func walkService(t *testing.T, c canaries) {
	bin := buildService(t)
	t.Run("development sqlite", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		dir := t.TempDir()
		env := map[string]string{
			"SEED_ITEMS": "20", "DATABASE_URL": "sqlite:items.db", "SECRET_KEY": c.key,
			"SECRET_KEY_FALLBACKS": c.fallback, "ADMIN_TOKEN": c.admin, "LOG_LEVEL": "debug",
			"CACHE_URL": "redis://:" + c.cachePW + "@127.0.0.1:6379/0", // not used by the memory backend; must show nowhere
		}
		p := serve(t, bin, dir, env)
		p.walk(t, s, c)
		p.stop(t)
		out := p.output()
		if !strings.Contains(out, "msg=request") {
			t.Errorf("development logs are not text access logs:\n%.1000s", out)
		}
		s.text("stdout+stderr (text logs)", out)
		configCommands(t, s, bin, dir, env)
	})
	t.Run("production postgres redis", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		dbURL := testserver.PostgresDatabase(t) // trust authentication: the password is ignored, and must show nowhere
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), c.dbPass)
		addr, kill := startRedis(t, c.cachePW)
		dir := t.TempDir()
		env := map[string]string{
			"APP_ENV": "production", "SEED_ITEMS": "20", "DATABASE_URL": u.String(),
			"SECRET_KEY": c.key, "SECRET_KEY_FALLBACKS": c.fallback, "ADMIN_TOKEN": c.admin,
			"CACHE_BACKEND": "redis", "CACHE_URL": "redis://:" + c.cachePW + "@" + addr + "/0", "CACHE_NAMESPACE": "leak",
			"LOG_LEVEL": "debug",
		}
		p := serve(t, bin, dir, env)
		p.walk(t, s, c)
		// The cache server dies: readiness fails, reads fail open, and the
		// errors are logged, with the address but not the password.
		kill()
		status, _, _ := p.call(t, s, "GET", "/readyz", "", "", nil)
		if status != http.StatusServiceUnavailable {
			t.Errorf("GET /readyz with redis down = %d, want 503", status)
		}
		p.call(t, s, "GET", "/items/3", "", "", nil)
		p.call(t, s, "GET", "/items/4", "", "", nil)
		p.stop(t)
		out := p.output()
		if !strings.Contains(out, `"msg":"request"`) || !strings.Contains(out, "readiness check failed") {
			t.Errorf("production logs lack JSON access logs or the failed readiness check:\n%.2000s", out)
		}
		s.text("stdout+stderr (JSON logs)", out)
		configCommands(t, s, bin, dir, env)
	})
	t.Run("cache server down at start-up", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		env := map[string]string{
			"SEED_ITEMS": "5", "SECRET_KEY": c.key, "ADMIN_TOKEN": c.admin, "DEBUG": "false",
			"CACHE_BACKEND": "redis", "CACHE_URL": "redis://:" + c.cachePW + "@" + closedPort(t) + "/0",
		}
		dir := t.TempDir()
		p := serve(t, bin, dir, env)
		p.call(t, s, "GET", "/readyz", "", "", nil)
		p.call(t, s, "GET", "/items/1", "", "", nil)
		p.stop(t)
		s.text("stdout+stderr (cache down)", p.output())
		configCommands(t, s, bin, dir, env)
	})
	t.Run("fail fast", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		for _, env := range []map[string]string{
			{"APP_ENV": "production", "SECRET_KEY": c.weak, "ADMIN_TOKEN": c.admin, "DATABASE_URL": "postgres://app:" + c.dbPass + "@127.0.0.1:1/app"},
			{"APP_ENV": "production", "SECRET_KEY": c.key, "SECRET_KEY_FALLBACKS": c.weak, "ADMIN_TOKEN": c.weak},
			{"APP_ENV": "production", "ADMIN_TOKEN": c.admin, "DATABASE_URL": "postgres://app:" + c.dbPass + "@db:notaport/app"},
			{"SECRET_KEY": c.key, "DATABASE_URL": "postgres://app:" + c.dbPass + "@" + closedPort(t) + "/app?sslmode=disable&connect_timeout=2", "LISTEN_ADDR": "127.0.0.1:0"},
		} {
			stdout, stderr, code := runService(t, bin, t.TempDir(), env)
			if code != 1 {
				t.Errorf("itemsapi with %v: exit status %d, want 1\n%s", env["APP_ENV"], code, stderr)
			}
			s.text("fail-fast stdout+stderr", stdout+stderr)
		}
	})
}

// configCommands runs "itemsapi config ..." in every format in dir and
// env, and scans the outputs.
func configCommands(t *testing.T, s scan, bin, dir string, env map[string]string) {
	t.Helper()
	for _, args := range [][]string{
		{"config", "check"}, {"config", "check", "--format", "json"},
		{"config", "print"}, {"config", "print", "--format", "json"}, {"config", "print", "--format", "env"},
		{"config", "env"}, {"config", "env", "--format", "dotenv"},
		{"config", "fingerprint"}, {"config", "fingerprint", "--verbose"},
		{"config", "check", "--profile", "production"}, {"config", "nope"}, {"help"},
	} {
		stdout, stderr, _ := runService(t, bin, dir, env, args...)
		s.text(strings.Join(args, " ")+" output", stdout+stderr)
	}
}
