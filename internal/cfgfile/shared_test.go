package cfgfile

import (
	"strings"
	"testing"
)

// unshared returns n with Shared cleared everywhere, for the tests of the
// tree's shape.
func unshared(n Node) Node {
	n.Shared = false
	if n.Items != nil {
		items := make([]Node, len(n.Items))
		for i, it := range n.Items {
			items[i] = unshared(it)
		}
		n.Items = items
	}
	if n.Fields != nil {
		fields := make([]Field, len(n.Fields))
		for i, f := range n.Fields {
			f.Value = unshared(f.Value)
			fields[i] = f
		}
		n.Fields = fields
	}
	return n
}

// sharedPaths lists the scalars of n marked Shared, as key paths.
func sharedPaths(n Node, path string, out *[]string) {
	if n.Shared {
		*out = append(*out, path)
	}
	for i, it := range n.Items {
		sharedPaths(it, path+"["+string(rune('0'+i))+"]", out)
	}
	for _, f := range n.Fields {
		sharedPaths(f.Value, path+"."+f.Key, out)
	}
}

// The outside attack ("Trust" issue): with "secret_key: &a S" and
// "log_level: *a", S was printed in LOG_LEVEL's error. Every scalar that
// is anchored, inside an anchored value, or a copy of one is Shared, so
// the loader never quotes it; the others are not.
func TestParseYAMLShared(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"secret_key: &a S\nlog_level: *a\nplain: x\n", ".secret_key .log_level"},
		{"log_level: &a S\nsecret_key: *a\n", ".log_level .secret_key"},
		{"base: &b {k: S, l: [x]}\nc: {<<: *b, m: y}\n", ".base.k .base.l[0] .c.k .c.l[0]"},
		{"l: [&k S, t]\nm: *k\n", ".l[0] .m"},
		{"a: 1\nb: [2]\nc: {d: 3}\n", ""},
	}
	for _, tt := range tests {
		n, err := Parse("c.yaml", []byte(tt.in))
		if err != nil {
			t.Fatalf("Parse(%q) error = %v", tt.in, err)
		}
		var got []string
		sharedPaths(n, "", &got)
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("Parse(%q) Shared scalars = %q, want %q", tt.in, g, tt.want)
		}
	}
	n, err := Parse("c.json", []byte(`{"a": "x", "b": ["y"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if sharedPaths(n, "", &got); len(got) != 0 {
		t.Errorf("JSON Shared scalars = %q, want none", got)
	}
}
