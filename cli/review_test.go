package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
	"github.com/prodready/prodready/internal/dotenv"
)

// sourceOver sources file in sh with set -a, in an environment that
// already holds env, and returns the value name then has.
func sourceOver(t *testing.T, file string, env map[string]string, name string) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `set -a; . "$1" >/dev/null 2>&1; eval "printf '%s' \"\${$2-}\""`, "sh", file, name)
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sh: %v\n%s", err, errOut.String())
	}
	return out.String()
}

// TestPrintEnvSourcingKeepsEnvironment checks that sourcing print --format
// env leaves a secret, a URL with a password and an unset value as the
// shell already has them: each is a comment, never NAME=.
func TestPrintEnvSourcingKeepsEnvironment(t *testing.T) {
	t.Parallel()
	type svc struct {
		prodready.Base
		Token prodready.Secret `env:"TOKEN"`
	}
	env := productionReady(t)
	env["TOKEN"] = strongKey(t)
	res := runWith(t, runOpts(env, nil), &svc{}, "print", "--format", "env")
	if res.err != nil {
		t.Fatalf("print --format env: %v", res.err)
	}
	file := filepath.Join(t.TempDir(), "effective.env")
	if err := os.WriteFile(file, []byte(res.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	shellEnv := map[string]string{
		"TOKEN":        "token-from-the-shell",
		"SECRET_KEY":   "key-from-the-shell",
		"DATABASE_URL": "postgres://app:shellpw@db/app",
		"CACHE_URL":    "redis://:shellpw@cache:6379/0",
	}
	tests := []struct {
		name, comment string
	}{
		{"TOKEN", "# TOKEN: secret, set, 64+ bytes (not written; set it in the environment)"},
		{"SECRET_KEY", "# SECRET_KEY: secret, set, 64+ bytes (not written; set it in the environment)"},
		{"DATABASE_URL", "# DATABASE_URL: holds a password, not written (env; set it in the environment)"},
		{"CACHE_URL", "# CACHE_URL: not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if regexp.MustCompile(`(?m)^` + tt.name + `=`).MatchString(res.stdout) {
				t.Errorf("print --format env assigns %s:\n%s", tt.name, res.stdout)
			}
			if !strings.Contains(res.stdout, tt.comment+"\n") {
				t.Errorf("print --format env lacks the line %q:\n%s", tt.comment, res.stdout)
			}
			if got := sourceOver(t, file, shellEnv, tt.name); got != shellEnv[tt.name] {
				t.Errorf("after sourcing, %s = %q, want the shell's %q", tt.name, got, shellEnv[tt.name])
			}
		})
	}
}

// TestPrintEnvEmptyOverDefault checks that an empty value over a
// non-empty default is a comment: LIST= would reload as the default, and,
// sourced, clear the environment's value.
func TestPrintEnvEmptyOverDefault(t *testing.T) {
	t.Parallel()
	type svc struct {
		prodready.Base
		List []string `env:"LIST" default:"a,b"`
	}
	tests := []struct {
		name, config, variable, want string
	}{
		{"empty list", "list: []\n", "LIST", "# LIST: empty, not written (c.yaml:1;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := runOpts(nil, fstest.MapFS{"c.yaml": {Data: []byte(tt.config)}})
			res := runWith(t, o, &svc{}, "print", "--format", "env", "--config", "c.yaml")
			if res.err != nil {
				t.Fatalf("print --format env: %v", res.err)
			}
			entries, err := dotenv.Parse("printed.env", []byte(res.stdout))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Key == tt.variable {
					t.Errorf("print --format env assigns %s=%q, want a comment:\n%s", e.Key, e.Value, res.stdout)
				}
			}
			if !strings.Contains(res.stdout, tt.want) {
				t.Errorf("print --format env lacks %q:\n%s", tt.want, res.stdout)
			}
		})
	}
}

// TestEnvDotenvRedactedDefault checks that a default in which Describe
// redacted a password is never written as a value of .env.example, only
// described in a comment.
func TestEnvDotenvRedactedDefault(t *testing.T) {
	t.Parallel()
	type required struct {
		DSN string `env:"DSN" default:"postgres://app:devpass@localhost/app" required:"production"`
	}
	type optional struct {
		DSN string `env:"DSN" default:"postgres://app:devpass@localhost/app"`
	}
	tests := []struct {
		name     string
		dst      any
		wantLine string
	}{
		{"required", &required{}, "DSN=\n"},
		{"optional", &optional{}, "#DSN=\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runWith(t, runOpts(nil, nil), tt.dst, "env", "--format", "dotenv")
			if res.err != nil {
				t.Fatal(res.err)
			}
			if strings.Contains(res.stdout, "devpass") {
				t.Fatalf("env --format dotenv shows the password:\n%s", res.stdout)
			}
			for _, line := range strings.Split(res.stdout, "\n") {
				if strings.Contains(line, prodready.Redacted) && !strings.HasPrefix(line, "# ") {
					t.Errorf("line %q holds the placeholder outside a comment", line)
				}
			}
			if !strings.Contains(res.stdout, "default postgres://app:"+prodready.Redacted+"@localhost/app (it holds a password, not written)") {
				t.Errorf("env --format dotenv does not say the default holds a password:\n%s", res.stdout)
			}
			if !strings.Contains(res.stdout, "\n"+tt.wantLine) {
				t.Errorf("env --format dotenv lacks the line %q:\n%s", tt.wantLine, res.stdout)
			}
		})
	}
}

// TestSilenceFindingIDs checks that --silence accepts what the library
// silences: a check's own finding IDs, in any case, and refuses, as bad
// usage, the IDs that cannot be silenced.
func TestSilenceFindingIDs(t *testing.T) {
	t.Parallel()
	own := prodready.Check{ID: "MYAPP", Severity: prodready.SeverityWarning, Title: "own",
		Run: func(context.Context, *prodready.CheckInput) []prodready.Finding {
			return []prodready.Finding{{ID: "MYAPP-W001", Message: "first"}, {ID: "MYAPP-W002", Message: "second"}}
		}}
	tests := []struct {
		name     string
		silence  string
		wantCode int
		wantMsg  string   // in the error
		notWant  []string // in the output
	}{
		{"one finding of a check", "MYAPP-W001,PR-W001", 1, "1 finding at or above", []string{"MYAPP-W001"}},
		{"every finding of a check", "MYAPP-W001,MYAPP-W002,PR-W001", 0, "", []string{"MYAPP-W001", "MYAPP-W002"}},
		{"lower case", "myapp-w001,myapp-w002,pr-w001", 0, "", []string{"MYAPP-W001", "MYAPP-W002"}},
		{"the check ID", "MYAPP", 1, "", nil},
		{"another prefix", "OTHER-W001", 2, "--silence: unknown check ID OTHER-W001 (run 'prodready check --format json' for the IDs of the findings)", nil},
		{"close to a known ID", "PR-I04O", 2, "(the closest known ID is PR-I040)", nil},
		{"a loader error", "PR-E009", 2, "--silence: PR-E009 cannot be silenced", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := runOpts(nil, nil)
			o.Load.Checks = []prodready.Check{own}
			res := runWith(t, o, &prodready.Base{}, "check", "--silence", tt.silence)
			if res.code != tt.wantCode {
				t.Fatalf("check --silence %s: exit code %d, want %d; err = %v\n%s", tt.silence, res.code, tt.wantCode, res.err, res.stdout)
			}
			if (tt.wantCode == 2) != isUsage(res.err) {
				t.Errorf("check --silence %s: error %v (%T), want a *UsageError exactly when the exit code is 2", tt.silence, res.err, res.err)
			}
			if tt.wantMsg != "" && (res.err == nil || !strings.Contains(res.err.Error(), tt.wantMsg)) {
				t.Errorf("check --silence %s: error %v, want it to contain %q", tt.silence, res.err, tt.wantMsg)
			}
			if tt.wantCode == 2 && strings.Contains(res.err.Error(), "closest") != strings.Contains(tt.wantMsg, "closest") {
				t.Errorf("check --silence %s: error %v: a closest ID exactly within edit distance 2", tt.silence, res.err)
			}
			for _, s := range tt.notWant {
				if strings.Contains(res.stdout, s) {
					t.Errorf("check --silence %s still lists %s:\n%s", tt.silence, s, res.stdout)
				}
			}
		})
	}
}

// TestEnvChecksFilesUnderUnknownAppEnv checks that env reads its --config
// and --env-file when APP_ENV names an unknown profile, so that a broken
// file is bad usage (exit 2) under any APP_ENV.
func TestEnvChecksFilesUnderUnknownAppEnv(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"broken.yaml": {Data: []byte("a: [\n")},
		"broken.env":  {Data: []byte("NOT A LINE\n")},
		"good.yaml":   {Data: []byte("page_size: 10\n")},
		"good.env":    {Data: []byte("PAGE_SIZE=10\n")},
	}
	tests := []struct {
		name     string
		appEnv   string
		args     []string
		wantCode int
	}{
		{"unknown, broken config", "staging", []string{"--config", "broken.yaml"}, 2},
		{"unknown, broken env file", "staging", []string{"--env-file", "broken.env"}, 2},
		{"unknown, good files", "staging", []string{"--config", "good.yaml", "--env-file", "good.env"}, 0},
		{"known, broken env file", "production", []string{"--env-file", "broken.env"}, 2},
		{"unset, broken config", "", []string{"--config", "broken.yaml"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{}
			if tt.appEnv != "" {
				env["APP_ENV"] = tt.appEnv
			}
			res := run(t, env, files, append([]string{"env"}, tt.args...)...)
			if res.code != tt.wantCode {
				t.Errorf("APP_ENV=%s env %q: exit code %d, want %d; err = %v", tt.appEnv, tt.args, res.code, tt.wantCode, res.err)
			}
			if (tt.wantCode == 2) != isUsage(res.err) {
				t.Errorf("APP_ENV=%s env %q: error %v (%T), want a *UsageError exactly when the exit code is 2", tt.appEnv, tt.args, res.err, res.err)
			}
		})
	}
}

// TestFlagErrorsOneLine checks that a flag error is one line, with no
// control character, whatever the flag's name holds.
func TestFlagErrorsOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantMsg string
	}{
		{"line feed in a flag name", []string{"check", "--a\nINJECTED"}, "prodready check: flag provided but not defined: -a INJECTED"},
		{"line feed, print", []string{"print", "-x\n\nprodready: all good"}, "prodready print: flag provided but not defined: -x prodready: all good"},
		{"escape in a flag name", []string{"env", "--\x1b[2Jx"}, `\x1b[2Jx`},
		{"bad value", []string{"gen-secret", "--bytes", "1\n2"}, `invalid value "1\n2" for flag -bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, nil, nil, tt.args...)
			if res.code != 2 || !isUsage(res.err) {
				t.Fatalf("Run(%q) = %v (exit code %d), want a *UsageError", tt.args, res.err, res.code)
			}
			msg := res.err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("Run(%q) error = %q, want one line", tt.args, msg)
			}
			if c, ok := rawControl(msg); ok {
				t.Errorf("Run(%q) error = %q holds the control %q", tt.args, msg, c)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("Run(%q) error = %q, want it to contain %q", tt.args, msg, tt.wantMsg)
			}
			var ue *cli.UsageError
			if errors.As(res.err, &ue) && errors.Unwrap(ue.Err) == nil {
				t.Errorf("Run(%q) error does not unwrap to the flag package's", tt.args)
			}
		})
	}
}
