package prodready_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

type upstream struct {
	Host    string              `env:"HOST" required:"true"`
	Port    int                 `env:"PORT" default:"80"`
	Token   prodready.Secret    `env:"TOKEN"`
	Weights []int               `env:"WEIGHTS"`
	DSN     prodready.SecretURL `env:"DSN"`
}

type groupConfig struct {
	Name      string              `env:"NAME" default:"svc"`
	Host      string              `env:"UPSTREAM_HOST"` // in the group's namespace, but no element's
	Upstreams []upstream          `prefix:"UPSTREAM_"`
	Pools     map[string]upstream `prefix:"POOL_"`
}

const groupCanary = "CANARY-group-8e2b4c6a1d3f5079-do-not-leak"

// A []Struct or map[string]Struct field with a prefix tag was silently left
// empty (Trust issue). Its elements load from PREFIX_<index>_FIELD and
// PREFIX_<KEY>_FIELD variables and from config files' lists and maps, each
// element field with a field's precedence, default, requirement and origin.
func TestGroupsLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		env       prodready.MapEnv
		overrides map[string]string
		files     fstest.MapFS
		want      groupConfig
		origins   map[string]string // variable -> origin, from the report
	}{
		{
			name:    "list from the environment",
			env:     prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_1_HOST": "b", "UPSTREAM_1_PORT": "81", "UPSTREAM_1_WEIGHTS": "1,2"},
			want:    groupConfig{Name: "svc", Upstreams: []upstream{{Host: "a", Port: 80}, {Host: "b", Port: 81, Weights: []int{1, 2}}}},
			origins: map[string]string{"UPSTREAM_0_HOST": "env", "UPSTREAM_0_PORT": "default", "UPSTREAM_1_PORT": "env"},
		},
		{
			name:    "map from the environment, keys with underscores",
			env:     prodready.MapEnv{"POOL_PRIMARY_HOST": "p", "POOL_EU_WEST_HOST": "e", "POOL_EU_WEST_PORT": "8080"},
			want:    groupConfig{Name: "svc", Pools: map[string]upstream{"primary": {Host: "p", Port: 80}, "eu_west": {Host: "e", Port: 8080}}},
			origins: map[string]string{"POOL_EU_WEST_PORT": "env", "POOL_PRIMARY_PORT": "default"},
		},
		{
			name:    "list from a config file, one field overridden by the environment",
			env:     prodready.MapEnv{"UPSTREAM_1_PORT": "90"},
			files:   fstest.MapFS{"c.yaml": {Data: []byte("upstream:\n  - host: a\n  - host: b\n    port: 82\n")}},
			want:    groupConfig{Name: "svc", Upstreams: []upstream{{Host: "a", Port: 80}, {Host: "b", Port: 90}}},
			origins: map[string]string{"UPSTREAM_0_HOST": "c.yaml:2", "UPSTREAM_1_HOST": "c.yaml:3", "UPSTREAM_1_PORT": "env"},
		},
		{
			name:  "file list extended by the environment",
			env:   prodready.MapEnv{"UPSTREAM_1_HOST": "b"},
			files: fstest.MapFS{"c.yaml": {Data: []byte("upstream:\n  - host: a\n")}},
			want:  groupConfig{Name: "svc", Upstreams: []upstream{{Host: "a", Port: 80}, {Host: "b", Port: 80}}},
		},
		{
			name:    "map from a JSON file merged with the environment, keys without regard to case",
			env:     prodready.MapEnv{"POOL_PRIMARY_PORT": "5"},
			files:   fstest.MapFS{"c.json": {Data: []byte(`{"pool": {"Primary": {"host": "p"}, "b": {"host": "q", "weights": [3, 4]}}}`)}},
			want:    groupConfig{Name: "svc", Pools: map[string]upstream{"primary": {Host: "p", Port: 5}, "b": {Host: "q", Port: 80, Weights: []int{3, 4}}}},
			origins: map[string]string{"POOL_PRIMARY_PORT": "env", "POOL_PRIMARY_HOST": "c.json:1", "POOL_B_WEIGHTS": "c.json:1"},
		},
		{
			name:      "overrides name elements",
			env:       prodready.MapEnv{"UPSTREAM_0_HOST": "a"},
			overrides: map[string]string{"UPSTREAM_0_HOST": "o", "POOL_X_HOST": "x"},
			want:      groupConfig{Name: "svc", Upstreams: []upstream{{Host: "o", Port: 80}}, Pools: map[string]upstream{"x": {Host: "x", Port: 80}}},
			origins:   map[string]string{"UPSTREAM_0_HOST": "override"},
		},
		{
			name:    "secret element field from NAME_FILE",
			env:     prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_0_TOKEN_FILE": "run/token"},
			files:   fstest.MapFS{"run/token": {Data: []byte(groupCanary + "\n"), Mode: 0o600}},
			want:    groupConfig{Name: "svc", Upstreams: []upstream{{Host: "a", Port: 80, Token: prodready.NewSecret(groupCanary)}}},
			origins: map[string]string{"UPSTREAM_0_TOKEN": "UPSTREAM_0_TOKEN_FILE run/token"},
		},
		{
			name:    "secret URL element shows without its password",
			env:     prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_0_DSN": "postgres://app:" + groupCanary + "@db.internal/app"},
			origins: map[string]string{"UPSTREAM_0_DSN": "env"},
		},
		{
			name:    "element variables from .env",
			files:   fstest.MapFS{".env": {Data: []byte("UPSTREAM_0_HOST=d\n")}},
			want:    groupConfig{Name: "svc", Upstreams: []upstream{{Host: "d", Port: 80}}},
			origins: map[string]string{"UPSTREAM_0_HOST": ".env:1"},
		},
		{
			name: "an empty element variable makes no element",
			env:  prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_3_HOST": "", "POOL_X_HOST": ""},
			want: groupConfig{Name: "svc", Upstreams: []upstream{{Host: "a", Port: 80}}},
		},
		{
			name: "nothing set leaves the groups empty",
			want: groupConfig{Name: "svc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, tt.files)
			o.Overrides = tt.overrides
			for name := range tt.files {
				if strings.HasPrefix(name, "c.") {
					o.ConfigFiles = append(o.ConfigFiles, name)
				}
			}
			var got groupConfig
			rep, err := prodready.LoadWithReport(ctx, &got, o)
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if tt.want.Name != "" && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load() = %+v, want %+v", got, tt.want)
			}
			for name, want := range tt.origins {
				v, ok := rep.Var(name)
				if !ok {
					t.Errorf("report has no %s", name)
					continue
				}
				if v.Origin.String() != want {
					t.Errorf("%s origin = %s, want %s", name, v.Origin, want)
				}
			}
			for _, f := range rep.Findings {
				if f.ID == "PR-W050" || f.ID == "PR-E007" {
					t.Errorf("finding %s %s: %s: element variables reported as unknown", f.ID, f.Key, f.Message)
				}
			}
			out := findingsText(rep)
			for _, v := range rep.Vars {
				out += v.Name + "=" + v.Value + "\n"
				if v.Name == "UPSTREAM_0_DSN" && tt.env["UPSTREAM_0_DSN"] != "" && v.Value != "postgres://app:[redacted]@db.internal/app" {
					t.Errorf("UPSTREAM_0_DSN = %q, want the URL with its password redacted", v.Value)
				}
			}
			assertNoCanary(t, groupCanary, "report", out)
		})
	}
}

// Bad element variables and files are errors naming the variable.
func TestGroupsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     prodready.MapEnv
		files   fstest.MapFS
		key     string
		field   string
		want    string
		wantErr error
	}{
		{"gap in the indexes", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_2_HOST": "c"}, nil, "UPSTREAM_2_HOST", "Upstreams", "indexes run from 0 without gaps", prodready.ErrInvalid},
		{"list not starting at 0", prodready.MapEnv{"UPSTREAM_1_HOST": "a"}, nil, "UPSTREAM_1_HOST", "Upstreams", "no variable or config file item gives element 0", prodready.ErrInvalid},
		{"non-numeric index", prodready.MapEnv{"UPSTREAM_X_HOST": "a"}, nil, "UPSTREAM_X_HOST", "Upstreams", `not "X"`, prodready.ErrInvalid},
		{"leading zero", prodready.MapEnv{"UPSTREAM_01_HOST": "a"}, nil, "UPSTREAM_01_HOST", "Upstreams", "without leading zeros", prodready.ErrInvalid},
		{"huge index", prodready.MapEnv{"UPSTREAM_99999999999_HOST": "a"}, nil, "UPSTREAM_99999999999_HOST", "Upstreams", "from 0 to 999999", prodready.ErrInvalid},
		{"required per element", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_1_PORT": "1"}, nil, "UPSTREAM_1_HOST", "Upstreams[1].Host", "required, not set", prodready.ErrMissing},
		{"required per map element", prodready.MapEnv{"POOL_A_PORT": "1"}, nil, "POOL_A_HOST", `Pools["a"].Host`, "required, not set", prodready.ErrMissing},
		{"invalid element value", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_0_PORT": "0x50"}, nil, "UPSTREAM_0_PORT", "Upstreams[0].Port", "decimal only", prodready.ErrInvalid},
		{"secret element value and file both set", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_0_TOKEN": groupCanary, "UPSTREAM_0_TOKEN_FILE": "t"}, fstest.MapFS{"t": {Data: []byte(groupCanary)}}, "UPSTREAM_0_TOKEN", "Upstreams[0].Token", "both", prodready.ErrInvalid},
		{"secret element with white space", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_0_TOKEN": groupCanary + " "}, nil, "UPSTREAM_0_TOKEN", "Upstreams[0].Token", "white space", prodready.ErrInvalid},
		{"list group given a map", nil, fstest.MapFS{"c.yaml": {Data: []byte("upstream:\n  a:\n    host: x\n")}}, "UPSTREAM_", "Upstreams", "want a list of maps", prodready.ErrInvalid},
		{"map group given a list", nil, fstest.MapFS{"c.yaml": {Data: []byte("pool:\n  - host: x\n")}}, "POOL_", "Pools", "want a map of maps", prodready.ErrInvalid},
		{"element given a scalar", nil, fstest.MapFS{"c.yaml": {Data: []byte("upstream:\n  - x\n")}}, "UPSTREAM_", "Upstreams", "want a map of its fields", prodready.ErrInvalid},
		{"unknown element key in a file", nil, fstest.MapFS{"c.yaml": {Data: []byte("upstream:\n  - hots: x\n")}}, "", "", `unknown key "hots"`, prodready.ErrInvalid},
		{"element key twice in a file", nil, fstest.MapFS{"c.yaml": {Data: []byte("pool:\n  a:\n    host: x\n  A:\n    host: y\n")}}, "POOL_", "Pools", `key "A" twice`, prodready.ErrInvalid},
		{"control character in a file key", nil, fstest.MapFS{"c.yaml": {Data: []byte("pool:\n  \"a\\x1bb\":\n    host: x\n")}}, "POOL_", "Pools", `the key "a\x1bb"`, prodready.ErrInvalid},
		{"control character in a variable's key", prodready.MapEnv{"POOL_a\x1b_HOST": "x"}, nil, `"POOL_a\x1b_HOST"`, "Pools", `the key "a\x1b"`, prodready.ErrInvalid},
		{"map key spelled two ways", prodready.MapEnv{"POOL_Ab_HOST": "x", "POOL_AB_PORT": "1"}, nil, "POOL_Ab_HOST", "Pools", "spelled", prodready.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, tt.files)
			if _, ok := tt.files["c.yaml"]; ok {
				o.ConfigFiles = []string{"c.yaml"}
			}
			var c groupConfig
			err := prodready.Load(ctx, &c, o)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Load() error = %v, want %v", err, tt.wantErr)
			}
			assertNoCanary(t, groupCanary, "error", err.Error())
			for _, fe := range fieldErrors(t, err) {
				if fe.Key == tt.key && fe.Field == tt.field && strings.Contains(fe.Error(), tt.want) {
					return
				}
			}
			t.Errorf("Load() error = %v, want a FieldError for %s (%s) containing %q", err, tt.key, tt.field, tt.want)
		})
	}
}

// Element variables are not unknown variables; a misspelt one is, with the
// element variable it misspells suggested.
func TestGroupsMisspellingScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		prefix string
		env    prodready.MapEnv
		want   map[string]string // unknown variable -> suggestion; nil for none
	}{
		{"elements are known", "", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_1_HOST": "b", "POOL_EU_WEST_HOST": "c"}, nil},
		{"elements are known with a prefix", "APP_", prodready.MapEnv{"APP_UPSTREAM_0_HOST": "a", "APP_POOL_EU_HOST_FILE": ""}, nil},
		{"misspelt element field", "APP_", prodready.MapEnv{"APP_UPSTREAM_0_HOST": "a", "APP_UPSTREAM_0_PROT": "1"}, map[string]string{"APP_UPSTREAM_0_PROT": "APP_UPSTREAM_0_PORT"}},
		{"misspelt element field without a prefix", "", prodready.MapEnv{"UPSTREAM_0_HOST": "a", "POOL_EU_HOTS": "b"}, map[string]string{"POOL_EU_HOTS": "POOL_EU_HOST"}},
		{"misspelt group prefix", "", prodready.MapEnv{"UPSTRAEM_1_PORT": "1", "POLO_EU_WEST_HOST": "b"}, map[string]string{"UPSTRAEM_1_PORT": "UPSTREAM_1_PORT", "POLO_EU_WEST_HOST": "POOL_EU_WEST_HOST"}},
		{"misspelt group prefix with a prefix", "APP_", prodready.MapEnv{"APP_UPSTEAM_0_HOST": "a"}, map[string]string{"APP_UPSTEAM_0_HOST": "APP_UPSTREAM_0_HOST"}},
		{"other variables are not element misspellings", "", prodready.MapEnv{"DB_0_HOST": "a", "HOME": "/root", "PATH": "/bin"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, nil)
			o.Prefix = tt.prefix
			var c groupConfig
			rep, _ := prodready.LoadWithReport(ctx, &c, o)
			got := map[string]string{}
			for _, f := range rep.Findings {
				if f.ID == "PR-W050" {
					got[f.Key] = f.Hint
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("unknown variables = %v, want %v", got, tt.want)
			}
			for k, s := range tt.want {
				if !strings.Contains(got[k], s) {
					t.Errorf("%s: hint = %q, want it to suggest %s", k, got[k], s)
				}
			}
		})
	}
}

// An environment that cannot list its names (a LookupFunc) still finds a
// list's elements, by index; a map's keys it cannot find, which is an error
// rather than an empty map.
func TestGroupsLookupFunc(t *testing.T) {
	t.Parallel()
	m := prodready.MapEnv{"UPSTREAM_0_HOST": "a", "UPSTREAM_1_HOST": "b"}
	o := opts(nil, nil)
	o.Env = prodready.LookupFunc(m.Lookup)
	var c struct {
		Upstreams []upstream `prefix:"UPSTREAM_"`
	}
	if err := prodready.Load(ctx, &c, o); err != nil || len(c.Upstreams) != 2 || c.Upstreams[1].Host != "b" {
		t.Errorf("Load() = %+v, %v; want two upstreams", c.Upstreams, err)
	}
	var d groupConfig
	err := prodready.Load(ctx, &d, o)
	if err == nil || !strings.Contains(err.Error(), "cannot list its variables") {
		t.Errorf("Load() error = %v, want the map group refused", err)
	}
}

// Combinations that cannot load soundly are programming errors.
func TestGroupsRefused(t *testing.T) {
	t.Parallel()
	type nested struct {
		Inner []upstream `prefix:"IN_"`
	}
	type withBase struct {
		prodready.Base
	}
	type withMem struct {
		Mem prodready.MemorySize `env:"MEM"`
	}
	type ambiguous struct {
		Host      string `env:"HOST"`
		ProxyHost string `env:"PROXY_HOST"`
	}
	tests := []struct {
		name string
		dst  any
		want string
	}{
		{"nested groups", &struct {
			X []nested `prefix:"X_"`
		}{}, "cannot hold groups"},
		{"Base in an element", &struct {
			X []withBase `prefix:"X_"`
		}{}, "cannot embed prodready.Base"},
		{"MemorySize in an element", &struct {
			X []withMem `prefix:"X_"`
		}{}, "MemorySize cannot be in a group"},
		{"ambiguous map keys", &struct {
			X map[string]ambiguous `prefix:"X_"`
		}{}, "ambiguous"},
		{"field named like an element", &struct {
			A string     `env:"X_0_HOST"`
			X []upstream `prefix:"X_"`
		}{}, "also names element 0"},
		{"pointer elements", &struct {
			X []*upstream `prefix:"X_"`
		}{}, "not pointers"},
		{"unknown profile in an element", &struct {
			X []struct {
				A string `env:"A" required:"prod"`
			} `prefix:"X_"`
		}{}, `X[].A: required:"prod" names no profile`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := prodready.Load(ctx, tt.dst, opts(nil, nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load() error = %v, want it to contain %q", err, tt.want)
			}
			var le *prodready.LoadError
			if errors.As(err, &le) {
				t.Errorf("Load() error is a *LoadError; want a programming error")
			}
		})
	}
}

// Elements enter the fingerprint: two configurations that differ in one
// element differ in fingerprint.
func TestGroupsFingerprint(t *testing.T) {
	t.Parallel()
	a := groupConfig{Upstreams: []upstream{{Host: "a"}}, Pools: map[string]upstream{"p": {Host: "x"}}}
	b := groupConfig{Upstreams: []upstream{{Host: "b"}}, Pools: map[string]upstream{"p": {Host: "x"}}}
	c := groupConfig{Upstreams: []upstream{{Host: "a"}}, Pools: map[string]upstream{"p": {Host: "y"}}}
	fa, err := prodready.Fingerprint(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := prodready.Fingerprint(b)
	fc, _ := prodready.Fingerprint(c)
	if fa == fb || fa == fc {
		t.Errorf("fingerprints %s %s %s, want all different", fa, fb, fc)
	}
}

// Describe (and so prodready env) lists a group's element variables with a
// placeholder for the index or key.
func TestGroupsDescribe(t *testing.T) {
	t.Parallel()
	docs, err := prodready.Describe(&groupConfig{}, &prodready.Options{Prefix: "APP_"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]prodready.VarDoc{
		"APP_UPSTREAM_<n>_HOST": {Name: "APP_UPSTREAM_<n>_HOST", Field: "Upstreams[].Host", Type: "string", Required: true},
		"APP_POOL_<KEY>_PORT":   {Name: "APP_POOL_<KEY>_PORT", Field: "Pools[].Port", Type: "int", Default: "80", HasDefault: true},
		"APP_POOL_<KEY>_TOKEN":  {Name: "APP_POOL_<KEY>_TOKEN", Field: "Pools[].Token", Type: "prodready.Secret", Secret: true},
	}
	found := 0
	for _, d := range docs {
		if w, ok := want[d.Name]; ok {
			found++
			if !reflect.DeepEqual(d, w) {
				t.Errorf("Describe %s = %+v, want %+v", d.Name, d, w)
			}
		}
	}
	if found != len(want) {
		t.Errorf("Describe listed %d of %d element variables: %+v", found, len(want), docs)
	}
}

// A group inside a prefixed struct is nested in a config file under the
// prefix's parts, as a field's key is.
func TestGroupsNestedInFile(t *testing.T) {
	t.Parallel()
	var c struct {
		HTTP struct {
			Timeout   string     `env:"TIMEOUT"`
			Upstreams []upstream `prefix:"UPSTREAM_"`
		} `prefix:"HTTP_"`
	}
	o := opts(prodready.MapEnv{"HTTP_UPSTREAM_1_HOST": "b"}, fstest.MapFS{"c.yaml": {Data: []byte("http:\n  timeout: 5s\n  upstream:\n    - host: a\n")}})
	o.ConfigFiles = []string{"c.yaml"}
	rep, err := prodready.LoadWithReport(ctx, &c, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.HTTP.Upstreams) != 2 || c.HTTP.Upstreams[0].Host != "a" || c.HTTP.Upstreams[1].Host != "b" || c.HTTP.Timeout != "5s" {
		t.Errorf("Load() = %+v", c)
	}
	if v, _ := rep.Var("HTTP_UPSTREAM_0_HOST"); v.Origin.String() != "c.yaml:4" || v.Field != "HTTP.Upstreams[0].Host" {
		t.Errorf("HTTP_UPSTREAM_0_HOST = %+v", v)
	}
}
