package cfgfile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func sc(line int, v string) Node { return Node{Kind: Scalar, Value: v, Line: line} }
func null(line int) Node         { return Node{Kind: Null, Line: line} }
func list(line int, items ...Node) Node {
	return Node{Kind: List, Items: items, Line: line}
}
func obj(line int, fields ...Field) Node {
	return Node{Kind: Map, Fields: fields, Line: line}
}
func fl(key string, line int, v Node) Field { return Field{Key: key, Line: line, Value: v} }

// nest returns a YAML document whose values are nested depth levels deep,
// counting the top-level map as level 1, with a scalar at the bottom.
func nestYAML(depth int) string {
	var b strings.Builder
	for i := 1; i < depth-1; i++ {
		b.WriteString(strings.Repeat(" ", i-1) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", max(depth-2, 0)) + "k: v\n")
	return b.String()
}

// nestJSON is nestYAML for JSON.
func nestJSON(depth int) string {
	return strings.Repeat(`{"k":`, depth-1) + "1" + strings.Repeat("}", depth-1)
}

func TestParseYAML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Node
	}{
		{
			name: "scalars",
			in: "s: hello\ni: 42\nf: 1.5\nb: true\nd: 10m\nq: \"a \\\"b\\\"\"\n" +
				"t: 2001-12-14\nbin: !!binary aGVsbG8=\nstr: !!str 42\nsq: 'it''s'\nlt: <<\n",
			want: obj(1,
				fl("s", 1, sc(1, "hello")),
				fl("i", 2, sc(2, "42")),
				fl("f", 3, sc(3, "1.5")),
				fl("b", 4, sc(4, "true")),
				fl("d", 5, sc(5, "10m")),
				fl("q", 6, sc(6, `a "b"`)),
				fl("t", 7, sc(7, "2001-12-14")),
				fl("bin", 8, sc(8, "aGVsbG8=")),
				fl("str", 9, sc(9, "42")),
				fl("sq", 10, sc(10, "it's")),
				fl("lt", 11, sc(11, "<<")),
			),
		},
		{
			name: "null",
			in:   "a: ~\nb: null\nc:\nd: !!null\ne: \"null\"\n",
			want: obj(1,
				fl("a", 1, null(1)),
				fl("b", 2, null(2)),
				fl("c", 3, null(3)),
				fl("d", 4, null(4)),
				fl("e", 5, sc(5, "null")),
			),
		},
		{
			name: "lists",
			in:   "l:\n  - 1\n  - two\n  - [3, 4]\n  -\n  - k: v\nempty: []\n",
			want: obj(1,
				fl("l", 1, list(2,
					sc(2, "1"),
					sc(3, "two"),
					list(4, sc(4, "3"), sc(4, "4")),
					null(5),
					obj(6, fl("k", 6, sc(6, "v"))),
				)),
				fl("empty", 7, list(7)),
			),
		},
		{
			name: "nested maps",
			in:   "# comment\n\nserver:\n  http:\n    port: 8080\n    host: localhost\n  tls: {cert: a.pem, key: b.pem}\nempty: {}\n",
			want: obj(3,
				fl("server", 3, obj(4,
					fl("http", 4, obj(5,
						fl("port", 5, sc(5, "8080")),
						fl("host", 6, sc(6, "localhost")),
					)),
					fl("tls", 7, obj(7,
						fl("cert", 7, sc(7, "a.pem")),
						fl("key", 7, sc(7, "b.pem")),
					)),
				)),
				fl("empty", 8, obj(8)),
			),
		},
		{
			name: "block scalars",
			in:   "lit: |\n  line1\n  line2\nfold: >\n  a\n  b\nafter: x\n",
			want: obj(1,
				fl("lit", 1, sc(1, "line1\nline2\n")),
				fl("fold", 4, sc(4, "a b\n")),
				fl("after", 7, sc(7, "x")),
			),
		},
		{
			name: "scalar keys of any type",
			in:   "1: a\ntrue: b\n~: c\n\"a.b\": d\n",
			want: obj(1,
				fl("1", 1, sc(1, "a")),
				fl("true", 2, sc(2, "b")),
				fl("~", 3, sc(3, "c")),
				fl("a.b", 4, sc(4, "d")),
			),
		},
		{
			name: "anchors and aliases",
			in:   "base: &b\n  x: 1\n  y: [a]\ncopy: *b\ns: &s hello\nt: *s\nl: [*s, *b]\n",
			want: obj(1,
				fl("base", 1, obj(1, fl("x", 2, sc(2, "1")), fl("y", 3, list(3, sc(3, "a"))))),
				fl("copy", 4, obj(1, fl("x", 2, sc(2, "1")), fl("y", 3, list(3, sc(3, "a"))))),
				fl("s", 5, sc(5, "hello")),
				fl("t", 6, sc(5, "hello")),
				fl("l", 7, list(7, sc(5, "hello"), obj(1, fl("x", 2, sc(2, "1")), fl("y", 3, list(3, sc(3, "a")))))),
			),
		},
		{
			name: "alias as key",
			in:   "k: &name port\nm:\n  *name : 80\n",
			want: obj(1,
				fl("k", 1, sc(1, "port")),
				fl("m", 2, obj(3, fl("port", 3, sc(3, "80")))),
			),
		},
		{
			name: "merge key",
			in:   "base: &base\n  a: 1\n  b: 2\nprod:\n  x: 0\n  <<: *base\n  b: 3\n",
			want: obj(1,
				fl("base", 1, obj(1, fl("a", 2, sc(2, "1")), fl("b", 3, sc(3, "2")))),
				fl("prod", 4, obj(5,
					fl("x", 5, sc(5, "0")),
					fl("a", 2, sc(2, "1")),
					fl("b", 7, sc(7, "3")),
				)),
			),
		},
		{
			name: "merge key list earlier wins and explicit before wins",
			in:   "a: &a {k: a1, only_a: 1}\nb: &b {k: b1, only_b: 2, e: b}\nc:\n  e: c\n  <<: [*a, *b]\n",
			want: obj(1,
				fl("a", 1, obj(1, fl("k", 1, sc(1, "a1")), fl("only_a", 1, sc(1, "1")))),
				fl("b", 2, obj(2, fl("k", 2, sc(2, "b1")), fl("only_b", 2, sc(2, "2")), fl("e", 2, sc(2, "b")))),
				fl("c", 3, obj(4,
					fl("e", 4, sc(4, "c")),
					fl("k", 1, sc(1, "a1")),
					fl("only_a", 1, sc(1, "1")),
					fl("only_b", 2, sc(2, "2")),
				)),
			),
		},
		{
			name: "merge key inline map and nested merge",
			in:   "a: &a {<<: {x: 1}, y: 2}\nb:\n  <<: *a\n",
			want: obj(1,
				fl("a", 1, obj(1, fl("x", 1, sc(1, "1")), fl("y", 1, sc(1, "2")))),
				fl("b", 2, obj(3, fl("x", 1, sc(1, "1")), fl("y", 1, sc(1, "2")))),
			),
		},
		{
			name: "quoted merge key is an ordinary key",
			in:   "\"<<\": 1\n",
			want: obj(1, fl("<<", 1, sc(1, "1"))),
		},
		{name: "empty value at the end", in: "a: 1\nb:", want: obj(1, fl("a", 1, sc(1, "1")), fl("b", 2, null(2)))},
		{name: "empty key and value at the end", in: "?\n", want: obj(1, fl("", 1, null(1)))},
		{name: "empty file", in: "", want: Node{Kind: Map}},
		{name: "only comments", in: "# nothing\n\n", want: Node{Kind: Map}},
		{name: "bare document start", in: "---\n", want: Node{Kind: Map}},
		{name: "document end marker", in: "a: 1\n...\n", want: obj(1, fl("a", 1, sc(1, "1")))},
		{
			name: "crlf and byte order mark",
			in:   "\ufeffa: 1\r\nb: 2\r\n",
			want: obj(1, fl("a", 1, sc(1, "1")), fl("b", 2, sc(2, "2"))),
		},
		{
			name: "explicit document start",
			in:   "# c\n---\na: 1\n",
			want: obj(3, fl("a", 3, sc(3, "1"))),
		},
		{
			name: "standard tags",
			in:   "a: !!int 1\nb: !!float 1\nc: !!bool true\nd: !!timestamp 2001-12-14\ne: !!seq [x]\nf: !!map {g: h}\ni: !<tag:yaml.org,2002:str> x\n",
			want: obj(1,
				fl("a", 1, sc(1, "1")),
				fl("b", 2, sc(2, "1")),
				fl("c", 3, sc(3, "true")),
				fl("d", 4, sc(4, "2001-12-14")),
				fl("e", 5, list(5, sc(5, "x"))),
				fl("f", 6, obj(6, fl("g", 6, sc(6, "h")))),
				fl("i", 7, sc(7, "x")),
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("c.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse() error = %v, want nil", err)
			}
			// Which values are Shared is TestParseYAMLShared's.
			if got := unshared(got); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Node
	}{
		{
			name: "nesting and lines",
			in: "{\n  \"name\": \"svc\",\n  \"port\": 8080,\n  \"db\": {\n    \"dsn\": \"x\",\n    \"pool\": [1, 2.5e3,\n      true, null]\n  },\n" +
				"  \"empty\": {},\n  \"none\": []\n}\n",
			want: obj(1,
				fl("name", 2, sc(2, "svc")),
				fl("port", 3, sc(3, "8080")),
				fl("db", 4, obj(4,
					fl("dsn", 5, sc(5, "x")),
					fl("pool", 6, list(6, sc(6, "1"), sc(6, "2.5e3"), sc(7, "true"), null(7))),
				)),
				fl("empty", 9, obj(9)),
				fl("none", 10, list(10)),
			),
		},
		{
			name: "compact",
			in:   `{"a":1,"b":{"c":[false,{"d":null}]}}`,
			want: obj(1,
				fl("a", 1, sc(1, "1")),
				fl("b", 1, obj(1, fl("c", 1, list(1, sc(1, "false"), obj(1, fl("d", 1, null(1))))))),
			),
		},
		{
			name: "exact number text",
			in:   `{"a": 1e400, "b": -0, "c": 12345678901234567890123, "d": 1.0}`,
			want: obj(1,
				fl("a", 1, sc(1, "1e400")),
				fl("b", 1, sc(1, "-0")),
				fl("c", 1, sc(1, "12345678901234567890123")),
				fl("d", 1, sc(1, "1.0")),
			),
		},
		{
			name: "escapes the YAML parser rejects",
			in:   `{"url": "http:\/\/x", "emoji": "\ud83d\ude00", "nul": "a\u0000b", "\u0041": "key"}`,
			want: obj(1,
				fl("url", 1, sc(1, "http://x")),
				fl("emoji", 1, sc(1, "\U0001F600")),
				fl("nul", 1, sc(1, "a\x00b")),
				fl("A", 1, sc(1, "key")),
			),
		},
		{
			name: "line separators in strings are kept",
			in:   "{\"a\": \"x\u0085y\u2028z\"}",
			want: obj(1, fl("a", 1, sc(1, "x\u0085y\u2028z"))),
		},
		{
			name: "long key and colon on the next line",
			in:   "{\"" + strings.Repeat("k", 2000) + "\"\n: 1}",
			want: obj(1, fl(strings.Repeat("k", 2000), 1, sc(2, "1"))),
		},
		{
			name: "tabs, crlf and byte order mark",
			in:   "\ufeff{\r\n\t\"a\": 1,\r\n\t\"b\": \"c\"\r\n}\r\n",
			want: obj(1, fl("a", 2, sc(2, "1")), fl("b", 3, sc(3, "c"))),
		},
		{
			name: "empty object",
			in:   " {} ",
			want: obj(1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("c.json", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse() error = %v, want nil", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseExtensions(t *testing.T) {
	tests := []struct {
		name string
		file string
		in   string
	}{
		{name: "yaml", file: "a.yaml", in: "a: 1"},
		{name: "yml", file: "dir.d/a.yml", in: "a: 1"},
		{name: "upper case", file: "A.YAML", in: "a: 1"},
		{name: "json", file: "a.json", in: `{"a": 1}`},
		{name: "upper case json", file: "a.Json", in: `{"a": 1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.file, []byte(tt.in))
			want := obj(1, fl("a", 1, sc(1, "1")))
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Parse() = %+v, %v, want %+v, nil", got, err, want)
			}
		})
	}
}

// billionLaughs is the classic exponential alias bomb: 9^9 values.
const billionLaughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// mergeBomb is an alias bomb made of merge keys.
const mergeBomb = `a: &a {a0: 0, a1: 1, a2: 2, a3: 3, a4: 4, a5: 5, a6: 6, a7: 7, a8: 8, a9: 9}
b: &b {b0: *a, b1: *a, b2: *a, b3: *a, b4: *a, b5: *a, b6: *a, b7: *a, b8: *a, b9: *a}
c: &c {c0: *b, c1: *b, c2: *b, c3: *b, c4: *b, c5: *b, c6: *b, c7: *b, c8: *b, c9: *b}
d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c], x: 1}
e: &e {<<: *d, e0: *d, e1: *d, e2: *d, e3: *d, e4: *d, e5: *d, e6: *d, e7: *d, e8: *d, e9: *d}
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		in       string
		wantLine int
		wantMsg  string // substring of Msg
	}{
		{name: "unknown extension", file: "c.toml", in: "a = 1", wantMsg: `unsupported file extension ".toml"; supported extensions are .yaml, .yml and .json`},
		{name: "no extension", file: "config", in: "a: 1", wantMsg: "no extension; supported extensions are .yaml, .yml and .json"},
		{name: "too large", file: "c.yaml", in: "a: 1\n" + strings.Repeat("#", 2<<20), wantMsg: "file is 2097157 bytes, larger than the 1 MiB limit"},
		{name: "too large json", file: "c.json", in: strings.Repeat(" ", MaxSize+1), wantMsg: "larger than the 1 MiB limit"},
		{name: "invalid utf-8", file: "c.yaml", in: "a: 1\nb: \xff\n", wantLine: 2, wantMsg: "file is not valid UTF-8"},
		{name: "invalid utf-8 json", file: "c.json", in: "{\n\"a\": \"\xc3\x28\"}", wantLine: 2, wantMsg: "file is not valid UTF-8"},
		{name: "nul byte", file: "c.yaml", in: "a: 1\n\nb: x\x00y\n", wantLine: 3, wantMsg: "file contains a NUL byte"},
		{name: "nul byte json", file: "c.json", in: "{\"a\": \"\x00\"}", wantLine: 1, wantMsg: "file contains a NUL byte"},
		{name: "control character", file: "c.yaml", in: "a: 1\r\nb: \x01\n", wantLine: 2, wantMsg: "control character"},
		{name: "c1 control character", file: "c.yaml", in: "a: 1\nb: \u0080\n", wantLine: 2, wantMsg: "control character"},
		{name: "multiple documents", file: "c.yaml", in: "a: 1\n---\nb: 2\n", wantLine: 2, wantMsg: "multiple documents"},
		{name: "trailing empty document", file: "c.yaml", in: "a: 1\n---\n", wantLine: 2, wantMsg: "multiple documents"},
		{name: "top level list", file: "c.yaml", in: "- a\n- b\n", wantLine: 1, wantMsg: "top level must be a map, not a list"},
		{name: "top level scalar", file: "c.yaml", in: "\nhello\n", wantLine: 2, wantMsg: "top level must be a map, not a scalar"},
		{name: "top level null", file: "c.yaml", in: "null\n", wantLine: 1, wantMsg: "top level must be a map, not null"},
		{name: "duplicate key", file: "c.yaml", in: "a: 1\nb: 2\npage_size: 3\nc:\n  page_size: 1\npage_size: 4\n", wantLine: 6, wantMsg: `duplicate key "page_size" (first on line 3)`},
		{name: "duplicate key in flow map", file: "c.yaml", in: "a: {x: 1, x: 2}\n", wantLine: 1, wantMsg: `duplicate key "x" (first on line 1)`},
		{name: "duplicate key of different styles", file: "c.yaml", in: "1: a\n\"1\": b\n", wantLine: 2, wantMsg: `duplicate key "1" (first on line 1)`},
		{name: "duplicate merge key", file: "c.yaml", in: "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n", wantLine: 4, wantMsg: `duplicate key "<<" (first on line 3)`},
		{name: "duplicate long key", file: "c.yaml", in: strings.Repeat("k", 100) + ": 1\n" + strings.Repeat("k", 100) + ": 2\n", wantLine: 2, wantMsg: `duplicate key of 100 bytes (not shown: it does not look like a name) (first on line 1)`},
		{name: "duplicate key json", file: "c.json", in: "{\n  \"a\": 1,\n  \"page_size\": 2,\n  \"page_size\": 3\n}", wantLine: 4, wantMsg: `duplicate key "page_size" (first on line 3)`},
		{name: "duplicate escaped key json", file: "c.json", in: "{\"a\": {\"k\": 1,\n\"\\u006b\": 2}}", wantLine: 2, wantMsg: `duplicate key "k" (first on line 1)`},
		{name: "list key", file: "c.yaml", in: "a: 1\n[x, y]: 2\n", wantLine: 2, wantMsg: "map key must be a scalar, not a list"},
		{name: "map key", file: "c.yaml", in: "a: 1\n? {x: 1}\n: 2\n", wantLine: 2, wantMsg: "map key must be a scalar, not a map"},
		{name: "alias to map as key", file: "c.yaml", in: "a: &m {x: 1}\n*m : 2\n", wantLine: 2, wantMsg: "map key must be a scalar, not a map"},
		{name: "custom tag", file: "c.yaml", in: "a: 1\nb: !foo x\n", wantLine: 2, wantMsg: "unsupported YAML tag"},
		{name: "custom tag on map", file: "c.yaml", in: "a: !foo\n  x: 1\n", wantLine: 1, wantMsg: "unsupported YAML tag"},
		{name: "custom tag on key", file: "c.yaml", in: "!foo a: 1\n", wantLine: 1, wantMsg: "unsupported YAML tag"},
		{name: "set tag", file: "c.yaml", in: "a: !!set {x}\n", wantLine: 1, wantMsg: "unsupported YAML tag"},
		{name: "map tag on scalar", file: "c.yaml", in: "a: !!map x\n", wantLine: 1, wantMsg: "unsupported YAML tag"},
		{name: "redefined standard tag handle", file: "c.yaml", in: "%TAG !! tag:example.com,2000:\n---\na: !!str x\n", wantLine: 3, wantMsg: "unsupported YAML tag"},
		{name: "unknown anchor", file: "c.yaml", in: "a: *nope\n", wantMsg: "alias refers to an unknown anchor"},
		{name: "recursive alias", file: "c.yaml", in: "a: &x [1, *x]\n", wantLine: 1, wantMsg: "alias refers to a value that contains it"},
		{name: "recursive alias via map", file: "c.yaml", in: "a: &x\n  b:\n    c: *x\n", wantLine: 3, wantMsg: "alias refers to a value that contains it"},
		{name: "recursive merge", file: "c.yaml", in: "a: &x\n  b: 1\n  <<: *x\n", wantLine: 3, wantMsg: "alias refers to a value that contains it"},
		{name: "recursive merge list", file: "c.yaml", in: "a:\n  <<: &s [{<<: *s}]\n", wantLine: 2, wantMsg: "alias refers to a value that contains it"},
		{name: "merge of scalar", file: "c.yaml", in: "a: 1\nb:\n  <<: 3\n", wantLine: 3, wantMsg: `merge key "<<" must refer to a map or a list of maps`},
		{name: "merge of list of scalars", file: "c.yaml", in: "s: &s x\nb:\n  <<: [*s]\n", wantLine: 3, wantMsg: `merge key "<<" must refer to a map or a list of maps`},
		{name: "yaml syntax error", file: "c.yaml", in: "a: 1\nb: 2\nc: d: e\n", wantLine: 3, wantMsg: "invalid YAML syntax: mapping values are not allowed in this context"},
		{name: "yaml syntax error on line 1", file: "c.yaml", in: "c: d: e\n", wantLine: 1, wantMsg: "invalid YAML syntax: mapping values are not allowed in this context"},
		{name: "yaml parser error", file: "c.yaml", in: "a: 1\nb: 2\n- c\n", wantLine: 3, wantMsg: "invalid YAML syntax: did not find expected key"},
		{name: "yaml parser error on line 2", file: "c.yaml", in: "a: 1\n- b\n", wantLine: 2, wantMsg: "invalid YAML syntax: did not find expected key"},
		{name: "yaml unknown escape", file: "c.yaml", in: "a: 1\nb: \"x\\/\"\n", wantLine: 2, wantMsg: "invalid YAML syntax: found unknown escape character"},
		{name: "yaml tab indentation", file: "c.yaml", in: "a:\n\tb: 1\n", wantLine: 2, wantMsg: "invalid YAML syntax"},
		{name: "unterminated quote", file: "c.yaml", in: "a: 1\nb: \"abc\n", wantLine: 2, wantMsg: "invalid YAML syntax: found unexpected end of stream"},
		{name: "flow nesting beyond the parser limit", file: "c.yaml", in: "a: " + strings.Repeat("[", 10001), wantLine: 1, wantMsg: "values nested too deeply (limit 32 levels)"},
		{name: "yaml depth 40", file: "c.yaml", in: nestYAML(40), wantLine: 33, wantMsg: "values nested too deeply (limit 32 levels)"},
		{name: "yaml depth 33", file: "c.yaml", in: nestYAML(MaxDepth + 1), wantLine: 32, wantMsg: "values nested too deeply (limit 32 levels)"},
		{name: "yaml depth through alias", file: "c.yaml", in: "a: &a " + strings.Repeat("[", 20) + "1" + strings.Repeat("]", 20) + "\nb: " + strings.Repeat("[", 14) + "*a" + strings.Repeat("]", 14) + "\n", wantLine: 1, wantMsg: "values nested too deeply (limit 32 levels)"},
		{name: "json depth 40", file: "c.json", in: nestJSON(40), wantLine: 1, wantMsg: "values nested too deeply (limit 32 levels)"},
		{name: "json depth 33", file: "c.json", in: nestJSON(MaxDepth + 1), wantLine: 1, wantMsg: "values nested too deeply (limit 32 levels)"},
		{name: "too many values", file: "c.yaml", in: "a: [" + strings.Repeat("1,", MaxNodes) + "]", wantMsg: "too many values (limit 100000)"},
		{name: "too many values json", file: "c.json", in: `{"a": [` + strings.Repeat("1,", MaxNodes) + "1]}", wantMsg: "too many values (limit 100000)"},
		{name: "billion laughs", file: "c.yaml", in: billionLaughs, wantMsg: "too many values after alias expansion (limit 100000)"},
		{name: "merge bomb", file: "c.yaml", in: mergeBomb, wantMsg: "too many values after alias expansion (limit 100000)"},
		{name: "aliases of a long value", file: "c.yaml", in: aliasList(60<<10, 40), wantMsg: "values too large after alias expansion (limit 2 MiB of keys and values in all)"},
		{name: "aliases of a long value, 4000 times", file: "c.yaml", in: aliasList(60<<10, 4000), wantMsg: "values too large after alias expansion"},
		{name: "merges of a map with long keys", file: "c.yaml", in: "m: &m\n  ? " + strings.Repeat("k", 60<<10) + "\n  : 1\n" + mergeLongKeys(40), wantMsg: "values too large after alias expansion"},
		{name: "empty json", file: "c.json", in: " \n", wantMsg: "file is empty; a JSON configuration file must hold an object"},
		{name: "invalid json", file: "c.json", in: "{\n  \"a\": 1,\n  \"b\": x\n}", wantLine: 3, wantMsg: "invalid JSON syntax"},
		{name: "invalid json trailing comma", file: "c.json", in: "{\n  \"a\": 1,\n}", wantLine: 3, wantMsg: "invalid JSON syntax"},
		{name: "truncated json", file: "c.json", in: "{\n  \"a\": [1,\n\n", wantLine: 2, wantMsg: "invalid JSON syntax: unexpected end of file"},
		{name: "json with comment", file: "c.json", in: "{\n// no\n}", wantLine: 2, wantMsg: "invalid JSON syntax"},
		{name: "json trailing data", file: "c.json", in: "{}\n{}", wantLine: 2, wantMsg: "invalid JSON syntax"},
		{name: "json top level array", file: "c.json", in: "\n[1]", wantLine: 2, wantMsg: "top level must be an object, not an array"},
		{name: "json top level string", file: "c.json", in: `"s"`, wantLine: 1, wantMsg: "top level must be an object, not a string"},
		{name: "json top level number", file: "c.json", in: `-1`, wantLine: 1, wantMsg: "top level must be an object, not a number"},
		{name: "json top level null", file: "c.json", in: `null`, wantLine: 1, wantMsg: "top level must be an object, not null"},
		{name: "json top level bool", file: "c.json", in: `true`, wantLine: 1, wantMsg: "top level must be an object, not a boolean"},
		{name: "yaml in json file", file: "c.json", in: "a: 1\n", wantLine: 1, wantMsg: "invalid JSON syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.file, []byte(tt.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse() = %+v, %v, want an *Error", got, err)
			}
			if !reflect.DeepEqual(got, Node{}) {
				t.Errorf("Parse() node = %+v, want the zero Node", got)
			}
			if e.File != tt.file {
				t.Errorf("Error.File = %q, want %q", e.File, tt.file)
			}
			if e.Line != tt.wantLine {
				t.Errorf("Error.Line = %d, want %d (error: %v)", e.Line, tt.wantLine, err)
			}
			if !strings.Contains(e.Msg, tt.wantMsg) {
				t.Errorf("Error.Msg = %q, want it to contain %q", e.Msg, tt.wantMsg)
			}
		})
	}
}

func TestParseLimitsAccepted(t *testing.T) {
	tests := []struct {
		name string
		file string
		in   string
	}{
		{name: "yaml at max depth", file: "c.yaml", in: nestYAML(MaxDepth)},
		{name: "json at max depth", file: "c.json", in: nestJSON(MaxDepth)},
		{name: "yaml at max size", file: "c.yaml", in: "a: 1\n#" + strings.Repeat("x", MaxSize-7) + "\n"},
		{name: "json at max size", file: "c.json", in: `{"a": 1}` + strings.Repeat(" ", MaxSize-8)},
		{name: "yaml at max nodes", file: "c.yaml", in: "a: [" + strings.Repeat("1,", MaxNodes-2) + "]"},
		{name: "json at max nodes", file: "c.json", in: `{"a": [` + strings.Repeat("1,", MaxNodes-3) + "1]}"},
		// "\L" is 2 bytes of input and 3 of text: the most any escape grows.
		{name: "yaml at max size of growing escapes", file: "c.yaml", in: "a: \"" + strings.Repeat(`\L`, (MaxSize-8)/2) + "\"\n"},
		{name: "yaml aliases just under max text", file: "c.yaml", in: aliasList(60<<10, 33)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if len(tt.in) > MaxSize {
				t.Fatalf("test input is %d bytes, over MaxSize", len(tt.in))
			}
			got, err := Parse(tt.file, []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse() error = %v, want nil", err)
			}
			if d := depth(got); d > MaxDepth {
				t.Errorf("depth(Parse()) = %d, want <= %d", d, MaxDepth)
			}
		})
	}
}

// aliasList anchors a value of size bytes and lists n aliases of it.
func aliasList(size, n int) string {
	return "x: &a \"" + strings.Repeat("v", size) + "\"\nhosts: [" + strings.Repeat("*a,", n) + "]\n"
}

// mergeLongKeys merges the map anchored as m, whose key is long, into n
// maps.
func mergeLongKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "g%d: {<<: *m}\n", i)
	}
	return b.String()
}

// depth returns the number of levels of n, counting n itself.
func depth(n Node) int {
	d := 0
	for _, it := range n.Items {
		d = max(d, depth(it))
	}
	for _, f := range n.Fields {
		d = max(d, depth(f.Value))
	}
	return d + 1
}

// canary is a value that must never appear in an error.
const canary = "CANARY-s3cr3t-value"

func TestParseErrorsHideValues(t *testing.T) {
	tests := []struct {
		name string
		file string
		in   string
	}{
		{name: "value as custom tag", file: "c.yaml", in: "password: !" + canary + "\n"},
		{name: "value as alias", file: "c.yaml", in: "password: *" + canary + "\n"},
		{name: "value with colon", file: "c.yaml", in: "password: " + canary + ": x\n"},
		{name: "unterminated double quote", file: "c.yaml", in: "password: \"" + canary + "\n"},
		{name: "unterminated single quote", file: "c.yaml", in: "password: '" + canary + "\n"},
		{name: "bad escape", file: "c.yaml", in: "password: \"" + canary + "\\q\"\n"},
		{name: "bad unicode escape", file: "c.yaml", in: "password: \"" + canary + "\\uZZZZ\"\n"},
		{name: "unclosed flow list", file: "c.yaml", in: "password: [" + canary + "\n"},
		{name: "mismatched flow", file: "c.yaml", in: "password: [" + canary + "}\n"},
		{name: "control character", file: "c.yaml", in: "password: " + canary + "\x01\n"},
		{name: "invalid utf-8", file: "c.yaml", in: "password: " + canary + "\xff\n"},
		{name: "nul", file: "c.yaml", in: "password: " + canary + "\x00\n"},
		{name: "map tag on value", file: "c.yaml", in: "password: !!map " + canary + "\n"},
		{name: "top level scalar", file: "c.yaml", in: canary + "\n"},
		{name: "top level list", file: "c.yaml", in: "- " + canary + "\n"},
		{name: "list as key", file: "c.yaml", in: "? [" + canary + "]\n: 1\n"},
		{name: "merge of scalar", file: "c.yaml", in: "a:\n  <<: " + canary + "\n"},
		{name: "multiple documents", file: "c.yaml", in: "a: " + canary + "\n---\nb: " + canary + "\n"},
		{name: "bad indentation", file: "c.yaml", in: "a:\n  b: " + canary + "\n c: " + canary + "\n"},
		{name: "tab", file: "c.yaml", in: "a:\n\tb: " + canary + "\n"},
		{name: "block scalar indentation", file: "c.yaml", in: "a: |0\n  " + canary + "\n"},
		{name: "directive", file: "c.yaml", in: "%" + canary + "\n---\na: 1\n"},
		{name: "tag directive", file: "c.yaml", in: "%TAG !x! " + canary + "\n---\na: !x!y 1\n"},
		{name: "undefined tag handle", file: "c.yaml", in: "a: !" + canary + "!x 1\n"},
		{name: "verbatim tag", file: "c.yaml", in: "a: !<" + canary + "> 1\n"},
		{name: "anchor before bad indentation", file: "c.yaml", in: "a: &" + canary + "\n  b: 1\n c: 2\n"},
		{name: "document marker in value", file: "c.yaml", in: "a: \"" + canary + "\n---\n\"\n"},
		{name: "too deep", file: "c.yaml", in: "a: " + strings.Repeat("[", 40) + canary + strings.Repeat("]", 40) + "\n"},
		{name: "billion laughs", file: "c.yaml", in: strings.ReplaceAll(billionLaughs, "lol", canary)},
		{name: "json bare word", file: "c.json", in: `{"password": ` + canary + `}`},
		{name: "json unterminated string", file: "c.json", in: `{"password": "` + canary},
		{name: "json control character", file: "c.json", in: "{\"password\": \"" + canary + "\x01\"}"},
		{name: "json bad escape", file: "c.json", in: `{"password": "` + canary + `\q"}`},
		{name: "json top level string", file: "c.json", in: `"` + canary + `"`},
		{name: "json top level array", file: "c.json", in: `["` + canary + `"]`},
		{name: "json too deep", file: "c.json", in: strings.Repeat(`{"k":`, 39) + `"` + canary + `"` + strings.Repeat("}", 39)},
		{name: "json duplicate key", file: "c.json", in: `{"password": "` + canary + `", "password": "` + canary + `"}`},
		{name: "json invalid utf-8", file: "c.json", in: `{"password": "` + canary + "\xff\"}"},
		{name: "json in yaml file", file: "c.yaml", in: `{"password": "` + canary + `", "password": 1}`},
		{name: "yaml duplicate key", file: "c.yaml", in: "password: " + canary + "\npassword: " + canary + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.file, []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse() = %+v, nil, want an error", got)
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "CANARY") {
				t.Errorf("Parse() error = %q, want it not to contain the value", err)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		want string
	}{
		{name: "null", kind: Null, want: "null"},
		{name: "scalar", kind: Scalar, want: "scalar"},
		{name: "list", kind: List, want: "list"},
		{name: "map", kind: Map, want: "map"},
		{name: "unknown", kind: Kind(9), want: "Kind(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.kind.String(); got != tt.want {
				t.Errorf("Kind.String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{name: "with line", err: &Error{File: "c.yaml", Line: 3, Msg: "bad"}, want: "c.yaml:3: bad"},
		{name: "without line", err: &Error{File: "c.yaml", Msg: "bad"}, want: "c.yaml: bad"},
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

func TestYAMLSyntaxError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantLine int
		wantMsg  string
	}{
		{name: "scanner problem with line", err: errors.New("yaml: line 4: found unknown escape character"), wantLine: 4, wantMsg: "invalid YAML syntax: found unknown escape character"},
		{name: "scanner problem on the first line", err: errors.New("yaml: found unknown escape character"), wantLine: 1, wantMsg: "invalid YAML syntax: found unknown escape character"},
		{name: "parser problem with 0-based line", err: errors.New("yaml: line 4: did not find expected key"), wantLine: 5, wantMsg: "invalid YAML syntax: did not find expected key"},
		{name: "parser problem on the first line", err: errors.New("yaml: did not find expected key"), wantLine: 1, wantMsg: "invalid YAML syntax: did not find expected key"},
		{name: "unknown message keeps the line", err: errors.New("yaml: line 3: unexpected " + canary), wantLine: 3, wantMsg: "invalid YAML syntax"},
		{name: "unknown message without line", err: errors.New("yaml: " + canary), wantMsg: "invalid YAML syntax"},
		{name: "unknown anchor", err: errors.New("yaml: unknown anchor '" + canary + "' referenced"), wantMsg: msgUnknownAnchor},
		{name: "bad line number", err: errors.New("yaml: line x: " + canary), wantMsg: "invalid YAML syntax"},
		{name: "not a yaml error", err: errors.New(canary), wantMsg: "invalid YAML syntax"},
		{name: "parser panic", err: errParserPanic, wantMsg: "invalid YAML syntax (internal parser error)"},
		{name: "parser depth limit", err: errors.New("yaml: line 2: exceeded max depth of 10000"), wantLine: 2, wantMsg: "values nested too deeply (limit 32 levels)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := yamlSyntaxError("c.yaml", tt.err)
			want := &Error{File: "c.yaml", Line: tt.wantLine, Msg: tt.wantMsg}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("yamlSyntaxError() = %+v, want %+v", got, want)
			}
		})
	}
}
