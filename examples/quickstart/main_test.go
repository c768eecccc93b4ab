package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickstart builds the example and runs it as a user would, with a
// clean environment in a fresh directory.
func TestQuickstart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "quickstart")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const canary = "CANARYqT8vL2mX9pR4wK7nB1cF6hJ3dG5sZ0yA-E_u"
	tests := []struct {
		name     string
		env      []string
		wantCode int
		stdout   []string
		stderr   []string
	}{
		{"development", nil, 0, []string{"SECRET_KEY", "[redacted]", "generated (random, this process only)", "PAGE_SIZE", "profile development, fingerprint"}, []string{"PR-W001"}},
		{"production without secrets", []string{"APP_ENV=production"}, 1, nil, []string{"SECRET_KEY: required in production, not set", "ADMIN_TOKEN: required in production, not set"}},
		{"production with a weak key", []string{"APP_ENV=production", "SECRET_KEY=changeme", "ADMIN_TOKEN=" + canary}, 1, nil, []string{"SECRET_KEY: weak key"}},
		{"production ready", []string{"APP_ENV=production", "SECRET_KEY=" + canary, "ADMIN_TOKEN=" + canary, "DATABASE_URL=postgres://app:" + canary + "@db/app?sslmode=require"}, 0,
			[]string{"CACHE_TTL              10m0s", "CACHE_MAX_SIZE         4096", "profile production", "postgres://app:[redacted]@db/app"}, []string{`"level":"INFO"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Dir = t.TempDir()
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, &stdout, &stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, &stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, &stderr)
				}
			}
			if strings.Contains(stdout.String()+stderr.String(), canary[6:30]) {
				t.Errorf("output leaks a secret:\n%s\n%s", &stdout, &stderr)
			}
		})
	}
}
