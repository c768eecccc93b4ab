package main

import (
	"strings"
	"testing"
)

// TestValidateItemInvisible: POST /items and PUT /items/{id} accepted names
// holding U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE and other
// format characters (found in the Trust review): "txt.exe" can be made to
// show as "exe.txt", and two names that look the same can differ. Names
// refuse Unicode format characters (Cf), controls (Cc) and the line and
// paragraph separators.
func TestValidateItemInvisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
		wantMsg string // part of the message, when wantErr
	}{
		{name: "plain", in: "Blue Widget"},
		{name: "accents and CJK", in: "Crème brûlée 焼き菓子"},
		{name: "emoji", in: "Mug ☕ 🙂"},
		{name: "right-to-left text", in: "שלום عالم"},
		{name: "replacement character sent as such", in: "a\uFFFDb"},
		{name: "RLO", in: "invoice\u202Etxt.exe", wantErr: true, wantMsg: "U+202E"},
		{name: "LRO", in: "a\u202Db", wantErr: true, wantMsg: "U+202D"},
		{name: "RLE and PDF", in: "a\u202Bb\u202Cc", wantErr: true, wantMsg: "U+202B"},
		{name: "RLI isolate", in: "a\u2067b\u2069", wantErr: true, wantMsg: "U+2067"},
		{name: "LRM", in: "a\u200Eb", wantErr: true, wantMsg: "U+200E"},
		{name: "arabic letter mark", in: "a\u061Cb", wantErr: true, wantMsg: "U+061C"},
		{name: "zero width space", in: "Blue\u200BWidget", wantErr: true, wantMsg: "U+200B"},
		{name: "zero width joiner", in: "a\u200Db", wantErr: true, wantMsg: "U+200D"},
		{name: "zero width non-joiner", in: "a\u200Cb", wantErr: true, wantMsg: "U+200C"},
		{name: "word joiner", in: "a\u2060b", wantErr: true, wantMsg: "U+2060"},
		{name: "byte order mark", in: "\uFEFFWidget", wantErr: true, wantMsg: "U+FEFF"},
		{name: "soft hyphen", in: "Wid\u00ADget", wantErr: true, wantMsg: "U+00AD"},
		{name: "tag character", in: "a\U000E0041b", wantErr: true, wantMsg: "U+E0041"},
		{name: "tab", in: "a\tb", wantErr: true, wantMsg: "U+0009"},
		{name: "DEL", in: "a\x7fb", wantErr: true, wantMsg: "U+007F"},
		{name: "C1 control", in: "a\u0085b", wantErr: true, wantMsg: "U+0085"},
		{name: "line separator", in: "a\u2028b", wantErr: true, wantMsg: "U+2028"},
		{name: "paragraph separator", in: "a\u2029b", wantErr: true, wantMsg: "U+2029"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			param, msg := validateItem(ItemInput{Name: tt.in, PriceCents: 1})
			if (param != "") != tt.wantErr {
				t.Fatalf("validateItem(%q) = %q, %q; want an error: %v", tt.in, param, msg, tt.wantErr)
			}
			if !tt.wantErr {
				return
			}
			if param != "name" || !strings.HasPrefix(msg, "name: ") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("validateItem(%q) = %q, %q; want name and a message naming %s", tt.in, param, msg, tt.wantMsg)
			}
			if strings.ContainsFunc(msg, invisible) {
				t.Errorf("message %q itself holds an invisible character", msg)
			}
		})
	}
}

// TestWriteRefusesInvisibleNames sends the names of the two tests above to
// POST /items and PUT /items/{id}, and the escapes to POST /login: each is
// a 400 with a JSON error, before any store is reached (the test server has
// none).
func TestWriteRefusesInvisibleNames(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	h := s.handler()
	cookie := loginCookie(t, h, testToken)
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		code       string
		param      string
		messageHas string
	}{
		{"create, RLO", "POST", "/items", `{"name":"invoice\u202Etxt.exe","price_cents":1}`, "invalid_parameter", "name", "U+202E"},
		{"create, RLO raw", "POST", "/items", "{\"name\":\"invoice\u202etxt.exe\",\"price_cents\":1}", "invalid_parameter", "name", "U+202E"},
		{"create, zero width space", "POST", "/items", `{"name":"Blue\u200bWidget","price_cents":1}`, "invalid_parameter", "name", "U+200B"},
		{"update, LRI", "PUT", "/items/1", `{"name":"a\u2066b","price_cents":1}`, "invalid_parameter", "name", "U+2066"},
		{"update, BOM", "PUT", "/items/1", "{\"name\":\"\ufeffa\",\"price_cents\":1}", "invalid_parameter", "name", "U+FEFF"},
		{"create, lone high surrogate", "POST", "/items", `{"name":"a\ud800b","price_cents":1}`, "bad_request", "", "surrogate"},
		{"update, lone low surrogate", "PUT", "/items/1", `{"name":"\udfff","price_cents":1}`, "bad_request", "", "surrogate"},
		{"login, lone surrogate", "POST", "/login", `{"token":"\ud800"}`, "bad_request", "", "surrogate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, tt.method, tt.target, "application/json", tt.body, cookie)
			if w.Code != 400 {
				t.Fatalf("%s %s %s = %d %s, want 400", tt.method, tt.target, tt.body, w.Code, w.Body)
			}
			e := errorBody(t, w)
			if e.Code != tt.code || e.Parameter != tt.param || !strings.Contains(e.Message, tt.messageHas) {
				t.Errorf("error %+v, want code %q, parameter %q, a message with %q", e, tt.code, tt.param, tt.messageHas)
			}
		})
	}
}
