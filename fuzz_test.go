package prodready_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

var fuzzVars = []string{"S", "B", "I", "I8", "U16", "U64", "F32", "F64", "D", "SL", "SI", "SD", "M", "MI", "URLP", "URLV", "LEVEL", "TEXT", "PINT", "BYTES", "SEC", "SECS", "SURL", "MEM", "NEST_B"}

// FuzzDecode feeds arbitrary text to every kind of field through Load. Load
// must never panic, must fail only with a LoadError wrapping ErrInvalid or
// ErrMissing, and must never quote a secret field's value.
func FuzzDecode(f *testing.F) {
	for i, v := range []string{"", "1", "-1", "1.5", "NaN", "true", "10s", "-5s", "a,b", "a=1,b=2", "k:1;k:2", "http://u:p@h:1/x", "256MiB", "10%", "\x00", "\xff\xfe", strings.Repeat("9", 400), "INFO+2", "1e309"} {
		f.Add(uint8(i), v)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		name := fuzzVars[int(which)%len(fuzzVars)]
		o := opts(prodready.MapEnv{name: value}, nil)
		o.Decoders = pointDecoder
		var c allTypes
		err := prodready.Load(ctx, &c, o)
		if err == nil {
			return
		}
		var le *prodready.LoadError
		if !errors.As(err, &le) || !(errors.Is(err, prodready.ErrInvalid) || errors.Is(err, prodready.ErrMissing)) {
			t.Fatalf("Load(%s=%q) error = %v (%T), want a LoadError with a sentinel", name, value, err, err)
		}
		if (name == "SEC" || name == "SECS" || name == "SURL") && len(value) >= 8 && strings.Contains(err.Error(), value) {
			// A value the message holds anyway (SURL=postgres, in "such as
			// postgres://host/db") is not quoted: compare with the message
			// for another bad value.
			fixed := false
			for _, other := range []string{"x", "::", "\x01"} {
				ro := opts(prodready.MapEnv{name: other}, nil)
				ro.Decoders = pointDecoder
				if ref := prodready.Load(ctx, &c, ro); ref != nil && strings.Contains(ref.Error(), value) {
					fixed = true
				}
			}
			if !fixed {
				t.Fatalf("Load(%s=%q) error quotes the secret: %v", name, value, err)
			}
		}
	})
}

// FuzzConfigFile loads arbitrary bytes as a YAML or JSON config file and as
// a .env file. Load must never panic and must fail only with a LoadError.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"name: api\nport: 9000\n",
		"db:\n  host: h\n  port: 1\ntags: [a, b]\nlabels: {a: b}\n",
		`{"name": "x", "db": {"host": "h"}, "tags": ["a"]}`,
		"a: &a [*a]\n",
		"x: &x {a: *x}\n",
		"- 1\n- 2\n",
		"NAME=x\nexport PORT=1\nTOKEN='a'\n",
		"name: !!binary aGVsbG8=\n",
		"<<: {name: x}\n",
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		fsys := fstest.MapFS{}
		o := opts(nil, fsys)
		switch kind % 3 {
		case 0:
			fsys["c.yaml"] = &fstest.MapFile{Data: data}
			o.ConfigFiles = []string{"c.yaml"}
		case 1:
			fsys["c.json"] = &fstest.MapFile{Data: data}
			o.ConfigFiles = []string{"c.json"}
		case 2:
			fsys[".env"] = &fstest.MapFile{Data: data}
		}
		var c fileConfig
		err := prodready.Load(ctx, &c, o)
		if err == nil {
			return
		}
		var le *prodready.LoadError
		if !errors.As(err, &le) {
			t.Fatalf("Load() error = %v (%T), want a LoadError", err, err)
		}
	})
}
