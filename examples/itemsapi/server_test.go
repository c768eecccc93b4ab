package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/paginate"
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
	env["SECRET_KEY"] = testKey
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
	items, err := cache.New[Item](context.Background(), cfg.CacheConfig(), &cache.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { items.Close() })
	sessions, err := session.FromBase(cfg.Base, nil)
	if err != nil {
		t.Fatal(err)
	}
	cursors, err := paginate.NewCursors(cfg.SecretKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &server{cfg: cfg, report: rep, adminToken: cfg.AdminToken, items: items,
		sessions: sessions, cursors: cursors, logger: logger}, logs
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
	w = do(h, "POST", "/logout", "", "", cookies[0])
	if w.Code != http.StatusNoContent || len(w.Result().Cookies()) != 1 || w.Result().Cookies()[0].MaxAge >= 0 {
		t.Errorf("logout = %d %v, want 204 and the cookie deleted", w.Code, w.Result().Cookies())
	}
}

func TestRequestDeadline(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, prodready.MapEnv{"REQUEST_TIMEOUT": "3s"})
	var hasDeadline bool
	h := s.deadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, hasDeadline = r.Context().Deadline()
	}))
	do(h, "GET", "/", "", "")
	if !hasDeadline {
		t.Error("the handler's context has no deadline, want REQUEST_TIMEOUT")
	}
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
		{"zero timeouts", prodready.MapEnv{"READ_TIMEOUT": "0s", "SHUTDOWN_TIMEOUT": "-1s"}, []string{"ITEMS-E002", "ITEMS-E002"}, true},
		{"negative seed", prodready.MapEnv{"SEED_ITEMS": "-5"}, []string{"ITEMS-E002"}, true},
		{"request timeout too long", prodready.MapEnv{"REQUEST_TIMEOUT": "10s"}, []string{"ITEMS-W003"}, false},
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
