package cfgfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// fuzzSeeds are inputs from the tests, parsed both as YAML and as JSON.
var fuzzSeeds = []string{
	"",
	"a: 1\n",
	"s: hello\ni: 42\nf: 1.5\nb: true\nd: 10m\nq: \"a \\\"b\\\"\"\nt: 2001-12-14\nbin: !!binary aGVsbG8=\nstr: !!str 42\nlt: <<\n",
	"a: ~\nb: null\nc:\nd: !!null\ne: \"null\"\n",
	"l:\n  - 1\n  - two\n  - [3, 4]\n  -\n  - k: v\nempty: []\n",
	"# comment\n\nserver:\n  http:\n    port: 8080\n  tls: {cert: a.pem, key: b.pem}\nempty: {}\n",
	"lit: |\n  line1\n  line2\nfold: >\n  a\n  b\nafter: x\n",
	"base: &b\n  x: 1\n  y: [a]\ncopy: *b\ns: &s hello\nt: *s\nl: [*s, *b]\n",
	"k: &name port\nm:\n  *name : 80\n",
	"base: &base\n  a: 1\n  b: 2\nprod:\n  x: 0\n  <<: *base\n  b: 3\n",
	"a: &a {k: a1, only_a: 1}\nb: &b {k: b1, only_b: 2, e: b}\nc:\n  e: c\n  <<: [*a, *b]\n",
	"a: &a {<<: {x: 1}, y: 2}\nb:\n  <<: *a\n",
	"\ufeffa: 1\r\nb: 2\r\n",
	"# c\n---\na: 1\n...\n",
	"a: 1\n---\nb: 2\n",
	"a: !foo x\nb: !!set {x}\nc: !!map x\n",
	"%TAG !! tag:example.com,2000:\n---\na: !!str x\n",
	"a: &x [1, *x]\n",
	"a:\n  <<: &s [{<<: *s}]\n",
	"a: *nope\n",
	"1: a\n\"1\": b\n",
	"? [x, y]\n: 2\n",
	"a: 1\nb: 2\n- c\n",
	"a:\n\tb: 1\n",
	"a: \"x\\/\"\n",
	"a: \x01\n",
	"a: \u0085b\u2028c\n",
	"- a\n",
	// Small versions of billionLaughs and mergeBomb: the full ones take
	// milliseconds each, which slows fuzzing down.
	"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n",
	"a: &a {a0: 0}\nb: &b {b0: *a, b1: *a}\nd: &d {<<: [*b, *b], x: 1}\ne: {<<: *d, e0: *d}\n",
	// Small inputs nested more than MaxDepth levels deep.
	"a: " + strings.Repeat("[", MaxDepth) + "]",
	`{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "}",
	"{\n  \"name\": \"svc\",\n  \"db\": {\"pool\": [1, 2.5e3,\n true, null]},\n  \"empty\": {}\n}\n",
	`{"url": "http:\/\/x", "emoji": "\ud83d\ude00", "nul": "a\u0000b", "\u0041": "key"}`,
	`{"a": 1e400, "b": -0, "c": 12345678901234567890123}`,
	"{\"a\"\n: 1, \"a\": 2}",
	"{\n  \"a\": [1,\n\n",
	"[1]",
	"\ufeff{}",
}

// knownMessages are the complete messages Parse may return.
var knownMessages = map[string]bool{
	"file contains a NUL byte":                                                         true,
	"file is not valid UTF-8":                                                          true,
	"file contains a control character, which YAML does not allow":                     true,
	"multiple documents in one file; a configuration file must hold a single document": true,
	"file is empty; a JSON configuration file must hold an object":                     true,
	msgBadTag:                              true,
	msgUnknownAnchor:                       true,
	msgSyntax:                              true,
	msgSyntax + " (internal parser error)": true,
	msgJSONSyntax:                          true,
	msgJSONSyntax + ": unexpected end of file":             true,
	"alias refers to a value that contains it":             true,
	`merge key "<<" must refer to a map or a list of maps`: true,
	"values nested too deeply (limit 32 levels)":           true,
	"too many values (limit 100000)":                       true,
	"too many values after alias expansion (limit 100000)": true,
}

// knownPatterns match the messages of Parse that have variable parts.
var knownPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^file is [0-9]+ bytes, larger than the 1 MiB limit$`),
	regexp.MustCompile(`^top level must be a map, not (a list|a scalar|null)$`),
	regexp.MustCompile(`^top level must be an object, not (an array|a string|a number|a boolean|null)$`),
	regexp.MustCompile(`^map key must be a scalar, not (a map|a list)$`),
	// A key is quoted when it looks like a name, else described: a
	// secret pasted as a key is never shown (redact.Key).
	regexp.MustCompile(`^duplicate key "[A-Za-z0-9_.<-]{0,64}" \(first on line [1-9][0-9]*\)$`),
	regexp.MustCompile(`^duplicate key of [0-9]+ bytes \(not shown: it does not look like a name\) \(first on line [1-9][0-9]*\)$`),
}

// knownMessage reports whether msg is one Parse is meant to produce, which
// guarantees it quotes no value.
func knownMessage(msg string) bool {
	if knownMessages[msg] {
		return true
	}
	if p, ok := strings.CutPrefix(msg, msgSyntax+": "); ok {
		return scannerProblems[p] || parserProblems[p]
	}
	for _, re := range knownPatterns {
		if re.MatchString(msg) {
			return true
		}
	}
	return false
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"f.yaml", "f.json"} {
			n, err := Parse(name, data)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Parse(%q) error = %#v, want an *Error", name, err)
				}
				if e.File != name || e.Line < 0 {
					t.Errorf("Parse(%q) error = %+v, want File %q and Line >= 0", name, e, name)
				}
				if !knownMessage(e.Msg) {
					t.Errorf("Parse(%q) error message = %q, want a known message", name, e.Msg)
				}
				if !reflect.DeepEqual(n, Node{}) {
					t.Errorf("Parse(%q) node = %+v on error, want the zero Node", name, n)
				}
				continue
			}
			if n.Kind != Map {
				t.Fatalf("Parse(%q) root Kind = %v, want map", name, n.Kind)
			}
			if n.Line == 0 && (len(n.Fields) > 0 || name != "f.yaml") {
				t.Errorf("Parse(%q) root = %+v, want Line >= 1 unless an empty YAML document", name, n)
			}
			maxLine := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) +
				bytes.Count(data, []byte("\u0085")) + bytes.Count(data, []byte("\u2028")) + bytes.Count(data, []byte("\u2029")) + 1
			nodes := 0
			checkNode(t, n, 1, maxLine, &nodes, n.Line == 0)
			if nodes > MaxNodes {
				t.Errorf("Parse(%q) produced %d nodes, want <= %d", name, nodes, MaxNodes)
			}
			if name == "f.json" {
				checkJSON(t, data, n)
			}
		}
	})
}

// checkNode checks the invariants of n, found at depth, and counts its
// nodes into *nodes. emptyRoot allows Line 0 for n.
func checkNode(t *testing.T, n Node, depth, maxLine int, nodes *int, emptyRoot bool) {
	t.Helper()
	*nodes++
	if depth > MaxDepth {
		t.Fatalf("node at depth %d, want <= %d", depth, MaxDepth)
	}
	if (n.Line < 1 && !emptyRoot) || n.Line > maxLine {
		t.Errorf("node %+v has Line %d, want 1..%d", n, n.Line, maxLine)
	}
	switch n.Kind {
	case Null:
		if n.Value != "" || n.Items != nil || n.Fields != nil {
			t.Errorf("null node %+v has contents", n)
		}
	case Scalar:
		if n.Items != nil || n.Fields != nil {
			t.Errorf("scalar node %+v has items or fields", n)
		}
	case List:
		if n.Value != "" || n.Fields != nil {
			t.Errorf("list node %+v has a value or fields", n)
		}
		for _, it := range n.Items {
			checkNode(t, it, depth+1, maxLine, nodes, false)
		}
	case Map:
		if n.Value != "" || n.Items != nil {
			t.Errorf("map node %+v has a value or items", n)
		}
		seen := make(map[string]bool)
		for _, f := range n.Fields {
			if seen[f.Key] {
				t.Errorf("map node has key %q twice", f.Key)
			}
			seen[f.Key] = true
			if f.Line < 1 || f.Line > maxLine {
				t.Errorf("field %q has Line %d, want 1..%d", f.Key, f.Line, maxLine)
			}
			checkNode(t, f.Value, depth+1, maxLine, nodes, false)
		}
	default:
		t.Errorf("node %+v has unknown Kind", n)
	}
}

// checkJSON checks that n, parsed from the JSON text data, holds the same
// values as encoding/json reads.
func checkJSON(t *testing.T, data []byte, n Node) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("Parse() accepted JSON that encoding/json rejects: %v", err)
	}
	if got, want := nodeText(n), jsonText(v); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse() = %#v, want %#v as read by encoding/json", got, want)
	}
}

// nodeText converts n to nil, string, []any and map[string]any.
func nodeText(n Node) any {
	switch n.Kind {
	case Scalar:
		return n.Value
	case List:
		l := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			l = append(l, nodeText(it))
		}
		return l
	case Map:
		m := make(map[string]any, len(n.Fields))
		for _, f := range n.Fields {
			m[f.Key] = nodeText(f.Value)
		}
		return m
	}
	return nil
}

// jsonText converts a value decoded by encoding/json the way nodeText
// converts a Node.
func jsonText(v any) any {
	switch v := v.(type) {
	case bool:
		if v {
			return "true"
		}
		return "false"
	case json.Number:
		return string(v)
	case string:
		return v
	case []any:
		l := make([]any, 0, len(v))
		for _, it := range v {
			l = append(l, jsonText(it))
		}
		return l
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, it := range v {
			m[k] = jsonText(it)
		}
		return m
	}
	return nil
}
