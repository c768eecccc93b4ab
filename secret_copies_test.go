package prodready_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

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
			shown, _ := loadShowing(t, tt.env, tt.files, tt.conf)
			for where, out := range shown {
				if strings.Contains(out, key) {
					t.Errorf("the %s shows the secret:\n%s", where, out)
				}
			}
		})
	}
}

// loadShowing loads Base under production with env over a valid base, and
// returns everything the load shows: the error (%v and %+v), the report as
// JSON and as text (values, findings), and the log.
func loadShowing(t *testing.T, env prodready.MapEnv, files fstest.MapFS, conf []string) (map[string]string, error) {
	t.Helper()
	all := prodready.MapEnv{"APP_ENV": "production", "DATABASE_URL": "postgres://db/app?sslmode=verify-full"}
	for k, v := range env {
		all[k] = v
	}
	o := opts(all, files)
	o.ConfigFiles = conf
	var log bytes.Buffer
	o.Logger = slog.New(slog.NewTextHandler(&log, nil))
	var b prodready.Base
	rep, err := prodready.LoadWithReport(t.Context(), &b, o)
	js, _ := json.Marshal(rep)
	var text strings.Builder
	for _, v := range rep.Vars {
		fmt.Fprintf(&text, "%s=%s %s\n", v.Name, v.Value, v.Origin)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(&text, "%s %s %s %s %v\n", f.ID, f.Message, f.Hint, f.Origin, f.Err)
	}
	return map[string]string{"error": fmt.Sprintf("%v %+v", err, err), "report JSON": string(js), "report": text.String(), "log": log.String()}, err
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

// TestPlainTextIsNotHunted checks what the copies rule leaves alone: text
// that shares ordinary runs with a loaded secret. The fourth review of
// round seven found "prodready-demo" redacted under the development
// profile (the generated key begins prodready-dev-), and PR-W042's own
// "sslmode=disable" redacted when DATABASE_URL came from a file (a value
// read from a file counts as a secret).
func TestPlainTextIsNotHunted(t *testing.T) {
	t.Parallel()
	t.Run("the generated development key's prefix", func(t *testing.T) {
		t.Parallel()
		var b prodready.Base
		rep, err := prodready.LoadWithReport(t.Context(), &b, opts(prodready.MapEnv{"CACHE_NAMESPACE": "prodready-demo", "LOG_LEVEL": strings.Repeat("x", 60) + "prod" + strings.Repeat("x", 20)}, nil))
		if v, _ := rep.Var("CACHE_NAMESPACE"); v.Value != "prodready-demo" || v.Secret {
			t.Errorf("CACHE_NAMESPACE = %q (secret %v), want prodready-demo shown", v.Value, v.Secret)
		}
		if err == nil || !strings.Contains(err.Error(), "prod\"...") {
			t.Errorf("error = %v, want the cut value shown to its end", err)
		}
	})
	t.Run("a cache URL read from a file", func(t *testing.T) {
		t.Parallel()
		// Its password is the secret; its host, which PR-W051 names,
		// is not (a new user's report: to "[redacted]").
		env := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strongKey(t), "CACHE_BACKEND": "redis", "CACHE_NAMESPACE": "items", "CACHE_URL_FILE": "cu"}
		files := fstest.MapFS{"cu": {Data: []byte("redis://:Zq8LmN3pR7tV2xK9wB4c@redis-01.prod.internal:6379/0\n"), Mode: 0o600}}
		if m := findingMessage(t, env, files, "PR-W051"); !strings.Contains(m, "redis-01.prod.internal:6379") || strings.Contains(m, "Zq8LmN3pR7tV2xK9wB4c") {
			t.Errorf("PR-W051 says %q; want it naming redis-01.prod.internal:6379, and not the password", m)
		}
	})
	t.Run("a URL read from a file", func(t *testing.T) {
		t.Parallel()
		env := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strongKey(t), "DATABASE_URL_FILE": "db"}
		files := fstest.MapFS{"db": {Data: []byte("postgres://app@db.example.com/app?sslmode=disable\n"), Mode: 0o600}}
		if m := findingMessage(t, env, files, "PR-W042"); !strings.Contains(m, "sslmode=disable") {
			t.Errorf("PR-W042 says %q; want it naming sslmode=disable", m)
		}
	})
}

// findingMessage loads Base from env and files and returns the message of
// the finding id, or "" if there is none.
func findingMessage(t *testing.T, env prodready.MapEnv, files fstest.MapFS, id string) string {
	t.Helper()
	var b prodready.Base
	rep, _ := prodready.LoadWithReport(t.Context(), &b, opts(env, files))
	for _, f := range rep.Findings {
		if f.ID == id {
			return f.Message
		}
	}
	return ""
}

// TestGroupSecretCopiesAreNotShown is TestSecretCopiesAreNotShown for the
// secrets of a group's elements: their Secret fields, and (since the
// second review of round seven) a plain field read from a NAME_FILE file.
func TestGroupSecretCopiesAreNotShown(t *testing.T) {
	t.Parallel()
	type upstream struct {
		Host  string           `env:"HOST" required:"true"`
		Token prodready.Secret `env:"TOKEN"`
		Auth  string           `env:"AUTH"`
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
	fromFile := strongKey(t)
	env = prodready.MapEnv{"UPSTREAM_0_HOST": "a.internal", "UPSTREAM_0_AUTH_FILE": "auth", "NOTE": fromFile, "PORT": fromFile}
	rep, err = prodready.LoadWithReport(t.Context(), &c, opts(env, fstest.MapFS{"auth": {Data: []byte(fromFile + "\n"), Mode: 0o600}}))
	js, _ = json.Marshal(rep)
	if out := fmt.Sprintf("%v %+v %s", err, err, js); strings.Contains(out, fromFile) {
		t.Errorf("the error or the report shows an element's value read from a file:\n%s", out)
	}
}

// TestCutAndEscapedSecretCopiesAreNotShown checks the copies an error
// quotes: a value is shown cut to 64 bytes and escaped as Go quotes it,
// so a copy of a long key, or of one holding a quote, a backslash or a
// control character, is not the key's text. An outside review found
// both shown after round six: the first 64 bytes of an 80-byte key
// pasted into LOG_LEVEL, and a key with a quote in it whole, escaped.
func TestCutAndEscapedSecretCopiesAreNotShown(t *testing.T) {
	t.Parallel()
	long := strongKey(t) + strongKey(t) // 128 bytes: quote shows 64
	k := strongKey(t)
	odd := `"` + k[:20] + `\` + k[20:40] + "\x01" + k[40:]
	// Rows after the first review of round seven: a key a URL re-encodes
	// showed percent-encoded in a plain URL's value; a key holding the cut
	// mark showed its first 64 bytes; a key that begins another left the
	// other's rest; a long CONFIG_FILE showed the end of the key at its end.
	pct := "Xk9^mP2|qL7{vR4}" + k
	// And after the second: a key with '#' or '?' in a URL-shaped value
	// (the redactor hid its rest, so its start was no copy of the whole);
	// a CACHE_URL cut at its '?' with "..."; a key written with a needless
	// or lower-case percent-encoding.
	hash := k[:24] + "#" + k[24:40]
	query := k[:24] + "?" + k[24:40]
	slash := k[:20] + "/" + k[20:40]
	mark := `Kq8ZvT3mWx7PLr"... (` + long
	short := k[:24]
	longer := short + "TAILtail" + strongKey(t)[:24]
	tests := []struct {
		name  string
		key   string
		env   prodready.MapEnv
		files fstest.MapFS
		conf  []string
		cut   int // where the shown text of the key is cut, if it is
	}{
		{"a long key in a number", long, prodready.MapEnv{"PAGE_SIZE": long}, nil, nil, 64},
		{"a long key after 60 bytes", long, prodready.MapEnv{"PAGE_SIZE": strings.Repeat("9", 60) + long}, nil, nil, 4},
		{"a long key in LOG_LEVEL", long, prodready.MapEnv{"LOG_LEVEL": long}, nil, nil, 64},
		{"a long key as a file's APP_ENV", long, nil, fstest.MapFS{"c.json": {Data: []byte(`{"app_env": "` + long + `"}`)}}, []string{"c.json"}, 64},
		{"a key with a quote, a backslash and a control character", odd, prodready.MapEnv{"LOG_LEVEL": odd}, nil, nil, 0},
		{"the same in a number", odd, prodready.MapEnv{"PAGE_SIZE": "1" + odd}, nil, nil, 0},
		{"a key a URL re-encodes, in a plain URL", pct, prodready.MapEnv{"CACHE_NAMESPACE": "https://hooks.example.com/" + pct, "LOG_LEVEL": "https://hooks.example.com/" + pct}, nil, nil, 0},
		{"a key holding the cut mark", mark, prodready.MapEnv{"LOG_LEVEL": mark}, nil, nil, 64},
		{"a key that begins another", longer, prodready.MapEnv{"SECRET_KEY": short, "SECRET_KEY_FALLBACKS": longer, "LOG_LEVEL": longer}, nil, nil, 0},
		{"a long key at the end of a long CONFIG_FILE", long, prodready.MapEnv{"CONFIG_FILE": "\x01" + strings.Repeat("a", 100) + long}, nil, nil, 0},
		{"the same, printable", long, prodready.MapEnv{"CONFIG_FILE": strings.Repeat("a", 500) + long}, nil, nil, 0},
		{"a key with '#' in a plain URL", hash, prodready.MapEnv{"CACHE_NAMESPACE": "https://hooks.example.com/services/" + hash, "LOG_LEVEL": "https://hooks.example.com/services/" + hash}, nil, nil, 0},
		{"a key with '?' in a plain URL", query, prodready.MapEnv{"CACHE_NAMESPACE": "https://hooks.example.com/services/" + query, "LOG_LEVEL": "https://hooks.example.com/services/" + query}, nil, nil, 0},
		{"a key with '?' in CACHE_URL's path", query, prodready.MapEnv{"CACHE_BACKEND": "redis", "CACHE_URL": "rediss://:pw@cache:6379/" + query}, nil, nil, 0},
		{"a key needlessly percent-encoded", k, prodready.MapEnv{"DATABASE_URL": "postgres://db/" + k[:20] + "%" + fmt.Sprintf("%02X", k[20]) + k[21:], "LOG_LEVEL": "x"}, nil, nil, 0},
		{"a key percent-encoded in lower case", slash, prodready.MapEnv{"DATABASE_URL": "postgres://db/app?sslmode=require&application_name=" + k[:20] + "%2f" + k[20:40], "LOG_LEVEL": "x"}, nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"SECRET_KEY": tt.key}
			for k, v := range tt.env {
				env[k] = v
			}
			shown, err := loadShowing(t, env, tt.files, tt.conf)
			if err == nil {
				t.Fatal("loaded; want an error that quotes the bad value")
			}
			out := shown["error"] + shown["report JSON"] + shown["report"] + shown["log"]
			escaped := func(n int) string { q := strconv.Quote(tt.key[:n]); return q[1 : len(q)-1] }
			qk := strconv.Quote(tt.key)
			for _, form := range []string{tt.key, qk[1 : len(qk)-1], url.PathEscape(tt.key), url.QueryEscape(tt.key)} {
				if strings.Contains(out, form[:12]) || strings.Contains(out, form[len(form)-12:]) || strings.Contains(out, form[8:20]) {
					t.Errorf("the output shows the first or last 12 bytes of the key's form %q:\n%s", form, out)
				}
			}
			if tt.cut > 0 && strings.Contains(out, escaped(tt.cut)+`"...`) {
				t.Errorf("the output shows the key's first %d bytes where it cuts the value:\n%s", tt.cut, out)
			}
		})
	}
}

// TestSecretCopiesAreDigestedAsSecrets checks that a plain variable
// holding a copy of a loaded secret is a secret in the report, so that
// FingerprintVars keys its digest: a plain SHA-256 of the value let anyone
// who saw prodready fingerprint --json or /debug/config test guesses at
// the secret at full speed (an outside review, after round six).
func TestSecretCopiesAreDigestedAsSecrets(t *testing.T) {
	t.Parallel()
	digest := func(env prodready.MapEnv) prodready.VarDigest {
		t.Helper()
		var b prodready.Base
		rep, err := prodready.LoadWithReport(t.Context(), &b, opts(env, nil))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := rep.Var("CACHE_NAMESPACE"); !v.Secret || v.Value != prodready.Redacted {
			t.Errorf("CACHE_NAMESPACE in the report: %+v; want a secret, redacted", v)
		}
		d, err := prodready.FingerprintVars(&b, rep)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range d.Vars {
			if v.Name == "CACHE_NAMESPACE" {
				return v
			}
		}
		t.Fatal("no digest of CACHE_NAMESPACE")
		return prodready.VarDigest{}
	}
	t.Run("a copy of SECRET_KEY is keyed", func(t *testing.T) {
		t.Parallel()
		key := strongKey(t)
		if d := digest(prodready.MapEnv{"SECRET_KEY": key, "CACHE_NAMESPACE": key}); !d.Keyed {
			t.Errorf("digest %+v; want it keyed", d)
		}
	})
	t.Run("without a key, a copy enters only as set", func(t *testing.T) {
		t.Parallel()
		// A struct without SECRET_KEY: nothing to key digests with.
		type config struct {
			DatabaseURL prodready.SecretURL `env:"DATABASE_URL"`
			Namespace   string              `env:"CACHE_NAMESPACE"`
		}
		nsDigest := func(password string) string {
			var c config
			env := prodready.MapEnv{"DATABASE_URL": "postgres://app:" + password + "@db/app", "CACHE_NAMESPACE": password}
			rep, err := prodready.LoadWithReport(t.Context(), &c, opts(env, nil))
			if err != nil {
				t.Fatal(err)
			}
			d, err := prodready.FingerprintVars(&c, rep)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range d.Vars {
				if v.Name == "CACHE_NAMESPACE" {
					return v.Digest
				}
			}
			t.Fatal("no digest of CACHE_NAMESPACE")
			return ""
		}
		if a, b := nsDigest(strongKey(t)), nsDigest(strongKey(t)); a != b {
			t.Errorf("copies of two passwords digest to %s and %s; want one digest that says nothing of them", a, b)
		}
	})
}

// FuzzSecretCopies pastes a loaded secret into a plain variable between
// any two texts and checks that no error, finding or log shows it: not
// whole, not escaped, and not cut after its first minCutCopy (4) bytes or
// more where an error cuts the value.
func FuzzSecretCopies(f *testing.F) {
	f.Add("Zq3v9Xk2Lw8Rt5Yp1Hn6Bm4Cj7Df0Gs2Ve9Ua3Ko8Ix5Wr", "", "")
	f.Add(`q7\Rz"Lm2#Xp9@Vt4!Wn8$Yb3%Hc6&Jd1`, "x", "y")
	f.Add("Zq3v9Xk2Lw8Rt5Yp1Hn6Bm4Cj7Df0Gs2Ve9Ua3Ko8Ix5WrZq3v9Xk2Lw8Rt5Yp1Hn6Bm4Cj7Df0Gs2Ve9Ua3Ko8Ix5Wr", strings.Repeat("9", 60), "")
	f.Add("Zq3v9Xk2Lw8Rt5Yp\x01Hn6Bm4Cj7Df0Gs2", "redis://u:", "@h/0")
	f.Add("Xk9^mP2|qL7{vR4}MqX0cTh-B8cV2Y46u8G7Yfm5", "https://hooks.example.com/", "")
	f.Add(`Kq8ZvT3mWx7PLr"... (zbLgK6QeQ9uPnNmAsuKloq4eIXl88e92rk9WcmsF1vJXzbLgK6QeQ9uPnNmAsuKloq4eIXl88e92rk9WcmsF1vJX`, "", "")
	f.Fuzz(func(t *testing.T, key, before, after string) {
		key = strings.TrimSpace(key)
		if len(key) < 16 || len(key) > 200 || len(before)+len(after) > 200 || strings.ContainsAny(key, "\x00") || !utf8.ValidString(key) {
			return
		}
		shown, _ := loadShowing(t, prodready.MapEnv{"SECRET_KEY": key, "LOG_LEVEL": before + key + after}, nil, nil)
		out := shown["error"] + shown["report"] + shown["log"]
		q := strconv.Quote(key)
		escaped := q[1 : len(q)-1]
		for _, form := range []string{key, escaped, url.PathEscape(key), url.QueryEscape(key)} {
			if strings.Contains(out, form) {
				t.Fatalf("the output shows the key (as %q):\n%s", form, out)
			}
		}
		for n := 4; n < len(key); n++ {
			if !utf8.ValidString(key[:n]) {
				continue
			}
			p := strconv.Quote(key[:n])
			if strings.Contains(out, p[1:len(p)-1]+`"...`) {
				t.Fatalf("the output shows the key's first %d bytes where it cuts the value:\n%s", n, out)
			}
		}
	})
}
