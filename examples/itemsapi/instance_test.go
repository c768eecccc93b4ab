package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// An instance is the itemsapi binary run as an operator would run it, for
// the end-to-end tests: built once, started in a fresh directory with
// nothing in its environment but what each test gives it, and driven over
// loopback HTTP.

// raceEnabled is set by race_test.go: the binary is then built with -race
// too, and a race it reports fails the test that ran it.
var raceEnabled bool

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary returns the path of the itemsapi binary, built on first use.
func binary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "itemsapi-e2e-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "itemsapi")
		args := []string{"build", "-o", build.bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		build.out, build.err = exec.Command("go", append(args, ".")...).CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("go build: %v\n%s", build.err, build.out)
	}
	return build.bin
}

// randomText returns n random bytes in base64url: a strong key, and a canary
// that no output may contain.
func randomText(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) // safe in a URL's password
}

// leakForms returns the forms in which a secret must not appear: itself,
// a part of it, base64 and hex.
func leakForms(secret string) []string {
	b := []byte(secret)
	return []string{
		secret,
		secret[len(secret)/4 : len(secret)/4+16],
		base64.StdEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
	}
}

// An instance is a running itemsapi process.
type instance struct {
	t       *testing.T
	name    string
	dir     string
	env     map[string]string
	base    string // http://127.0.0.1:PORT
	secrets []string
	cookie  *http.Cookie // the session, after login

	mu   sync.Mutex
	logs bytes.Buffer

	cmd      *exec.Cmd
	signaled bool        // the test ended it with a second signal: stop expects no clean exit
	addr     chan string // the address it listens on, once
	exited   chan struct{}
	err      error // cmd.Wait's, once exited is closed
}

var listenLine = regexp.MustCompile(`msg=listening addr=(\S+)|"msg":"listening","addr":"([^"]+)"`)

// start runs the binary in dir with env (LISTEN_ADDR defaults to
// 127.0.0.1:0) and waits for its "listening" line. secrets are values that
// must never show in its logs or responses. The process gets SIGTERM when
// the test ends, and must then exit 0.
func start(t *testing.T, name, dir string, env map[string]string, secrets ...string) *instance {
	t.Helper()
	in := launch(t, name, dir, env, secrets...)
	in.wait(t)
	return in
}

// launch starts the process as start does, without waiting for it to
// listen: call wait.
func launch(t *testing.T, name, dir string, env map[string]string, secrets ...string) *instance {
	t.Helper()
	env = maps.Clone(env)
	if env["LISTEN_ADDR"] == "" {
		env["LISTEN_ADDR"] = "127.0.0.1:0"
	}
	in := &instance{t: t, name: name, dir: dir, env: env, secrets: secrets, exited: make(chan struct{}), addr: make(chan string, 1)}
	in.cmd = exec.Command(binary(t))
	in.cmd.Dir = dir
	in.cmd.Env = environ(env)
	stderr, err := in.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	in.cmd.Stdout = &lockedWriter{mu: &in.mu, w: &in.logs}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			in.mu.Lock()
			in.logs.WriteString(line + "\n")
			in.mu.Unlock()
			if m := listenLine.FindStringSubmatch(line); m != nil {
				select {
				case in.addr <- m[1] + m[2]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		in.err = in.cmd.Wait()
		close(in.exited)
	}()
	t.Cleanup(in.stop)
	return in
}

// wait waits for the process to log the address it listens on.
func (in *instance) wait(t *testing.T) {
	t.Helper()
	select {
	case a := <-in.addr:
		in.base = "http://" + a
	case <-in.exited:
		t.Fatalf("%s exited before listening: %v\n%s", in.name, in.err, in.output())
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: no listening line after 2 minutes:\n%s", in.name, in.output())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func environ(env map[string]string) []string {
	out := []string{}
	if raceEnabled {
		out = append(out, "GORACE=exitcode=66")
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

func (in *instance) output() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.logs.String()
}

// stop ends the process with SIGTERM, and checks that it shut down
// cleanly and that its logs hold no secret and no race.
func (in *instance) stop() {
	t := in.t
	select {
	case <-in.exited:
	default:
		in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.exited:
		case <-time.After(30 * time.Second):
			in.cmd.Process.Kill()
			<-in.exited
			t.Errorf("%s did not stop within 30s of SIGTERM", in.name)
		}
	}
	logs := in.output()
	if in.signaled {
		checkNoLeak(t, in.name+" logs", logs, in.secrets)
		return
	}
	if in.err != nil {
		t.Errorf("%s exited with %v after SIGTERM, want status 0; logs:\n%s", in.name, in.err, logs)
	}
	if !strings.Contains(logs, "msg=stopped") && !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("%s logged no \"stopped\" line:\n%s", in.name, logs)
	}
	if strings.Contains(logs, "DATA RACE") {
		t.Errorf("%s reported a data race:\n%s", in.name, logs)
	}
	checkNoLeak(t, in.name+" logs", logs, in.secrets)
}

// checkNoLeak fails t if text holds a secret in any of its forms.
func checkNoLeak(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range leakForms(s) {
			if strings.Contains(text, f) {
				t.Errorf("%s leak a secret (in the form %.8s...)", what, f)
			}
		}
	}
}

// A response is what do returns.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// errorCode returns the body's error code and parameter.
func (r response) errorCode() (code, param string) {
	var e struct {
		Error apiError `json:"error"`
	}
	json.Unmarshal(r.body, &e)
	return e.Error.Code, e.Error.Parameter
}

var client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// do sends a request, with the instance's session cookie when it has one
// and auth is true, and a JSON body when body is not "".
func (in *instance) do(t *testing.T, method, path, body string, auth bool) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth && in.cookie != nil {
		req.AddCookie(&http.Cookie{Name: in.cookie.Name, Value: in.cookie.Value})
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	checkNoLeak(t, method+" "+path+" response", string(b)+fmt.Sprint(resp.Header), in.secrets)
	if ct := resp.Header.Get("Content-Type"); len(b) > 0 && ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return r
}

// decode unmarshals r's body into v, failing t unless r has status want.
func decode(t *testing.T, r response, want int, v any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
	}
}

func (in *instance) login(t *testing.T, token string) {
	t.Helper()
	r := in.do(t, "POST", "/login", `{"token":"`+token+`"}`, false)
	if r.status != http.StatusNoContent {
		t.Fatalf("POST /login = %s, want 204", r)
	}
	resp := http.Response{Header: r.header}
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			in.cookie = c
		}
	}
	if in.cookie == nil {
		t.Fatalf("POST /login set no cookie: %v", r.header)
	}
}

type cacheStats struct {
	Backend string  `json:"backend"`
	Hits    uint64  `json:"hits"`
	Misses  uint64  `json:"misses"`
	Loads   uint64  `json:"loads"`
	Ratio   float64 `json:"hit_ratio"`
}

func (in *instance) cacheStats(t *testing.T) cacheStats {
	t.Helper()
	var s cacheStats
	decode(t, in.do(t, "GET", "/debug/cache", "", true), 200, &s)
	return s
}

func (in *instance) queries(t *testing.T) uint64 {
	t.Helper()
	var s storeStats
	decode(t, in.do(t, "GET", "/debug/db", "", true), 200, &s)
	return s.Queries
}

// runCommand runs the binary with args in dir and env, and returns its
// output and exit status.
func runCommand(t *testing.T, dir string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Dir = dir
	cmd.Env = environ(env)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}
