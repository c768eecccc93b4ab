package prodready_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// TestSecretCopiesAreNotShown checks that a secret's value is not shown
// where another variable holds it: copied into a plain variable by hand,
// or shared through a YAML alias. The loader cannot tell which variable
// was meant to hold it, so every copy of a loaded secret's value is
// redacted in the report's values, in every finding, in the error and in
// the log. Until round six, prodready print showed SECRET_KEY's value as
// CACHE_NAMESPACE's when a YAML alias shared it, and PAGE_SIZE's error
// quoted it when it was pasted there (an outside review).
func TestSecretCopiesAreNotShown(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	tests := []struct {
		name  string
		env   prodready.MapEnv
		files fstest.MapFS
		conf  []string
	}{
		{"copied into a plain variable", prodready.MapEnv{"SECRET_KEY": key, "CACHE_NAMESPACE": key}, nil, nil},
		{"inside a plain variable", prodready.MapEnv{"SECRET_KEY": key, "CACHE_NAMESPACE": "svc-" + key}, nil, nil},
		{"pasted into a number", prodready.MapEnv{"SECRET_KEY": key, "PAGE_SIZE": key}, nil, nil},
		{"pasted into APP_ENV", prodready.MapEnv{"SECRET_KEY": key, "APP_ENV": key}, nil, nil},
		{"pasted into CONFIG_FILE", prodready.MapEnv{"SECRET_KEY": key, "CONFIG_FILE": key}, nil, nil},
		{"shared through a YAML alias", nil, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: &k " + key + "\ncache_namespace: *k\n")}}, []string{"c.yaml"}},
		{"a fallback copied", prodready.MapEnv{"SECRET_KEY": strongKey(t), "SECRET_KEY_FALLBACKS": key, "LOG_LEVEL": key}, nil, nil},
		{"read from a file and copied", prodready.MapEnv{"SECRET_KEY_FILE": "k", "CACHE_NAMESPACE": key}, fstest.MapFS{"k": {Data: []byte(key + "\n"), Mode: 0o600}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"APP_ENV": "production", "DATABASE_URL": "postgres://db/app?sslmode=verify-full"}
			for k, v := range tt.env {
				env[k] = v
			}
			o := opts(env, tt.files)
			o.ConfigFiles = tt.conf
			var log bytes.Buffer
			o.Logger = slog.New(slog.NewTextHandler(&log, nil))
			var b prodready.Base
			rep, err := prodready.LoadWithReport(t.Context(), &b, o)
			js, _ := json.Marshal(rep)
			var text strings.Builder
			for _, v := range rep.Vars {
				fmt.Fprintf(&text, "%s=%s\n", v.Name, v.Value)
			}
			for _, f := range rep.Findings {
				fmt.Fprintf(&text, "%s %s %s %v\n", f.ID, f.Message, f.Hint, f.Err)
			}
			for where, out := range map[string]string{"error": fmt.Sprintf("%v %+v", err, err), "report JSON": string(js), "report": text.String(), "log": log.String()} {
				if strings.Contains(out, key) {
					t.Errorf("the %s shows the secret:\n%s", where, out)
				}
			}
		})
	}
}

// TestShortSecretsAreNotHunted checks that a short secret's text is left
// where it only happens to occur: a development database's password
// "postgres" must not redact the URL's scheme or user.
func TestShortSecretsAreNotHunted(t *testing.T) {
	t.Parallel()
	env := prodready.MapEnv{"DATABASE_URL": "postgres://postgres:postgres@127.0.0.1:5432/app", "CACHE_NAMESPACE": "postgres-cache"}
	var b prodready.Base
	rep, err := prodready.LoadWithReport(t.Context(), &b, opts(env, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Vars {
		if (v.Name == "DATABASE_URL" || v.Name == "CACHE_NAMESPACE") && !strings.HasPrefix(v.Value, "postgres") {
			t.Errorf("%s = %q, want it shown", v.Name, v.Value)
		}
	}
}

// TestGroupSecretCopiesAreNotShown is TestSecretCopiesAreNotShown for the
// secrets of a group's elements.
func TestGroupSecretCopiesAreNotShown(t *testing.T) {
	t.Parallel()
	type upstream struct {
		Host  string           `env:"HOST" required:"true"`
		Token prodready.Secret `env:"TOKEN"`
	}
	type config struct {
		Upstreams []upstream `prefix:"UPSTREAM_"`
		Note      string     `env:"NOTE"`
		Port      int        `env:"PORT"`
	}
	key := strongKey(t)
	env := prodready.MapEnv{"UPSTREAM_0_HOST": "a.internal", "UPSTREAM_0_TOKEN": key, "NOTE": key, "PORT": key, "UPSTREAM_1_HOST": key}
	var c config
	rep, err := prodready.LoadWithReport(t.Context(), &c, opts(env, nil))
	js, _ := json.Marshal(rep)
	if out := fmt.Sprintf("%v %+v %s", err, err, js); strings.Contains(out, key) {
		t.Errorf("the error or the report shows the group's secret:\n%s", out)
	}
}
