package prodready_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
)

type upperText string

func (u *upperText) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return errors.New("want a non-empty word")
	}
	*u = upperText(strings.ToUpper(string(b)))
	return nil
}

type point struct{ X, Y int }

type allTypes struct {
	S     string               `env:"S"`
	B     bool                 `env:"B"`
	I     int                  `env:"I"`
	I8    int8                 `env:"I8"`
	I16   int16                `env:"I16"`
	I32   int32                `env:"I32"`
	I64   int64                `env:"I64"`
	U     uint                 `env:"U"`
	U8    uint8                `env:"U8"`
	U16   uint16               `env:"U16"`
	U32   uint32               `env:"U32"`
	U64   uint64               `env:"U64"`
	F32   float32              `env:"F32"`
	F64   float64              `env:"F64"`
	D     time.Duration        `env:"D"`
	SL    []string             `env:"SL"`
	SI    []int                `env:"SI" sep:";"`
	SD    []time.Duration      `env:"SD"`
	M     map[string]string    `env:"M"`
	MI    map[string]int       `env:"MI" sep:";" kvsep:":"`
	URLP  *url.URL             `env:"URLP"`
	URLV  url.URL              `env:"URLV"`
	Level slog.Level           `env:"LEVEL"`
	Text  upperText            `env:"TEXT"`
	Pt    point                `env:"POINT"`
	PI    *int                 `env:"PINT"`
	Bytes []byte               `env:"BYTES"`
	Sec   prodready.Secret     `env:"SEC"`
	Secs  []prodready.Secret   `env:"SECS"`
	SURL  prodready.SecretURL  `env:"SURL"`
	Mem   prodready.MemorySize `env:"MEM"`
	Nest  struct {
		A string `env:"A"`
		B int    `env:"B" default:"7"`
	} `prefix:"NEST_"`
	Flat struct {
		C string `env:"C" default:"c"`
	}
	Skip  string `env:"-"`
	NoTag string
	//lint:ignore U1000 unexported on purpose: the loader must skip it
	private string `env:"PRIVATE"`
}

var pointDecoder = map[reflect.Type]func(string) (any, error){
	reflect.TypeFor[point](): func(s string) (any, error) {
		var p point
		if _, err := fmt.Sscanf(s, "%d,%d", &p.X, &p.Y); err != nil {
			return nil, errors.New("want X,Y")
		}
		return p, nil
	},
}

func TestLoadTypes(t *testing.T) {
	t.Parallel()
	one := 1
	tests := []struct {
		name  string
		env   string // a variable
		value string
		check func(c *allTypes) any
		want  any
	}{
		{"string", "S", "hello world", func(c *allTypes) any { return c.S }, "hello world"},
		{"bool true", "B", "true", func(c *allTypes) any { return c.B }, true},
		{"bool yes", "B", "YES", func(c *allTypes) any { return c.B }, true},
		{"bool 0", "B", "0", func(c *allTypes) any { return c.B }, false},
		{"int", "I", "-42", func(c *allTypes) any { return c.I }, -42},
		{"int spaces", "I", " 42 ", func(c *allTypes) any { return c.I }, 42},
		{"int8 max", "I8", "127", func(c *allTypes) any { return c.I8 }, int8(127)},
		{"int16 min", "I16", "-32768", func(c *allTypes) any { return c.I16 }, int16(-32768)},
		{"int32", "I32", "2147483647", func(c *allTypes) any { return c.I32 }, int32(2147483647)},
		{"int64", "I64", "-9223372036854775808", func(c *allTypes) any { return c.I64 }, int64(-9223372036854775808)},
		{"uint", "U", "7", func(c *allTypes) any { return c.U }, uint(7)},
		{"uint8", "U8", "255", func(c *allTypes) any { return c.U8 }, uint8(255)},
		{"uint16", "U16", "65535", func(c *allTypes) any { return c.U16 }, uint16(65535)},
		{"uint32", "U32", "4294967295", func(c *allTypes) any { return c.U32 }, uint32(4294967295)},
		{"uint64", "U64", "18446744073709551615", func(c *allTypes) any { return c.U64 }, uint64(18446744073709551615)},
		{"float32", "F32", "0.5", func(c *allTypes) any { return c.F32 }, float32(0.5)},
		{"float64", "F64", "-1e3", func(c *allTypes) any { return c.F64 }, -1000.0},
		{"duration", "D", "1h30m", func(c *allTypes) any { return c.D }, 90 * time.Minute},
		{"slice", "SL", "a, b ,c", func(c *allTypes) any { return c.SL }, []string{"a", "b", "c"}},
		{"slice empty", "SL", " ", func(c *allTypes) any { return c.SL }, []string(nil)},
		{"int slice custom sep", "SI", "1;2;3", func(c *allTypes) any { return c.SI }, []int{1, 2, 3}},
		{"duration slice", "SD", "1s,2m", func(c *allTypes) any { return c.SD }, []time.Duration{time.Second, 2 * time.Minute}},
		{"map", "M", "a=1,b = x=y", func(c *allTypes) any { return c.M }, map[string]string{"a": "1", "b": "x=y"}},
		{"int map custom seps", "MI", "a:1;b:2", func(c *allTypes) any { return c.MI }, map[string]int{"a": 1, "b": 2}},
		{"url pointer", "URLP", "https://example.com/x?y=1", func(c *allTypes) any { return c.URLP.String() }, "https://example.com/x?y=1"},
		{"url value", "URLV", "https://example.com/", func(c *allTypes) any { return c.URLV.Host }, "example.com"},
		{"slog level", "LEVEL", "warn", func(c *allTypes) any { return c.Level }, slog.LevelWarn},
		{"slog level offset", "LEVEL", "INFO+2", func(c *allTypes) any { return c.Level }, slog.LevelInfo + 2},
		{"text unmarshaler", "TEXT", "abc", func(c *allTypes) any { return c.Text }, upperText("ABC")},
		{"registered decoder", "POINT", "3,4", func(c *allTypes) any { return c.Pt }, point{3, 4}},
		{"pointer", "PINT", "1", func(c *allTypes) any { return *c.PI }, one},
		{"bytes", "BYTES", "raw", func(c *allTypes) any { return string(c.Bytes) }, "raw"},
		{"secret", "SEC", "hunter2", func(c *allTypes) any { return c.Sec.Reveal() }, "hunter2"},
		{"secret slice", "SECS", "k1,k2", func(c *allTypes) any { return []string{c.Secs[0].Reveal(), c.Secs[1].Reveal()} }, []string{"k1", "k2"}},
		{"secret url", "SURL", "redis://:pw@127.0.0.1:6379/0", func(c *allTypes) any { return c.SURL.Reveal() }, "redis://:pw@127.0.0.1:6379/0"},
		{"memory bytes", "MEM", "256MiB", func(c *allTypes) any { return c.Mem.Bytes }, int64(256 << 20)},
		{"memory percent", "MEM", "10%", func(c *allTypes) any { return c.Mem }, prodready.MemorySize{Bytes: (1 << 30) / 10, Percent: 10}},
		{"nested with prefix", "NEST_A", "x", func(c *allTypes) any { return c.Nest.A }, "x"},
		{"nested default", "S", "", func(c *allTypes) any { return c.Nest.B }, 7},
		{"nested without prefix", "C", "cc", func(c *allTypes) any { return c.Flat.C }, "cc"},
		{"skipped field", "SKIP", "x", func(c *allTypes) any { return c.Skip }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(prodready.MapEnv{tt.env: tt.value}, nil)
			o.Decoders = pointDecoder
			var c allTypes
			if err := prodready.Load(ctx, &c, o); err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if got := tt.check(&c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load() %s=%q gave %#v, want %#v", tt.env, tt.value, got, tt.want)
			}
		})
	}
}

func TestLoadInvalidValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env, value string
		want       string // a fragment of the message
	}{
		{"B", "maybe", "want true or false"},
		{"I", "12abc", "whole number"},
		{"I", "1.5", "whole number"},
		{"I8", "128", "out of range"},
		{"I8", "-129", "out of range"},
		{"I16", "40000", "from -32768 to 32767"},
		{"I32", "99999999999", "out of range"},
		{"I64", "9223372036854775808", "out of range"},
		// A 64-bit bound is given one-sided: "from -9223372036854775808"
		// invited a negative page size (a new user's report, round six).
		{"I", "99999999999999999999", "out of range; want a whole number of at most 9223372036854775807"},
		{"I", "-99999999999999999999", "out of range; want a whole number of at least -9223372036854775808"},
		{"U", "-1", "negative"},
		{"U8", "256", "from 0 to 255"},
		{"U16", "65536", "out of range"},
		{"U32", "4294967296", "out of range"},
		{"U64", "18446744073709551616", "out of range"},
		{"F32", "1e39", "out of range"},
		{"F64", "NaN", "finite"},
		{"F64", "Inf", "finite"},
		{"F64", "-inf", "finite"},
		{"F64", "abc", "want a number"},
		{"D", "10", "no unit"},
		{"D", "1y", "want a duration"},
		{"D", "5 minutes", "want a duration"},
		{"D", "9999999999h", "want a duration"},
		{"SI", "1;x;3", "item 2"},
		{"SI", "1;;3", "item 2 is empty"},
		{"M", "novalue", `no "="`},
		{"M", "=v", "empty key"},
		{"M", "a=1,a=2", "repeats a key"},
		{"MI", "a:x", "entry 1 value"},
		{"URLP", "http://[::1", "IPv6"},
		{"URLP", "http://h:99999999999/", "port"},
		{"LEVEL", "verbose", "want a log level"},
		{"TEXT", "", ""}, // empty values are unset: not an error
		{"POINT", "3", "want X,Y"},
		{"PINT", "x", "whole number"},
		{"SURL", "not a url", "scheme"},
		{"MEM", "lots", "memory size"},
		{"MEM", "-5MiB", "memory size"},
		{"MEM", "150%", "memory size"},
		{"NEST_B", "seven", "whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			o := opts(prodready.MapEnv{tt.env: tt.value}, nil)
			o.Decoders = pointDecoder
			var c allTypes
			err := prodready.Load(ctx, &c, o)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load() error = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, prodready.ErrInvalid) {
				t.Fatalf("Load() error = %v, want ErrInvalid", err)
			}
			fes := fieldErrors(t, err)
			if len(fes) != 1 || fes[0].Key != tt.env {
				t.Fatalf("Load() errors = %v, want one for %s", err, tt.env)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("Load() error = %q, want it to contain %q", msg, tt.want)
			}
			if !strings.HasPrefix(msg, "prodready: "+tt.env+": ") {
				t.Errorf("Load() error = %q, want it to start with the variable", msg)
			}
			if fes[0].Origin.Source != prodready.SourceEnv {
				t.Errorf("Origin = %v, want env", fes[0].Origin)
			}
		})
	}
}

func TestLoadInvalidValueIsQuotedAndTruncated(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1<<20)
	var c allTypes
	o := opts(prodready.MapEnv{"I": long, "URLV": "http://u:" + canary + "@[bad"}, nil)
	o.Decoders = pointDecoder
	err := prodready.Load(ctx, &c, o)
	msg := err.Error()
	if strings.Contains(msg, strings.Repeat("x", 65)) || !strings.Contains(msg, "(1048576 bytes)") {
		t.Errorf("Load() error does not truncate a 1 MiB value to 64 bytes: %.300s", msg)
	}
	if strings.Contains(msg, canary) {
		t.Errorf("Load() error quotes a URL password: %s", msg)
	}
}

// The sources, lowest precedence first, each able to set X to its own name.
type precedenceCase struct {
	name   string
	source prodready.Source
	set    func(env prodready.MapEnv, fsys fstest.MapFS, o *prodready.Options)
}

var sources = []precedenceCase{
	{"default", prodready.SourceDefault, func(prodready.MapEnv, fstest.MapFS, *prodready.Options) {}},
	{"profile", prodready.SourceProfile, func(_ prodready.MapEnv, _ fstest.MapFS, o *prodready.Options) {
		o.Profile = prodready.Development.Derive("custom", map[string]string{"X": "profile"})
	}},
	{"file", prodready.SourceFile, func(_ prodready.MapEnv, fsys fstest.MapFS, o *prodready.Options) {
		fsys["config.yaml"] = &fstest.MapFile{Data: []byte("# comment\nx: file\n")}
		o.ConfigFiles = []string{"config.yaml"}
	}},
	{"dotenv", prodready.SourceDotEnv, func(_ prodready.MapEnv, fsys fstest.MapFS, _ *prodready.Options) {
		fsys[".env"] = &fstest.MapFile{Data: []byte("X=dotenv\n")}
	}},
	{"env", prodready.SourceEnv, func(env prodready.MapEnv, _ fstest.MapFS, _ *prodready.Options) { env["X"] = "env" }},
	{"override", prodready.SourceOverride, func(_ prodready.MapEnv, _ fstest.MapFS, o *prodready.Options) {
		o.Overrides = map[string]string{"X": "override"}
	}},
}

type xConfig struct {
	X string `env:"X" default:"default"`
}

func TestPrecedenceEveryPair(t *testing.T) {
	t.Parallel()
	for i, lo := range sources {
		for _, hi := range sources[i+1:] {
			t.Run(lo.name+"<"+hi.name, func(t *testing.T) {
				t.Parallel()
				env, fsys := prodready.MapEnv{}, fstest.MapFS{}
				o := opts(env, fsys)
				lo.set(env, fsys, o)
				hi.set(env, fsys, o)
				var c xConfig
				rep, err := prodready.LoadWithReport(ctx, &c, o)
				if err != nil {
					t.Fatalf("Load() error = %v", err)
				}
				if c.X != hi.name {
					t.Errorf("X = %q, want %q (from %s over %s)", c.X, hi.name, hi.name, lo.name)
				}
				v, _ := rep.Var("X")
				if v.Origin.Source != hi.source {
					t.Errorf("origin = %v, want source %v", v.Origin, hi.source)
				}
			})
		}
	}
}

func TestOriginStrings(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"config.yaml":       {Data: []byte("a: 1\n\nb: 2\n")},
		".env":              {Data: []byte("# x\nC=3\n")},
		"run/secrets/d_key": {Data: []byte("4\n"), Mode: 0o400},
	}
	env := prodready.MapEnv{"E": "5"}
	o := opts(env, fsys)
	o.ConfigFiles = []string{"config.yaml"}
	o.Overrides = map[string]string{"F": "6"}
	o.Profile = prodready.Development.Derive("staging", map[string]string{"G": "7"})
	var cfg struct {
		A string `env:"A"`
		B string `env:"B"`
		C string `env:"C"`
		D string `env:"D_KEY"`
		E string `env:"E"`
		F string `env:"F"`
		G string `env:"G"`
		H string `env:"H" default:"8"`
		I string `env:"I"`
	}
	env["D_KEY_FILE"] = "/run/secrets/d_key"
	rep, err := prodready.LoadWithReport(ctx, &cfg, o)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	want := map[string]string{
		"A": "config.yaml:1", "B": "config.yaml:3", "C": ".env:2",
		"D_KEY": "D_KEY_FILE /run/secrets/d_key", "E": "env", "F": "override",
		"G": "profile staging", "H": "default", "I": "unset",
	}
	for name, w := range want {
		v, ok := rep.Var(name)
		if !ok {
			t.Fatalf("Report has no %s", name)
		}
		if got := v.Origin.String(); got != w {
			t.Errorf("%s origin = %q, want %q", name, got, w)
		}
	}
	if cfg.D != "4" {
		t.Errorf("D_KEY from file = %q, want %q (trailing newline trimmed)", cfg.D, "4")
	}
}

// TestLongVariableNamesDoNotPanic checks the misspelling scan with
// names longer than 64 bytes.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): such a name panicked in the scan.
func TestLongVariableNamesDoNotPanic(t *testing.T) {
	t.Parallel()
	name := strings.Repeat("A", 64)
	var c struct {
		X string `env:"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"`
	}
	for _, n := range []string{name, name[:63], name + "B", strings.Repeat("A", 200)} {
		rep, err := prodready.LoadWithReport(ctx, &c, opts(prodready.MapEnv{n: "1"}, nil))
		if err != nil || rep == nil {
			t.Errorf("Load() with a %d-byte name = %v", len(n), err)
		}
	}
}
