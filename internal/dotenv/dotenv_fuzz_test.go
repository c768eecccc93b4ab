package dotenv

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// keyPattern is an independent statement of the key syntax.
var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// render writes entries as KEY="escaped value" lines, one per entry.
func render(entries []Entry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(e.Key)
		b.WriteString(`="`)
		for i := 0; i < len(e.Value); i++ {
			switch c := e.Value[i]; c {
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '"', '\\', '$':
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteString("\"\n")
	}
	return b.Bytes()
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add([]byte(tt.input))
	}
	for _, tt := range errorTests {
		if len(tt.input) <= 4096 {
			f.Add([]byte(tt.input))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse("fuzz.env", data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse() error type = %T, want *SyntaxError", err)
			}
			if entries != nil {
				t.Errorf("Parse() entries = %+v, want nil on error", entries)
			}
			if se.File != "fuzz.env" {
				t.Errorf("SyntaxError.File = %q, want %q", se.File, "fuzz.env")
			}
			if lines := bytes.Count(data, []byte("\n")) + 1; se.Line < 0 || se.Line > lines {
				t.Errorf("SyntaxError.Line = %d, want in [0, %d]", se.Line, lines)
			}
			if strings.Contains(se.Msg, "\x00") {
				t.Errorf("SyntaxError.Msg = %q, want no NUL byte", se.Msg)
			}
			return
		}

		seen := make(map[string]bool)
		prevLine := 0
		for _, e := range entries {
			if !keyPattern.MatchString(e.Key) {
				t.Errorf("Entry.Key = %q, want a valid key", e.Key)
			}
			if seen[e.Key] {
				t.Errorf("Entry.Key = %q appears twice, want unique keys", e.Key)
			}
			seen[e.Key] = true
			if e.Line < 1 || e.Line <= prevLine {
				t.Errorf("Entry.Line = %d (previous %d), want >= 1 and increasing", e.Line, prevLine)
			}
			prevLine = e.Line
			if !utf8.ValidString(e.Value) || strings.Contains(e.Value, "\x00") {
				t.Errorf("Entry.Value for %q is invalid UTF-8 or has a NUL byte, want neither", e.Key)
			}
		}

		out := render(entries)
		if len(out) > MaxSize {
			return
		}
		again, err := Parse("rendered.env", out)
		if err != nil {
			t.Fatalf("Parse(rendered) error = %v, want nil\nrendered:\n%q", err, out)
		}
		if len(again) != len(entries) {
			t.Fatalf("Parse(rendered) returned %d entries, want %d", len(again), len(entries))
		}
		for i, e := range again {
			want := Entry{Key: entries[i].Key, Value: entries[i].Value, Line: i + 1}
			if e != want {
				t.Errorf("Parse(rendered)[%d] = %+v, want %+v", i, e, want)
			}
		}
	})
}
