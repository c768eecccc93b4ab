package cli_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// TestEnvDotenvRedactedDefault checks that a default in which Describe
// redacted a password is never written as a value of .env.example, only
// described in a comment.
//
// From the second review of the CLI (commit 7baa561): env --format dotenv
// wrote the '[redacted]' placeholder as a value.
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

// TestEnvChecksFilesUnderUnknownAppEnv checks that env reads its --config
// and --env-file when APP_ENV names an unknown profile, so that a broken
// file is bad usage (exit 2) under any APP_ENV.
//
// From the second review of the CLI (commit 7baa561): env skipped its
// file checks under an unknown APP_ENV.
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
