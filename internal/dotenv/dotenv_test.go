package dotenv

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// parseTests are inputs that Parse must accept. FuzzParse uses them as seeds.
var parseTests = []struct {
	name  string
	input string
	want  []Entry
}{
	{
		name:  "empty input",
		input: "",
		want:  nil,
	},
	{
		name:  "blank lines and comments only",
		input: "\n   \n\t\n# comment\n   # indented comment\n\t#tab comment\n#\n",
		want:  nil,
	},
	{
		name:  "simple assignment",
		input: "KEY=value\n",
		want:  []Entry{{Key: "KEY", Value: "value", Line: 1}},
	},
	{
		name:  "no trailing newline",
		input: "KEY=value",
		want:  []Entry{{Key: "KEY", Value: "value", Line: 1}},
	},
	{
		name:  "line numbers count blank and comment lines",
		input: "# header\n\nA=1\n\n# middle\nB=2\n",
		want:  []Entry{{Key: "A", Value: "1", Line: 3}, {Key: "B", Value: "2", Line: 6}},
	},
	{
		name:  "export prefix",
		input: "export KEY=value\nexport\t\tTAB=x\n  export  SPACED = y\n",
		want: []Entry{
			{Key: "KEY", Value: "value", Line: 1},
			{Key: "TAB", Value: "x", Line: 2},
			{Key: "SPACED", Value: "y", Line: 3},
		},
	},
	{
		name:  "key named export and keys starting with export",
		input: "export=1\nexportFOO=2\n",
		want: []Entry{
			{Key: "export", Value: "1", Line: 1},
			{Key: "exportFOO", Value: "2", Line: 2},
		},
	},
	{
		name:  "exported key named export",
		input: "export export=3\n",
		want:  []Entry{{Key: "export", Value: "3", Line: 1}},
	},
	{
		name:  "key charset",
		input: "_=1\na=2\nA_b.C9=3\n_9.x=4\n",
		want: []Entry{
			{Key: "_", Value: "1", Line: 1},
			{Key: "a", Value: "2", Line: 2},
			{Key: "A_b.C9", Value: "3", Line: 3},
			{Key: "_9.x", Value: "4", Line: 4},
		},
	},
	{
		name:  "whitespace around key and equals",
		input: "  A = 1\n\tB\t=\t2\t\nC =3\nD= 4\n",
		want: []Entry{
			{Key: "A", Value: "1", Line: 1},
			{Key: "B", Value: "2", Line: 2},
			{Key: "C", Value: "3", Line: 3},
			{Key: "D", Value: "4", Line: 4},
		},
	},
	{
		name:  "unquoted value trimmed and inner whitespace kept",
		input: "KEY=   hello   big \t world  \t\n",
		want:  []Entry{{Key: "KEY", Value: "hello   big \t world", Line: 1}},
	},
	{
		name:  "unquoted inline comment",
		input: "A=value # comment\nB=value\t# tab comment\nC=a b #c # d\n",
		want: []Entry{
			{Key: "A", Value: "value", Line: 1},
			{Key: "B", Value: "value", Line: 2},
			{Key: "C", Value: "a b", Line: 3},
		},
	},
	{
		name:  "unquoted hash without preceding whitespace is literal",
		input: "A=a#b\nB=#notcomment\nC=x## y\nD=x# # y\n",
		want: []Entry{
			{Key: "A", Value: "a#b", Line: 1},
			{Key: "B", Value: "#notcomment", Line: 2},
			{Key: "C", Value: "x## y", Line: 3},
			{Key: "D", Value: "x#", Line: 4},
		},
	},
	{
		name:  "empty values",
		input: "A=\nB=   \nC= # only a comment\nD =\t#c\n",
		want: []Entry{
			{Key: "A", Value: "", Line: 1},
			{Key: "B", Value: "", Line: 2},
			{Key: "C", Value: "", Line: 3},
			{Key: "D", Value: "", Line: 4},
		},
	},
	{
		name:  "unquoted quotes backslashes and equals are literal",
		input: `A=it's a "test"` + "\n" + `B=C:\path\n` + "\n" + "C=a=b==c\n",
		want: []Entry{
			{Key: "A", Value: `it's a "test"`, Line: 1},
			{Key: "B", Value: `C:\path\n`, Line: 2},
			{Key: "C", Value: "a=b==c", Line: 3},
		},
	},
	{
		name:  "single-quoted value is literal",
		input: `A='  keep \n \" $X ${Y} # not a comment  '` + "\n",
		want:  []Entry{{Key: "A", Value: `  keep \n \" $X ${Y} # not a comment  `, Line: 1}},
	},
	{
		name:  "single-quoted empty and with trailing comment",
		input: "A=''\nB='x'   \nC='y' # comment\nD = 'z'\t#c\n",
		want: []Entry{
			{Key: "A", Value: "", Line: 1},
			{Key: "B", Value: "x", Line: 2},
			{Key: "C", Value: "y", Line: 3},
			{Key: "D", Value: "z", Line: 4},
		},
	},
	{
		name:  "single-quoted may contain double quotes",
		input: `A='say "hi"'` + "\n",
		want:  []Entry{{Key: "A", Value: `say "hi"`, Line: 1}},
	},
	{
		name:  "double-quoted escapes",
		input: `A="n\n r\r t\t q\" b\\ d\$ end"` + "\n",
		want:  []Entry{{Key: "A", Value: "n\n r\r t\t q\" b\\ d$ end", Line: 1}},
	},
	{
		name:  "double-quoted keeps whitespace hash and single quotes",
		input: `A="  a # b 'c'  "` + "\n",
		want:  []Entry{{Key: "A", Value: "  a # b 'c'  ", Line: 1}},
	},
	{
		name:  "double-quoted empty and with trailing comment",
		input: "A=\"\"\nB=\"x\"  \nC=\"y\" # comment\n",
		want: []Entry{
			{Key: "A", Value: "", Line: 1},
			{Key: "B", Value: "x", Line: 2},
			{Key: "C", Value: "y", Line: 3},
		},
	},
	{
		name:  "double-quoted multi-line",
		input: "A=\"first\n  second\n\nfourth\" # done\nB=after\n",
		want: []Entry{
			{Key: "A", Value: "first\n  second\n\nfourth", Line: 1},
			{Key: "B", Value: "after", Line: 5},
		},
	},
	{
		name:  "double-quoted multi-line with escaped quote inside",
		input: "# c\nKEY=\"-----BEGIN-----\nabc\\\"def\n-----END-----\"\n",
		want:  []Entry{{Key: "KEY", Value: "-----BEGIN-----\nabc\"def\n-----END-----", Line: 2}},
	},
	{
		name:  "no variable expansion",
		input: "A=$OTHER\nB='${OTHER}'\nC=\"$OTHER ${OTHER} $(cmd) `cmd`\"\n",
		want: []Entry{
			{Key: "A", Value: "$OTHER", Line: 1},
			{Key: "B", Value: "${OTHER}", Line: 2},
			{Key: "C", Value: "$OTHER ${OTHER} $(cmd) `cmd`", Line: 3},
		},
	},
	{
		name:  "CRLF line endings",
		input: "# comment\r\nA=1\r\nB='2'\r\nC=\"3\" # c\r\n\r\nD=4",
		want: []Entry{
			{Key: "A", Value: "1", Line: 2},
			{Key: "B", Value: "2", Line: 3},
			{Key: "C", Value: "3", Line: 4},
			{Key: "D", Value: "4", Line: 6},
		},
	},
	{
		name:  "CRLF inside multi-line double-quoted value becomes LF",
		input: "A=\"x\r\ny\"\r\nB=z\r\n",
		want: []Entry{
			{Key: "A", Value: "x\ny", Line: 1},
			{Key: "B", Value: "z", Line: 3},
		},
	},
	{
		name:  "CR at end of file",
		input: "A=1\r",
		want:  []Entry{{Key: "A", Value: "1", Line: 1}},
	},
	{
		name:  "UTF-8 BOM skipped",
		input: "\xef\xbb\xbfA=1\nB=2\n",
		want: []Entry{
			{Key: "A", Value: "1", Line: 1},
			{Key: "B", Value: "2", Line: 2},
		},
	},
	{
		name:  "UTF-8 values",
		input: "A=héllo wörld ☃\nB='日本'\nC=\"ü\\n\"\n",
		want: []Entry{
			{Key: "A", Value: "héllo wörld ☃", Line: 1},
			{Key: "B", Value: "日本", Line: 2},
			{Key: "C", Value: "ü\n", Line: 3},
		},
	},
	{
		name:  "keys are case sensitive",
		input: "key=1\nKEY=2\n",
		want: []Entry{
			{Key: "key", Value: "1", Line: 1},
			{Key: "KEY", Value: "2", Line: 2},
		},
	},
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := parseTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("test.env", []byte(tt.input))
			if err != nil {
				t.Fatalf("Parse() error = %v, want nil", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Parse() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMaxSizeAccepted(t *testing.T) {
	t.Parallel()
	input := "A=" + strings.Repeat("x", MaxSize-2)
	got, err := Parse("big.env", []byte(input))
	if err != nil {
		t.Fatalf("Parse() error = %v, want nil", err)
	}
	if len(got) != 1 || len(got[0].Value) != MaxSize-2 {
		t.Errorf("Parse() returned %d entries, want 1 with a %d-byte value", len(got), MaxSize-2)
	}
}

// errorTests are inputs that Parse must reject. FuzzParse uses them as seeds.
var errorTests = []struct {
	name     string
	input    string
	wantLine int
	wantMsg  string
}{
	{
		name:     "larger than MaxSize",
		input:    strings.Repeat("#", MaxSize+1),
		wantLine: 0,
		wantMsg:  "file is 1048577 bytes, larger than the 1 MiB limit",
	},
	{
		name:     "missing equals",
		input:    "A=1\n\nNOEQUALS\n",
		wantLine: 3,
		wantMsg:  "missing = in assignment",
	},
	{
		name:     "export without assignment",
		input:    "export FOO\n",
		wantLine: 1,
		wantMsg:  "missing = in assignment",
	},
	{
		name:     "bare export",
		input:    "export\n",
		wantLine: 1,
		wantMsg:  "missing = in assignment",
	},
	{
		name:     "invalid key leading digit",
		input:    "A=1\n1A=x\n",
		wantLine: 2,
		wantMsg:  `invalid key: a key starts with a letter or _ and has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid key dash",
		input:    "MY-KEY=x\n",
		wantLine: 1,
		wantMsg:  `invalid key starting "MY": a key has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid key leading dot",
		input:    ".A=x\n",
		wantLine: 1,
		wantMsg:  `invalid key: a key starts with a letter or _ and has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid key with space",
		input:    "A B=x\n",
		wantLine: 1,
		wantMsg:  `invalid key starting "A": a key has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "empty key",
		input:    "=x\n",
		wantLine: 1,
		wantMsg:  `invalid key: a key starts with a letter or _ and has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "export followed by empty key",
		input:    "export =x\n",
		wantLine: 1,
		wantMsg:  `invalid key: a key starts with a letter or _ and has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid key non-ASCII",
		input:    "KÉY=x\n",
		wantLine: 1,
		wantMsg:  `invalid key starting "K": a key has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid key truncated to 64 bytes",
		input:    strings.Repeat("k", 70) + "-=x\n",
		wantLine: 1,
		wantMsg:  `invalid key starting "` + strings.Repeat("k", 64) + `…": a key has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid key truncated at rune boundary",
		input:    strings.Repeat("k", 63) + "éé=x\n",
		wantLine: 1,
		wantMsg:  `invalid key starting "` + strings.Repeat("k", 63) + `": a key has only letters, digits, _ and . (KEY=value)`,
	},
	{
		name:     "invalid UTF-8 in key",
		input:    "A=1\nK\xff=x\n",
		wantLine: 2,
		wantMsg:  "invalid UTF-8 in key",
	},
	{
		name:     "unterminated single quote",
		input:    "A=1\nB='abc\n",
		wantLine: 2,
		wantMsg:  `unterminated single-quoted value for key "B"`,
	},
	{
		name:     "single quote does not span lines",
		input:    "B='abc\ndef'\n",
		wantLine: 1,
		wantMsg:  `unterminated single-quoted value for key "B"`,
	},
	{
		name:     "unterminated double quote names start line",
		input:    "A=1\nB=\"abc\nC=2\nD=3\n",
		wantLine: 2,
		wantMsg:  `unterminated double-quoted value for key "B"`,
	},
	{
		name:     "unterminated double quote escaped closing quote",
		input:    `B="abc\"`,
		wantLine: 1,
		wantMsg:  `unterminated double-quoted value for key "B"`,
	},
	{
		name:     "unknown escape",
		input:    `A="a\qb"` + "\n",
		wantLine: 1,
		wantMsg:  `unknown escape sequence in value of key "A"`,
	},
	{
		name:     "unknown escape on later line of multi-line value",
		input:    "A=\"line1\nline2\\x\"\n",
		wantLine: 2,
		wantMsg:  `unknown escape sequence in value of key "A"`,
	},
	{
		name:     "backslash at end of line",
		input:    "A=\"abc\\\ndef\"\n",
		wantLine: 1,
		wantMsg:  `unknown escape sequence (backslash at end of line) in value of key "A"`,
	},
	{
		name:     "trailing characters after double quote",
		input:    `A="abc"def` + "\n",
		wantLine: 1,
		wantMsg:  `unexpected characters after closing quote of key "A"`,
	},
	{
		name:     "trailing characters after double quote with space",
		input:    `A="abc" def` + "\n",
		wantLine: 1,
		wantMsg:  `unexpected characters after closing quote of key "A"`,
	},
	{
		name:     "comment without whitespace after double quote",
		input:    `A="abc"#c` + "\n",
		wantLine: 1,
		wantMsg:  `unexpected characters after closing quote of key "A"`,
	},
	{
		name:     "trailing characters after single quote",
		input:    "A='abc' 'def'\n",
		wantLine: 1,
		wantMsg:  `unexpected characters after closing quote of key "A"`,
	},
	{
		name:     "trailing characters after multi-line value name closing line",
		input:    "A=\"a\nb\nc\"x\n",
		wantLine: 3,
		wantMsg:  `unexpected characters after closing quote of key "A"`,
	},
	{
		name:     "NUL in value",
		input:    "A=1\nB=a\x00b\n",
		wantLine: 2,
		wantMsg:  "file contains a NUL byte",
	},
	{
		name:     "NUL in comment",
		input:    "# a\x00b\nA=1\n",
		wantLine: 1,
		wantMsg:  "file contains a NUL byte",
	},
	{
		name:     "NUL in multi-line double-quoted value",
		input:    "A=\"a\nb\x00\"\n",
		wantLine: 2,
		wantMsg:  "file contains a NUL byte",
	},
	{
		name:     "bare carriage return",
		input:    "A=1\rB=2\n",
		wantLine: 1,
		wantMsg:  "carriage return not followed by line feed",
	},
	{
		name:     "invalid UTF-8 in unquoted value",
		input:    "A=1\nB=a\xffb\n",
		wantLine: 2,
		wantMsg:  `invalid UTF-8 in value of key "B"`,
	},
	{
		name:     "invalid UTF-8 in single-quoted value",
		input:    "B='\xc3'\n",
		wantLine: 1,
		wantMsg:  `invalid UTF-8 in value of key "B"`,
	},
	{
		name:     "invalid UTF-8 in multi-line double-quoted value",
		input:    "A=1\nB=\"x\ny\xe2\x82\"\n",
		wantLine: 2,
		wantMsg:  `invalid UTF-8 in value of key "B"`,
	},
	{
		name:     "duplicate key",
		input:    "A=1\nB=2\n\nA=3\n",
		wantLine: 4,
		wantMsg:  `duplicate key "A" (first set on line 1)`,
	},
	{
		name:     "duplicate key with export",
		input:    "A=1\nexport A=1\n",
		wantLine: 2,
		wantMsg:  `duplicate key "A" (first set on line 1)`,
	},
	{
		name:     "duplicate key after multi-line value",
		input:    "X=0\nA=\"1\n2\"\nA=3\n",
		wantLine: 4,
		wantMsg:  `duplicate key "A" (first set on line 2)`,
	},
	{
		name:     "first error only",
		input:    "A=1\nbad line\n1B=2\nA=2\n",
		wantLine: 2,
		wantMsg:  "missing = in assignment",
	},
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := errorTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("test.env", []byte(tt.input))
			if err == nil {
				t.Fatalf("Parse() = %+v, want error", got)
			}
			if got != nil {
				t.Errorf("Parse() entries = %+v, want nil on error", got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse() error type = %T, want *SyntaxError", err)
			}
			if se.File != "test.env" {
				t.Errorf("SyntaxError.File = %q, want %q", se.File, "test.env")
			}
			if se.Line != tt.wantLine {
				t.Errorf("SyntaxError.Line = %d, want %d (error %v)", se.Line, tt.wantLine, err)
			}
			if se.Msg != tt.wantMsg {
				t.Errorf("SyntaxError.Msg = %q, want %q", se.Msg, tt.wantMsg)
			}
			if msg := se.Msg; msg == "" || strings.ToLower(msg[:1]) != msg[:1] || strings.ContainsAny(msg[len(msg)-1:], ".!?:\n") {
				t.Errorf("SyntaxError.Msg = %q, want lowercase start and no trailing punctuation", msg)
			}
		})
	}
}

func TestSyntaxErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *SyntaxError
		want string
	}{
		{
			name: "with line",
			err:  &SyntaxError{File: "app.env", Line: 7, Msg: "missing = in assignment"},
			want: "app.env:7: missing = in assignment",
		},
		{
			name: "whole file",
			err:  &SyntaxError{File: "app.env", Msg: "file is 2 bytes, larger than the 1 MiB limit"},
			want: "app.env: file is 2 bytes, larger than the 1 MiB limit",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

const canary = "CANARY-s3cr3t-value"

func TestErrorsNeverContainValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
	}{
		{name: "stray secret line", input: canary + "\n"},
		{name: "export of stray secret", input: "export " + canary + "\n"},
		{name: "invalid key", input: "BAD-KEY=" + canary + "\n"},
		{name: "invalid key with space", input: "BAD KEY=" + canary + "\n"},
		{name: "yaml-style line with = in the secret", input: "SECRET_KEY: " + canary + "=\n"},
		{name: "duplicate key", input: "K=" + canary + "\nK=" + canary + "\n"},
		{name: "duplicate key single-quoted", input: "K='" + canary + "'\nK='" + canary + "'\n"},
		{name: "unterminated single quote", input: "K='" + canary + "\n"},
		{name: "unterminated double quote", input: "K=\"" + canary + "\n" + canary + "\n"},
		{name: "unknown escape", input: "K=\"" + canary + `\q` + canary + "\"\n"},
		{name: "backslash at end of line", input: "K=\"" + canary + "\\\n" + canary + "\"\n"},
		{name: "trailing after double quote", input: "K=\"" + canary + "\"" + canary + "\n"},
		{name: "trailing after single quote", input: "K='" + canary + "' " + canary + "\n"},
		{name: "NUL in value", input: "K=" + canary + "\x00" + canary + "\n"},
		{name: "bare CR in value", input: "K=" + canary + "\r" + canary + "\n"},
		{name: "invalid UTF-8 unquoted", input: "K=" + canary + "\xff" + canary + "\n"},
		{name: "invalid UTF-8 double-quoted", input: "K=\"" + canary + "\xff\"\n"},
		{name: "too large", input: "K=" + canary + "\n#" + strings.Repeat("x", MaxSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("secret.env", []byte(tt.input))
			if err == nil {
				t.Fatal("Parse() error = nil, want error")
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse() error type = %T, want *SyntaxError", err)
			}
			if msg := err.Error(); strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "CANARY") {
				t.Errorf("Parse() error = %q, want no part of the value", msg)
			}
		})
	}
}
