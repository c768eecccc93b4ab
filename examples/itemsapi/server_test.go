package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

const (
	testKey   = "T3st-k3y-9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1"
	testToken = "adm1n-t0ken-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0"
)

// newTestServer returns a server loaded from env under the testing
// profile, without a store: only for handlers that do not reach it. Its
// logs go to the returned buffer.
func newTestServer(t *testing.T, env prodready.MapEnv) (*server, *bytes.Buffer) {
	t.Helper()
	if env == nil {
		env = prodready.MapEnv{}
	}
	env["APP_ENV"] = "testing"
	if _, ok := env["SECRET_KEY"]; !ok {
		env["SECRET_KEY"] = testKey
	}
	env["ADMIN_TOKEN"] = testToken
	var cfg Config
	opts := loadOptions(env)
	opts.NoDotEnv = true
	opts.Logger = slog.New(slog.DiscardHandler)
	rep, err := prodready.LoadWithReport(context.Background(), &cfg, &opts)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	items, err := cache.New[Item](context.Background(), cfg, cacheOptions(cfg, logger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { items.Close() })
	sessions, err := newSessions(cfg, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	cursors, err := newCursors(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cfg: cfg, report: rep, adminToken: cfg.AdminToken, items: items,
		sessions: sessions, cursors: cursors, logger: logger}
	// The delayed deletes of invalidate run before the cache closes.
	t.Cleanup(s.pending.Wait)
	return s, logs
}

// withSQLite gives s a SQLite store of n items in a temporary directory.
func withSQLite(t *testing.T, s *server, n int) {
	t.Helper()
	st, err := openStore(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "items.db"), n, s.logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.close() })
	s.store = st
}

// loginCookie logs in to h with token and returns the session cookie.
func loginCookie(t *testing.T, h http.Handler, token string) *http.Cookie {
	t.Helper()
	w := do(h, "POST", "/login", "application/json", `{"token":"`+token+`"}`)
	if w.Code != http.StatusNoContent || len(w.Result().Cookies()) != 1 {
		t.Fatalf("POST /login = %d %s %v, want 204 and a cookie", w.Code, w.Body, w.Result().Cookies())
	}
	return w.Result().Cookies()[0]
}

// do sends one request to h and returns the recorded response.
func do(h http.Handler, method, target, ctype, body string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// errorBody decodes a JSON error response, failing t if it is not one.
func errorBody(t *testing.T, w *httptest.ResponseRecorder) apiError {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body map[string]apiError
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || len(body) != 1 {
		t.Fatalf("body %q: want {\"error\":{...}} only: %v", w.Body.String(), err)
	}
	e, ok := body["error"]
	if !ok || e.Code == "" || e.Message == "" {
		t.Fatalf("body %q: want an error with a code and a message", w.Body.String())
	}
	return e
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	w := do(s.handler(), "GET", "/items/../items/3", "", "")
	if w.Code != http.StatusTemporaryRedirect && w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/items/3" {
		t.Errorf("GET /items/../items/3 = %d, Location %q, want a redirect to /items/3", w.Code, w.Header().Get("Location"))
	}
	if cl := w.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length %s for a body of %d bytes", cl, w.Body.Len())
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["location"] != "/items/3" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("redirect body %q (Content-Type %q), want JSON {\"location\":\"/items/3\"}", w.Body, w.Header().Get("Content-Type"))
	}
}

func TestRecoverPanics(t *testing.T) {
	t.Parallel()
	const secret = "panic-canary-7d1f0e9c8b7a6f5e"
	tests := []struct {
		name       string
		h          http.HandlerFunc
		wantStatus int
		wantBody   string
	}{
		{"before writing", func(w http.ResponseWriter, r *http.Request) { panic("boom " + secret) }, 500, `"code":"internal"`},
		{"error value", func(w http.ResponseWriter, r *http.Request) { panic(&prodready.FieldError{Key: secret}) }, 500, `"code":"internal"`},
		{"after writing", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte("partial"))
			panic(secret)
		}, 202, "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, logs := newTestServer(t, nil)
			h := s.accessLog(s.recoverPanics(tt.h))
			w := do(h, "POST", "/x", "application/json", `{"token":"`+secret+`"}`)
			if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("response %d %q, want %d with %q", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus == 500 && strings.Count(w.Body.String(), "{") != 2 {
				t.Errorf("body %q: want one JSON error", w.Body)
			}
			if !strings.Contains(logs.String(), "handler panicked") || !strings.Contains(logs.String(), "status="+strconv.Itoa(tt.wantStatus)) {
				t.Errorf("logs lack the panic or the access line with status %d:\n%s", tt.wantStatus, logs)
			}
			if strings.Contains(logs.String()+w.Body.String(), secret) {
				t.Errorf("the panic's value or the request body leaked:\n%s\n%s", logs, w.Body)
			}
		})
	}
}

// slowStore is a real store whose reads answer only once their context
// has ended, as a database slower than REQUEST_TIMEOUT would. (A
// REQUEST_TIMEOUT of 1ns is not enough: the deadline's timer may not have
// fired yet when a fast SQLite read checks it, and the read succeeds.)
type slowStore struct{ store }

func (s slowStore) wait(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second): // a context without deadline: fail, not hang
	}
}

func (s slowStore) get(ctx context.Context, id int64) (Item, error) {
	s.wait(ctx)
	return s.store.get(ctx, id)
}

func (s slowStore) list(ctx context.Context, after int64, limit int) ([]Item, error) {
	s.wait(ctx)
	return s.store.list(ctx, after, limit)
}

// TestRequestDeadline serves reads from a database slower than
// REQUEST_TIMEOUT: a real SQLite store, and the cache in front of it or
// not. Each must be a JSON 503 timeout.
func TestRequestDeadline(t *testing.T) {
	t.Parallel()
	for _, cacheItems := range []string{"true", "false"} {
		t.Run("CACHE_ITEMS="+cacheItems, func(t *testing.T) {
			t.Parallel()
			s, logs := newTestServer(t, prodready.MapEnv{"REQUEST_TIMEOUT": "50ms", "CACHE_ITEMS": cacheItems})
			withSQLite(t, s, 5)
			s.store = slowStore{s.store}
			h := s.handler()
			for _, target := range []string{"/items/3", "/items?limit=2"} {
				w := do(h, "GET", target, "", "")
				if e := errorBody(t, w); w.Code != http.StatusServiceUnavailable || e.Code != "timeout" {
					t.Errorf("GET %s with a database slower than REQUEST_TIMEOUT = %d %s, want 503 timeout", target, w.Code, w.Body)
				}
			}
			if !strings.Contains(logs.String(), "timeout") {
				t.Errorf("logs lack the timeouts:\n%s", logs)
			}
			// The cache's load runs on past the request until its own
			// LoadTimeout: let it end before the store closes.
			for i := 0; i < 200 && cacheItems == "true" && s.items.Stats().LoadErrors == 0; i++ {
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	// The same store answers with time to do so.
	s, _ := newTestServer(t, nil)
	withSQLite(t, s, 5)
	if w := do(s.handler(), "GET", "/items/3", "", ""); w.Code != http.StatusOK {
		t.Errorf("GET /items/3 = %d %s, want 200", w.Code, w.Body)
	}
}

// TestAccessLog checks the fields of the access log: the client's
// address, the request id (the client's when valid, echoed), probes at
// Debug, and an aborted handler.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	hexID := regexp.MustCompile(`^[0-9a-f]{16}$`)
	tests := []struct {
		name, path, reqID string
		wantID            func(string) bool
		logged            bool // at Info
	}{
		{"client id", "/nothing", "abc-123_X.y:z", func(id string) bool { return id == "abc-123_X.y:z" }, true},
		{"no id", "/nothing", "", hexID.MatchString, true},
		{"id with a space", "/nothing", "a b", hexID.MatchString, true},
		{"id with a newline", "/nothing", "a\nlevel=ERROR", hexID.MatchString, true},
		{"id too long", "/nothing", strings.Repeat("a", 65), hexID.MatchString, true},
		{"liveness probe", "/healthz", "probe-1", func(id string) bool { return id == "probe-1" }, false},
		{"readiness probe while draining", "/readyz", "probe-2", func(id string) bool { return id == "probe-2" }, true}, // a 503 is news
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, logs := newTestServer(t, nil)
			s.draining.Store(true)
			r := httptest.NewRequest("GET", tt.path, nil)
			r.RemoteAddr = "192.0.2.7:4711"
			if tt.reqID != "" {
				r.Header.Set("X-Request-ID", tt.reqID)
			}
			w := httptest.NewRecorder()
			s.handler().ServeHTTP(w, r)
			id := w.Header().Get("X-Request-ID")
			if !tt.wantID(id) {
				t.Errorf("X-Request-ID %q for a request with %q", id, tt.reqID)
			}
			line := logs.String()
			if got := strings.Contains(line, "msg=request"); got != tt.logged {
				t.Fatalf("access line logged at Info = %v, want %v:\n%s", got, tt.logged, line)
			}
			if tt.logged && (!strings.Contains(line, "remote=192.0.2.7:4711") || !strings.Contains(line, "request_id="+id)) {
				t.Errorf("access line lacks remote or request_id=%s:\n%s", id, line)
			}
		})
	}
	t.Run("aborted", func(t *testing.T) {
		t.Parallel()
		s, logs := newTestServer(t, nil)
		h := s.accessLog(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			panic(http.ErrAbortHandler)
		})))
		func() {
			defer func() {
				if v := recover(); v != http.ErrAbortHandler {
					t.Errorf("panic %v, want http.ErrAbortHandler passed on to net/http", v)
				}
			}()
			do(h, "GET", "/items", "", "")
		}()
		if !strings.Contains(logs.String(), `msg="request aborted"`) || !strings.Contains(logs.String(), "aborted=true") {
			t.Errorf("logs lack the aborted request:\n%s", logs)
		}
	})
}
