package prodready_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
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

// TestDecoderMessagesDoNotRepeatTheValue checks that a decoder's own message
// does not quote the value again past the loader's truncation, and that
// scrub drops a message quoting part of the value.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): messages from UnmarshalText and registered
// decoders repeated the input, passwords included.
func TestDecoderMessagesDoNotRepeatTheValue(t *testing.T) {
	t.Parallel()
	long := "redis://u:" + canary + "@h/" + strings.Repeat("x", 100) + "END"
	var b prodready.Base
	err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"LOG_LEVEL": long}, nil))
	if err == nil {
		t.Fatal("Load() succeeded")
	}
	assertNoCanary(t, canary, "error", err.Error())
	if strings.Contains(err.Error(), "END") || !strings.Contains(err.Error(), "want a log level") {
		t.Errorf("error repeats the value past 64 bytes, or lost its explanation: %v", err)
	}
	// A type's own parser that quotes part of the value loses its message.
	if got := prodready.ScrubForTest("bad word \"CANARY-7f3a\": nope", "xx CANARY-7f3a9c yy"); got != "not accepted by the parser of its type" {
		t.Errorf("scrub kept a fragment of the value: %q", got)
	}
	if got := prodready.ScrubForTest("want X,Y", "3"); got != "want X,Y" {
		t.Errorf("scrub changed a clean message: %q", got)
	}
}

// TestSecretValuesInOtherMessages checks that no secret reaches an
// error through an APP_ENV_FILE naming the wrong file, a config file map
// key of a secret field, or a foreign decoder's message.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): each of these quoted the secret.
func TestSecretValuesInOtherMessages(t *testing.T) {
	t.Parallel()
	// APP_ENV_FILE naming the wrong file.
	files := fstest.MapFS{"run/secrets/db": {Data: []byte(canary)}, "k.yaml": {Data: []byte("keys: {" + canary + "}\nkey2:\n  " + canary + "x: [1]\n")}}
	var b prodready.Base
	err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"APP_ENV_FILE": "/run/secrets/db"}, files))
	if !errors.Is(err, prodready.ErrUnknownProfile) {
		t.Fatalf("Load() = %v", err)
	}
	assertNoCanary(t, canary, "unknown profile from a file", err.Error())
	// Map keys of secret fields in a config file.
	var c struct {
		Keys map[string]prodready.Secret `env:"KEYS"`
		Key2 map[string]prodready.Secret `env:"KEY2"`
	}
	o := opts(nil, files)
	o.ConfigFiles = []string{"k.yaml"}
	err = prodready.Load(ctx, &c, o)
	if err == nil {
		t.Fatal("Load() succeeded")
	}
	assertNoCanary(t, canary, "map keys", err.Error())
	// A foreign decoder quoting short items of a secret list.
	var d struct {
		Keys []prodready.Secret `env:"KEYS"`
	}
	o = opts(prodready.MapEnv{"KEYS": "short1,short2"}, nil)
	o.Decoders = map[reflect.Type]func(string) (any, error){
		reflect.TypeFor[prodready.Secret](): func(s string) (any, error) { return nil, fmt.Errorf("bad base64 in %q", s) },
	}
	err = prodready.Load(ctx, &d, o)
	if err == nil || strings.Contains(err.Error(), "short1") || !strings.Contains(err.Error(), "rejected by the decoder") {
		t.Errorf("Load() = %v, want the decoder's message withheld", err)
	}
}
