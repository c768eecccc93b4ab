package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
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

// TestLoneSurrogateEscapes: a name sent as "\ud800" reached the store as
// U+FFFD, because encoding/json replaces a UTF-16 surrogate escape that is
// not half of a pair silently (found in the Trust review). readJSON
// refuses such a body before it decodes it.
func TestLoneSurrogateEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantBad bool
	}{
		{name: "no escape", body: `{"name":"a","price_cents":1}`},
		{name: "BMP escape", body: `{"name":"caf\u00e9","price_cents":1}`},
		{name: "pair", body: `{"name":"\ud83d\ude00","price_cents":1}`},
		{name: "pair in upper case", body: `{"name":"\uD83D\uDE00","price_cents":1}`},
		{name: "escaped backslash then u", body: `{"name":"\\ud800","price_cents":1}`},
		{name: "escaped quote then escape", body: `{"name":"\"\u0041","price_cents":1}`},
		{name: "escape outside strings is the decoder's", body: `{"name":\ud800}`},
		{name: "lone high", body: `{"name":"\ud800","price_cents":1}`, wantBad: true},
		{name: "lone high in upper case", body: `{"name":"\uD800x","price_cents":1}`, wantBad: true},
		{name: "lone low", body: `{"name":"\udc00","price_cents":1}`, wantBad: true},
		{name: "low then high", body: `{"name":"\ude00\ud83d","price_cents":1}`, wantBad: true},
		{name: "high then BMP escape", body: `{"name":"\ud83d\u0041","price_cents":1}`, wantBad: true},
		{name: "high then high", body: `{"name":"\ud83d\ud83d\ude00","price_cents":1}`, wantBad: true},
		{name: "high at the end of the string", body: `{"name":"a\udbff"}`, wantBad: true},
		{name: "high at the end of the body", body: `{"name":"a\udbff`, wantBad: true},
		{name: "in a field name", body: `{"na\ud800me":"a"}`, wantBad: true},
		{name: "after an escaped backslash", body: `{"name":"\\\ud800"}`, wantBad: true},
		{name: "second of two strings", body: `{"name":"ok","x":"\udfff"}`, wantBad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at := loneSurrogate([]byte(tt.body))
			if (at >= 0) != tt.wantBad {
				t.Fatalf("loneSurrogate(%s) = %d, want bad: %v", tt.body, at, tt.wantBad)
			}
			if at >= 0 && !strings.HasPrefix(strings.ToLower(tt.body[at:]), `\ud`) {
				t.Errorf("loneSurrogate(%s) = %d, which is not at the bad escape", tt.body, at)
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

// FuzzLoneSurrogate checks loneSurrogate against encoding/json: it never
// panics, it points at a surrogate escape when it finds one, and when it
// finds none in valid JSON, decoding yields U+FFFD only where the text
// holds one, as such or as the escape \ufffd.
func FuzzLoneSurrogate(f *testing.F) {
	for _, s := range []string{`{"name":"\ud800"}`, `{"name":"\ud83d\ude00"}`, `{"a":"\\ud800","b":"\udfff"}`, `["\uD800\u0041"]`, `"\ufffd"`, `{"x":"\u`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		at := loneSurrogate(raw)
		if at >= 0 {
			if at+6 > len(raw) || raw[at] != '\\' || raw[at+1] != 'u' || (raw[at+2] != 'd' && raw[at+2] != 'D') {
				t.Fatalf("loneSurrogate(%q) = %d, not at a surrogate escape", raw, at)
			}
			return
		}
		var v any
		if !utf8.Valid(raw) || json.Unmarshal(raw, &v) != nil {
			return
		}
		if strings.Contains(string(raw), "\uFFFD") || strings.Contains(strings.ToLower(string(raw)), `\ufffd`) {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "\uFFFD") {
			t.Fatalf("loneSurrogate(%q) = -1, but it decodes with U+FFFD: %s", raw, out)
		}
	})
}
