package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEndToEnd builds the binary and runs it as an operator would, in a
// fresh directory with an environment that holds only what each case sets.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the end-to-end test in -short mode: it builds the binary")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "prodready")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := t.TempDir()
	run := func(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = work
		cmd.Env = append([]string{}, env...) // only these: never the test's own environment
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}

	// SECRET_KEY=$(prodready gen-secret)
	keyOut, stderr, code := run(t, nil, "gen-secret")
	key := strings.TrimSpace(keyOut)
	if code != 0 || len(key) != 64 || stderr != "" {
		t.Fatalf("prodready gen-secret: exit %d, stdout %q, stderr %q; want exit 0 and a 64-character key", code, keyOut, stderr)
	}
	if err := os.WriteFile(filepath.Join(work, "key"), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "app.txt"), []byte("page_size: 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The production hardening: a strong key, and a database server reached
	// over TLS instead of the default SQLite file (warning PR-W041). The
	// in-process cache is an info (PR-I040), below the default fail level.
	hardened := []string{"APP_ENV=production", "SECRET_KEY=" + key, "DATABASE_URL=postgres://app:" + key[:20] + "@db.internal:5432/app?sslmode=require"}
	// A shared cache with a namespace leaves no finding at all.
	shared := append(hardened[:3:3], "CACHE_BACKEND=redis", "CACHE_URL=redis://cache.internal:6379/0", "CACHE_NAMESPACE=items")

	tests := []struct {
		name       string
		env        []string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"production without SECRET_KEY", []string{"APP_ENV=production"}, []string{"check"}, 1,
			[]string{"PR-E001  SECRET_KEY", "required in production, not set", "1 error, 1 warning, 1 info: not ready"},
			[]string{"prodready check: 2 findings at or above level warning: check failed"}},
		{"production hardening met", hardened, []string{"check"}, 0,
			[]string{"PR-I040", "0 errors, 0 warnings, 1 info: ready (profile production, fail level warning)"}, nil},
		{"fully hardened, fail level info", shared, []string{"check", "--fail-level", "info"}, 0,
			[]string{"0 errors, 0 warnings, 0 infos: ready (profile production, fail level info)"}, nil},
		{"production with a weak key", []string{"APP_ENV=production", "SECRET_KEY=changeme"}, []string{"check", "--format", "json"}, 1,
			[]string{`"id": "PR-E010"`, `"ready": false`}, nil},
		{"key from a file", []string{"APP_ENV=production", "SECRET_KEY_FILE=key", hardened[2]}, []string{"print"}, 0,
			[]string{"SECRET_KEY             [redacted]", "set, 64+ bytes", "SECRET_KEY_FILE key", "postgres://app:[redacted]@db.internal:5432/app"}, nil},
		{"print as .env", hardened, []string{"print", "--format", "env"}, 0, []string{"\n# SECRET_KEY: secret, set, 64+ bytes (not written; set it in the environment)\n", "\n# DATABASE_URL: holds a password, not written (env; set it in the environment)\n", "\n# CACHE_TTL=10m0s (profile production)\n"}, nil},
		{"print as .env leaves APP_ENV to the environment", hardened, []string{"print", "--format", "env"}, 0, []string{"\n# APP_ENV=production (selects the profile; set it in the environment)\n"}, nil},
		{"fingerprint with a generated key", nil, []string{"fingerprint"}, 0, nil, []string{"prodready fingerprint: warning: SECRET_KEY is not set"}},
		{"env under one profile", nil, []string{"env", "--profile", "production"}, 0, []string{"| `DEBUG` | bool | `false` | production: `false` |"}, nil},
		{"env with a broken config file", nil, []string{"env", "--config", "app.txt"}, 2, nil, []string{"prodready env: app.txt"}},
		{"empty --config", nil, []string{"check", "--config="}, 2, nil, []string{`prodready check: invalid value "" for flag -config: empty file name`}},
		{"unknown --silence ID", nil, []string{"check", "--silence", "PR-W0001"}, 2, nil, []string{"prodready check: --silence: unknown check ID PR-W0001 (the closest known ID is PR-W001)"}},
		{"print does not load", []string{"APP_ENV=production"}, []string{"print"}, 1, []string{"SECRET_KEY"}, []string{"the configuration does not load under profile production: 1 error"}},
		{"env", nil, []string{"env"}, 0, []string{"| `SECRET_KEY` | prodready.Secret |"}, nil},
		{"env as .env.example", nil, []string{"env", "--format", "dotenv"}, 0, []string{"\nSECRET_KEY=\n", "#CACHE_TTL=5m"}, nil},
		{"help", nil, []string{"help"}, 0, []string{"Usage:", "gen-secret"}, nil},
		{"check -h", nil, []string{"check", "-h"}, 0, []string{"--fail-level", "Examples:"}, nil},
		{"version", nil, []string{"version"}, 0, []string{"prodready "}, nil},
		{"no command", nil, nil, 2, nil, []string{"Usage:", "prodready: no command given"}},
		{"unknown command", nil, []string{"deploy"}, 2, nil, []string{`prodready: unknown command "deploy"`}},
		{"unknown flag", nil, []string{"check", "--strict"}, 2, nil, []string{"prodready check: flag provided but not defined: -strict"}},
		{"missing config file", nil, []string{"check", "--config", "missing.yaml"}, 2, nil, []string{"prodready check: config file missing.yaml does not exist"}},
		{"config file not YAML or JSON", nil, []string{"print", "--config", "app.txt"}, 2, nil, []string{"prodready print: app.txt", ".yaml, .yml and .json"}},
		{"gen-secret too short", nil, []string{"gen-secret", "--bytes", "16"}, 2, nil, []string{"prodready gen-secret: --bytes 16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := run(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("prodready %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if code == 2 && len(tt.args) > 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("a usage error takes more than one line:\n%s", stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stderr holds a stack trace:\n%s", stderr)
			}
			if strings.Contains(stdout+stderr, key[4:40]) {
				t.Errorf("output leaks SECRET_KEY:\n%s\n%s", stdout, stderr)
			}
		})
	}

	t.Run("fingerprint is equal across processes", func(t *testing.T) {
		t.Parallel()
		a, _, codeA := run(t, hardened, "fingerprint")
		b, _, codeB := run(t, []string{"APP_ENV=production", "SECRET_KEY_FILE=key", hardened[2]}, "fingerprint")
		c, _, _ := run(t, append(hardened[:3:3], "PAGE_SIZE=51"), "fingerprint")
		if codeA != 0 || codeB != 0 || a != b || len(strings.TrimSpace(a)) != 32 {
			t.Errorf("fingerprints %q (exit %d) and %q (exit %d): want one equal line of 32 hex digits", a, codeA, b, codeB)
		}
		if c == a {
			t.Errorf("fingerprint unchanged by PAGE_SIZE: %q", c)
		}
	})
}
