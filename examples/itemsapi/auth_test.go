package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/session"
)

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
