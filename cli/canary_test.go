package cli_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// canaryForms are the forms in which a leaked canary would be found.
func canaryForms(c string) []string {
	return []string{
		c,
		hex.EncodeToString([]byte(c)),
		base64.StdEncoding.EncodeToString([]byte(c)),
		base64.RawURLEncoding.EncodeToString([]byte(c)),
		c[4 : len(c)-4], // the middle, so that truncation does not hide a leak
	}
}

// queryCredentialNames are the query parameters through which the outside
// attack read credentials; see the root package's credential_url_test.go.
var queryCredentialNames = []string{
	"password", "client_secret", "secret_key", "access_key", "private_key", "key", "sig",
	"signature", "X-Amz-Signature", "X-Amz-Credential", "api-key", "session_token",
	"sas_token", "SharedAccessSignature", "pw", "auth", "authorization", "bearer",
	"credentials", "apitoken", "+password", "password%00",
}

// allCommands are every command and format that reads the configuration.
var allCommands = [][]string{
	{"check"},
	{"check", "--format", "json"},
	{"check", "--color", "always", "--fail-level", "info"},
	{"check", "--profile", "production"},
	{"check", "--profile", "production", "--format", "json"},
	{"print"},
	{"print", "--format", "json"},
	{"print", "--format", "env"},
	{"print", "--profile", "production", "--format", "env"},
	{"env"},
	{"env", "--format", "dotenv"},
	{"fingerprint"},
	{"fingerprint", "--verbose"},
	{"fingerprint", "--verbose", "--profile", "production"},
	{"help", "check"},
	{"version"},
}

// TestCanaryNeverAppears runs every command and format on configurations
// that hold a canary secret, in every place a secret can come from, valid
// or broken, and looks for the canary in stdout, stderr and the error.
func TestCanaryNeverAppears(t *testing.T) {
	t.Parallel()
	strong := "CANARYx" + strongKey(t) // a strong key
	weak := "CANARY-changeme-key"      // a weak one
	type svc struct {
		prodready.Base
		APIToken prodready.Secret   `env:"API_TOKEN" doc:"API token"`
		Tokens   []prodready.Secret `env:"TOKENS" sep:";"`
		Plain    string             `env:"PLAIN"`
	}
	tests := []struct {
		name   string
		canary string
		env    prodready.MapEnv
		files  fstest.MapFS
		args   []string // added to each command
	}{
		{"strong key", strong, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strong, "API_TOKEN": strong}, nil, nil},
		{"weak key", weak, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": weak}, nil, nil},
		{"weak key, development", weak, prodready.MapEnv{"SECRET_KEY": weak}, nil, nil},
		{"key duplicated in fallbacks", strong, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strong, "SECRET_KEY_FALLBACKS": strong + "," + strong}, nil, nil},
		{"weak fallbacks", weak, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strongKey(t), "SECRET_KEY_FALLBACKS": weak + "," + weak}, nil, nil},
		{"key from SECRET_KEY_FILE", strong, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY_FILE": "/run/secrets/key"}, fstest.MapFS{"run/secrets/key": {Data: []byte(strong + "\n")}}, nil},
		{"weak key from SECRET_KEY_FILE", weak, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY_FILE": "/run/secrets/key"}, fstest.MapFS{"run/secrets/key": {Data: []byte(weak)}}, nil},
		{"both SECRET_KEY and SECRET_KEY_FILE", strong, prodready.MapEnv{"SECRET_KEY": strong, "SECRET_KEY_FILE": "k"}, fstest.MapFS{"k": {Data: []byte(strong)}}, nil},
		{"a plain value from a file", strong, prodready.MapEnv{"PAGE_SIZE_FILE": "p", "PLAIN_FILE": "q"}, fstest.MapFS{"p": {Data: []byte(strong)}, "q": {Data: []byte(strong)}}, nil},
		{"database password", strong, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strongKey(t), "DATABASE_URL": "postgres://app:" + strong + "@db:5432/app?sslmode=disable"}, nil, nil},
		{"database password in the query", strong, prodready.MapEnv{"DATABASE_URL": "postgres://db/app?password=" + strong}, nil, nil},
		{"malformed database url", strong, prodready.MapEnv{"DATABASE_URL": "postgres://app:" + strong + "@db:notaport/app"}, nil, nil},
		{"cache password, wrong backend", strong, prodready.MapEnv{"CACHE_BACKEND": "memcached", "CACHE_URL": "redis://:" + strong + "@cache:6379"}, nil, nil},
		{"secret list", strong, prodready.MapEnv{"TOKENS": strong + ";" + strong + "x"}, nil, nil},
		{"empty item in a secret list", strong, prodready.MapEnv{"TOKENS": strong + ";;" + strong}, nil, nil},
		{"misspelled secret variable", strong, prodready.MapEnv{"SECRET_KYE": strong, "API_TOKNE": strong}, nil, nil},
		{"secret in a config file", strong, nil, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: " + strong + "\napi_token: " + strong + "\n")}}, []string{"--config", "c.yaml"}},
		{"secret in a broken config file", strong, nil, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: \"" + strong + "\n  : [\n")}}, []string{"--config", "c.yaml"}},
		{"secret under an unknown key", strong, nil, fstest.MapFS{"c.json": {Data: []byte(`{"secret_kee": "` + strong + `"}`)}}, []string{"--config", "c.json"}},
		{"secret in a .env file", strong, prodready.MapEnv{"APP_ENV": "production"}, fstest.MapFS{"d.env": {Data: []byte("SECRET_KEY=" + strong + "\nAPI_TOKEN='" + strong + "'\n")}}, []string{"--env-file", "d.env"}},
		{"secret in a broken .env file", strong, nil, fstest.MapFS{"d.env": {Data: []byte("SECRET_KEY=" + strong + "\nAPI_TOKEN=\"" + strong + "\n")}}, []string{"--env-file", "d.env"}},
		{"secret in the default .env file", strong, nil, fstest.MapFS{".env": {Data: []byte("API_TOKEN=" + strong + "\n")}}, nil},
		{"secret in a level", strong, prodready.MapEnv{"LOG_LEVEL": "redis://u:" + strong + "@h"}, nil, nil},
	}
	// The outside attack ("Trust" issue): `prodready print` showed a
	// credential in a query parameter of a name off the old list, or
	// after ';'.
	for _, p := range queryCredentialNames {
		for _, sep := range []string{"&", ";"} {
			tc := tests[0] // the same fields; only the name and environment change
			tc.name, tc.files, tc.args = "DATABASE_URL query "+p+" after "+sep, nil, nil
			tc.env = prodready.MapEnv{"DATABASE_URL": "postgres://app@db/app?sslmode=require" + sep + p + "=" + strong}
			tests = append(tests, tc)
		}
	}
	tc := tests[0]
	tc.name, tc.env = "DATABASE_URL fragment", prodready.MapEnv{"DATABASE_URL": "postgres://app@db/app#" + strong}
	tests = append(tests, tc)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range allCommands {
				args := append(append([]string(nil), cmd...), tt.args...)
				if cmd[0] == "help" || cmd[0] == "version" {
					args = cmd
				}
				o := runOpts(tt.env, tt.files)
				res := runWith(t, o, &svc{}, args...)
				outs := map[string]string{"stdout": res.stdout, "stderr": res.stderr}
				if res.err != nil {
					outs["error"] = res.err.Error()
					outs["error %+v"] = fmt.Sprintf("%+v %#v", res.err, res.err)
				}
				for where, out := range outs {
					for _, form := range canaryForms(tt.canary) {
						if strings.Contains(out, form) {
							t.Errorf("Run(%q) %s leaks the canary:\n%s", args, where, out)
							break
						}
					}
				}
			}
		})
	}
}
