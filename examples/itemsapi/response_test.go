package main

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
)

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
