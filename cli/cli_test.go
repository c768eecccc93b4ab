package cli_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
	"github.com/prodready/prodready/internal/dotenv"
)

// files is a deployment's files: a config file with line numbers, a
// mounted secret and a .env file.
func files(key string) fstest.MapFS {
	return fstest.MapFS{
		"config.yaml":       {Data: []byte("# service config\npage_size: 20\ncache:\n  ttl: 15m\n  namespace: items\n")},
		"run/secrets/key":   {Data: []byte(key + "\n"), Mode: 0o400},
		"deploy.env":        {Data: []byte("MAX_PAGE_SIZE=200\nCACHE_MAX_SIZE=10000\n")},
		"broken.yaml":       {Data: []byte("page_size: [\n")},
		"notconfig.txt":     {Data: []byte("page_size=1\n")},
		"unknown.json":      {Data: []byte(`{"page_sise": 10}`)},
		"broken.env":        {Data: []byte("SECRET_KEY: nope\n")},
		"dir/.keep":         {Data: nil},
		"run/secrets/empty": {Data: nil},
	}
}

// TestGolden runs every command and format whose text output is fixed,
// against testdata/*.golden.
func TestGolden(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	ready := productionReady(t)
	deployed := prodready.MapEnv{
		"APP_ENV":         "production",
		"SECRET_KEY_FILE": "/run/secrets/key",
		"DATABASE_URL":    "postgres://app:" + strongKey(t) + "@db.internal:5432/app?sslmode=require",
		"CACHE_BACKEND":   "redis",
		"CACHE_URL":       "redis://:" + strongKey(t) + "@cache.internal:6379/0",
		"LOG_LEVEL":       "warn",
	}
	deployArgs := []string{"--config", "config.yaml", "--env-file", "deploy.env"}
	tests := []struct {
		name     string
		env      prodready.MapEnv
		args     []string
		wantCode int
	}{
		{"check_production_missing", prodready.MapEnv{"APP_ENV": "production"}, []string{"check"}, 1},
		{"check_production_weak", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": "changeme", "DEBUG": "true", "DATABASE_URL": "postgres://db/app?sslmode=disable"}, []string{"check"}, 1},
		{"check_production_ready", ready, []string{"check"}, 0},
		{"check_production_json", prodready.MapEnv{"APP_ENV": "production"}, []string{"check", "--format", "json"}, 1},
		{"check_development", nil, []string{"check"}, 1},
		{"check_development_fail_level_error", nil, []string{"check", "--fail-level", "error"}, 0},
		{"check_silence", nil, []string{"check", "--silence", "PR-W001"}, 0},
		{"check_fail_level_info", ready, []string{"check", "--fail-level=info"}, 1},
		{"check_profile_flag", prodready.MapEnv{"APP_ENV": "development"}, []string{"check", "--profile", "production", "--fail-level", "error"}, 1},
		{"check_unknown_app_env", prodready.MapEnv{"APP_ENV": "prod"}, []string{"check"}, 1},
		{"print_text", deployed, append([]string{"print"}, deployArgs...), 0},
		{"print_json", deployed, append([]string{"print", "--format", "json"}, deployArgs...), 0},
		{"print_env", deployed, append([]string{"print", "--format", "env"}, deployArgs...), 0},
		{"print_development", prodready.MapEnv{"SECRET_KEY": key}, []string{"print"}, 0},
		{"env_md", nil, []string{"env"}, 0},
		{"env_dotenv", nil, []string{"env", "--format", "dotenv"}, 0},
		{"env_md_production", nil, []string{"env", "--profile", "production"}, 0},
		{"fingerprint_verbose", deployed, append([]string{"fingerprint", "--verbose"}, deployArgs...), 0},
		{"fingerprint_verbose_development", nil, []string{"fingerprint", "--verbose"}, 0},
		{"help", nil, []string{"help"}, 0},
		{"help_check", nil, []string{"help", "check"}, 0},
		{"check_h", nil, []string{"check", "-h"}, 0},
		{"print_h", nil, []string{"print", "-h"}, 0},
		{"env_h", nil, []string{"env", "--help"}, 0},
		{"fingerprint_h", nil, []string{"fingerprint", "-h"}, 0},
		{"gen-secret_h", nil, []string{"gen-secret", "-h"}, 0},
		{"version", nil, []string{"version"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tt.env, files(key), tt.args...)
			if res.code != tt.wantCode {
				t.Errorf("Run(%q) exit code = %d, want %d; err = %v", tt.args, res.code, tt.wantCode, res.err)
			}
			golden(t, tt.name, res.stdout)
		})
	}
}

// TestExitCodes drives every way a run ends: the error's type, its exit
// code, and what stderr-bound message it carries.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	tests := []struct {
		name     string
		env      prodready.MapEnv
		args     []string
		wantCode int
		wantErr  error  // matched with errors.Is, when set
		wantMsg  string // in the error's message
	}{
		{"no command", nil, nil, 2, nil, `prodready: no command given`},
		{"unknown command", nil, []string{"deploy"}, 2, nil, `prodready: unknown command "deploy"`},
		{"help", nil, []string{"help"}, 0, flag.ErrHelp, ""},
		{"-h", nil, []string{"-h"}, 0, flag.ErrHelp, ""},
		{"help of an unknown command", nil, []string{"help", "deploy"}, 2, nil, `prodready help: unknown command "deploy"`},
		{"help with two commands", nil, []string{"help", "check", "print"}, 2, nil, "takes one command"},
		{"version", nil, []string{"version"}, 0, nil, ""},
		{"version with a flag", nil, []string{"version", "--short"}, 2, nil, "flag provided but not defined: -short"},

		{"check unknown flag", nil, []string{"check", "--bogus"}, 2, nil, "prodready check: flag provided but not defined: -bogus"},
		{"check bad format", nil, []string{"check", "--format", "yaml"}, 2, nil, `invalid value "yaml" for flag -format: want text, json`},
		{"check bad fail level", nil, []string{"check", "--fail-level", "fatal"}, 2, nil, "want info, warning or error"},
		{"check bad color", nil, []string{"check", "--color", "rainbow"}, 2, nil, "want auto, always, never"},
		{"check stray argument", nil, []string{"check", "production"}, 2, nil, `unexpected argument "production"`},
		{"check unknown profile flag", nil, []string{"check", "--profile", "prod"}, 2, prodready.ErrUnknownProfile, `prodready check: --profile: unknown profile "prod"`},
		{"check missing config", nil, []string{"check", "--config", "nope.yaml"}, 2, fs.ErrNotExist, "prodready check: config file nope.yaml does not exist"},
		{"check config is a directory", nil, []string{"check", "--config", "dir"}, 2, nil, "config file dir is a directory"},
		{"check broken yaml", nil, []string{"check", "--config", "broken.yaml"}, 2, nil, "prodready check: broken.yaml:2: invalid YAML syntax"},
		{"check not yaml or json", nil, []string{"check", "--config", "notconfig.txt"}, 2, nil, `unsupported file extension ".txt"`},
		{"check unknown key", nil, []string{"check", "--config", "unknown.json"}, 2, nil, `unknown key "page_sise"`},
		{"check CONFIG_FILE missing", prodready.MapEnv{"CONFIG_FILE": "gone.yaml"}, []string{"check"}, 2, nil, "config file gone.yaml does not exist"},
		{"check missing env file", nil, []string{"check", "--env-file", "nope.env"}, 2, nil, "prodready check: nope.env does not exist"},
		{"check broken env file", nil, []string{"check", "--env-file", "broken.env"}, 2, nil, "prodready check: broken.env:1:"},
		{"check failing", prodready.MapEnv{"APP_ENV": "production"}, []string{"check"}, 1, cli.ErrCheckFailed, "prodready check: 2 findings at or above level warning: check failed"},
		{"check failing at error level", prodready.MapEnv{"APP_ENV": "production"}, []string{"check", "--fail-level", "error"}, 1, cli.ErrCheckFailed, "1 finding at or above level error"},
		{"check warning below error level", nil, []string{"check", "--fail-level", "error"}, 0, nil, ""},
		{"check cannot silence a hardened rule", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": key, "DEBUG": "1"}, []string{"check", "--silence", "PR-E020", "--fail-level", "error"}, 2, nil, "prodready check: --silence: PR-E020 cannot be silenced under the hardened profile production"},
		// A new user found PR-E043 accepted by --silence under production and
		// then reported anyway: the CLI kept its own list of the rules.
		{"check cannot silence the skip_verify rule", prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": key}, []string{"check", "--silence", "PR-E043"}, 2, nil, "prodready check: --silence: PR-E043 cannot be silenced under the hardened profile production (PR-E010, PR-E011, PR-E013, PR-E020 and PR-E043 are its rules)"},
		{"check cannot silence a hardened rule, lower case", prodready.MapEnv{"SECRET_KEY": key}, []string{"check", "--profile", "production", "--silence", "pr-e010"}, 2, nil, "pr-e010 cannot be silenced under the hardened profile production"},
		{"check silences a hardened rule outside hardened profiles", nil, []string{"check", "--silence", "PR-E010,PR-E011,PR-E020", "--fail-level", "error"}, 0, nil, ""},
		{"check -h", nil, []string{"check", "-h"}, 0, flag.ErrHelp, ""},

		{"print unknown flag", nil, []string{"print", "-x"}, 2, nil, "prodready print: flag provided but not defined: -x"},
		{"print bad format", nil, []string{"print", "--format", "yaml"}, 2, nil, "want text, json, env"},
		{"print missing config", nil, []string{"print", "--config", "nope.yaml"}, 2, nil, "prodready print: config file nope.yaml does not exist"},
		{"print not yaml", nil, []string{"print", "--config", "notconfig.txt"}, 2, nil, "prodready print: notconfig.txt"},
		{"print does not load", prodready.MapEnv{"APP_ENV": "production"}, []string{"print"}, 1, prodready.ErrMissing,
			"prodready print: the configuration does not load under profile production: 1 error (run 'prodready check' for details)"},
		{"print unknown profile flag", nil, []string{"print", "--profile", "staging"}, 2, prodready.ErrUnknownProfile, "prodready print: --profile"},

		{"env unknown flag", nil, []string{"env", "--verbose"}, 2, nil, "prodready env: flag provided but not defined: -verbose"},
		{"env unknown profile flag", nil, []string{"env", "--profile", "prod"}, 2, prodready.ErrUnknownProfile, `prodready env: --profile: unknown profile "prod"`},
		{"env missing config", nil, []string{"env", "--config", "nope.yaml"}, 2, fs.ErrNotExist, "prodready env: config file nope.yaml does not exist"},
		{"env broken yaml", nil, []string{"env", "--config", "broken.yaml"}, 2, nil, "prodready env: broken.yaml:2: invalid YAML syntax"},
		{"env unknown key", nil, []string{"env", "--config", "unknown.json"}, 2, nil, `unknown key "page_sise"`},
		{"env missing env file", nil, []string{"env", "--env-file", "nope.env"}, 2, nil, "prodready env: nope.env does not exist"},
		{"env broken env file", nil, []string{"env", "--env-file", "broken.env"}, 2, nil, "prodready env: broken.env:1:"},
		{"env good files", nil, []string{"env", "--config", "config.yaml", "--env-file", "deploy.env", "--profile", "production"}, 0, nil, ""},
		{"env CONFIG_FILE is not read", prodready.MapEnv{"CONFIG_FILE": "broken.yaml"}, []string{"env", "--env-file", "deploy.env"}, 0, nil, ""},

		{"empty --config", nil, []string{"check", "--config="}, 2, nil, `prodready check: invalid value "" for flag -config: empty file name`},
		{"empty --config, env", nil, []string{"env", "--config", ""}, 2, nil, `invalid value "" for flag -config: empty file name`},
		{"empty --env-file", nil, []string{"print", "--env-file="}, 2, nil, `prodready print: invalid value "" for flag -env-file: empty file name`},
		{"empty --env-file, fingerprint", nil, []string{"fingerprint", "--env-file", ""}, 2, nil, `invalid value "" for flag -env-file: empty file name`},

		{"silence an unknown ID", nil, []string{"check", "--silence", "PR-W0001"}, 2, nil, `prodready check: --silence: unknown check ID PR-W0001 (the closest known ID is PR-W001)`},
		{"silence an ID in lower case", nil, []string{"check", "--silence", "pr-w001,Pr-I040"}, 0, nil, ""},
		{"silence an unknown ID far from any", nil, []string{"check", "--silence", "NOSUCHTHING"}, 2, nil, `unknown check ID NOSUCHTHING (run 'prodready check --format json' for the IDs of the findings)`},
		{"silence one unknown ID of several", nil, []string{"check", "--silence", "PR-W001,PR-I404"}, 2, nil, `unknown check ID PR-I404 (the closest known ID is PR-I040)`},
		{"silence a loader finding", nil, []string{"check", "--silence", "PR-W001", "--silence", "PR-W050"}, 0, nil, ""},
		{"silence a loader error", nil, []string{"check", "--silence", "PR-W001", "--silence", "PR-E005,PR-W050"}, 2, nil, "prodready check: --silence: PR-E005 cannot be silenced"},
		{"silence a loader error in lower case", nil, []string{"check", "--silence", "pr-e001"}, 2, nil, "--silence: pr-e001 cannot be silenced"},
		{"env bad format", nil, []string{"env", "--format", "json"}, 2, nil, "want md, dotenv"},

		{"fingerprint unknown flag", nil, []string{"fingerprint", "-v"}, 2, nil, "flag provided but not defined: -v"},
		{"fingerprint does not load", prodready.MapEnv{"APP_ENV": "production"}, []string{"fingerprint"}, 1, prodready.ErrMissing, "prodready fingerprint: the configuration does not load"},
		{"fingerprint broken yaml", nil, []string{"fingerprint", "--config", "broken.yaml"}, 2, nil, "prodready fingerprint: broken.yaml"},

		{"gen-secret too short", nil, []string{"gen-secret", "--bytes", "31"}, 2, nil, "prodready gen-secret: --bytes 31: want 32 to"},
		{"gen-secret too long", nil, []string{"gen-secret", "--bytes", "1000000"}, 2, nil, "--bytes 1000000"},
		{"gen-secret not a number", nil, []string{"gen-secret", "--bytes", "many"}, 2, nil, `invalid value "many" for flag -bytes`},
		{"gen-secret", nil, []string{"gen-secret", "--bytes", "32"}, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, tt.env, files(key), tt.args...)
			if res.code != tt.wantCode {
				t.Errorf("Run(%q) exit code = %d, want %d; err = %v", tt.args, res.code, tt.wantCode, res.err)
			}
			if tt.wantErr != nil && !errors.Is(res.err, tt.wantErr) {
				t.Errorf("Run(%q) error = %v, want errors.Is %v", tt.args, res.err, tt.wantErr)
			}
			if (tt.wantCode == 2) != isUsage(res.err) {
				t.Errorf("Run(%q) error = %v (%T): a *UsageError exactly when the exit code is 2", tt.args, res.err, res.err)
			}
			if tt.wantMsg != "" && (res.err == nil || !strings.Contains(res.err.Error(), tt.wantMsg)) {
				t.Errorf("Run(%q) error = %v, want it to contain %q", tt.args, res.err, tt.wantMsg)
			}
			if res.code == 2 && strings.Count(res.err.Error(), "\n") > 0 {
				t.Errorf("Run(%q) error = %q, want one line", tt.args, res.err)
			}
			if res.err != nil && strings.Contains(res.err.Error(), "goroutine ") {
				t.Errorf("Run(%q) error holds a stack trace: %v", tt.args, res.err)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"help", flag.ErrHelp, 0},
		{"usage", &cli.UsageError{Err: errors.New("bad")}, 2},
		{"wrapped usage", errors.Join(errors.New("x"), &cli.UsageError{Err: errors.New("bad")}), 2},
		{"check failed", cli.ErrCheckFailed, 1},
		{"anything else", io.ErrUnexpectedEOF, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cli.ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

// TestStderr: every command writes its output to stdout and
// returns its error; stderr is for the usage of a run without a command.
func TestStderr(t *testing.T) {
	t.Parallel()
	env := prodready.MapEnv{"SECRET_KEY": strongKey(t)} // else fingerprint warns that the key is generated
	for _, args := range [][]string{{"check"}, {"print"}, {"env"}, {"fingerprint"}, {"gen-secret"}, {"version"}, {"check", "--bogus"}, {"help"}} {
		res := run(t, env, nil, args...)
		if res.stderr != "" {
			t.Errorf("Run(%q) wrote to stderr:\n%s", args, res.stderr)
		}
	}
	res := run(t, nil, nil)
	if !strings.Contains(res.stderr, "Usage:") || res.stdout != "" {
		t.Errorf("Run() without a command: stdout %q, stderr %q; want the usage on stderr", res.stdout, res.stderr)
	}
}

func TestColor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		env       prodready.MapEnv
		terminal  bool
		args      []string
		wantColor bool
	}{
		{"terminal", nil, true, nil, true},
		{"not a terminal", nil, false, nil, false},
		{"NO_COLOR", prodready.MapEnv{"NO_COLOR": "1"}, true, nil, false},
		{"empty NO_COLOR", prodready.MapEnv{"NO_COLOR": ""}, true, nil, true},
		{"dumb terminal", prodready.MapEnv{"TERM": "dumb"}, true, nil, false},
		{"always", nil, false, []string{"--color", "always"}, true},
		{"always beats NO_COLOR", prodready.MapEnv{"NO_COLOR": "1"}, false, []string{"--color=always"}, true},
		{"never", nil, true, []string{"--color", "never"}, false},
		{"json is never colored", nil, true, []string{"--format", "json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := runOpts(tt.env, nil)
			o.IsTerminal = func(io.Writer) bool { return tt.terminal }
			res := runWith(t, o, &prodready.Base{}, append([]string{"check"}, tt.args...)...)
			if got := strings.Contains(res.stdout, "\x1b["); got != tt.wantColor {
				t.Errorf("colored = %v, want %v:\n%s", got, tt.wantColor, res.stdout)
			}
			if plain := strings.NewReplacer("\x1b[0m", "", "\x1b[1;33m", "", "\x1b[1;31m", "").Replace(res.stdout); !strings.Contains(plain, "0 errors, 1 warning, 0 infos: not ready") && !strings.Contains(plain, `"ready": false`) {
				t.Errorf("output lacks the summary:\n%s", res.stdout)
			}
		})
	}
}

// TestPrintEnvRoundTrip checks that print --format env is a .env file
// internal/dotenv parses back to the printed values, secrets, empty values
// and defaults left out, and that loading it gives the same configuration,
// with the same variables set. A default once written as an assignment
// came back set: with CACHE_AUTOSIZE, check then refused CACHE_MAX_SIZE as
// explicit (PR-E047), and a set CACHE_MAX_SIZE bounds a memory-bounded
// cache where the default gives way (a new user).
func TestPrintEnvRoundTrip(t *testing.T) {
	t.Parallel()
	type svc struct {
		prodready.Base
		Greeting string            `env:"GREETING"`
		Quote    string            `env:"QUOTE"`
		Lines    string            `env:"LINES"`
		Tags     []string          `env:"TAGS" sep:" "`
		Labels   map[string]string `env:"LABELS"`
		Token    prodready.Secret  `env:"TOKEN"`
		Endpoint string            `env:"ENDPOINT"`
	}
	env := productionReady(t)
	env["GREETING"] = "hello, world # not a comment"
	env["QUOTE"] = `it's "quoted" $HOME \n`
	env["LINES"] = "one\ntwo\tthree"
	env["TAGS"] = "a b c"
	env["LABELS"] = "team=core,tier=1"
	env["TOKEN"] = strongKey(t)
	env["ENDPOINT"] = "https://api.example.com/v1?x=1&y=2"
	env["CACHE_BACKEND"] = "memcached"
	env["CACHE_URL"] = "memcached://cache:11211"
	o := runOpts(env, nil)
	res := runWith(t, o, &svc{}, "print", "--format", "env")
	if res.err != nil {
		t.Fatalf("print --format env: %v\n%s", errors.Unwrap(res.err), res.stdout)
	}
	entries, err := dotenv.Parse("printed.env", []byte(res.stdout))
	if err != nil {
		t.Fatalf("dotenv.Parse(print --format env) = %v\n%s", err, res.stdout)
	}
	got := map[string]string{}
	for _, e := range entries {
		got[e.Key] = e.Value
	}
	jres := runWith(t, o, &svc{}, "print", "--format", "json")
	var printed struct {
		Vars []struct {
			Name, Value string
			Secret      bool
			Source      string
		}
	}
	if err := json.Unmarshal([]byte(jres.stdout), &printed); err != nil {
		t.Fatal(err)
	}
	written := 0
	for _, v := range printed.Vars {
		want := v.Value
		if v.Name == "APP_ENV" {
			continue // a comment: the profile is the environment's to choose
		}
		if v.Secret || strings.Contains(v.Value, prodready.Redacted) || v.Value == "" || v.Source == "default" || v.Source == "profile" {
			// A comment: an assignment would clear what the environment
			// holds, or set what only a default gave.
			if g, ok := got[v.Name]; ok {
				t.Errorf(".env assigns %s = %q, want a comment only", v.Name, g)
			}
			continue
		}
		written++
		if g, ok := got[v.Name]; !ok || g != want {
			t.Errorf(".env %s = %q (present %v), want %q", v.Name, g, ok, want)
		}
	}
	if len(got) != written {
		t.Errorf("the .env file has %d variables, want %d", len(got), written)
	}
	// Load the file back, with the secrets from the environment: the
	// configuration, and so its fingerprint, is the same.
	// ENDPOINT's query values are off the redactor's allow-list, so its
	// value is redacted and a comment, like a URL with a password.
	back := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": env["SECRET_KEY"], "DATABASE_URL": env["DATABASE_URL"], "TOKEN": env["TOKEN"], "ENDPOINT": env["ENDPOINT"]}
	ob := runOpts(back, fstest.MapFS{"printed.env": {Data: []byte(res.stdout)}})
	fpBack := runWith(t, ob, &svc{}, "fingerprint", "--env-file", "printed.env")
	fp := runWith(t, o, &svc{}, "fingerprint")
	if fpBack.err != nil || fp.err != nil || fpBack.stdout != fp.stdout {
		t.Errorf("fingerprint of the printed .env = %q (%v), want %q (%v)", fpBack.stdout, fpBack.err, fp.stdout, fp.err)
	}
	var reloaded struct {
		Vars []struct{ Name, Source string }
	}
	jb := runWith(t, ob, &svc{}, "print", "--format", "json", "--env-file", "printed.env")
	if err := json.Unmarshal([]byte(jb.stdout), &reloaded); err != nil {
		t.Fatal(err)
	}
	isDefault := func(source string) bool { return source == "default" || source == "profile" }
	for i, v := range reloaded.Vars {
		if i < len(printed.Vars) && isDefault(v.Source) != isDefault(printed.Vars[i].Source) {
			t.Errorf("%s comes back from %s, printed from %s: want a default to stay one, and a set value set", v.Name, v.Source, printed.Vars[i].Source)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	env := productionReady(t)
	a := run(t, env, nil, "fingerprint")
	b := run(t, env, nil, "fingerprint")
	if a.err != nil || a.stdout != b.stdout || !fingerprintHex.MatchString(a.stdout) || strings.Count(a.stdout, "\n") != 1 {
		t.Fatalf("two runs on one configuration print %q and %q (%v), want one equal line of 32 hex digits", a.stdout, b.stdout, a.err)
	}
	other := prodready.MapEnv{}
	for k, v := range env {
		other[k] = v
	}
	other["PAGE_SIZE"] = "51"
	if c := run(t, other, nil, "fingerprint"); c.stdout == a.stdout {
		t.Errorf("fingerprint unchanged by PAGE_SIZE: %q", c.stdout)
	}
	other["PAGE_SIZE"] = ""
	other["SECRET_KEY"] = strongKey(t)
	if c := run(t, other, nil, "fingerprint"); c.stdout == a.stdout {
		t.Errorf("fingerprint unchanged by SECRET_KEY: %q", c.stdout)
	}
	v := run(t, env, nil, "fingerprint", "--verbose")
	if first, _, _ := strings.Cut(v.stdout, "\n"); first+"\n" != a.stdout {
		t.Errorf("fingerprint --verbose starts with %q, want %q", first, a.stdout)
	}
	for _, want := range []string{"key: SECRET_KEY (env)", "variables (21):", "SECRET_KEY             keyed hash", "PAGE_SIZE              value"} {
		if !strings.Contains(v.stdout, want) {
			t.Errorf("fingerprint --verbose lacks %q:\n%s", want, v.stdout)
		}
	}
}

func TestGenSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		wantLen int
	}{
		{nil, base64.RawURLEncoding.EncodedLen(48)},
		{[]string{"--bytes", "32"}, base64.RawURLEncoding.EncodedLen(32)},
		{[]string{"--bytes=100"}, base64.RawURLEncoding.EncodedLen(100)},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			a := run(t, nil, nil, append([]string{"gen-secret"}, tt.args...)...)
			b := run(t, nil, nil, append([]string{"gen-secret"}, tt.args...)...)
			if a.err != nil {
				t.Fatal(a.err)
			}
			key := strings.TrimSuffix(a.stdout, "\n")
			if len(key) != tt.wantLen || strings.Contains(key, "\n") {
				t.Errorf("gen-secret printed %d characters, want %d and one line", len(key), tt.wantLen)
			}
			if _, err := base64.RawURLEncoding.DecodeString(key); err != nil {
				t.Errorf("gen-secret printed a key that is not base64url: %v", err)
			}
			if err := prodready.CheckKeyStrength(prodready.NewSecret(key)); err != nil {
				t.Errorf("gen-secret printed a weak key: %v", err)
			}
			if a.stdout == b.stdout {
				t.Errorf("gen-secret printed the same key twice")
			}
			// The key passes check under production.
			env := productionReady(t)
			env["SECRET_KEY"] = key
			if res := run(t, env, nil, "check"); res.code != 0 {
				t.Errorf("check with the generated key: exit %d, %v\n%s", res.code, res.err, res.stdout)
			}
		})
	}
	o := runOpts(nil, nil)
	o.Load.Rand = iotest.ErrReader(io.ErrUnexpectedEOF)
	if res := runWith(t, o, &prodready.Base{}, "gen-secret"); res.code != 1 || !errors.Is(res.err, io.ErrUnexpectedEOF) || res.stdout != "" {
		t.Errorf("gen-secret with a failing random source: exit %d, err %v, stdout %q; want exit 1", res.code, res.err, res.stdout)
	}
}

// TestServiceStruct mounts the commands on a service's own struct with a
// prefix, its own profile and its own check.
func TestServiceStruct(t *testing.T) {
	t.Parallel()
	type config struct {
		prodready.Base
		StripeKey prodready.Secret `env:"STRIPE_KEY" required:"production" doc:"Stripe API key"`
		Workers   int              `env:"WORKERS" default:"4" doc:"worker goroutines"`
	}
	staging := prodready.Production.Derive("staging", map[string]string{"WORKERS": "2"})
	workers := prodready.Check{ID: "SVC-W001", Severity: prodready.SeverityWarning, Title: "few workers",
		Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
			if in.Config.(*config).Workers < 3 {
				return []prodready.Finding{{Key: "SVC_WORKERS", Message: "fewer than 3 workers", Hint: "raise SVC_WORKERS"}}
			}
			return nil
		}}
	env := prodready.MapEnv{"SVC_APP_ENV": "staging", "SVC_SECRET_KEY": strongKey(t), "SVC_DATABASE_URL": "postgres://db/app?sslmode=require", "SVC_STRIPE_KEY": strongKey(t)}
	o := runOpts(env, nil)
	o.Name, o.Load.Prefix, o.Load.Profiles, o.Load.Checks = "svc config", "SVC_", []prodready.Profile{staging}, []prodready.Check{workers}
	dst := &config{Workers: 99}

	res := runWith(t, o, dst, "check")
	if res.code != 1 || !strings.Contains(res.stdout, "SVC-W001  SVC_WORKERS") || !strings.Contains(res.stdout, "(profile staging, fail level warning)") {
		t.Errorf("check: exit %d, err %v, stdout:\n%s", res.code, res.err, res.stdout)
	}
	if !strings.HasPrefix(res.err.Error(), "svc config check: ") {
		t.Errorf("check error = %q, want the program name first", res.err)
	}
	res = runWith(t, o, dst, "check", "--silence", "SVC-W001")
	if res.code != 0 {
		t.Errorf("check --silence SVC-W001: exit %d, %v\n%s", res.code, res.err, res.stdout)
	}
	res = runWith(t, o, dst, "print")
	if !strings.Contains(res.stdout, "SVC_WORKERS") || !strings.Contains(res.stdout, "profile staging") || !strings.Contains(res.stdout, "SVC_STRIPE_KEY") {
		t.Errorf("print:\n%s", res.stdout)
	}
	res = runWith(t, o, dst, "env")
	if !strings.Contains(res.stdout, "| `SVC_WORKERS` | int | `4` | staging: `2` |") || !strings.Contains(res.stdout, "| `SVC_STRIPE_KEY` | prodready.Secret |  |  | production | yes | Stripe API key |") {
		t.Errorf("env:\n%s", res.stdout)
	}
	res = runWith(t, o, dst, "check", "--profile", "staging", "-h")
	if !strings.Contains(res.stdout, "svc config check [flags]") || !strings.Contains(res.stdout, "svc config check --profile production") {
		t.Errorf("check -h:\n%s", res.stdout)
	}
	if dst.Workers != 99 || dst.AppEnv != "" {
		t.Errorf("Run wrote to dst: %+v", dst)
	}
}

func TestBadDestination(t *testing.T) {
	t.Parallel()
	type bad struct {
		A string `env:"A" required:"true" default:"x"`
	}
	type unsupported struct {
		C chan int `env:"C"`
	}
	tests := []struct {
		name string
		dst  any
		args []string
	}{
		{"nil", nil, []string{"check"}},
		{"not a pointer", prodready.Base{}, []string{"print"}},
		{"pointer to int", new(int), []string{"fingerprint"}},
		{"mistaken tags", &bad{}, []string{"check"}},
		{"mistaken tags, env", &bad{}, []string{"env"}},
		{"unsupported type, env", &unsupported{}, []string{"env"}},
		{"unsupported type, env dotenv", &unsupported{}, []string{"env", "--format", "dotenv", "--config", "config.yaml"}},
		{"unsupported type, check", &unsupported{}, []string{"check"}},
		{"unsupported type, print", &unsupported{}, []string{"print", "--format", "env"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runWith(t, runOpts(nil, fstest.MapFS{"config.yaml": {Data: []byte("page_size: 2\n")}}), tt.dst, tt.args...)
			if res.code != 1 || res.stdout != "" || isUsage(res.err) {
				t.Errorf("Run(%q) on %T: exit %d, err %v (%T), stdout %q; want exit 1, not a *UsageError, and no output", tt.args, tt.dst, res.code, res.err, res.err, res.stdout)
			}
			if want := "prodready " + tt.args[0] + ": "; res.err == nil || !strings.HasPrefix(res.err.Error(), want) {
				t.Errorf("Run(%q) error = %v, want it to start with %q", tt.args, res.err, want)
			}
		})
	}
	// Commands that need no configuration run without one.
	if res := runWith(t, runOpts(nil, nil), nil, "gen-secret"); res.code != 0 {
		t.Errorf("gen-secret without a configuration: %v", res.err)
	}
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout bytes.Buffer
	err := cli.Run(ctx, []string{"check"}, &stdout, io.Discard, &prodready.Base{}, runOpts(nil, nil))
	if !errors.Is(err, context.Canceled) || cli.ExitCode(err) != 1 || isUsage(err) {
		t.Errorf("Run(canceled) = %v (exit %d), want context.Canceled, exit 1", err, cli.ExitCode(err))
	}
}

// TestOptionsNotWritten checks that Run copies its Options.
func TestOptionsNotWritten(t *testing.T) {
	t.Parallel()
	o := runOpts(nil, nil)
	o.IsTerminal = nil
	before := *o
	run := func() {
		_ = cli.Run(context.Background(), []string{"check"}, io.Discard, io.Discard, &prodready.Base{}, o)
	}
	run()
	if o.Name != before.Name || o.IsTerminal != nil || !reflect.DeepEqual(o.Load.Env, before.Load.Env) {
		t.Errorf("Run changed its Options: %+v, was %+v", *o, before)
	}
}

// TestControlCharacters checks that a value cannot send escape sequences
// to the operator's terminal.
func TestControlCharacters(t *testing.T) {
	t.Parallel()
	env := prodready.MapEnv{"CACHE_NAMESPACE": "ns\x1b]0;pwned\x07", "PAGE_SIZE": "x\x1b[2J"}
	for _, args := range [][]string{{"print"}, {"check"}} {
		res := run(t, env, nil, args...)
		if strings.ContainsAny(res.stdout, "\x1b\x07") {
			t.Errorf("Run(%q) printed a control character:\n%q", args, res.stdout)
		}
	}
}

func TestConcurrentRuns(t *testing.T) {
	t.Parallel()
	env := productionReady(t)
	done := make(chan string)
	for range 8 {
		go func() {
			res := run(t, env, nil, "fingerprint")
			done <- res.stdout
		}()
	}
	first := <-done
	for range 7 {
		if got := <-done; got != first {
			t.Errorf("concurrent fingerprints differ: %q, %q", got, first)
		}
	}
}
