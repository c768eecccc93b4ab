package prodready_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// canaryEncodings are the forms in which a leaked canary would be found.
func canaryEncodings(c string) []string {
	return []string{
		c,
		hex.EncodeToString([]byte(c)),
		base64.StdEncoding.EncodeToString([]byte(c)),
		base64.RawURLEncoding.EncodeToString([]byte(c)),
		// The middle of the value, so that truncation does not hide a leak.
		c[4 : len(c)-4],
	}
}

func assertNoCanary(t *testing.T, c, where, out string) {
	t.Helper()
	for _, enc := range canaryEncodings(c) {
		if strings.Contains(out, enc) {
			t.Errorf("%s leaks the canary secret:\n%s", where, out)
			return
		}
	}
}

// TestCanaryNeverAppears loads configurations holding a canary secret
// through every path, valid and broken, and renders everything the library
// produces: the error in every fmt verb, each FieldError, the report as
// JSON and fmt, the findings, the logs, the loaded config through fmt,
// JSON and slog, and the fingerprint.
func TestCanaryNeverAppears(t *testing.T) {
	t.Parallel()
	strong := "CANARYx" + strongKey(t) // a valid, strong key
	weak := "CANARY-changeme-key"      // a weak one
	type svc struct {
		prodready.Base
		APIToken prodready.Secret   `env:"API_TOKEN"`
		Tokens   []prodready.Secret `env:"TOKENS" sep:";"`
		//lint:ignore U1000 unexported on purpose: the loader must skip it
		hidden prodready.Secret
	}
	tests := []struct {
		name   string
		canary string
		env    prodready.MapEnv
		files  fstest.MapFS
		conf   []string
	}{
		{"valid production", strong, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strong, "API_TOKEN": strong}, nil, nil},
		{"weak key", weak, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": weak}, nil, nil},
		{"weak fallback", weak, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strongKey(t), "SECRET_KEY_FALLBACKS": weak + "," + weak}, nil, nil},
		{"fallback equals key", strong, prodready.MapEnv{"SECRET_KEY": strong, "SECRET_KEY_FALLBACKS": strong}, nil, nil},
		{"both NAME and NAME_FILE", strong, prodready.MapEnv{"SECRET_KEY": strong, "SECRET_KEY_FILE": "k"}, fstest.MapFS{"k": {Data: []byte(strong)}}, nil},
		{"key from file", strong, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY_FILE": "/run/secrets/k"}, fstest.MapFS{"run/secrets/k": {Data: []byte(strong + "\n")}}, nil},
		{"weak key from file", weak, prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY_FILE": "k"}, fstest.MapFS{"k": {Data: []byte(weak)}}, nil},
		{"missing key file", strong, prodready.MapEnv{"API_TOKEN": strong, "SECRET_KEY_FILE": "/nope/" + "k"}, nil, nil},
		{"secret in config file", strong, nil, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: " + strong + "\napi_token: [" + strong + "]\n")}}, []string{"c.yaml"}},
		{"secret in broken yaml", strong, nil, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: \"" + strong + "\n  : [\n")}}, []string{"c.yaml"}},
		{"secret in unknown key", strong, nil, fstest.MapFS{"c.json": {Data: []byte(`{"secret_kee": "` + strong + `"}`)}}, []string{"c.json"}},
		{"secret in broken json", strong, nil, fstest.MapFS{"c.json": {Data: []byte(`{"secret_key": "` + strong + `",}`)}}, []string{"c.json"}},
		{"secret in broken .env", strong, nil, fstest.MapFS{".env": {Data: []byte("SECRET_KEY=" + strong + "\nAPI_TOKEN=\"" + strong + "\n")}}, nil},
		{"secret in .env value with bad escape", strong, nil, fstest.MapFS{".env": {Data: []byte("API_TOKEN=\"" + strong + "\\q\"\n")}}, nil},
		{"yaml-style .env line", strong, nil, fstest.MapFS{".env": {Data: []byte("SECRET_KEY: " + strong + "=\n")}}, nil},
		{"password with '#' in a URL", strong, prodready.MapEnv{"DATABASE_URL": "postgres://app:1#" + strong + "@db/app", "CACHE_URL": "redis://:6379?" + strong + "@cache/0"}, nil, nil},
		{"secret in a level's parser error", strong, prodready.MapEnv{"LOG_LEVEL": "redis://u:" + strong + "@h"}, nil, nil},
		{"database password", strong, prodready.MapEnv{"DATABASE_URL": "postgres://app:" + strong + "@db:5432/app"}, nil, nil},
		{"malformed database url", strong, prodready.MapEnv{"DATABASE_URL": "postgres://app:" + strong + "@db:notaport/app"}, nil, nil},
		{"cache url with password, bad scheme", strong, prodready.MapEnv{"CACHE_BACKEND": "memcached", "CACHE_URL": "redis://:" + strong + "@h:6379"}, nil, nil},
		{"empty item in secret list", strong, prodready.MapEnv{"TOKENS": strong + ";;" + strong}, nil, nil},
		{"misspelled secret variable", strong, prodready.MapEnv{"SECRET_KYE": strong, "API_TOKNE": strong}, nil, nil},
	}
	// The outside attack ("Trust" issue): a credential in a query
	// parameter of a name off the old list, or after ';', printed.
	for name, u := range credentialURLs(strong) {
		tc := tests[0] // the same fields; only the name and environment change
		tc.name, tc.env, tc.files, tc.conf = "DATABASE_URL "+name, prodready.MapEnv{"DATABASE_URL": u}, nil, nil
		tests = append(tests, tc)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			o := opts(tt.env, tt.files)
			o.ConfigFiles = tt.conf
			o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var c svc
			rep, err := prodready.LoadWithReport(ctx, &c, o)
			var outs []string
			if err != nil {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
					outs = append(outs, fmt.Sprintf(verb, err))
				}
				for _, fe := range fieldErrors(t, err) {
					outs = append(outs, fmt.Sprintf("%+v %#v", *fe, fe.Origin), fe.Hint, fe.Err.Error())
				}
			}
			if rep != nil {
				j, _ := json.Marshal(rep)
				outs = append(outs, string(j), fmt.Sprintf("%+v", *rep), findingsText(rep))
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
				outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c))
			}
			j, _ := json.Marshal(c)
			outs = append(outs, string(j))
			var sl bytes.Buffer
			slog.New(slog.NewTextHandler(&sl, nil)).Info("cfg", "cfg", c)
			slog.New(slog.NewJSONHandler(&sl, nil)).Info("cfg", "cfg", c, "base", c.Base)
			outs = append(outs, sl.String(), logs.String())
			if fp, err := prodready.Fingerprint(c); err == nil {
				outs = append(outs, fp)
			}
			for i, out := range outs {
				assertNoCanary(t, tt.canary, fmt.Sprintf("output %d", i), out)
			}
		})
	}
}
