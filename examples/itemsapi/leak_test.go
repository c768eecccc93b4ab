package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/internal/leakproof"
)

// A panicStore is a store whose every query panics with v: the panics
// that the service's middleware, and the cache under GET /items/{id},
// recover.
type panicStore struct{ v any }

func (p panicStore) list(context.Context, int64, int) ([]Item, error)       { panic(p.v) }
func (p panicStore) get(context.Context, int64) (Item, error)               { panic(p.v) }
func (p panicStore) create(context.Context, ItemInput) (Item, error)        { panic(p.v) }
func (p panicStore) update(context.Context, int64, ItemInput) (Item, error) { panic(p.v) }
func (p panicStore) ping(context.Context) error                             { panic(p.v) }
func (p panicStore) stats() storeStats                                      { return storeStats{Driver: "panic"} }
func (p panicStore) close() error                                           { return nil }

var _ store = panicStore{}

// A leakSecretError is an error that holds a Secret and renders it with %v.
type leakSecretError struct{ s prodready.Secret }

func (e leakSecretError) Error() string { return fmt.Sprintf("auth with key %v refused", e.s) }

type leakLockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *leakLockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *leakLockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// leakServer builds the service as serve does, from env, on st, logging
// as the configuration says (text or JSON) into the returned buffer.
func leakServer(t *testing.T, env prodready.MapEnv, st store) (*server, *leakLockedBuffer) {
	t.Helper()
	var cfg Config
	opts := loadOptions(env)
	opts.NoDotEnv = true
	opts.Logger = slog.New(slog.DiscardHandler)
	rep, err := prodready.LoadWithReport(context.Background(), &cfg, &opts)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := prodready.LookupProfile(cfg.AppEnv, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := &leakLockedBuffer{}
	logger := slog.New(cfg.LogFormat.NewHandler(logs, cfg.LogLevel))
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
	return &server{cfg: cfg, report: rep, hardened: profile.Hardened(), adminToken: cfg.AdminToken, store: st,
		items: items, sessions: sessions, cursors: cursors, logger: logger}, logs
}

func leakCanary() string {
	b := make([]byte, 33)
	rand.Read(b)
	return "CANARY" + base64.RawURLEncoding.EncodeToString(b)
}

// TestPanicLeak makes every query of the store panic, through the
// service's real handler (middleware, routes, cache), with values that
// hold a canary in three forms: a prodready.Secret, an error that renders
// a Secret, and a plain string. The 500 answer never holds it; the logs
// never hold a Secret; a plain string panic value is logged only with
// DEBUG on, which production refuses.
func TestPanicLeak(t *testing.T) {
	t.Parallel()
	key, token := leakCanary(), leakCanary()
	t.Cleanup(func() { t.Logf("leak proof: %d outputs scanned", leakproof.Scanned()) })
	profiles := []struct {
		name  string
		env   prodready.MapEnv
		debug bool
	}{
		{"production JSON logs", prodready.MapEnv{"APP_ENV": "production", "DATABASE_URL": "sqlite:unused.db"}, false},
		{"development text logs", prodready.MapEnv{"APP_ENV": "development", "DEBUG": "false"}, false}, // Development turns DEBUG on by default
		{"development DEBUG", prodready.MapEnv{"APP_ENV": "development", "DEBUG": "true"}, true},
		{"development DEBUG cache off", prodready.MapEnv{"APP_ENV": "development", "DEBUG": "true", "CACHE_ITEMS": "false"}, true},
		{"development cache off", prodready.MapEnv{"APP_ENV": "development", "DEBUG": "false", "CACHE_ITEMS": "false"}, false},
	}
	values := []struct {
		name   string
		value  func(canary string) any
		secret bool // the canary is held in a Secret: never shown, DEBUG or not
	}{
		{"Secret", func(c string) any { return prodready.NewSecret(c) }, true},
		{"error holding a Secret", func(c string) any { return leakSecretError{prodready.NewSecret(c)} }, true},
		{"wrapped error holding a Secret", func(c string) any { return fmt.Errorf("query: %w", leakSecretError{prodready.NewSecret(c)}) }, true},
		{"plain string", func(c string) any { return "boom: " + c }, false},
	}
	for _, p := range profiles {
		for _, v := range values {
			t.Run(p.name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				canary := leakCanary()
				env := prodready.MapEnv{"SECRET_KEY": key, "ADMIN_TOKEN": token}
				for k, val := range p.env {
					env[k] = val
				}
				s, logs := leakServer(t, env, panicStore{v.value(canary)})
				h := s.handler()
				login := httptest.NewRecorder()
				h.ServeHTTP(login, leakRequest("POST", "/login", `{"token":"`+token+`"}`, nil))
				if login.Code != http.StatusNoContent {
					t.Fatalf("POST /login = %d %s, want 204", login.Code, login.Body)
				}
				cookie := login.Result().Cookies()[0]
				for _, r := range []struct{ method, path, body string }{
					{"GET", "/items", ""},
					{"GET", "/items/1", ""},
					{"GET", "/readyz", ""},
					{"POST", "/items", `{"name":"x","price_cents":1}`},
					{"PUT", "/items/1", `{"name":"x","price_cents":1}`},
				} {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, leakRequest(r.method, r.path, r.body, cookie))
					if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), `"code":"internal"`) {
						t.Errorf("%s %s with a panicking store = %d %s, want 500 internal", r.method, r.path, w.Code, w.Body)
					}
					leakproof.Check(t, r.method+" "+r.path+" response", fmt.Appendf(nil, "%v\n%s", w.Header(), w.Body), canary, key, token)
				}
				out := logs.String()
				if !strings.Contains(out, "handler panicked") {
					t.Errorf("logs lack the recovered panic:\n%s", out)
				}
				leakproof.Check(t, "logs", []byte(out), key, token)
				if v.secret || !p.debug {
					leakproof.Check(t, "logs", []byte(out), canary)
					return
				}
				// DEBUG on: the recovered panic's value is logged, as
				// recoverPanics documents (production refuses DEBUG).
				if !strings.Contains(out, canary) {
					t.Errorf("DEBUG on: logs lack the plain panic value:\n%s", out)
				}
			})
		}
	}
	t.Run("production refuses DEBUG", func(t *testing.T) {
		t.Parallel()
		var cfg Config
		opts := loadOptions(prodready.MapEnv{"APP_ENV": "production", "DEBUG": "true", "SECRET_KEY": key, "ADMIN_TOKEN": token})
		opts.NoDotEnv = true
		opts.Logger = slog.New(slog.DiscardHandler)
		err := prodready.Load(context.Background(), &cfg, &opts)
		if err == nil || !strings.Contains(err.Error(), "DEBUG") {
			t.Errorf("Load with DEBUG=true in production = %v, want an error naming DEBUG", err)
		}
		leakproof.Check(t, "Load error", []byte(fmt.Sprint(err)), key, token)
	})
}

func leakRequest(method, path, body string, cookie *http.Cookie) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if cookie != nil {
		r.AddCookie(cookie)
	}
	return r
}
