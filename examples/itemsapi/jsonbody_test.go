package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

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
