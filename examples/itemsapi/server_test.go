package main

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/testserver"
	"github.com/prodready/prodready/session"
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
	items, err := cache.New[Item](context.Background(), cfg.CacheConfig(), cacheOptions(cfg, logger))
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

func TestErrorResponses(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	h := s.handler()
	const js = "application/json"
	tests := []struct {
		name               string
		method, target     string
		ctype, body        string
		status             int
		code, param, allow string
		messageHas         string
		messageLacks       string
	}{
		{name: "unknown path", method: "GET", target: "/nope", status: 404, code: "not_found"},
		{name: "unknown method", method: "DELETE", target: "/items/1", status: 405, code: "method_not_allowed", allow: "GET, HEAD, PUT"},
		{name: "POST on a GET route", method: "POST", target: "/healthz", status: 405, code: "method_not_allowed", allow: "GET, HEAD"},
		{name: "bad id", method: "GET", target: "/items/abc", status: 400, code: "invalid_parameter", param: "id"},
		{name: "id zero", method: "GET", target: "/items/0", status: 400, code: "invalid_parameter", param: "id"},
		{name: "signed id", method: "GET", target: "/items/+7", status: 400, code: "invalid_parameter", param: "id"},
		{name: "bad limit", method: "GET", target: "/items?limit=0", status: 400, code: "invalid_parameter", param: "limit"},
		{name: "limit above MAX_PAGE_SIZE", method: "GET", target: "/items?limit=101", status: 400, code: "invalid_parameter", param: "limit", messageHas: "1 to 100"},
		{name: "limit 1000", method: "GET", target: "/items?limit=1000", status: 400, code: "invalid_parameter", param: "limit", messageHas: "1 to 100"},
		{name: "bad cursor", method: "GET", target: "/items?cursor=x", status: 400, code: "invalid_parameter", param: "cursor"},
		{name: "page style", method: "GET", target: "/items?page=2", status: 400, code: "invalid_parameter", param: "page"},
		{name: "create without a session", method: "POST", target: "/items", ctype: js, body: `{"name":"a","price_cents":1}`, status: 401, code: "unauthorized"},
		{name: "update without a session", method: "PUT", target: "/items/1", ctype: js, body: `{"name":"a","price_cents":1}`, status: 401, code: "unauthorized"},
		{name: "me without a session", method: "GET", target: "/me", status: 401, code: "unauthorized"},
		{name: "config without a session", method: "GET", target: "/debug/config", status: 401, code: "unauthorized"},
		{name: "wrong token", method: "POST", target: "/login", ctype: js, body: `{"token":"guess-guess-guess"}`, status: 401, code: "unauthorized", messageLacks: "guess"},
		{name: "token prefix", method: "POST", target: "/login", ctype: js, body: `{"token":"` + testToken[:20] + `"}`, status: 401, code: "unauthorized"},
		{name: "empty token", method: "POST", target: "/login", ctype: js, body: `{"token":""}`, status: 401, code: "unauthorized"},
		{name: "login as a form", method: "POST", target: "/login", ctype: "application/x-www-form-urlencoded", body: "token=" + testToken, status: 415, code: "unsupported_media_type"},
		{name: "login without a type", method: "POST", target: "/login", body: `{"token":"x"}`, status: 415, code: "unsupported_media_type"},
		{name: "login with charset", method: "POST", target: "/login", ctype: "application/json; charset=utf-8", body: `{"token":"x"}`, status: 401, code: "unauthorized"},
		{name: "login with charset UTF-8", method: "POST", target: "/login", ctype: "application/json; charset=UTF-8", body: `{"token":"x"}`, status: 401, code: "unauthorized"},
		{name: "login in latin1", method: "POST", target: "/login", ctype: "application/json; charset=iso-8859-1", body: `{"token":"x"}`, status: 415, code: "unsupported_media_type", messageHas: "charset"},
		{name: "login in UTF-16", method: "POST", target: "/login", ctype: "application/json;charset=utf-16", body: `{"token":"x"}`, status: 415, code: "unsupported_media_type"},
		{name: "login invalid UTF-8", method: "POST", target: "/login", ctype: js, body: "{\"token\":\"a\xffb\"}", status: 400, code: "bad_request", messageHas: "UTF-8"},
		{name: "login invalid UTF-8 name", method: "POST", target: "/login", ctype: js, body: "{\"tok\xc0en\":\"x\"}", status: 400, code: "bad_request", messageHas: "UTF-8"},
		{name: "login duplicate key", method: "POST", target: "/login", ctype: js, body: `{"token":"x","token":"y"}`, status: 400, code: "bad_request", messageHas: "twice"},
		{name: "login key in upper case", method: "POST", target: "/login", ctype: js, body: `{"TOKEN":"x"}`, status: 400, code: "bad_request", messageHas: "case-sensitive"},
		{name: "login key in mixed case", method: "POST", target: "/login", ctype: js, body: `{"Token":"x"}`, status: 400, code: "bad_request", messageHas: "case-sensitive"},
		{name: "login key with RLO", method: "POST", target: "/login", ctype: js, body: `{"tok\u202een":"x"}`, status: 400, code: "bad_request", messageHas: "format character"},
		{name: "login key with a zero width space", method: "POST", target: "/login", ctype: js, body: "{\"token\u200b\":\"x\"}", status: 400, code: "bad_request", messageHas: "format character"},
		{name: "logout without a type", method: "POST", target: "/logout", status: 415, code: "unsupported_media_type"},
		{name: "logout as a form", method: "POST", target: "/logout", ctype: "application/x-www-form-urlencoded", body: "a=b", status: 415, code: "unsupported_media_type"},
		{name: "logout with a body", method: "POST", target: "/logout", ctype: js, body: `{"all":true}`, status: 400, code: "bad_request"},
		{name: "login too large", method: "POST", target: "/login", ctype: js, body: `{"token":"` + strings.Repeat("a", 5000) + `"}`, status: 413, code: "payload_too_large"},
		{name: "login unknown field", method: "POST", target: "/login", ctype: js, body: `{"token":"x","user":"root"}`, status: 400, code: "bad_request", messageHas: `"user"`},
		{name: "login token as a number", method: "POST", target: "/login", ctype: js, body: `{"token":12345}`, status: 400, code: "invalid_parameter", param: "token", messageLacks: "12345"},
		{name: "login syntax error", method: "POST", target: "/login", ctype: js, body: `{"token":"secret-value",}`, status: 400, code: "bad_request", messageLacks: "secret-value"},
		{name: "login truncated", method: "POST", target: "/login", ctype: js, body: `{"token":"secret-value"`, status: 400, code: "bad_request", messageLacks: "secret-value"},
		{name: "login two values", method: "POST", target: "/login", ctype: js, body: `{"token":"x"} {"token":"y"}`, status: 400, code: "bad_request"},
		{name: "login empty body", method: "POST", target: "/login", ctype: js, status: 400, code: "bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, tt.method, tt.target, tt.ctype, tt.body)
			if w.Code != tt.status {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.target, w.Code, w.Body, tt.status)
			}
			e := errorBody(t, w)
			if e.Code != tt.code || e.Parameter != tt.param {
				t.Errorf("error = %+v, want code %q parameter %q", e, tt.code, tt.param)
			}
			if got := w.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if tt.messageHas != "" && !strings.Contains(e.Message, tt.messageHas) {
				t.Errorf("message %q lacks %q", e.Message, tt.messageHas)
			}
			if tt.messageLacks != "" && strings.Contains(e.Message, tt.messageLacks) {
				t.Errorf("message %q echoes %q", e.Message, tt.messageLacks)
			}
			if strings.Contains(w.Body.String(), testToken) {
				t.Errorf("body holds ADMIN_TOKEN")
			}
			if got := w.Header().Get("WWW-Authenticate"); (w.Code == 401) != (got != "") {
				t.Errorf("status %d with WWW-Authenticate %q, want the header on a 401 only", w.Code, got)
			}
		})
	}
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

func TestValidateItem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        ItemInput
		wantParam string
	}{
		{"ok", ItemInput{Name: "Blue Widget", PriceCents: 1999}, ""},
		{"free", ItemInput{Name: "x", PriceCents: 0}, ""},
		{"most expensive", ItemInput{Name: "x", PriceCents: 1_000_000_000_000}, ""},
		{"200 bytes", ItemInput{Name: strings.Repeat("é", 100), PriceCents: 1}, ""},
		{"unicode", ItemInput{Name: "Kaffeetasse ☕ für 2", PriceCents: 1}, ""},
		{"empty name", ItemInput{Name: "", PriceCents: 1}, "name"},
		{"201 bytes", ItemInput{Name: strings.Repeat("a", 201), PriceCents: 1}, "name"},
		{"invalid UTF-8", ItemInput{Name: "a\xffb", PriceCents: 1}, "name"},
		{"newline", ItemInput{Name: "a\nb", PriceCents: 1}, "name"},
		{"NUL", ItemInput{Name: "a\x00b", PriceCents: 1}, "name"},
		{"C1 control", ItemInput{Name: "a\u009bb", PriceCents: 1}, "name"},
		{"negative price", ItemInput{Name: "x", PriceCents: -1}, "price_cents"},
		{"price too high", ItemInput{Name: "x", PriceCents: 1_000_000_000_001}, "price_cents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			param, msg := validateItem(tt.in)
			if param != tt.wantParam {
				t.Errorf("validateItem(%+v) = %q (%s), want %q", tt.in, param, msg, tt.wantParam)
			}
			if param != "" && !strings.HasPrefix(msg, param+": ") {
				t.Errorf("message %q does not start with the parameter %q", msg, param)
			}
		})
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

func TestSessionAndDebugConfig(t *testing.T) {
	t.Parallel()
	s, logs := newTestServer(t, prodready.MapEnv{"DATABASE_URL": "postgres://app:pw-canary-1a2b3c4d@db:5432/app"})
	h := s.handler()
	w := do(h, "POST", "/login", "application/json", `{"token":"`+testToken+`"}`)
	if w.Code != http.StatusNoContent {
		t.Fatalf("login = %d %s, want 204", w.Code, w.Body)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Value == "" || !cookies[0].HttpOnly {
		t.Fatalf("login cookies %v, want one HttpOnly session cookie", cookies)
	}
	w = do(h, "GET", "/me", "", "", cookies[0])
	var me map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &me); w.Code != 200 || err != nil || me["user"] != "admin" || me["since"] == "" {
		t.Errorf("GET /me = %d %s, want the admin since the login", w.Code, w.Body)
	}
	w = do(h, "GET", "/debug/config", "", "", cookies[0])
	var cfg struct {
		Profile string      `json:"profile"`
		Vars    []configVar `json:"vars"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &cfg); w.Code != 200 || err != nil || cfg.Profile != "testing" {
		t.Fatalf("GET /debug/config = %d %s", w.Code, w.Body)
	}
	names := []string{}
	for _, v := range cfg.Vars {
		names = append(names, v.Name)
		if v.Secret && v.Set && v.Value != prodready.Redacted {
			t.Errorf("secret %s shown as %q", v.Name, v.Value)
		}
	}
	for _, want := range []string{"SECRET_KEY", "ADMIN_TOKEN", "LISTEN_ADDR", "CACHE_ITEMS", "DATABASE_URL"} {
		if !slices.Contains(names, want) {
			t.Errorf("/debug/config lacks %s", want)
		}
	}
	for _, leak := range []string{testKey, testToken, "pw-canary-1a2b3c4d"} {
		if strings.Contains(w.Body.String()+logs.String(), leak) {
			t.Errorf("/debug/config or the logs hold a secret")
		}
	}
	w = do(h, "POST", "/logout", "application/json", "", cookies[0])
	if w.Code != http.StatusNoContent || len(w.Result().Cookies()) != 1 || w.Result().Cookies()[0].MaxAge >= 0 {
		t.Errorf("logout = %d %v, want 204 and the cookie deleted", w.Code, w.Result().Cookies())
	}
	if w = do(h, "POST", "/logout", "application/json", "{}", cookies[0]); w.Code != http.StatusNoContent {
		t.Errorf("logout with {} = %d %s, want 204", w.Code, w.Body)
	}
}

// TestSessionRevocation: sessions are stateless, so logout cannot revoke a
// copied cookie; changing ADMIN_TOKEN does, and sessions last 12 hours.
func TestSessionRevocation(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	cookie := loginCookie(t, s.handler(), testToken)
	if want := int(sessionMaxAge / time.Second); cookie.MaxAge != want {
		t.Errorf("session cookie Max-Age = %d, want %d (12 h)", cookie.MaxAge, want)
	}
	if strings.Contains(cookie.Value, testToken) {
		t.Errorf("the session cookie holds ADMIN_TOKEN")
	}
	// The same SECRET_KEY, another ADMIN_TOKEN: the token was rotated.
	rotated, _ := newTestServer(t, nil)
	rotated.adminToken = prodready.NewSecret(testToken + "-rotated")
	for _, tt := range []struct {
		name string
		s    *server
		want int
	}{
		{"same token", s, http.StatusOK},
		{"rotated token", rotated, http.StatusUnauthorized},
	} {
		for _, path := range []string{"/me", "/debug/config"} {
			if w := do(tt.s.handler(), "GET", path, "", "", cookie); w.Code != tt.want {
				t.Errorf("%s: GET %s with the old session = %d %s, want %d", tt.name, path, w.Code, w.Body, tt.want)
			}
		}
	}
	// A session saved without a fingerprint (by an older version, or
	// forged with the key) is not an admin's.
	bare := httptest.NewRecorder()
	if err := s.sessions.Save(bare, session.Values{"user": "admin"}); err != nil {
		t.Fatal(err)
	}
	if w := do(s.handler(), "GET", "/me", "", "", bare.Result().Cookies()[0]); w.Code != http.StatusUnauthorized {
		t.Errorf("GET /me with a session without fingerprint = %d, want 401", w.Code)
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

// TestInvalidateTwice plays another instance's load that read the old row
// before a write and stores it after the write's first delete: the second
// delete, invalidateDelay later, removes it.
func TestInvalidateTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newTestServer(t, prodready.MapEnv{"REQUEST_TIMEOUT": "200ms"})
	key := itemKey(7)
	if key != "item:v1:7" {
		t.Errorf("itemKey(7) = %q, want the versioned item:v1:7", key)
	}
	old := Item{ID: 7, Name: "old"}
	if err := s.items.Set(ctx, key, old); err != nil {
		t.Fatal(err)
	}
	s.invalidate(ctx, 7)
	if _, ok, err := s.items.Get(ctx, key); ok || err != nil {
		t.Fatalf("Get after the first delete = %v, %v, want a miss", ok, err)
	}
	// The other instance's load ends now, with the row it read before
	// the write.
	if err := s.items.Set(ctx, key, old); err != nil {
		t.Fatal(err)
	}
	s.pending.Wait()
	if v, ok, err := s.items.Get(ctx, key); ok || err != nil {
		t.Errorf("Get after the second delete = %+v, %v, %v, want a miss: the stale value stays for CACHE_TTL", v, ok, err)
	}
}

// TestInvalidateAfterDeadline writes when the request's context has ended
// (a write that finished near REQUEST_TIMEOUT): the delete must happen
// anyway. Redis honours the context of a call; the memory backend, which
// does not, is here for the contrast.
func TestInvalidateAfterDeadline(t *testing.T) {
	t.Parallel()
	backends := map[string]prodready.MapEnv{
		"memory": {"REQUEST_TIMEOUT": "100ms"},
		"redis": {"REQUEST_TIMEOUT": "100ms", "CACHE_BACKEND": "redis", "CACHE_URL": testserver.Redis(t),
			"CACHE_NAMESPACE": testserver.Namespace(t)},
	}
	for backend, env := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			s, logs := newTestServer(t, env)
			key := itemKey(9)
			for name, ctx := range map[string]context.Context{
				"canceled": func() context.Context {
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					return ctx
				}(),
				"past its deadline": func() context.Context {
					ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
					t.Cleanup(cancel)
					return ctx
				}(),
			} {
				if err := s.items.Set(context.Background(), key, Item{ID: 9, Name: "old"}); err != nil {
					t.Fatal(err)
				}
				s.invalidate(ctx, 9)
				// Before the second delete, invalidateDelay later.
				if v, ok, err := s.items.Get(context.Background(), key); ok || err != nil {
					t.Errorf("request context %s: Get after invalidate = %+v, %v, %v, want a miss", name, v, ok, err)
				}
			}
			s.pending.Wait()
			if strings.Contains(logs.String(), "cache delete failed") {
				t.Errorf("a delete failed:\n%s", logs)
			}
		})
	}
}

// TestDraining: after SIGTERM, GET /readyz answers 503 while the rest is
// served.
func TestDraining(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	h := s.handler()
	s.draining.Store(true)
	w := do(h, "GET", "/readyz", "", "")
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != http.StatusServiceUnavailable || err != nil || body["status"] != "draining" {
		t.Errorf("GET /readyz while draining = %d %s, want 503 draining", w.Code, w.Body)
	}
	if w := do(h, "GET", "/healthz", "", ""); w.Code != http.StatusOK {
		t.Errorf("GET /healthz while draining = %d, want 200", w.Code)
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

func TestChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     prodready.MapEnv
		wantIDs []string
		wantErr bool
	}{
		{"development defaults", prodready.MapEnv{}, nil, false},
		{"production ready", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": testToken,
			"DATABASE_URL": "postgres://db/app?sslmode=require"}, nil, false},
		{"development token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": devAdminToken}, []string{"ITEMS-E001"}, true},
		{"short token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "Xy7"}, []string{"ITEMS-E001"}, true},
		{"short token in development", prodready.MapEnv{"ADMIN_TOKEN": "Xy7"}, nil, false},
		// The Trust issue: ADMIN_TOKEN had the key rule's holes; phrases,
		// sequences, repeats and bytes that are not UTF-8 passed.
		{"phrase token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "the quick brown fox jumps over the lazy dog"}, []string{"ITEMS-E001"}, true},
		{"sequence token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "abcdefghijklmnopqrstuvwxyz012345"}, []string{"ITEMS-E001"}, true},
		{"repeat token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": "Summer2024!Summer2024!Summer2024!x"}, []string{"ITEMS-E001"}, true},
		{"0xFF token in production", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": strings.Repeat("\xff", 32)}, []string{"ITEMS-E001"}, true},
		{"zero timeouts", prodready.MapEnv{"READ_TIMEOUT": "0s", "SHUTDOWN_TIMEOUT": "-1s"}, []string{"ITEMS-E002", "ITEMS-E002"}, true},
		{"negative seed", prodready.MapEnv{"SEED_ITEMS": "-5"}, []string{"ITEMS-E002"}, true},
		{"request timeout too long", prodready.MapEnv{"REQUEST_TIMEOUT": "10s"}, []string{"ITEMS-W003"}, false},
		{"negative drain", prodready.MapEnv{"SHUTDOWN_DRAIN": "-1s"}, []string{"ITEMS-E002"}, true},
		{"drain", prodready.MapEnv{"SHUTDOWN_DRAIN": "10s"}, nil, false},
		{"listen address without a port", prodready.MapEnv{"LISTEN_ADDR": "bogus"}, []string{"ITEMS-E004"}, true},
		{"listen port out of range", prodready.MapEnv{"LISTEN_ADDR": "127.0.0.1:70000"}, []string{"ITEMS-E004"}, true},
		{"listen port by name", prodready.MapEnv{"LISTEN_ADDR": "127.0.0.1:http"}, []string{"ITEMS-E004"}, true},
		{"development token on every interface", prodready.MapEnv{"LISTEN_ADDR": ":8080"}, []string{"ITEMS-E005"}, true},
		{"development token on a public address", prodready.MapEnv{"LISTEN_ADDR": "0.0.0.0:8080"}, []string{"ITEMS-E005"}, true},
		{"development token on IPv6 loopback", prodready.MapEnv{"LISTEN_ADDR": "[::1]:8080"}, nil, false},
		{"development token on localhost", prodready.MapEnv{"LISTEN_ADDR": "localhost:0"}, nil, false},
		{"own token on every interface", prodready.MapEnv{"LISTEN_ADDR": ":8080", "ADMIN_TOKEN": testToken}, nil, false},
		{"production on every interface", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": testToken,
			"DATABASE_URL": "postgres://db/app?sslmode=require", "LISTEN_ADDR": ":8080"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			opts := loadOptions(tt.env)
			opts.NoDotEnv = true
			opts.Logger = slog.New(slog.DiscardHandler)
			rep, err := prodready.LoadWithReport(context.Background(), &cfg, &opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("LoadWithReport() error = %v, want error %v", err, tt.wantErr)
			}
			var ids []string
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.ID, "ITEMS-") {
					ids = append(ids, f.ID)
					if strings.Contains(f.Message, testToken) || strings.Contains(f.Message, devAdminToken) {
						t.Errorf("finding %s quotes the token: %s", f.ID, f.Message)
					}
				}
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("service findings %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}

// TestSessionSurvivesKeyRotation: a session made under a key that is now in
// SECRET_KEY_FALLBACKS stays an admin's, as the library's rotation promises,
// until the key leaves the fallbacks. (The fingerprint was once keyed by the
// current key only, so every rotation logged every admin out.)
func TestSessionSurvivesKeyRotation(t *testing.T) {
	t.Parallel()
	newKey := strings.Repeat("n3w-k3y-", 6)
	old, _ := newTestServer(t, nil)
	cookie := loginCookie(t, old.handler(), testToken)
	rotating, _ := newTestServer(t, prodready.MapEnv{"SECRET_KEY": newKey, "SECRET_KEY_FALLBACKS": testKey})
	done, _ := newTestServer(t, prodready.MapEnv{"SECRET_KEY": newKey})
	for _, tt := range []struct {
		name string
		s    *server
		want int
	}{
		{"old key in the fallbacks", rotating, http.StatusOK},
		{"old key dropped", done, http.StatusUnauthorized},
	} {
		if w := do(tt.s.handler(), "GET", "/me", "", "", cookie); w.Code != tt.want {
			t.Errorf("%s: GET /me with a session of the old key = %d %s, want %d", tt.name, w.Code, w.Body, tt.want)
		}
	}
	// A new login while rotating gets the current key's fingerprint.
	fresh := loginCookie(t, rotating.handler(), testToken)
	if w := do(done.handler(), "GET", "/me", "", "", fresh); w.Code != http.StatusOK {
		t.Errorf("GET /me with a session made during the rotation, after it = %d %s, want 200", w.Code, w.Body)
	}
}

// TestWritesWhileCacheDisconnected: an item written while the cache was not
// connected is deleted from it when it connects, since the server may hold
// an entry from before it went down.
func TestWritesWhileCacheDisconnected(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	withSQLite(t, s, 5)
	h := s.handler()
	c := s.items
	if w := do(h, "GET", "/items/2", "", ""); w.Code != http.StatusOK { // cached
		t.Fatalf("GET /items/2 = %d %s", w.Code, w.Body)
	}
	s.items = nil // as if the cache server had been down at start-up
	cookie := loginCookie(t, h, testToken)
	if w := do(h, "PUT", "/items/2", "application/json", `{"name":"NEW","price_cents":1}`, cookie); w.Code != http.StatusOK {
		t.Fatalf("PUT /items/2 = %d %s", w.Code, w.Body)
	}
	s.attachCache(context.Background(), c)
	w := do(h, "GET", "/items/2", "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"NEW"`) {
		t.Errorf("GET /items/2 after the cache connected = %d %s, want the item written meanwhile", w.Code, w.Body)
	}
}

// TestServerErrorUnreachable: an error that says the database could not be
// reached is a 503 unavailable the client may retry, with Retry-After;
// any other error a 500 internal.
func TestServerErrorUnreachable(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	for _, tt := range []struct {
		name string
		err  error
		code int
		want string
	}{
		{"bad conn", fmt.Errorf("get item 3: %w", driver.ErrBadConn), http.StatusServiceUnavailable, codeUnavailable},
		{"refused", fmt.Errorf("get item 3: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), http.StatusServiceUnavailable, codeUnavailable},
		{"reset", fmt.Errorf("list: %w", syscall.ECONNRESET), http.StatusServiceUnavailable, codeUnavailable},
		{"cut mid-reply", fmt.Errorf("list: %w", io.ErrUnexpectedEOF), http.StatusServiceUnavailable, codeUnavailable},
		{"conn done", fmt.Errorf("update: %w", sql.ErrConnDone), http.StatusServiceUnavailable, codeUnavailable},
		{"query error", errors.New(`pq: column "nme" does not exist`), http.StatusInternalServerError, codeInternal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			s.serverError(w, httptest.NewRequest("GET", "/items/3", nil), "get item", tt.err)
			if e := errorBody(t, w); w.Code != tt.code || e.Code != tt.want {
				t.Errorf("serverError(%v) = %d %s, want %d %s", tt.err, w.Code, w.Body, tt.code, tt.want)
			}
			if got := w.Header().Get("Retry-After"); (tt.code == http.StatusServiceUnavailable) != (got != "") {
				t.Errorf("Retry-After = %q", got)
			}
		})
	}
}

// TestInvalidateBurst: a burst of writes to one item holds one delayed
// delete, not one goroutine and timer per write, and its delete still
// comes after the last write's delay.
func TestInvalidateBurst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := newTestServer(t, prodready.MapEnv{"REQUEST_TIMEOUT": "300ms"})
	before := runtime.NumGoroutine()
	for range 1000 {
		s.invalidate(ctx, 7)
	}
	s.invalidate(ctx, 8)
	s.delayedMu.Lock()
	n := len(s.delayed)
	s.delayedMu.Unlock()
	if n != 2 {
		t.Errorf("%d delayed deletes after 1000 writes to one item and 1 to another, want 2", n)
	}
	if g := runtime.NumGoroutine(); g > before+50 {
		t.Errorf("%d goroutines after the burst, %d before", g, before)
	}
	// A stale value stored after the last write's first delete is still
	// removed by the pushed-back second delete.
	if err := s.items.Set(ctx, itemKey(7), Item{ID: 7, Name: "old"}); err != nil {
		t.Fatal(err)
	}
	s.pending.Wait()
	if _, ok, err := s.items.Get(ctx, itemKey(7)); ok || err != nil {
		t.Errorf("Get after the burst's second delete = %v, %v, want a miss", ok, err)
	}
	s.delayedMu.Lock()
	n = len(s.delayed)
	s.delayedMu.Unlock()
	if n != 0 {
		t.Errorf("%d delayed deletes left after they ran", n)
	}
}
