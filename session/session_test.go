package session_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

func newKey(tb testing.TB) prodready.Secret {
	tb.Helper()
	k, err := prodready.GenerateKey(rand.Reader, 32)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func newSigner(tb testing.TB, key prodready.Secret, purpose string, opts *signing.Options) *signing.Signer {
	tb.Helper()
	s, err := signing.New(key, purpose, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func newManager(tb testing.TB, s *signing.Signer, opts *session.Options) *session.Manager {
	tb.Helper()
	m, err := session.New(s, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// echo is a handler that writes the session it finds, or "none".
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	v, ok := session.FromContext(r.Context())
	if !ok {
		w.Write([]byte("none"))
		return
	}
	w.Write([]byte("user=" + v["user"]))
})

// cookieValue returns the value of the session cookie m sets for v.
func cookieValue(tb testing.TB, m *session.Manager, v session.Values) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	if err := m.Save(rec, v); err != nil {
		tb.Fatal(err)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		tb.Fatalf("Save set %d cookies, want 1", len(cs))
	}
	return cs[0].Value
}

// flip returns s with its byte i replaced by another base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestNew(t *testing.T) {
	t.Parallel()
	s := newSigner(t, newKey(t), "session", nil)
	tests := []struct {
		name    string
		s       *signing.Signer
		opts    *session.Options
		wantErr bool
	}{
		{name: "defaults", s: s},
		{name: "all options", s: s, opts: &session.Options{CookieName: "__Host-s", MaxAge: time.Hour, Path: "/app", Domain: "example.com", Secure: true}},
		{name: "nil signer", s: nil, wantErr: true},
		{name: "signer without timestamps", s: newSigner(t, newKey(t), "session", &signing.Options{NoTimestamp: true}), wantErr: true},
		{name: "bad cookie name", s: s, opts: &session.Options{CookieName: "a b"}, wantErr: true},
		{name: "negative max age", s: s, opts: &session.Options{MaxAge: -1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := session.New(tt.s, tt.opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestFromBaseSecure(t *testing.T) {
	t.Parallel()
	staging := prodready.Production.Derive("staging", nil)
	preview := prodready.Development.Derive("preview", nil)
	tests := []struct {
		name       string
		appEnv     string
		secure     bool
		wantSecure bool
		wantErr    error
	}{
		{name: "production", appEnv: "production", wantSecure: true},
		{name: "derived from production", appEnv: "staging", wantSecure: true},
		{name: "development", appEnv: "development", wantSecure: false},
		{name: "development, asked for", appEnv: "development", secure: true, wantSecure: true},
		{name: "testing", appEnv: "testing", wantSecure: false},
		{name: "derived from development", appEnv: "preview", wantSecure: false},
		{name: "unknown", appEnv: "prod", wantErr: prodready.ErrUnknownProfile},
		{name: "empty", appEnv: "", wantErr: prodready.ErrUnknownProfile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := prodready.Base{AppEnv: tt.appEnv, SecretKey: newKey(t)}
			m, err := session.FromBase(b, &session.Options{Secure: tt.secure, Profiles: []prodready.Profile{staging, preview}})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("FromBase() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			rec := httptest.NewRecorder()
			if err := m.Save(rec, session.Values{"user": "1"}); err != nil {
				t.Fatal(err)
			}
			c := rec.Result().Cookies()[0]
			if m.Secure() != tt.wantSecure || c.Secure != tt.wantSecure {
				t.Errorf("Secure() = %v, cookie Secure = %v, want %v", m.Secure(), c.Secure, tt.wantSecure)
			}
		})
	}
	if _, err := session.FromBase(prodready.Base{AppEnv: "production"}, nil); err == nil {
		t.Error("FromBase(no SECRET_KEY) error = nil, want an error")
	}
}

func TestSaveCookieAttributes(t *testing.T) {
	t.Parallel()
	m := newManager(t, newSigner(t, newKey(t), "session", nil), &session.Options{
		CookieName: "sid", MaxAge: 90 * time.Minute, Path: "/app", Domain: "example.com", Secure: true,
	})
	rec := httptest.NewRecorder()
	if err := m.Save(rec, session.Values{"user": "42"}); err != nil {
		t.Fatal(err)
	}
	line := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"sid=v1.", "Path=/app", "Domain=example.com", "Max-Age=5400", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(line, want) {
			t.Errorf("Set-Cookie = %q, want it to contain %q", line, want)
		}
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	const maxAge = time.Hour
	m := newManager(t, newSigner(t, key, "session", &signing.Options{Now: clock}), &session.Options{MaxAge: maxAge, Now: clock})
	valid := cookieValue(t, m, session.Values{"user": "42"})

	earlier := now.Add(-maxAge - time.Second)
	old := newManager(t, newSigner(t, key, "session", &signing.Options{Now: func() time.Time { return earlier }}), nil)
	expired := cookieValue(t, old, session.Values{"user": "42"})
	foreign := newSigner(t, key, "cursor", nil).Sign([]byte(`{"user":"42"}`))
	otherKey := cookieValue(t, newManager(t, newSigner(t, newKey(t), "session", nil), nil), session.Values{"user": "42"})
	notSession := newSigner(t, key, "session", &signing.Options{Now: clock}).Sign([]byte(`"42"`))

	tests := []struct {
		name    string
		cookies []*http.Cookie
		want    string
		wantLog string
	}{
		{name: "no cookie", want: "none"},
		{name: "valid", cookies: []*http.Cookie{{Name: "session", Value: valid}}, want: "user=42"},
		{name: "tampered", cookies: []*http.Cookie{{Name: "session", Value: flip(valid, 20)}}, want: "none", wantLog: "session cookie rejected"},
		{name: "garbage", cookies: []*http.Cookie{{Name: "session", Value: "xyz"}}, want: "none", wantLog: "session cookie rejected"},
		{name: "expired", cookies: []*http.Cookie{{Name: "session", Value: expired}}, want: "none", wantLog: "older than"},
		{name: "other purpose", cookies: []*http.Cookie{{Name: "session", Value: foreign}}, want: "none", wantLog: "session cookie rejected"},
		{name: "other key", cookies: []*http.Cookie{{Name: "session", Value: otherKey}}, want: "none", wantLog: "session cookie rejected"},
		{name: "signed payload not a session", cookies: []*http.Cookie{{Name: "session", Value: notSession}}, want: "none", wantLog: "not a session"},
		{name: "other cookie name", cookies: []*http.Cookie{{Name: "sid", Value: valid}}, want: "none"},
		{name: "forged first, valid second", cookies: []*http.Cookie{{Name: "session", Value: otherKey}, {Name: "session", Value: valid}}, want: "user=42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			m := newManager(t, newSigner(t, key, "session", &signing.Options{Now: clock}), &session.Options{
				MaxAge: maxAge, Now: clock,
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			req := httptest.NewRequest("GET", "/", nil)
			for _, c := range tt.cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			m.Middleware(echo).ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("status = %d, want 200", rec.Code)
			}
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("body = %q, want %q", got, tt.want)
			}
			if got := rec.Header().Get("Set-Cookie"); got != "" {
				t.Errorf("Set-Cookie = %q, want none", got)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || (tt.wantLog == "") != (logs.Len() == 0) {
				t.Errorf("log = %q, want %q", logs.String(), tt.wantLog)
			}
			if strings.Contains(logs.String(), "level=INFO") || strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("log = %q, want debug records only", logs.String())
			}
		})
	}
}

// TestRotation follows a rotation: a cookie signed with the old key is
// accepted while the old key is a fallback, and re-signed with the new key;
// once the old key is retired, it is no session.
func TestRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := newKey(t), newKey(t)
	base := func(key prodready.Secret, fallbacks ...prodready.Secret) prodready.Base {
		return prodready.Base{AppEnv: "production", SecretKey: key, SecretKeyFallbacks: fallbacks}
	}
	mustFromBase := func(b prodready.Base) *session.Manager {
		m, err := session.FromBase(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := mustFromBase(base(oldKey))
	during := mustFromBase(base(newKey, oldKey))
	after := mustFromBase(base(newKey))
	oldCookie := cookieValue(t, before, session.Values{"user": "7"})

	serve := func(m *session.Manager, value string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: value})
		rec := httptest.NewRecorder()
		m.Middleware(echo).ServeHTTP(rec, req)
		return rec
	}

	rec := serve(during, oldCookie)
	if got := rec.Body.String(); got != "user=7" {
		t.Fatalf("during the rotation, old cookie: body = %q, want user=7", got)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("during the rotation, old cookie: %d cookies set, want 1 (re-signed)", len(cs))
	}
	reissued := cs[0].Value
	if !cs[0].Secure || !cs[0].HttpOnly {
		t.Errorf("re-signed cookie: Secure %v, HttpOnly %v, want both", cs[0].Secure, cs[0].HttpOnly)
	}

	if got := serve(after, oldCookie).Body.String(); got != "none" {
		t.Errorf("after the rotation, old cookie: body = %q, want none", got)
	}
	rec = serve(after, reissued)
	if got := rec.Body.String(); got != "user=7" {
		t.Errorf("after the rotation, re-signed cookie: body = %q, want user=7", got)
	}
	if got := rec.Header().Get("Set-Cookie"); got != "" {
		t.Errorf("current-key cookie re-signed: Set-Cookie = %q", got)
	}
	newCookie := cookieValue(t, during, session.Values{"user": "8"})
	if got := serve(before, newCookie).Body.String(); got != "none" {
		t.Errorf("new cookie verified by the old key alone: body = %q, want none", got)
	}
}

func TestSaveReplacesAndClear(t *testing.T) {
	t.Parallel()
	m := newManager(t, newSigner(t, newKey(t), "session", nil), nil)
	rec := httptest.NewRecorder()
	http.SetCookie(rec, &http.Cookie{Name: "other", Value: "1"})
	http.SetCookie(rec, &http.Cookie{Name: "session_id", Value: "1"})
	if err := m.Save(rec, session.Values{"user": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(rec, session.Values{"user": "2"}); err != nil {
		t.Fatal(err)
	}
	lines := rec.Header().Values("Set-Cookie")
	if len(lines) != 3 {
		t.Fatalf("Set-Cookie = %q, want other, session_id and one session", lines)
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", strings.SplitN(lines[2], ";", 2)[0])
	v, _, err := m.Load(req)
	if err != nil || v["user"] != "2" {
		t.Errorf("Load() = %v, %v; want the last session saved", v, err)
	}
	m.Clear(rec)
	lines = rec.Header().Values("Set-Cookie")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "session=;") || !strings.Contains(lines[2], "Max-Age=0") {
		t.Errorf("after Clear, Set-Cookie = %q, want session deleted", lines)
	}
}

func TestSaveTooLarge(t *testing.T) {
	t.Parallel()
	m := newManager(t, newSigner(t, newKey(t), "session", nil), nil)
	tests := []struct {
		name    string
		size    int
		wantErr error
	}{
		{name: "small", size: 100},
		{name: "fits", size: 2800},
		{name: "too large", size: 3200, wantErr: session.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			err := m.Save(rec, session.Values{"data": strings.Repeat("x", tt.size)})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Save() error = %v, want %v", err, tt.wantErr)
			}
			if line := rec.Header().Get("Set-Cookie"); len(line) > session.MaxCookieSize || (err != nil) != (line == "") {
				t.Errorf("Set-Cookie of %d bytes after error %v", len(line), err)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	key := newKey(t)
	m := newManager(t, newSigner(t, key, "session", nil), &session.Options{MaxAge: time.Minute, Now: func() time.Time { return now }})
	at := func(t0 time.Time) string {
		s := newSigner(t, key, "session", &signing.Options{Now: func() time.Time { return t0 }})
		return cookieValue(t, newManager(t, s, nil), session.Values{"u": "1"})
	}
	tests := []struct {
		name    string
		value   string // "" for no cookie
		wantErr error
	}{
		{name: "none", wantErr: http.ErrNoCookie},
		{name: "valid", value: at(now)},
		{name: "expired", value: at(now.Add(-2 * time.Minute)), wantErr: signing.ErrExpired},
		{name: "future", value: at(now.Add(time.Hour)), wantErr: signing.ErrInvalidSignature},
		{name: "garbage", value: "abc", wantErr: signing.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", "/", nil)
			if tt.value != "" {
				req.AddCookie(&http.Cookie{Name: "session", Value: tt.value})
			}
			_, _, err := m.Load(req)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Load() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestSecretNeverLogged runs rejected cookies through the middleware with
// debug logging on, and looks for the key in the log and the response.
func TestSecretNeverLogged(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-5d1e0b7f2c9a4e3b8f6d0a1c7e2b9f4d-CANARY"
	var logs bytes.Buffer
	s := newSigner(t, prodready.NewSecret(canary), "session", nil)
	m := newManager(t, s, &session.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	valid := cookieValue(t, m, session.Values{"u": "1"})
	for _, v := range []string{"x", valid[:len(valid)-3] + "AAA", strings.Repeat("A", 70000)} {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: v})
		rec := httptest.NewRecorder()
		m.Middleware(echo).ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String()+logs.String(), "CANARY") {
			t.Errorf("the key shows in the log or response: %q", logs.String())
		}
	}
	if logs.Len() == 0 {
		t.Error("no debug record for rejected cookies")
	}
}
