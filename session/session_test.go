package session_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
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
	m, err := session.NewWithSigner(s, opts)
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
		{name: "all options", s: s, opts: &session.Options{CookieName: "sid", MaxAge: time.Hour, Path: "/app", Domain: "example.com", Secure: true}},
		{name: "nil signer", s: nil, wantErr: true},
		{name: "signer without timestamps", s: newSigner(t, newKey(t), "session", &signing.Options{NoTimestamp: true}), wantErr: true},
		{name: "signer of another purpose", s: newSigner(t, newKey(t), "cursor", nil), wantErr: true},
		{name: "signer of the purpose asked for", s: newSigner(t, newKey(t), "admin-session", nil), opts: &session.Options{Purpose: "admin-session"}},
		{name: "signer of the default purpose, another asked for", s: s, opts: &session.Options{Purpose: "admin-session"}, wantErr: true},
		{name: "bad cookie name", s: s, opts: &session.Options{CookieName: "a b"}, wantErr: true},
		{name: "negative max age", s: s, opts: &session.Options{MaxAge: -1}, wantErr: true},
		{name: "max age under a second", s: s, opts: &session.Options{MaxAge: 999 * time.Millisecond}, wantErr: true},
		{name: "max age of a nanosecond", s: s, opts: &session.Options{MaxAge: 1}, wantErr: true},
		{name: "max age of a second", s: s, opts: &session.Options{MaxAge: time.Second}},
		{name: "relative path", s: s, opts: &session.Options{Path: "relative"}, wantErr: true},
		{name: "path with a semicolon", s: s, opts: &session.Options{Path: "/a;b"}, wantErr: true},
		{name: "path with a control byte", s: s, opts: &session.Options{Path: "/a\nb"}, wantErr: true},
		{name: "bad domain", s: s, opts: &session.Options{Domain: "exa mple.com"}, wantErr: true},
		{name: "__Host- cookie", s: s, opts: &session.Options{CookieName: "__Host-s", Secure: true}},
		{name: "__Host- cookie, not Secure", s: s, opts: &session.Options{CookieName: "__Host-s"}, wantErr: true},
		{name: "__Host- cookie with a Domain", s: s, opts: &session.Options{CookieName: "__Host-s", Secure: true, Domain: "example.com"}, wantErr: true},
		{name: "__Host- cookie with a Path", s: s, opts: &session.Options{CookieName: "__Host-s", Secure: true, Path: "/app"}, wantErr: true},
		{name: "__host- cookie with a Path", s: s, opts: &session.Options{CookieName: "__host-s", Secure: true, Path: "/app"}, wantErr: true},
		{name: "__Secure- cookie", s: s, opts: &session.Options{CookieName: "__Secure-s", Secure: true, Domain: "example.com", Path: "/app"}},
		{name: "__Secure- cookie, not Secure", s: s, opts: &session.Options{CookieName: "__Secure-s"}, wantErr: true},
		{name: "__SECURE- cookie, not Secure", s: s, opts: &session.Options{CookieName: "__SECURE-s"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := session.NewWithSigner(tt.s, tt.opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewSecure(t *testing.T) {
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
			m, err := session.New(b, &session.Options{Secure: tt.secure, Profiles: []prodready.Profile{staging, preview}})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("New() error = %v, want %v", err, tt.wantErr)
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
	if _, err := session.New(prodready.Base{AppEnv: "production"}, nil); err == nil {
		t.Error("New(no SECRET_KEY) error = nil, want an error")
	}
	if _, err := session.New(nil, nil); err == nil {
		t.Error("New(nil) error = nil, want an error")
	}
}

// TestNewTakesTheServiceConfig checks that New takes a service's own
// configuration struct, which embeds prodready.Base, as a value or a
// pointer, and reads its profile and keys.
func TestNewTakesTheServiceConfig(t *testing.T) {
	t.Parallel()
	type config struct {
		prodready.Base
		Extra string
	}
	oldKey := newKey(t)
	cfg := config{Base: prodready.Base{AppEnv: "production", SecretKey: newKey(t), SecretKeyFallbacks: []prodready.Secret{oldKey}}}
	old, err := session.New(prodready.Base{AppEnv: "production", SecretKey: oldKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := old.Save(rec, session.Values{"user": "1"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []prodready.Settings{cfg, &cfg} {
		m, err := session.New(c, nil)
		if err != nil {
			t.Fatalf("New(%T) error = %v", c, err)
		}
		if !m.Secure() {
			t.Errorf("New(%T).Secure() = false under production", c)
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(rec.Result().Cookies()[0])
		if v, _, err := m.Load(req); err != nil || v["user"] != "1" {
			t.Errorf("New(%T).Load(cookie under SECRET_KEY_FALLBACKS[0]) = %v, %v; want user 1", c, v, err)
		}
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
	mustNew := func(b prodready.Base) *session.Manager {
		m, err := session.New(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := mustNew(base(oldKey))
	during := mustNew(base(newKey, oldKey))
	after := mustNew(base(newKey))
	oldCookie := cookieValue(t, before, session.Values{"user": "7"})

	serve := func(m *session.Manager, value string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: value})
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
	if err := m.Clear(rec); err != nil {
		t.Fatal(err)
	}
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

// TestSecretNeverLogged runs rejected, ambiguous and re-signed cookies
// through the middleware with debug logging on, and looks in the log and the
// response for the key, and in the log for the cookies' values, which are
// bearer credentials: a valid one, or its MAC, is a session.
func TestSecretNeverLogged(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-5d1e0b7f2c9a4e3b8f6d0a1c7e2b9f4d-CANARY"
	old := newKey(t)
	var logs bytes.Buffer
	s := newSigner(t, prodready.NewSecret(canary), "session", &signing.Options{Fallbacks: []prodready.Secret{old}})
	m := newManager(t, s, &session.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	valid := cookieValue(t, m, session.Values{"u": "1"})
	other := cookieValue(t, m, session.Values{"u": "2"})
	stale := cookieValue(t, newManager(t, newSigner(t, old, "session", nil), nil), session.Values{"u": "3"})
	tests := []struct {
		name   string
		values []string
	}{
		{name: "garbage", values: []string{"x"}},
		{name: "tampered", values: []string{valid[:len(valid)-3] + "AAA"}},
		{name: "too long", values: []string{strings.Repeat("A", 70000)}},
		{name: "ambiguous", values: []string{valid, other}},
		{name: "re-signed", values: []string{stale}},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "/", nil)
		for _, v := range tt.values {
			req.AddCookie(&http.Cookie{Name: "session", Value: v})
		}
		rec := httptest.NewRecorder()
		m.Middleware(echo).ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String()+logs.String(), "CANARY") {
			t.Errorf("%s: the key shows in the log or response: %q", tt.name, logs.String())
		}
		for _, v := range append(tt.values, rec.Header().Values("Set-Cookie")...) {
			if len(v) < 20 {
				continue
			}
			if mac := v[strings.LastIndexByte(v, '.')+1:]; strings.Contains(logs.String(), v) || (len(mac) > 10 && strings.Contains(logs.String(), mac)) {
				t.Errorf("%s: a cookie value shows in the log: %q", tt.name, logs.String())
			}
		}
	}
	if logs.Len() == 0 {
		t.Error("no debug record for rejected cookies")
	}
}

func TestDefaultCookieName(t *testing.T) {
	t.Parallel()
	s := newSigner(t, newKey(t), "session", nil)
	tests := []struct {
		name string
		opts session.Options
		want string
	}{
		{name: "secure, host, root", opts: session.Options{Secure: true}, want: session.HostCookieName},
		{name: "secure, explicit root", opts: session.Options{Secure: true, Path: "/"}, want: session.HostCookieName},
		{name: "not secure", opts: session.Options{}, want: session.DefaultCookieName},
		{name: "secure with a domain", opts: session.Options{Secure: true, Domain: "example.com"}, want: session.DefaultCookieName},
		{name: "secure with a path", opts: session.Options{Secure: true, Path: "/app"}, want: session.DefaultCookieName},
		{name: "named", opts: session.Options{Secure: true, CookieName: "sid"}, want: "sid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newManager(t, s, &tt.opts)
			if got := m.CookieName(); got != tt.want {
				t.Errorf("CookieName() = %q, want %q", got, tt.want)
			}
			rec := httptest.NewRecorder()
			if err := m.Save(rec, session.Values{"u": "1"}); err != nil {
				t.Fatal(err)
			}
			if got := rec.Result().Cookies()[0].Name; got != tt.want {
				t.Errorf("cookie set = %q, want %q", got, tt.want)
			}
		})
	}
	m, err := session.New(prodready.Base{AppEnv: "production", SecretKey: newKey(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.CookieName(); got != session.HostCookieName {
		t.Errorf("New(production).CookieName() = %q, want %q", got, session.HostCookieName)
	}
}

// TestSeveralCookies sends several cookies of the session's name, as a
// browser does when a sibling subdomain sets one for the parent domain.
func TestSeveralCookies(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	m := newManager(t, newSigner(t, key, "session", nil), nil)
	alice := cookieValue(t, m, session.Values{"user": "alice"})
	alice2 := cookieValue(t, m, session.Values{"user": "alice"})
	mallory := cookieValue(t, m, session.Values{"user": "mallory"})
	forged := cookieValue(t, newManager(t, newSigner(t, newKey(t), "session", nil), nil), session.Values{"user": "mallory"})
	tests := []struct {
		name    string
		values  []string
		want    string
		wantErr error
	}{
		{name: "one", values: []string{alice}, want: "user=alice"},
		{name: "the same twice", values: []string{alice, alice}, want: "user=alice"},
		{name: "the same session signed twice", values: []string{alice, alice2}, want: "user=alice"},
		{name: "forged and valid", values: []string{forged, alice}, want: "user=alice"},
		{name: "valid and garbage", values: []string{alice, "xyz"}, want: "user=alice"},
		{name: "two sessions", values: []string{mallory, alice}, want: "none", wantErr: session.ErrAmbiguous},
		{name: "two sessions, other order", values: []string{alice, forged, mallory}, want: "none", wantErr: session.ErrAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			m := newManager(t, newSigner(t, key, "session", nil), &session.Options{
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			req := httptest.NewRequest("GET", "/", nil)
			for _, v := range tt.values {
				req.AddCookie(&http.Cookie{Name: "session", Value: v})
			}
			if _, _, err := m.Load(req); !errors.Is(err, tt.wantErr) {
				t.Errorf("Load() error = %v, want %v", err, tt.wantErr)
			}
			rec := httptest.NewRecorder()
			m.Middleware(echo).ServeHTTP(rec, req)
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("body = %q, want %q", got, tt.want)
			}
			if tt.wantErr != nil && !strings.Contains(logs.String(), "several") {
				t.Errorf("log = %q, want a record of the ambiguity", logs.String())
			}
		})
	}
}

// TestSaveTooLate saves and clears sessions, through the middleware and a
// real server, before and after the header is written.
func TestSaveTooLate(t *testing.T) {
	t.Parallel()
	m := newManager(t, newSigner(t, newKey(t), "session", nil), nil)
	save := func(w http.ResponseWriter) error { return m.Save(w, session.Values{"user": "1"}) }
	tests := []struct {
		name       string
		middleware bool
		handler    func(w http.ResponseWriter) error
		wantErr    error
		wantCookie bool
	}{
		{name: "save, then write", middleware: true, handler: func(w http.ResponseWriter) error {
			err := save(w)
			w.Write([]byte("hi"))
			return err
		}, wantCookie: true},
		{name: "write, then save", middleware: true, handler: func(w http.ResponseWriter) error {
			w.Write([]byte("hi"))
			return save(w)
		}, wantErr: session.ErrHeaderWritten},
		{name: "WriteHeader, then save", middleware: true, handler: func(w http.ResponseWriter) error {
			w.WriteHeader(http.StatusCreated)
			return save(w)
		}, wantErr: session.ErrHeaderWritten},
		{name: "WriteHeader, then clear", middleware: true, handler: func(w http.ResponseWriter) error {
			w.WriteHeader(http.StatusOK)
			return m.Clear(w)
		}, wantErr: session.ErrHeaderWritten},
		{name: "flush, then save", middleware: true, handler: func(w http.ResponseWriter) error {
			if err := http.NewResponseController(w).Flush(); err != nil {
				return err
			}
			return save(w)
		}, wantErr: session.ErrHeaderWritten},
		{name: "early hints, then save", middleware: true, handler: func(w http.ResponseWriter) error {
			w.WriteHeader(http.StatusEarlyHints)
			return save(w)
		}, wantCookie: true},
		{name: "save without the middleware", handler: save, wantCookie: true},
		{name: "save late without the middleware", handler: func(w http.ResponseWriter) error {
			w.Write([]byte("hi"))
			return save(w) // undetectable: documented
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errc := make(chan error, 1)
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { errc <- tt.handler(w) })
			if tt.middleware {
				h = m.Middleware(h)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err := <-errc; !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Save() error = %v, want %v", err, tt.wantErr)
			}
			if got := len(resp.Cookies()) == 1; got != tt.wantCookie {
				t.Errorf("cookie received: %v, want %v", got, tt.wantCookie)
			}
		})
	}
}

// TestMiddlewareWriterFeatures checks that the middleware's ResponseWriter
// still flushes, hijacks and reaches the server's through
// http.ResponseController.
func TestMiddlewareWriterFeatures(t *testing.T) {
	t.Parallel()
	m := newManager(t, newSigner(t, newKey(t), "session", nil), nil)
	tests := []struct {
		name string
		use  func(w http.ResponseWriter) error
	}{
		{name: "Flusher", use: func(w http.ResponseWriter) error {
			f, ok := w.(http.Flusher)
			if !ok {
				return errors.New("not an http.Flusher")
			}
			f.Flush()
			return nil
		}},
		{name: "ResponseController.Flush", use: func(w http.ResponseWriter) error { return http.NewResponseController(w).Flush() }},
		{name: "ResponseController.SetWriteDeadline", use: func(w http.ResponseWriter) error {
			return http.NewResponseController(w).SetWriteDeadline(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		}},
		{name: "ReadFrom", use: func(w http.ResponseWriter) error {
			rf, ok := w.(io.ReaderFrom)
			if !ok {
				return errors.New("not an io.ReaderFrom")
			}
			_, err := rf.ReadFrom(strings.NewReader("body"))
			return err
		}},
		{name: "Hijack", use: func(w http.ResponseWriter) error {
			c, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return err
			}
			_, err = io.WriteString(c, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
			c.Close()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errc := make(chan error, 1)
			srv := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				errc <- tt.use(w)
			})))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if err := <-errc; err != nil {
				t.Errorf("%s through the middleware: %v", tt.name, err)
			}
		})
	}
}

// TestRotationKeepsExpiry replays a cookie signed with the old key during a
// rotation: it is re-signed with its original time, so it still expires
// MaxAge after it was saved, however often it is replayed.
func TestRotationKeepsExpiry(t *testing.T) {
	t.Parallel()
	oldKey, newKey := newKey(t), newKey(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	manager := func(now *time.Time, key prodready.Secret, fallbacks ...prodready.Secret) *session.Manager {
		clock := func() time.Time { return *now }
		s := newSigner(t, key, "session", &signing.Options{Fallbacks: fallbacks, Now: clock})
		return newManager(t, s, &session.Options{MaxAge: time.Hour, Now: clock})
	}
	serve := func(m *session.Manager, value string) (body string, savedAt time.Time, resp *http.Response) {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: value})
		rec := httptest.NewRecorder()
		m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			savedAt, _ = session.SavedAt(r.Context())
			echo(w, r)
		})).ServeHTTP(rec, req)
		return rec.Body.String(), savedAt, rec.Result()
	}
	tests := []struct {
		name       string
		at         time.Duration // after t0
		want       string
		wantMaxAge int // of the re-signed cookie; 0 for none
	}{
		{name: "59 minutes", at: 59 * time.Minute, want: "user=alice", wantMaxAge: 60},
		{name: "59 minutes 59.5 seconds", at: 59*time.Minute + 59500*time.Millisecond, want: "user=alice", wantMaxAge: 1},
		{name: "61 minutes", at: 61 * time.Minute, want: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := t0
			stolen := cookieValue(t, manager(&now, oldKey), session.Values{"user": "alice"})
			now = t0.Add(tt.at)
			during := manager(&now, newKey, oldKey)
			body, savedAt, resp := serve(during, stolen)
			if body != tt.want {
				t.Fatalf("at t0+%v: body = %q, want %q", tt.at, body, tt.want)
			}
			cs := resp.Cookies()
			if tt.wantMaxAge == 0 {
				if len(cs) != 0 {
					t.Errorf("at t0+%v: %d cookies set, want none", tt.at, len(cs))
				}
				return
			}
			if len(cs) != 1 || cs[0].MaxAge != tt.wantMaxAge {
				t.Fatalf("at t0+%v: cookies %v, want one re-signed with Max-Age %d", tt.at, cs, tt.wantMaxAge)
			}
			if !savedAt.Equal(t0) {
				t.Errorf("SavedAt() = %v, want %v", savedAt, t0)
			}
			// The re-signed cookie, under the new key alone, ends when the
			// stolen one would have.
			after := manager(&now, newKey)
			if body, _, _ := serve(after, cs[0].Value); body != "user=alice" {
				t.Errorf("re-signed cookie at t0+%v: body = %q, want user=alice", tt.at, body)
			}
			now = t0.Add(61 * time.Minute)
			if body, _, _ := serve(after, cs[0].Value); body != "none" {
				t.Errorf("re-signed cookie at t0+61m: body = %q, want none", body)
			}
		})
	}
}

// TestCacheHeaders checks that every response that sets the session cookie
// varies by Cookie and cannot be stored by a shared cache, whatever
// Cache-Control the handler set, before or after Save.
func TestCacheHeaders(t *testing.T) {
	t.Parallel()
	oldKey, key := newKey(t), newKey(t)
	m := newManager(t, newSigner(t, key, "session", &signing.Options{Fallbacks: []prodready.Secret{oldKey}}), nil)
	stale := cookieValue(t, newManager(t, newSigner(t, oldKey, "session", nil), nil), session.Values{"user": "1"})
	current := cookieValue(t, m, session.Values{"user": "1"})
	setCC := func(v string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) { w.Header().Set("Cache-Control", v) }
	}
	tests := []struct {
		name      string
		cookie    string // sent by the client
		before    func(w http.ResponseWriter)
		save      func(w http.ResponseWriter) error
		after     func(w http.ResponseWriter)
		noWrite   bool
		wantCC    string
		wantVary  []string
		wantSetCK bool
	}{
		{name: "re-signed, public", cookie: stale, before: setCC("public, max-age=86400"), wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "re-signed, private kept", cookie: stale, before: setCC("private, max-age=60"), wantCC: "private, max-age=60", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "re-signed, no-store kept", cookie: stale, before: setCC("no-store"), wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "re-signed, qualified private", cookie: stale, before: setCC(`private="Set-Cookie", max-age=60`), wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "re-signed, no Cache-Control", cookie: stale, wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "re-signed, nothing written", cookie: stale, before: setCC("public"), noWrite: true, wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "saved, public set after", save: func(w http.ResponseWriter) error { return m.Save(w, session.Values{"user": "2"}) }, after: setCC("public, max-age=60"), wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "saved, nothing written", save: func(w http.ResponseWriter) error { return m.Save(w, session.Values{"user": "2"}) }, after: setCC("public"), noWrite: true, wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "cleared", cookie: current, before: setCC("public"), save: m.Clear, wantCC: "no-store", wantVary: []string{"Cookie"}, wantSetCK: true},
		{name: "other Vary kept", save: func(w http.ResponseWriter) error { return m.Save(w, session.Values{"user": "2"}) }, before: func(w http.ResponseWriter) { w.Header().Set("Vary", "Accept-Encoding") }, wantCC: "no-store", wantVary: []string{"Accept-Encoding", "Cookie"}, wantSetCK: true},
		{name: "Vary cookie not repeated", save: func(w http.ResponseWriter) error { return m.Save(w, session.Values{"user": "2"}) }, before: func(w http.ResponseWriter) { w.Header().Set("Vary", "Accept-Encoding, cookie") }, wantCC: "no-store", wantVary: []string{"Accept-Encoding, cookie"}, wantSetCK: true},
		{name: "current cookie, public untouched", cookie: current, before: setCC("public, max-age=86400"), wantCC: "public, max-age=86400"},
		{name: "no cookie, public untouched", before: setCC("public, max-age=86400"), wantCC: "public, max-age=86400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.before != nil {
					tt.before(w)
				}
				if tt.save != nil {
					if err := tt.save(w); err != nil {
						t.Error(err)
					}
				}
				if tt.after != nil {
					tt.after(w)
				}
				if !tt.noWrite {
					w.Write([]byte("body"))
				}
			}))
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL, nil)
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: tt.cookie})
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Cache-Control"); got != tt.wantCC {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCC)
			}
			if got := resp.Header.Values("Vary"); strings.Join(got, "|") != strings.Join(tt.wantVary, "|") {
				t.Errorf("Vary = %q, want %q", got, tt.wantVary)
			}
			if got := len(resp.Header.Values("Set-Cookie")) > 0; got != tt.wantSetCK {
				t.Errorf("Set-Cookie sent: %v, want %v", got, tt.wantSetCK)
			}
		})
	}
	// Without the middleware, Save applies the rule at once.
	rec := httptest.NewRecorder()
	rec.Header().Set("Cache-Control", "public")
	if err := m.Save(rec, session.Values{"user": "1"}); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Save() without the middleware: Cache-Control = %q, want no-store", got)
	}
}

// TestSaveEmptyClears checks that an empty session is no session: saving
// one deletes the cookie, and a cookie that holds one is rejected.
func TestSaveEmptyClears(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	m := newManager(t, newSigner(t, key, "session", nil), nil)
	legacy := newSigner(t, key, "session", nil).Sign([]byte("{}"))
	tests := []struct {
		name string
		v    session.Values
	}{
		{name: "nil", v: nil},
		{name: "empty", v: session.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			if err := m.Save(rec, tt.v); err != nil {
				t.Fatal(err)
			}
			cs := rec.Result().Cookies()
			if len(cs) != 1 || cs[0].MaxAge != -1 || cs[0].Value != "" {
				t.Errorf("Save(%v) set %v, want the cookie deleted", tt.v, cs)
			}
		})
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: legacy})
	rec := httptest.NewRecorder()
	m.Middleware(echo).ServeHTTP(rec, req)
	if got := rec.Body.String(); got != "none" {
		t.Errorf("cookie holding {}: body = %q, want none", got)
	}
}

func TestSaveRejectsInvalidUTF8(t *testing.T) {
	t.Parallel()
	m := newManager(t, newSigner(t, newKey(t), "session", nil), nil)
	tests := []struct {
		name    string
		v       session.Values
		wantErr bool
	}{
		{name: "valid", v: session.Values{"name": "Zoë ✓"}},
		{name: "invalid value", v: session.Values{"id": "\xff\xfe"}, wantErr: true},
		{name: "invalid key", v: session.Values{"\xff": "1"}, wantErr: true},
		{name: "truncated rune", v: session.Values{"u": "1", "name": "Zo\xc3"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			err := m.Save(rec, tt.v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Save() error = %v, wantErr %v", err, tt.wantErr)
			}
			if got := rec.Header().Get("Set-Cookie") != ""; got == tt.wantErr {
				t.Errorf("Set-Cookie written: %v after error %v", got, err)
			}
		})
	}
}

func TestSavedAt(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 0, 0, 123_456_789, time.UTC)
	clock := func() time.Time { return now }
	m := newManager(t, newSigner(t, newKey(t), "session", &signing.Options{Now: clock}), &session.Options{Now: clock})
	valid := cookieValue(t, m, session.Values{"user": "1"})
	tests := []struct {
		name   string
		cookie string
		want   time.Time
		wantOK bool
	}{
		{name: "session", cookie: valid, want: now.Truncate(time.Millisecond), wantOK: true},
		{name: "no session", cookie: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", "/", nil)
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: tt.cookie})
			}
			var got time.Time
			var ok bool
			m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, ok = session.SavedAt(r.Context())
			})).ServeHTTP(httptest.NewRecorder(), req)
			if !got.Equal(tt.want) || ok != tt.wantOK {
				t.Errorf("SavedAt() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	ctx := session.NewContext(t.Context(), session.Values{"user": "1"})
	if got, ok := session.SavedAt(ctx); ok {
		t.Errorf("SavedAt(NewContext()) = %v, true; want false", got)
	}
	if _, ok := session.FromContext(ctx); !ok {
		t.Error("FromContext(NewContext()) ok = false")
	}
}
