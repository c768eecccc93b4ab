package cli_test

import (
	"context"
	"errors"
	"flag"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

// TestEnvProfileFlag checks that env --profile keeps only the defaults of
// the named profile and its ancestors.
func TestEnvProfileFlag(t *testing.T) {
	t.Parallel()
	type config struct {
		prodready.Base
		Workers int `env:"WORKERS" default:"4" doc:"worker goroutines"`
	}
	staging := prodready.Production.Derive("staging", map[string]string{"WORKERS": "2"})
	tests := []struct {
		profile string
		want    []string // lines of the table, whole or in part
		notWant []string
	}{
		{"", []string{"| `DEBUG` | bool | `false` | development: `true`<br>production: `false` |", "| `WORKERS` | int | `4` | staging: `2` |"}, nil},
		{"production", []string{"| `DEBUG` | bool | `false` | production: `false` |", "| `WORKERS` | int | `4` |  |"}, []string{"development:", "testing:", "staging:"}},
		{"staging", []string{"| `DEBUG` | bool | `false` | production: `false` |", "| `WORKERS` | int | `4` | staging: `2` |"}, []string{"development:", "testing:"}},
		{"development", []string{"| `DEBUG` | bool | `false` | development: `true` |"}, []string{"production:", "staging:"}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			t.Parallel()
			o := runOpts(nil, nil)
			o.Load.Profiles = []prodready.Profile{staging}
			args := []string{"env"}
			if tt.profile != "" {
				args = append(args, "--profile", tt.profile)
			}
			res := runWith(t, o, &config{}, args...)
			if res.err != nil {
				t.Fatal(res.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("env --profile %s lacks %q:\n%s", tt.profile, w, res.stdout)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(res.stdout, w) {
					t.Errorf("env --profile %s holds %q:\n%s", tt.profile, w, res.stdout)
				}
			}
		})
	}
}

// TestLoadOptions checks that the commands load with the service's own
// options, which the flags change but do not replace.
func TestLoadOptions(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		".env":       {Data: []byte("PAGE_SIZE=7\n")},
		"deploy.env": {Data: []byte("PAGE_SIZE=8\n")},
		"c.yaml":     {Data: []byte("page_size: 11\n")},
		"d.yaml":     {Data: []byte("page_size: 12\n")},
	}
	tests := []struct {
		name     string
		load     prodready.Options
		args     []string
		wantPage string // a line of print's text output, its runs of spaces folded
	}{
		{"defaults read .env", prodready.Options{}, nil, "PAGE_SIZE 7 .env:1"},
		{"NoDotEnv", prodready.Options{NoDotEnv: true}, nil, "PAGE_SIZE 50 default"},
		{"NoDotEnv, --env-file names one", prodready.Options{NoDotEnv: true}, []string{"--env-file", "deploy.env"}, "PAGE_SIZE 8 deploy.env:1"},
		{"service DotEnv", prodready.Options{DotEnv: "deploy.env"}, nil, "PAGE_SIZE 8 deploy.env:1"},
		{"Overrides", prodready.Options{Overrides: map[string]string{"PAGE_SIZE": "9"}}, nil, "PAGE_SIZE 9 override"},
		{"service ConfigFiles", prodready.Options{NoDotEnv: true, ConfigFiles: []string{"c.yaml"}}, nil, "PAGE_SIZE 11 c.yaml:1"},
		{"--config replaces ConfigFiles", prodready.Options{NoDotEnv: true, ConfigFiles: []string{"c.yaml"}}, []string{"--config", "d.yaml"}, "PAGE_SIZE 12 d.yaml:1"},
		{"service Profile", prodready.Options{NoDotEnv: true, Profile: prodready.Testing}, nil, "DATABASE_URL sqlite::memory: profile testing"},
		{"--profile replaces Profile", prodready.Options{NoDotEnv: true, Profile: prodready.Testing}, []string{"--profile", "development"}, "DEBUG true profile development"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := runOpts(prodready.MapEnv{"SECRET_KEY": strongKey(t)}, files)
			env, fsys, ml := o.Load.Env, o.Load.FS, o.Load.MemoryLimit
			o.Load = tt.load
			o.Load.Env, o.Load.FS, o.Load.MemoryLimit = env, fsys, ml
			res := runWith(t, o, &prodready.Base{}, append([]string{"print"}, tt.args...)...)
			if res.err != nil {
				t.Fatalf("print: %v\n%s", res.err, res.stdout)
			}
			if !slices.Contains(strings.Split(foldSpaces(res.stdout), "\n"), tt.wantPage) {
				t.Errorf("print lacks %q:\n%s", tt.wantPage, res.stdout)
			}
		})
	}

	// The service's Silence applies, and check's --silence adds to it
	// without writing to the service's slice.
	silence := make([]string, 1, 4)
	silence[0] = "PR-W001"
	o := runOpts(nil, nil)
	o.Load.Silence = silence
	if res := runWith(t, o, &prodready.Base{}, "check"); res.code != 0 {
		t.Errorf("check with Load.Silence PR-W001: exit %d, %v\n%s", res.code, res.err, res.stdout)
	}
	o.Load.Silence = nil
	if res := runWith(t, o, &prodready.Base{}, "check"); res.code != 1 {
		t.Errorf("check without Load.Silence: exit %d, want 1 (PR-W001)", res.code)
	}
	o.Load.Silence = silence
	if res := runWith(t, o, &prodready.Base{}, "check", "--silence", "PR-I040"); res.code != 0 || silence[:2][1] != "" {
		t.Errorf("check --silence PR-I040: exit %d; the service's Silence is now %q", res.code, silence[:2])
	}
	// A service's decoder is used.
	type custom struct{ v string }
	type withCustom struct {
		prodready.Base
		C custom `env:"C"`
	}
	o = runOpts(prodready.MapEnv{"SECRET_KEY": strongKey(t), "C": "x"}, nil)
	o.Load.Decoders = map[reflect.Type]func(string) (any, error){
		reflect.TypeFor[custom](): func(s string) (any, error) { return custom{v: s}, nil },
	}
	if res := runWith(t, o, &withCustom{}, "print"); res.err != nil {
		t.Errorf("print with Load.Decoders: %v", res.err)
	}
}

// TestFingerprintGeneratedKeyWarning checks that fingerprint warns on
// stderr, exit status unchanged, when the key is generated for this run.
func TestFingerprintGeneratedKeyWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      prodready.MapEnv
		args     []string
		wantWarn bool
	}{
		{"development without SECRET_KEY", nil, nil, true},
		{"testing without SECRET_KEY, verbose", prodready.MapEnv{"APP_ENV": "testing"}, []string{"--verbose"}, true},
		{"development with SECRET_KEY", prodready.MapEnv{"SECRET_KEY": strongKey(t)}, nil, false},
		{"production", productionReady(t), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tt.env, nil, append([]string{"fingerprint"}, tt.args...)...)
			if res.code != 0 || !fingerprintHex.MatchString(res.stdout) {
				t.Fatalf("fingerprint: exit %d, %v, stdout %q", res.code, res.err, res.stdout)
			}
			const want = "prodready fingerprint: warning: SECRET_KEY is not set, so the fingerprint uses a key generated for this run and differs on every run; set SECRET_KEY to compare replicas\n"
			if got := res.stderr == want; got != tt.wantWarn {
				t.Errorf("stderr = %q, want the warning: %v", res.stderr, tt.wantWarn)
			}
		})
	}
}

// TestFingerprintHidesFileValues checks that a plain value read through
// NAME_FILE enters the fingerprint as a secret: two passwords give two
// fingerprints under a key, one without (set or unset), and --verbose says so.
func TestFingerprintHidesFileValues(t *testing.T) {
	t.Parallel()
	type config struct {
		Host     string           `env:"DB_HOST" default:"db.internal"`
		Password string           `env:"DB_PASSWORD"`
		Key      prodready.Secret `env:"SECRET_KEY"`
	}
	fp := func(env prodready.MapEnv, pw string) result {
		files := fstest.MapFS{"run/secrets/pw": {Data: []byte(pw + "\n"), Mode: 0o400}}
		env["DB_PASSWORD_FILE"] = "/run/secrets/pw"
		return runWith(t, runOpts(env, files), &config{}, "fingerprint", "--verbose")
	}
	key := strongKey(t)
	a, b := fp(prodready.MapEnv{"SECRET_KEY": key}, "hunter2"), fp(prodready.MapEnv{"SECRET_KEY": key}, "letmein")
	if a.err != nil || a.stdout == b.stdout {
		t.Errorf("fingerprints under a key: %q, %q (%v); want two", a.stdout, b.stdout, a.err)
	}
	if !strings.Contains(a.stdout, "DB_PASSWORD  keyed hash") {
		t.Errorf("fingerprint --verbose:\n%s", a.stdout)
	}
	c, d := fp(prodready.MapEnv{}, "hunter2"), fp(prodready.MapEnv{}, "letmein")
	if c.err != nil || c.stdout != d.stdout || !strings.Contains(c.stdout, "DB_PASSWORD  set or unset") {
		t.Errorf("fingerprints without a key: %q, %q (%v); want one, DB_PASSWORD set or unset", c.stdout, d.stdout, c.err)
	}
}

// failWriter fails every write.
type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

// TestWriteErrors checks that every command, help included, returns a
// failed write to stdout as an error of the command: exit status 1.
func TestWriteErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args       []string
		wantPrefix string
	}{
		{[]string{"help"}, "prodready help: "},
		{[]string{"-h"}, "prodready help: "},
		{[]string{"help", "help"}, "prodready help: "},
		{[]string{"help", "check"}, "prodready check: "},
		{[]string{"check", "-h"}, "prodready check: "},
		{[]string{"env", "--help"}, "prodready env: "},
		{[]string{"version"}, "prodready version: "},
		{[]string{"gen-secret"}, "prodready gen-secret: "},
		{[]string{"check"}, "prodready check: "},
		{[]string{"print", "--format", "env"}, "prodready print: "},
		{[]string{"print", "--format", "json"}, "prodready print: "},
		{[]string{"env"}, "prodready env: "},
		{[]string{"fingerprint"}, "prodready fingerprint: "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			err := cli.Run(context.Background(), tt.args, failWriter{}, io.Discard, &prodready.Base{}, runOpts(prodready.MapEnv{"SECRET_KEY": strongKey(t)}, nil))
			if cli.ExitCode(err) != 1 || !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), tt.wantPrefix) {
				t.Errorf("Run(%q) with a failing stdout = %v (exit %d), want exit 1, %q first, wrapping %v", tt.args, err, cli.ExitCode(err), tt.wantPrefix, errDiskFull)
			}
		})
	}
}

// TestNilWriters checks that a nil stdout or stderr discards.
func TestNilWriters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args     []string
		wantCode int
	}{
		{nil, 2},
		{[]string{"help"}, 0},
		{[]string{"check", "-h"}, 0},
		{[]string{"check"}, 1},
		{[]string{"print"}, 0},
		{[]string{"env"}, 0},
		{[]string{"fingerprint"}, 0}, // warns on stderr: the key is generated
		{[]string{"gen-secret"}, 0},
		{[]string{"version"}, 0},
		{[]string{"deploy"}, 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			err := cli.Run(context.Background(), tt.args, nil, nil, &prodready.Base{}, runOpts(nil, nil))
			if got := cli.ExitCode(err); got != tt.wantCode {
				t.Errorf("Run(%q) with nil writers = %v (exit %d), want exit %d", tt.args, err, got, tt.wantCode)
			}
		})
	}
}

// TestHelpFlagsDoubleDash checks that every command's help writes its
// flags as --name, as the documentation does.
func TestHelpFlagsDoubleDash(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"check", "print", "env", "fingerprint", "gen-secret", "version"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			res := run(t, nil, nil, cmd, "-h")
			if !errors.Is(res.err, flag.ErrHelp) {
				t.Fatalf("%s -h = %v", cmd, res.err)
			}
			var flags []string
			for _, line := range strings.Split(res.stdout, "\n") {
				if strings.HasPrefix(line, "  -") {
					if !strings.HasPrefix(line, "  --") {
						t.Errorf("%s -h lists a flag as %q", cmd, line)
					}
					flags = append(flags, strings.Fields(line)[0])
				}
			}
			if cmd != "version" && len(flags) == 0 {
				t.Errorf("%s -h lists no flags:\n%s", cmd, res.stdout)
			}
			if cmd != "gen-secret" && cmd != "version" && !slices.Contains(flags, "--profile") {
				t.Errorf("%s -h lacks --profile:\n%s", cmd, res.stdout)
			}
		})
	}
}

// foldSpaces folds each line's runs of blanks to one space.
func foldSpaces(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
