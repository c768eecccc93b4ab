package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestConfigCommand runs "itemsapi config" as an operator would before
// a deploy.
func TestConfigCommand(t *testing.T) {
	t.Parallel()
	key, token := randomText(t, 48), randomText(t, 32)
	prod := map[string]string{"APP_ENV": "production", "SECRET_KEY": key, "ADMIN_TOKEN": token,
		"DATABASE_URL": "postgres://app:" + token + "@db.internal:5432/app?sslmode=require"}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout []string
		stderr []string
	}{
		{"check ready", []string{"config", "check"}, prod, 0,
			[]string{"0 errors, 0 warnings", "ready (profile production"}, nil},
		{"check json", []string{"config", "check", "--format", "json"}, prod, 0, []string{`"ready": true`}, nil},
		{"check missing secrets", []string{"config", "check"}, map[string]string{"APP_ENV": "production"}, 1,
			[]string{"PR-E001  SECRET_KEY", "PR-E001  ADMIN_TOKEN"}, []string{"check failed"}},
		{"check weak token", []string{"config", "check"},
			map[string]string{"APP_ENV": "production", "SECRET_KEY": key, "ADMIN_TOKEN": "admin-admin-admin"}, 1,
			[]string{"ITEMS-E001", "ADMIN_TOKEN"}, nil},
		{"check bad LISTEN_ADDR", []string{"config", "check"}, map[string]string{"LISTEN_ADDR": "bogus"}, 1,
			[]string{"ITEMS-E004", "LISTEN_ADDR"}, nil},
		{"check development token on every interface", []string{"config", "check"}, map[string]string{"LISTEN_ADDR": ":8080"}, 1,
			[]string{"ITEMS-E005", "ADMIN_TOKEN"}, nil},
		{"check service warning", []string{"config", "check", "--fail-level", "error"},
			map[string]string{"REQUEST_TIMEOUT": "30s"}, 0, []string{"ITEMS-W003", "REQUEST_TIMEOUT"}, nil},
		{"print", []string{"config", "print"}, prod, 0,
			[]string{"LISTEN_ADDR", "127.0.0.1:8080", "ADMIN_TOKEN", "[redacted]", "postgres://app:[redacted]@db.internal"}, nil},
		{"env", []string{"config", "env"}, nil, 0, []string{"`SEED_ITEMS`", "`ADMIN_TOKEN`", "`CACHE_ITEMS`"}, nil},
		{"fingerprint", []string{"config", "fingerprint"}, prod, 0, []string{"\n"}, nil},
		{"unknown config command", []string{"config", "deploy"}, nil, 2, nil, []string{"deploy"}},
		{"unknown command", []string{"serve"}, nil, 2, nil, []string{`unknown command "serve"`}},
		{"help", []string{"help"}, nil, 0, []string{"itemsapi config"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCommand(t, t.TempDir(), tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("%v: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, stdout, stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("%v: stdout lacks %q:\n%s", tt.args, w, stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("%v: stderr lacks %q:\n%s", tt.args, w, stderr)
				}
			}
			if tt.name == "fingerprint" && !regexp.MustCompile(`^[0-9a-f]{32}\n$`).MatchString(stdout) {
				t.Errorf("fingerprint = %q, want 32 hex digits", stdout)
			}
			checkNoLeak(t, "config output", stdout+stderr, []string{key, token})
		})
	}
}
