package prodready_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
)

type fileConfig struct {
	Name    string            `env:"NAME" default:"svc"`
	Port    int               `env:"PORT" default:"8080"`
	Tags    []string          `env:"TAGS"`
	Labels  map[string]string `env:"LABELS"`
	Timeout time.Duration     `env:"TIMEOUT" default:"5s"`
	Token   prodready.Secret  `env:"TOKEN"`
	DB      struct {
		Host string `env:"HOST" default:"localhost"`
		Port int    `env:"PORT" default:"5432"`
	} `prefix:"DB_"`
}

func TestConfigFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		list    []string
		env     prodready.MapEnv
		check   func(t *testing.T, c fileConfig, rep *prodready.Report)
		wantErr string // a fragment of the error; "" for success
	}{
		{
			name:  "yaml flat and nested",
			files: map[string]string{"c.yaml": "name: api\nport: 9000\ntags: [a, b]\nlabels:\n  team: core\n  tier: web\ntimeout: 1m\ndb:\n  host: db.internal\n  port: 6432\n"},
			list:  []string{"c.yaml"},
			check: func(t *testing.T, c fileConfig, rep *prodready.Report) {
				if c.Name != "api" || c.Port != 9000 || c.Timeout != time.Minute || c.DB.Host != "db.internal" || c.DB.Port != 6432 {
					t.Errorf("got %+v", c)
				}
				if len(c.Tags) != 2 || c.Labels["tier"] != "web" {
					t.Errorf("tags %v labels %v", c.Tags, c.Labels)
				}
				if v, _ := rep.Var("DB_PORT"); v.Origin.String() != "c.yaml:10" {
					t.Errorf("DB_PORT origin = %v, want c.yaml:10", v.Origin)
				}
			},
		},
		{
			name:  "json with upper-case and dashed keys",
			files: map[string]string{"c.json": "{\n  \"NAME\": \"api\",\n  \"db-host\": \"h\",\n  \"TAGS\": [\"x\"]\n}\n"},
			list:  []string{"c.json"},
			check: func(t *testing.T, c fileConfig, rep *prodready.Report) {
				if c.Name != "api" || c.DB.Host != "h" || len(c.Tags) != 1 {
					t.Errorf("got %+v", c)
				}
				if v, _ := rep.Var("DB_HOST"); v.Origin.String() != "c.json:3" {
					t.Errorf("DB_HOST origin = %v, want c.json:3", v.Origin)
				}
			},
		},
		{
			name:  "later file wins",
			files: map[string]string{"a.yaml": "name: a\nport: 1\n", "b.yaml": "name: b\n"},
			list:  []string{"a.yaml", "b.yaml"},
			check: func(t *testing.T, c fileConfig, _ *prodready.Report) {
				if c.Name != "b" || c.Port != 1 {
					t.Errorf("got name %q port %d, want b 1", c.Name, c.Port)
				}
			},
		},
		{
			name:  "CONFIG_FILE names the file",
			files: map[string]string{"etc/app.yaml": "name: fromenv\n"},
			env:   prodready.MapEnv{"CONFIG_FILE": "/etc/app.yaml"},
			check: func(t *testing.T, c fileConfig, _ *prodready.Report) {
				if c.Name != "fromenv" {
					t.Errorf("Name = %q, want fromenv", c.Name)
				}
			},
		},
		{
			name:  "environment beats file",
			files: map[string]string{"c.yaml": "port: 1\n"},
			list:  []string{"c.yaml"},
			env:   prodready.MapEnv{"PORT": "2"},
			check: func(t *testing.T, c fileConfig, _ *prodready.Report) {
				if c.Port != 2 {
					t.Errorf("Port = %d, want 2", c.Port)
				}
			},
		},
		{
			name:  "null leaves the default",
			files: map[string]string{"c.yaml": "port: ~\n"},
			list:  []string{"c.yaml"},
			check: func(t *testing.T, c fileConfig, _ *prodready.Report) {
				if c.Port != 8080 {
					t.Errorf("Port = %d, want 8080", c.Port)
				}
			},
		},
		{name: "unknown key with suggestion", files: map[string]string{"c.yaml": "nmae: x\n"}, list: []string{"c.yaml"}, wantErr: `c.yaml:1: unknown key "nmae"`},
		{name: "unknown nested key", files: map[string]string{"c.yaml": "db:\n  hots: x\n"}, list: []string{"c.yaml"}, wantErr: "did you mean DB_HOST?"},
		{name: "bad value has file and line", files: map[string]string{"c.yaml": "name: x\nport: eighty\n"}, list: []string{"c.yaml"}, wantErr: `PORT: invalid value "eighty" from c.yaml:2`},
		{name: "missing file", list: []string{"nope.yaml"}, wantErr: "does not exist"},
		{name: "directory", files: map[string]string{"d/x": ""}, list: []string{"d"}, wantErr: "is a directory"},
		{name: "not yaml", files: map[string]string{"c.yaml": "name: [unclosed\n"}, list: []string{"c.yaml"}, wantErr: "c.yaml"},
		{name: "unsupported extension", files: map[string]string{"c.toml": "name = 1\n"}, list: []string{"c.toml"}, wantErr: "c.toml"},
		{name: "duplicate key", files: map[string]string{"c.yaml": "name: a\nname: b\n"}, list: []string{"c.yaml"}, wantErr: "duplicate key"},
		{name: "list for a scalar", files: map[string]string{"c.yaml": "port: [1, 2]\n"}, list: []string{"c.yaml"}, wantErr: "a list is not allowed"},
		{name: "map for a scalar", files: map[string]string{"c.yaml": "port: {a: 1}\n"}, list: []string{"c.yaml"}, wantErr: "a mapping is not allowed here"},
		{name: "nested list item", files: map[string]string{"c.yaml": "tags: [[a]]\n"}, list: []string{"c.yaml"}, wantErr: "item 1 is a list"},
		{name: "APP_ENV in file disagrees", files: map[string]string{"c.yaml": "app_env: production\n"}, list: []string{"c.yaml"}, wantErr: "files are read after the profile is chosen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			o := opts(tt.env, fsys)
			o.ConfigFiles = tt.list
			var c fileConfig
			rep, err := prodready.LoadWithReport(ctx, &c, o)
			if checkErr(t, err, tt.wantErr) {
				if !errors.Is(err, prodready.ErrInvalid) {
					t.Errorf("Load() error = %v, want ErrInvalid", err)
				}
				return
			}
			tt.check(t, c, rep)
		})
	}
}

func TestNameFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     prodready.MapEnv
		files   fstest.MapFS
		want    string
		wantErr string
	}{
		{"reads and trims newline", prodready.MapEnv{"TOKEN_FILE": "/run/secrets/token"}, fstest.MapFS{"run/secrets/token": {Data: []byte(canary + "\r\n")}}, canary, ""},
		// Until the Trust issue every trailing line break was removed; only one is.
		{"keeps inner newlines", prodready.MapEnv{"NAME_FILE": "n"}, fstest.MapFS{"n": {Data: []byte("a\nb\n\n")}}, "a\nb\n", ""},
		{"empty NAME with NAME_FILE", prodready.MapEnv{"TOKEN": "", "TOKEN_FILE": "t"}, fstest.MapFS{"t": {Data: []byte(canary)}}, canary, ""},
		{"both set", prodready.MapEnv{"TOKEN": canary, "TOKEN_FILE": "t"}, fstest.MapFS{"t": {Data: []byte(canary)}}, "", "both TOKEN and TOKEN_FILE are set"},
		{"missing file", prodready.MapEnv{"TOKEN_FILE": "/run/secrets/none"}, nil, "", "does not exist"},
		{"directory", prodready.MapEnv{"TOKEN_FILE": "d"}, fstest.MapFS{"d/x": {}}, "", "is a directory"},
		{"too large", prodready.MapEnv{"TOKEN_FILE": "big"}, fstest.MapFS{"big": {Data: make([]byte, prodready.MaxSecretFileSize+1)}}, "", "larger than the 64 KiB limit"},
		{"fifo", prodready.MapEnv{"TOKEN_FILE": "p"}, fstest.MapFS{"p": {Mode: fs.ModeNamedPipe}}, "", "named pipe"},
		{"from .env", prodready.MapEnv{}, fstest.MapFS{".env": {Data: []byte("TOKEN_FILE=t\n")}, "t": {Data: []byte(canary)}}, canary, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c fileConfig
			err := prodready.Load(ctx, &c, opts(tt.env, tt.files))
			if checkErr(t, err, tt.wantErr) {
				assertNoCanary(t, canary, "error", err.Error())
				return
			}
			got := c.Token.Reveal()
			if tt.env["NAME_FILE"] != "" {
				got = c.Name
			}
			if got != tt.want {
				t.Errorf("value = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNameFileOnDisk uses the real file system for what fstest.MapFS cannot
// show: permissions, FIFOs that would block a reader, symlink loops.
func TestNameFileOnDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte(canary), 0o644); err != nil {
		t.Fatal(err)
	}
	closed := filepath.Join(dir, "closed")
	if err := os.WriteFile(closed, []byte(canary), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := mkfifo(t, dir, "fifo")
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "unreadable")
	if err := os.WriteFile(unreadable, []byte(canary), 0o000); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		wantErr    string
		wantWarn   bool
	}{
		{"private file", closed, "", false},
		{"world-readable file warns", open, "", true},
		{"fifo is refused without blocking", fifo, "named pipe", false},
		{"symlink loop", loop, "cannot read", false},
	}
	if os.Geteuid() != 0 { // root reads anything
		tests = append(tests, struct {
			name, path string
			wantErr    string
			wantWarn   bool
		}{"unreadable", unreadable, "permission denied", false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(prodready.MapEnv{"TOKEN_FILE": tt.path}, nil)
			o.FS = nil // the real file system
			o.NoDotEnv = true
			var c fileConfig
			rep, err := prodready.LoadWithReport(ctx, &c, o)
			if checkErr(t, err, tt.wantErr) {
				return
			}
			if got := hasFinding(rep, "PR-W044", "TOKEN"); got != tt.wantWarn {
				t.Errorf("PR-W044 reported = %v, want %v", got, tt.wantWarn)
			}
			if c.Token.Reveal() != canary {
				t.Error("secret not read")
			}
		})
	}
}

func TestDotEnv(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	dot := fstest.MapFS{".env": {Data: []byte("NAME=fromdotenv\nSECRET_KEY=" + key + "\n")}}
	tests := []struct {
		name     string
		env      prodready.MapEnv
		fsys     fstest.MapFS
		mod      func(o *prodready.Options)
		wantName string
		wantErr  string
		wantID   string
	}{
		{name: "read in development", fsys: dot, wantName: "fromdotenv"},
		{name: "environment wins", env: prodready.MapEnv{"NAME": "env"}, fsys: dot, wantName: "env"},
		{name: "not read in production", env: prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": key}, fsys: dot, wantName: "svc", wantID: "PR-W043"},
		{name: "production allowed by option", env: prodready.MapEnv{"APP_ENV": "production"}, fsys: dot,
			mod: func(o *prodready.Options) { o.AllowDotEnvInProduction = true }, wantName: "fromdotenv"},
		{name: "NoDotEnv", fsys: dot, mod: func(o *prodready.Options) { o.NoDotEnv = true }, wantName: "svc"},
		{name: "named file", fsys: fstest.MapFS{"deploy/app.env": {Data: []byte("NAME=named\n")}},
			mod: func(o *prodready.Options) { o.DotEnv = "deploy/app.env" }, wantName: "named"},
		{name: "named file missing", mod: func(o *prodready.Options) { o.DotEnv = "deploy/app.env" }, wantErr: "does not exist"},
		{name: "syntax error has line", fsys: fstest.MapFS{".env": {Data: []byte("A=1\nB='unterminated\n")}}, wantErr: ".env:2"},
		{name: "APP_ENV disagrees", fsys: fstest.MapFS{".env": {Data: []byte("APP_ENV=production\n")}}, wantErr: "but the profile is development"},
		{name: "APP_ENV agrees", fsys: fstest.MapFS{".env": {Data: []byte("APP_ENV=development\nNAME=x\n")}}, wantName: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, tt.fsys)
			if tt.mod != nil {
				tt.mod(o)
			}
			var c struct {
				prodready.Base
				fileConfig
			}
			rep, err := prodready.LoadWithReport(ctx, &c, o)
			if checkErr(t, err, tt.wantErr) {
				return
			}
			if c.Name != tt.wantName {
				t.Errorf("NAME = %q, want %q", c.Name, tt.wantName)
			}
			if tt.wantID != "" && !hasFinding(rep, tt.wantID, "") {
				t.Errorf("findings %v, want %s", rep.Findings, tt.wantID)
			}
		})
	}
}

// TestEmptyValuesFallThrough checks that an empty NAME_FILE file
// and an empty config file value count as unset, like an empty variable.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): they did not fall through to the defaults.
func TestEmptyValuesFallThrough(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{"k": {Data: []byte("\n")}, "c.yaml": {Data: []byte("page_size: \"\"\nsecret_key: \"\"\n")}}
	for _, tc := range []struct {
		name string
		env  prodready.MapEnv
		conf []string
	}{
		{"empty secret file", prodready.MapEnv{"SECRET_KEY_FILE": "k"}, nil},
		{"empty strings in a config file", nil, []string{"c.yaml"}},
	} {
		o := opts(tc.env, files)
		o.ConfigFiles = tc.conf
		var b prodready.Base
		rep, err := prodready.LoadWithReport(ctx, &b, o)
		if err != nil {
			t.Fatalf("%s: Load() = %v", tc.name, err)
		}
		if !b.SecretKey.IsSet() || !hasFinding(rep, "PR-W001", "") || b.PageSize != 50 {
			t.Errorf("%s: key set %v, PR-W001 %v, PAGE_SIZE %d; want the development key and the default", tc.name, b.SecretKey.IsSet(), hasFinding(rep, "PR-W001", ""), b.PageSize)
		}
	}
}

// TestOverridesAreTheirOwnLevel checks that Options.Overrides form a
// level above the environment: an override beats an environment NAME_FILE,
// and an empty override does not hide the environment's value.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): overrides were not a level of their own.
func TestOverridesAreTheirOwnLevel(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	files := fstest.MapFS{"k": {Data: []byte("x")}}
	o := opts(prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY_FILE": "k"}, files)
	o.Overrides = map[string]string{"SECRET_KEY": key}
	var b prodready.Base
	if err := prodready.Load(ctx, &b, o); err != nil || b.SecretKey.Reveal() != key {
		t.Errorf("override under an environment NAME_FILE: Load() = %v", err)
	}
	o = opts(prodready.MapEnv{"APP_ENV": "production"}, nil)
	o.Overrides = map[string]string{"APP_ENV": ""}
	if err := prodready.Load(ctx, &b, o); !errors.Is(err, prodready.ErrMissing) {
		t.Errorf("an empty APP_ENV override hid APP_ENV=production: Load() = %v", err)
	}
}

// TestUnknownOverrideKeys checks that an override key naming no
// variable (PR-E007), and CONFIG_FILE set in .env, are refused.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): both were silently ignored.
func TestUnknownOverrideKeys(t *testing.T) {
	t.Parallel()
	o := opts(nil, nil)
	o.Prefix = "MY_"
	o.Overrides = map[string]string{"APP_ENV": "production", "MY_PAGESIZE": "7", "MY_PAGE_SIZE": "8"}
	var b prodready.Base
	err := prodready.Load(ctx, &b, o)
	if err == nil || !strings.Contains(err.Error(), "APP_ENV: an override names an unknown variable (override keys carry the prefix MY_)") ||
		!strings.Contains(err.Error(), "MY_PAGESIZE: an override names an unknown variable (fix the name; did you mean PAGE_SIZE?)") {
		t.Errorf("Load() = %v", err)
	}
	files := fstest.MapFS{".env": {Data: []byte("CONFIG_FILE=c.yaml\n")}}
	if err := prodready.Load(ctx, &b, opts(nil, files)); err == nil || !strings.Contains(err.Error(), "CONFIG_FILE is read before the .env file") {
		t.Errorf("CONFIG_FILE in .env: Load() = %v", err)
	}
}
