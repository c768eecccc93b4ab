package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready/internal/testserver"
)

// The end-to-end tests build the binary once and run it as an operator
// would: in a fresh directory, with nothing in its environment but what
// each test gives it, over loopback HTTP.

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

// suite is what every configuration of the service must pass.
type suite struct {
	seed       int
	driver     string // "sqlite" or "postgres"
	backend    string // the cache backend
	adminToken string
	hardened   bool // debug endpoints need a session
}

func (s suite) run(t *testing.T, in *instance) {
	t.Run("health", func(t *testing.T) {
		var h map[string]any
		decode(t, in.do(t, "GET", "/healthz", "", false), 200, &h)
		if h["status"] != "ok" {
			t.Errorf("GET /healthz = %v, want status ok", h)
		}
		decode(t, in.do(t, "GET", "/readyz", "", false), 200, &h)
		if h["status"] != "ok" || !reflect.DeepEqual(h["checks"], map[string]any{"database": "ok", "cache": "ok"}) {
			t.Errorf("GET /readyz = %v, want status ok with both checks ok", h)
		}
	})

	t.Run("pagination through all rows", func(t *testing.T) {
		for _, limit := range []int{1, 5, 7, 100} {
			t.Run("limit="+strconv.Itoa(limit), func(t *testing.T) {
				pageSize := limit
				path := "/items?limit=" + strconv.Itoa(limit)
				var ids []int64
				pages := 0
				for path != "" {
					pages++
					if pages > s.seed+2 {
						t.Fatalf("more than %d pages", pages)
					}
					r := in.do(t, "GET", path, "", false)
					var env struct {
						Items   []Item `json:"items"`
						Next    string `json:"next"`
						HasMore bool   `json:"has_more"`
					}
					decode(t, r, 200, &env)
					if env.HasMore != (env.Next != "") {
						t.Fatalf("page %d: has_more %v with next %q", pages, env.HasMore, env.Next)
					}
					if strings.ContainsAny(env.Next, "/?&=") {
						t.Fatalf("page %d: next %q, want a cursor token, not a URL", pages, env.Next)
					}
					if env.HasMore && len(env.Items) != pageSize || len(env.Items) > pageSize {
						t.Fatalf("page %d: %d items, want %d (has_more %v)", pages, len(env.Items), pageSize, env.HasMore)
					}
					link := r.header.Get("Link")
					nextURL := "/items?cursor=" + env.Next + "&limit=" + strconv.Itoa(limit)
					if env.Next != "" && !strings.Contains(link, "<"+nextURL+`>; rel="next"`) {
						t.Fatalf("page %d: Link %q lacks the next page %q", pages, link, nextURL)
					}
					if env.Next == "" && strings.Contains(link, `rel="next"`) {
						t.Fatalf("last page: Link %q has a next page", link)
					}
					for _, it := range env.Items {
						if it.Name == "" || it.UpdatedAt.IsZero() || it.UpdatedAt.Location() != time.UTC {
							t.Fatalf("item %+v: want a name and an updated_at in UTC", it)
						}
						ids = append(ids, it.ID)
					}
					path = ""
					if env.Next != "" {
						path = "/items?limit=" + strconv.Itoa(limit) + "&cursor=" + url.QueryEscape(env.Next)
					}
				}
				if len(ids) != s.seed {
					t.Fatalf("%d items in %d pages, want %d", len(ids), pages, s.seed)
				}
				for i, id := range ids {
					if id != int64(i+1) {
						t.Fatalf("item %d has id %d, want %d: a gap or a duplicate", i, id, i+1)
					}
				}
				if want := (s.seed + pageSize - 1) / pageSize; pages != want {
					t.Errorf("%d pages, want %d", pages, want)
				}
			})
		}
	})

	t.Run("bad pagination parameters", func(t *testing.T) {
		var env struct{ Next string }
		decode(t, in.do(t, "GET", "/items?limit=3", "", false), 200, &env)
		cursor := env.Next
		tampered := cursor[:len(cursor)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(cursor, "AA")]
		tests := []struct{ query, param string }{
			{"limit=0", "limit"},
			{"limit=abc", "limit"},
			{"limit=-1", "limit"},
			{"limit=99999999999", "limit"},
			{"limit=101", "limit"}, // above MAX_PAGE_SIZE
			{"limit=1000", "limit"},
			{"limit=1&limit=2", "limit"},
			{"cursor=garbage", "cursor"},
			{"cursor=" + tampered, "cursor"},
			{"page=2", "page"},
			{"offset=10", "offset"},
		}
		for _, tt := range tests {
			r := in.do(t, "GET", "/items?"+tt.query, "", false)
			if code, param := r.errorCode(); r.status != 400 || code != "invalid_parameter" || param != tt.param {
				t.Errorf("GET /items?%.40s = %s, want 400 invalid_parameter for %s", tt.query, r, tt.param)
			}
		}
	})

	t.Run("get", func(t *testing.T) {
		var it Item
		decode(t, in.do(t, "GET", "/items/"+strconv.Itoa(s.seed), "", false), 200, &it)
		if it.ID != int64(s.seed) {
			t.Errorf("GET /items/%d = %+v", s.seed, it)
		}
		for _, tt := range []struct {
			path   string
			status int
			code   string
		}{
			{"/items/" + strconv.Itoa(s.seed+1000), 404, "not_found"},
			{"/items/abc", 400, "invalid_parameter"},
			{"/items/0", 400, "invalid_parameter"},
			{"/items/-1", 400, "invalid_parameter"},
			{"/items/+1", 400, "invalid_parameter"},
			{"/items/99999999999999999999", 400, "invalid_parameter"},
			{"/nothing-here", 404, "not_found"},
		} {
			r := in.do(t, "GET", tt.path, "", false)
			if code, _ := r.errorCode(); r.status != tt.status || code != tt.code {
				t.Errorf("GET %s = %s, want %d %s", tt.path, r, tt.status, tt.code)
			}
		}
		r := in.do(t, "DELETE", "/items/1", "", false)
		if code, _ := r.errorCode(); r.status != 405 || code != "method_not_allowed" || !strings.Contains(r.header.Get("Allow"), "PUT") {
			t.Errorf("DELETE /items/1 = %s (Allow %q), want 405 method_not_allowed", r, r.header.Get("Allow"))
		}
	})

	t.Run("session", func(t *testing.T) {
		saved := in.cookie
		in.cookie = nil
		defer func() {
			if in.cookie == nil {
				in.cookie = saved
			}
		}()
		for _, tt := range []struct {
			method, path, body string
			status             int
			code               string
		}{
			{"GET", "/me", "", 401, "unauthorized"},
			{"GET", "/debug/config", "", 401, "unauthorized"},
			{"PUT", "/items/1", `{"name":"x","price_cents":1}`, 401, "unauthorized"},
			{"POST", "/items", `{"name":"x","price_cents":1}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":"not-the-token"}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":""}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":"` + s.adminToken + `x"}`, 401, "unauthorized"},
			{"POST", "/login", `{"token":"x","admin":true}`, 400, "bad_request"},
			{"POST", "/login", `{"token":`, 400, "bad_request"},
		} {
			r := in.do(t, tt.method, tt.path, tt.body, false)
			if code, _ := r.errorCode(); r.status != tt.status || code != tt.code {
				t.Errorf("%s %s without a session = %s, want %d %s", tt.method, tt.path, r, tt.status, tt.code)
			}
			if len(r.header.Values("Set-Cookie")) > 0 {
				t.Errorf("%s %s without a session set a cookie: %v", tt.method, tt.path, r.header.Values("Set-Cookie"))
			}
		}
		// A forged cookie is no session.
		in.cookie = &http.Cookie{Name: "session", Value: "v1.eyJ1c2VyIjoiYWRtaW4ifQ.AAABnJ.AAAA"}
		if s.hardened {
			in.cookie.Name = "__Host-session"
		}
		if r := in.do(t, "GET", "/me", "", true); r.status != 401 {
			t.Errorf("GET /me with a forged cookie = %s, want 401", r)
		}
		in.cookie = nil
		in.login(t, s.adminToken)
		if s.hardened && (!in.cookie.Secure || in.cookie.Name != "__Host-session") {
			t.Errorf("production cookie %s: want Secure and named __Host-session", in.cookie.Name)
		}
		var me struct {
			User  string    `json:"user"`
			Since time.Time `json:"since"`
		}
		decode(t, in.do(t, "GET", "/me", "", true), 200, &me)
		if me.User != "admin" || time.Since(me.Since) > time.Minute {
			t.Errorf("GET /me = %+v, want user admin since now", me)
		}
		if r := in.do(t, "POST", "/logout", "", true); r.status != 415 {
			t.Errorf("POST /logout without a Content-Type = %s, want 415: a form of another site could log out", r)
		}
		r := in.do(t, "POST", "/logout", "{}", true)
		if r.status != 204 || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), "Max-Age=0") {
			t.Errorf("POST /logout = %s %v, want 204 and a cookie deleted", r, r.header.Values("Set-Cookie"))
		}
	})
	if in.cookie == nil {
		in.login(t, s.adminToken)
	}

	t.Run("debug endpoints need a session in production", func(t *testing.T) {
		saved := in.cookie
		in.cookie = nil
		defer func() { in.cookie = saved }()
		for _, p := range []string{"/debug/cache", "/debug/db"} {
			r := in.do(t, "GET", p, "", true)
			if want := map[bool]int{true: 401, false: 200}[s.hardened]; r.status != want {
				t.Errorf("GET %s without a session = %s, want %d", p, r, want)
			}
		}
	})

	t.Run("cache hit after first read", func(t *testing.T) {
		path := "/items/" + strconv.Itoa(s.seed/2)
		before, q0 := in.cacheStats(t), in.queries(t)
		var first, second Item
		decode(t, in.do(t, "GET", path, "", false), 200, &first)
		mid, q1 := in.cacheStats(t), in.queries(t)
		decode(t, in.do(t, "GET", path, "", false), 200, &second)
		after, q2 := in.cacheStats(t), in.queries(t)
		if mid.Misses != before.Misses+1 || mid.Loads != before.Loads+1 || mid.Hits != before.Hits {
			t.Errorf("first GET: stats %+v -> %+v, want one miss and one load", before, mid)
		}
		if after.Hits != mid.Hits+1 || after.Misses != mid.Misses || after.Loads != mid.Loads {
			t.Errorf("second GET: stats %+v -> %+v, want one hit", mid, after)
		}
		if q1 != q0+1 || q2 != q1 {
			t.Errorf("queries %d -> %d -> %d, want one for the first GET and none for the second", q0, q1, q2)
		}
		if !first.UpdatedAt.Equal(second.UpdatedAt) || first != second {
			t.Errorf("cached item %+v differs from loaded %+v", second, first)
		}
		if after.Backend != s.backend || after.Ratio <= 0 {
			t.Errorf("GET /debug/cache = %+v, want backend %s and a hit ratio", after, s.backend)
		}
	})

	t.Run("invalidation after write", func(t *testing.T) {
		path := "/items/" + strconv.Itoa(s.seed/3)
		var old Item
		decode(t, in.do(t, "GET", path, "", false), 200, &old)
		decode(t, in.do(t, "GET", path, "", false), 200, &old) // cached
		name := "renamed " + randomText(t, 6)
		var put Item
		decode(t, in.do(t, "PUT", path, `{"name":"`+name+`","price_cents":1234}`, true), 200, &put)
		if put.ID != old.ID || put.Name != name || put.PriceCents != 1234 || !put.UpdatedAt.After(old.UpdatedAt) {
			t.Errorf("PUT %s = %+v, want the new values and a later updated_at than %v", path, put, old.UpdatedAt)
		}
		var got Item
		decode(t, in.do(t, "GET", path, "", false), 200, &got)
		if got != put || !got.UpdatedAt.Equal(put.UpdatedAt) {
			t.Errorf("GET after PUT = %+v, want %+v", got, put)
		}
		if r := in.do(t, "PUT", "/items/"+strconv.Itoa(s.seed+1000), `{"name":"x","price_cents":1}`, true); r.status != 404 {
			t.Errorf("PUT of a missing item = %s, want 404", r)
		}
	})

	t.Run("create", func(t *testing.T) {
		missing := "/items/" + strconv.Itoa(s.seed+1)
		if r := in.do(t, "GET", missing, "", false); r.status != 404 {
			t.Fatalf("GET %s before create = %s, want 404", missing, r) // and cached as not found
		}
		r := in.do(t, "POST", "/items", `{"name":"brand new","price_cents":0}`, true)
		var it Item
		decode(t, r, 201, &it)
		if loc := r.header.Get("Location"); loc != "/items/"+strconv.FormatInt(it.ID, 10) || it.Name != "brand new" {
			t.Errorf("POST /items = %+v, Location %q", it, loc)
		}
		var got Item
		decode(t, in.do(t, "GET", r.header.Get("Location"), "", false), 200, &got)
		if got != it {
			t.Errorf("GET %s = %+v, want %+v", r.header.Get("Location"), got, it)
		}
	})

	t.Run("write validation", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 70<<10) + `","price_cents":1}`
		tests := []struct {
			name, method, body, ctype string
			status                    int
			code, param               string
		}{
			{"empty name", "PUT", `{"name":"","price_cents":1}`, "", 400, "invalid_parameter", "name"},
			{"long name", "PUT", `{"name":"` + strings.Repeat("é", 101) + `","price_cents":1}`, "", 400, "invalid_parameter", "name"},
			{"control character", "PUT", `{"name":"a\u0007b","price_cents":1}`, "", 400, "invalid_parameter", "name"},
			{"negative price", "PUT", `{"name":"a","price_cents":-1}`, "", 400, "invalid_parameter", "price_cents"},
			{"huge price", "PUT", `{"name":"a","price_cents":1000000000001}`, "", 400, "invalid_parameter", "price_cents"},
			{"price as text", "PUT", `{"name":"a","price_cents":"1"}`, "", 400, "invalid_parameter", "price_cents"},
			{"missing price", "POST", `{"name":"a"}`, "", 400, "invalid_parameter", "price_cents"},
			{"unknown field", "POST", `{"name":"a","price_cents":1,"id":5}`, "", 400, "bad_request", ""},
			{"two values", "POST", `{"name":"a","price_cents":1}{}`, "", 400, "bad_request", ""},
			{"not JSON", "POST", `name=a`, "", 400, "bad_request", ""},
			{"too large", "POST", big, "", 413, "payload_too_large", ""},
			{"form", "POST", `{"name":"a","price_cents":1}`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		}
		for _, tt := range tests {
			path := "/items"
			if tt.method == "PUT" {
				path = "/items/1"
			}
			req, _ := http.NewRequest(tt.method, in.base+path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", cmp.Or(tt.ctype, "application/json"))
			req.AddCookie(&http.Cookie{Name: in.cookie.Name, Value: in.cookie.Value})
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			r := response{status: resp.StatusCode, header: resp.Header, body: b}
			if code, param := r.errorCode(); r.status != tt.status || code != tt.code || param != tt.param {
				t.Errorf("%s: %s %s = %s, want %d %s %q", tt.name, tt.method, path, r, tt.status, tt.code, tt.param)
			}
		}
	})

	t.Run("debug", func(t *testing.T) {
		var db storeStats
		decode(t, in.do(t, "GET", "/debug/db", "", true), 200, &db)
		if db.Driver != s.driver || db.Queries == 0 || db.OpenConns < 1 {
			t.Errorf("GET /debug/db = %+v, want driver %s", db, s.driver)
		}
		// /debug/config is "itemsapi config print --format json" of the
		// same environment.
		var got, want map[string]any
		decode(t, in.do(t, "GET", "/debug/config", "", true), 200, &got)
		// and the fingerprint report (configfingerprint_test.go tests it).
		if fp, ok := got["fingerprint"].(map[string]any); !ok || fp["version"] != 1.0 {
			t.Errorf("GET /debug/config fingerprint = %v, want a report of version 1", got["fingerprint"])
		}
		delete(got, "fingerprint")
		stdout, stderr, code := runCommand(t, in.dir, in.env, "config", "print", "--format", "json")
		if code != 0 {
			t.Fatalf("config print: status %d\n%s", code, stderr)
		}
		if err := json.Unmarshal([]byte(stdout), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GET /debug/config = %v\nwant (config print --format json) %v", got, want)
		}
		vars := map[string]map[string]any{}
		for _, v := range got["vars"].([]any) {
			vars[v.(map[string]any)["name"].(string)] = v.(map[string]any)
		}
		for _, name := range []string{"SECRET_KEY", "ADMIN_TOKEN"} {
			if v := vars[name]; v["secret"] != true || v["value"] != "[redacted]" && v["set"] == true {
				t.Errorf("/debug/config %s = %v, want a redacted secret", name, v)
			}
		}
		checkNoLeak(t, "config print", stdout+stderr, in.secrets)
	})
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

const seedItems = 250

// TestSQLite runs the suite on the default set-up: SQLite and the
// in-process cache, development profile.
func TestSQLite(t *testing.T) {
	t.Parallel()
	token, key := randomText(t, 32), randomText(t, 48)
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"SEED_ITEMS":   strconv.Itoa(seedItems),
		"DATABASE_URL": "sqlite:items.db",
		"ADMIN_TOKEN":  token,
		"SECRET_KEY":   key,
	}, token, key)
	suite{seed: seedItems, driver: "sqlite", backend: "memory", adminToken: token}.run(t, in)
}

// TestSQLiteDefaults starts the service as the README does, with no
// variable at all, and logs in with the development token.
func TestSQLiteDefaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := start(t, "itemsapi", dir, map[string]string{"SEED_ITEMS": "30"})
	if _, err := os.Stat(filepath.Join(dir, "app.db")); err != nil {
		t.Errorf("no app.db in the working directory: %v", err)
	}
	suite{seed: 30, driver: "sqlite", backend: "memory", adminToken: devAdminToken}.run(t, in)
}

// TestProductionSQLite runs the suite under the production profile:
// JSON logs, Secure cookies, debug endpoints behind the session; the
// warnings about SQLite and the in-process cache do not stop start-up.
func TestProductionSQLite(t *testing.T) {
	t.Parallel()
	token, key := randomText(t, 32), randomText(t, 48)
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"APP_ENV":      "production",
		"SEED_ITEMS":   strconv.Itoa(seedItems),
		"DATABASE_URL": "sqlite:items.db",
		"ADMIN_TOKEN":  token,
		"SECRET_KEY":   key,
	}, token, key)
	suite{seed: seedItems, driver: "sqlite", backend: "memory", adminToken: token, hardened: true}.run(t, in)
	logs := in.output()
	if !strings.Contains(logs, `"msg":"request"`) || !strings.Contains(logs, `"check":"PR-W041"`) {
		t.Errorf("production logs: want JSON access logs and the PR-W041 warning:\n%.2000s", logs)
	}
}

// TestFailFast starts the service with configurations it must refuse:
// it must exit 1 naming the variables at fault, without opening its port
// (held here, so a listen would fail with another message) or its
// database. A port in use is refused before the database is opened.
func TestFailFast(t *testing.T) {
	t.Parallel()
	strong := randomText(t, 48)
	tests := []struct {
		name    string
		env     map[string]string // LISTEN_ADDR, if not set, is the port held here
		want    []string
		portErr bool // the error is the port's: the service tried to listen
	}{
		{"production without secrets", map[string]string{"APP_ENV": "production"},
			[]string{"SECRET_KEY: required in production", "ADMIN_TOKEN: required in production"}, false},
		{"production without SECRET_KEY", map[string]string{"APP_ENV": "production", "ADMIN_TOKEN": strong},
			[]string{"SECRET_KEY"}, false},
		{"production with a weak key", map[string]string{"APP_ENV": "production", "SECRET_KEY": "changeme-changeme-changeme-changeme", "ADMIN_TOKEN": strong},
			[]string{"SECRET_KEY"}, false},
		{"production with the development token", map[string]string{"APP_ENV": "production", "SECRET_KEY": strong, "ADMIN_TOKEN": devAdminToken},
			[]string{"ADMIN_TOKEN", "weak token"}, false},
		{"unknown profile", map[string]string{"APP_ENV": "prod"}, []string{"APP_ENV"}, false},
		{"zero timeout", map[string]string{"REQUEST_TIMEOUT": "0s", "SEED_ITEMS": "-1"}, []string{"REQUEST_TIMEOUT", "SEED_ITEMS"}, false},
		{"redis without a URL", map[string]string{"CACHE_BACKEND": "redis"}, []string{"CACHE_URL"}, false},
		{"malformed CACHE_URL", map[string]string{"CACHE_BACKEND": "redis", "CACHE_URL": "redis://cache:notaport/0"}, []string{"CACHE_URL"}, false},
		// Found: these passed the load-time checks, and the service retried
		// them forever as an unreachable server, GET /readyz at 503.
		{"CACHE_URL db not a number", map[string]string{"CACHE_BACKEND": "redis", "CACHE_URL": "redis://cache/abc"}, []string{"CACHE_URL", "not a database number"}, false},
		{"CACHE_URL protocol=3", map[string]string{"CACHE_BACKEND": "redis", "CACHE_URL": "redis://cache/0?protocol=3"}, []string{"CACHE_URL", "protocol=2"}, false},
		{"memcached CACHE_URL with a query", map[string]string{"CACHE_BACKEND": "memcached", "CACHE_URL": "memcached://cache?x=1"}, []string{"CACHE_URL", "takes no options"}, false},
		{"LISTEN_ADDR not host:port", map[string]string{"LISTEN_ADDR": "bogus"}, []string{"LISTEN_ADDR", "host:port"}, false},
		{"development token on every interface", map[string]string{"LISTEN_ADDR": "0.0.0.0:0"}, []string{"ADMIN_TOKEN", "LISTEN_ADDR", "not a loopback address"}, false},
		{"LISTEN_ADDR in use", map[string]string{}, []string{"LISTEN_ADDR", "address already in use"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			env := maps.Clone(tt.env)
			if env["LISTEN_ADDR"] == "" {
				env["LISTEN_ADDR"] = ln.Addr().String()
			}
			dir := t.TempDir()
			stdout, stderr, code := runCommand(t, dir, env)
			if code != 1 {
				t.Errorf("exit status %d, want 1\nstderr:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, bad := range []string{"listening", "address already in use", "LISTEN_ADDR"} {
				if tt.portErr && bad != "listening" || slices.Contains(tt.want, bad) {
					continue
				}
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr holds %q: the service tried to listen:\n%s", bad, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("the service created %v in its directory: it opened the database", files[0].Name())
			}
			checkNoLeak(t, "stderr", stderr, []string{strong})
		})
	}
}

// TestConfigCommand runs "itemsapi config" as an operator would before
// a deploy.
func TestConfigCommand(t *testing.T) {
	t.Parallel()
	key, token := randomText(t, 48), randomText(t, 32)
	prod := map[string]string{"APP_ENV": "production", "SECRET_KEY": key, "ADMIN_TOKEN": token,
		"DATABASE_URL": "postgres://app:" + token + "@db.internal:5432/app?sslmode=require"}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout []string
		stderr []string
	}{
		{"check ready", []string{"config", "check"}, prod, 0,
			[]string{"0 errors, 0 warnings", "ready (profile production"}, nil},
		{"check json", []string{"config", "check", "--format", "json"}, prod, 0, []string{`"ready": true`}, nil},
		{"check missing secrets", []string{"config", "check"}, map[string]string{"APP_ENV": "production"}, 1,
			[]string{"PR-E001  SECRET_KEY", "PR-E001  ADMIN_TOKEN"}, []string{"check failed"}},
		{"check weak token", []string{"config", "check"},
			map[string]string{"APP_ENV": "production", "SECRET_KEY": key, "ADMIN_TOKEN": "admin-admin-admin"}, 1,
			[]string{"ITEMS-E001", "ADMIN_TOKEN"}, nil},
		{"check bad LISTEN_ADDR", []string{"config", "check"}, map[string]string{"LISTEN_ADDR": "bogus"}, 1,
			[]string{"ITEMS-E004", "LISTEN_ADDR"}, nil},
		{"check development token on every interface", []string{"config", "check"}, map[string]string{"LISTEN_ADDR": ":8080"}, 1,
			[]string{"ITEMS-E005", "ADMIN_TOKEN"}, nil},
		{"check service warning", []string{"config", "check", "--fail-level", "error"},
			map[string]string{"REQUEST_TIMEOUT": "30s"}, 0, []string{"ITEMS-W003", "REQUEST_TIMEOUT"}, nil},
		{"print", []string{"config", "print"}, prod, 0,
			[]string{"LISTEN_ADDR", "127.0.0.1:8080", "ADMIN_TOKEN", "[redacted]", "postgres://app:[redacted]@db.internal"}, nil},
		{"env", []string{"config", "env"}, nil, 0, []string{"`SEED_ITEMS`", "`ADMIN_TOKEN`", "`CACHE_ITEMS`"}, nil},
		{"fingerprint", []string{"config", "fingerprint"}, prod, 0, []string{"\n"}, nil},
		{"unknown config command", []string{"config", "deploy"}, nil, 2, nil, []string{"deploy"}},
		{"unknown command", []string{"serve"}, nil, 2, nil, []string{`unknown command "serve"`}},
		{"help", []string{"help"}, nil, 0, []string{"itemsapi config"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCommand(t, t.TempDir(), tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("%v: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, stdout, stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("%v: stdout lacks %q:\n%s", tt.args, w, stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("%v: stderr lacks %q:\n%s", tt.args, w, stderr)
				}
			}
			if tt.name == "fingerprint" && !regexp.MustCompile(`^[0-9a-f]{32}\n$`).MatchString(stdout) {
				t.Errorf("fingerprint = %q, want 32 hex digits", stdout)
			}
			checkNoLeak(t, "config output", stdout+stderr, []string{key, token})
		})
	}
}

// postgresEnv returns the production environment of an instance on the
// PostgreSQL database dbURL and the shared Redis, in namespace ns, and the
// secrets in it: SECRET_KEY, ADMIN_TOKEN and a password in DATABASE_URL,
// which the server ignores (trust authentication) and which must show
// nowhere.
func postgresEnv(t *testing.T, dbURL, redisURL, ns string) (map[string]string, []string) {
	t.Helper()
	key, token, password := randomText(t, 48), randomText(t, 32), randomText(t, 24)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return map[string]string{
		"APP_ENV":         "production",
		"SECRET_KEY":      key,
		"ADMIN_TOKEN":     token,
		"DATABASE_URL":    u.String(), // sslmode=disable: warning PR-W042, which must not stop start-up
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       redisURL,
		"CACHE_NAMESPACE": ns,
		"SEED_ITEMS":      strconv.Itoa(seedItems),
	}, []string{key, token, password}
}

// TestPostgresRedis runs the suite on PostgreSQL and Redis under the
// production profile.
func TestPostgresRedis(t *testing.T) {
	t.Parallel()
	env, secrets := postgresEnv(t, testserver.PostgresDatabase(t), testserver.Redis(t), testserver.Namespace(t))
	in := start(t, "itemsapi", t.TempDir(), env, secrets...)
	suite{seed: seedItems, driver: "postgres", backend: "redis", adminToken: env["ADMIN_TOKEN"], hardened: true}.run(t, in)
	if logs := in.output(); !strings.Contains(logs, `"check":"PR-W042"`) {
		t.Errorf("logs lack the PR-W042 warning (sslmode=disable):\n%.2000s", logs)
	}
}

// TestTwoInstances starts two instances at once on one PostgreSQL
// database and one Redis namespace: they seed the table once between them,
// and a write through either is read through the other within 100 ms.
// It runs alone (not parallel), so that the other tests' load does not
// count in the time it measures.
func TestTwoInstances(t *testing.T) {
	env, secrets := postgresEnv(t, testserver.PostgresDatabase(t), testserver.Redis(t), testserver.Namespace(t))
	env["REQUEST_TIMEOUT"] = twoInstancesRequestTimeout.String()
	a := launch(t, "instance A", t.TempDir(), env, secrets...)
	b := launch(t, "instance B", t.TempDir(), env, secrets...)
	a.wait(t)
	b.wait(t)
	if a.base == b.base {
		t.Fatalf("both instances listen on %s", a.base)
	}

	// One seed between them.
	var ids []int64
	for next := "/items?limit=100"; next != ""; {
		var env struct {
			Items []Item `json:"items"`
			Next  string `json:"next"`
		}
		decode(t, b.do(t, "GET", next, "", false), 200, &env)
		for _, it := range env.Items {
			ids = append(ids, it.ID)
		}
		next = ""
		if env.Next != "" {
			next = "/items?limit=100&cursor=" + url.QueryEscape(env.Next)
		}
	}
	if len(ids) != seedItems || ids[0] != 1 || ids[len(ids)-1] != seedItems {
		t.Fatalf("%d items after two instances started, want %d (one seed)", len(ids), seedItems)
	}

	a.login(t, env["ADMIN_TOKEN"])
	b.cookie = a.cookie // one SECRET_KEY: a session of one is a session of both

	// A write through one instance is seen through the other within
	// limit. A round over the limit is run again once, on another item,
	// before it counts as a failure: this machine is shared, and a pause
	// of either process delays a read by more than the service's own
	// latency. The log line says how many rounds needed it.
	const rounds = 20
	const limit = 100 * time.Millisecond
	var took, upper []time.Duration
	staleReads, retried := 0, 0
	item := 10
	for i := range rounds {
		writer, reader := a, b
		if i%2 == 1 {
			writer, reader = b, a
		}
		for attempt := 1; ; attempt++ {
			item++
			lower, up, stale := writeSeen(t, writer, reader, item, fmt.Sprintf("round %d.%d", i, attempt))
			staleReads += stale
			if lower <= limit || attempt == 2 {
				took, upper = append(took, lower), append(upper, up)
				break
			}
			retried++
			t.Logf("round %d: still old %v after the PUT, over %v; running it again once", i, lower, limit)
		}
	}
	slices.Sort(took)
	slices.Sort(upper)
	t.Logf("write through one instance seen through the other: still old in a read started %v after the PUT at most (median %v); new in a read started %v after it at most (median %v); %d rounds, %d run again, %d stale reads; bound %v",
		took[len(took)-1], took[len(took)/2], upper[len(upper)-1], upper[len(upper)/2], rounds, retried, staleReads, limit)
	if took[len(took)-1] > limit {
		t.Errorf("a read started %v after a PUT through the other instance still returned the old value, twice in a row, want at most %v (all: %v)", took[len(took)-1], limit, took)
	}

	// Reads of an item not cached yet run on B while A writes it: some
	// load the old row. After A's second delete, REQUEST_TIMEOUT + 200ms
	// after the PUT at most, every read through either instance returns
	// the new value, and keeps returning it.
	for round := range 3 {
		id := 100 + round
		path := "/items/" + strconv.Itoa(id)
		name := fmt.Sprintf("written during loads %d %s", round, randomText(t, 6))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := client.Get(b.base + path)
					if err != nil {
						continue // the test fails below if B is gone
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					// 200, or 503 when the loaded machine makes a
					// read miss REQUEST_TIMEOUT: these reads only load.
					if resp.StatusCode != 200 && resp.StatusCode != 503 {
						t.Errorf("GET %s through B during the write = %d", path, resp.StatusCode)
						return
					}
				}
			})
		}
		time.Sleep(5 * time.Millisecond) // loads in flight
		decode(t, a.do(t, "PUT", path, `{"name":"`+name+`","price_cents":7}`, true), 200, nil)
		written := time.Now()
		time.Sleep(20 * time.Millisecond) // loads that began before the commit end
		close(stop)
		wg.Wait()
		settled := twoInstancesRequestTimeout + 200*time.Millisecond
		time.Sleep(time.Until(written.Add(settled + 50*time.Millisecond)))
		for range 5 {
			for _, in := range []*instance{a, b} {
				var got Item
				r := in.do(t, "GET", path, "", false)
				if code, _ := r.errorCode(); r.status == 503 && code == "timeout" {
					continue // slow, not stale
				}
				decode(t, r, 200, &got)
				if got.Name != name {
					t.Errorf("round %d: %s reads %q %v after a PUT during its loads, want %q (the second delete is %v after the PUT)",
						round, in.name, got.Name, time.Since(written).Round(time.Millisecond), name, settled)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// twoInstancesRequestTimeout is REQUEST_TIMEOUT in TestTwoInstances: the
// second delete of a write comes that long (and 200ms) after it.
const twoInstancesRequestTimeout = 3 * time.Second

// writeSeen reads item through reader until it is cached, writes it
// through writer, and reads it through reader until the new value shows.
// It returns the longest time after the write at which a read still
// returned the old value (lower) and the time after it at which the first
// read that returned the new one started (upper), and the stale reads.
func writeSeen(t *testing.T, writer, reader *instance, item int, label string) (lower, upper time.Duration, staleReads int) {
	t.Helper()
	path := "/items/" + strconv.Itoa(item)
	var old Item
	decode(t, reader.do(t, "GET", path, "", false), 200, &old)
	decode(t, reader.do(t, "GET", path, "", false), 200, &old) // cached, in Redis and near
	name := fmt.Sprintf("%s %s", label, randomText(t, 6))
	decode(t, writer.do(t, "PUT", path, `{"name":"`+name+`","price_cents":42}`, true), 200, nil)
	written := time.Now()
	// The write was still invisible when the last read that returned the
	// old value started (lower bound), and visible when the first read
	// that returned the new one started (upper bound). A loaded machine can
	// delay an answer, which widens the bounds but never moves the lower
	// one: that is the one held to the limit.
	stale := time.Duration(0)
	for {
		sent := time.Since(written)
		var got Item
		decode(t, reader.do(t, "GET", path, "", false), 200, &got)
		if got.Name == name {
			return stale, sent, staleReads
		}
		stale = sent
		staleReads++
		if got.Name != old.Name {
			t.Fatalf("%s: %s read %q, neither the old name %q nor the new %q", label, reader.name, got.Name, old.Name, name)
		}
		if time.Since(written) > 5*time.Second {
			t.Fatalf("%s: %s still reads %q 5s after the PUT through %s", label, reader.name, got.Name, writer.name)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCacheOff runs with CACHE_ITEMS=false, the load test's baseline:
// every read goes to the database and the cache counts nothing.
func TestCacheOff(t *testing.T) {
	t.Parallel()
	in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "20", "CACHE_ITEMS": "false"})
	before, q0 := in.cacheStats(t), in.queries(t)
	for range 3 {
		decode(t, in.do(t, "GET", "/items/7", "", false), 200, nil)
	}
	if r := in.do(t, "GET", "/items/21", "", false); r.status != 404 {
		t.Errorf("GET /items/21 = %s, want 404", r)
	}
	after, q1 := in.cacheStats(t), in.queries(t)
	if q1 != q0+4 {
		t.Errorf("queries %d -> %d, want one per read (4)", q0, q1)
	}
	if after != before {
		t.Errorf("cache stats %+v -> %+v, want no change", before, after)
	}
}

// TestShutdown: on SIGTERM, GET /readyz answers 503 for SHUTDOWN_DRAIN
// while the other requests are served, then the process exits 0; a second
// SIGTERM during the drain ends it at once.
func TestShutdown(t *testing.T) {
	t.Parallel()
	drainSeen := func(t *testing.T, in *instance) {
		t.Helper()
		in.cmd.Process.Signal(syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := in.do(t, "GET", "/readyz", "", false)
			if r.status == 503 && strings.Contains(string(r.body), `"draining"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET /readyz = %s 10s after SIGTERM, want 503 draining", r)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if r := in.do(t, "GET", "/items/1", "", false); r.status != 200 {
			t.Errorf("GET /items/1 while draining = %s, want 200", r)
		}
	}
	t.Run("drain", func(t *testing.T) {
		t.Parallel()
		in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "5", "SHUTDOWN_DRAIN": "2s"})
		if r := in.do(t, "GET", "/readyz", "", false); r.status != 200 {
			t.Fatalf("GET /readyz = %s, want 200", r)
		}
		drainSeen(t, in)
		select {
		case <-in.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("no exit 30s after SIGTERM with SHUTDOWN_DRAIN=2s")
		}
		if logs := in.output(); !strings.Contains(logs, "draining") {
			t.Errorf("logs lack the drain:\n%s", logs)
		}
		// stop checks the exit status 0 and the "stopped" line.
	})
	t.Run("second signal", func(t *testing.T) {
		t.Parallel()
		in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "5", "SHUTDOWN_DRAIN": "10m"})
		drainSeen(t, in)
		in.signaled = true
		in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.exited:
		case <-time.After(10 * time.Second):
			t.Fatalf("still running 10s after a second SIGTERM")
		}
		var ee *exec.ExitError
		if !errors.As(in.err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("exit %v, want killed by the second SIGTERM", in.err)
		}
	})
}

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
