package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/dotenv"
)

// TestPrintEnvSourcingKeepsEnvironment checks that sourcing print --format
// env leaves a secret, a URL with a password and an unset value as the
// shell already has them: each is a comment, never NAME=.
//
// From the second review of the CLI (commit 7baa561): sourcing print
// --format env exported empty SECRET_KEY, DATABASE_URL and unset optional
// values over what the shell had, and the loader then applied defaults.
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

// TestPrintEnvEmptyOverDefault checks that an empty value over a
// non-empty default is a comment: LIST= would reload as the default, and,
// sourced, clear the environment's value.
//
// From the second review of the CLI (commit 7baa561), with the test
// above: an empty value was written as LIST=.
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
