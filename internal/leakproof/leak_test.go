package leakproof_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	// The remote caches below: cache.New finds a backend only when it is imported.
	_ "github.com/prodready/prodready/cache/memcached"
	_ "github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/cli"
	"github.com/prodready/prodready/internal/leakproof"
	"github.com/prodready/prodready/internal/testserver"
	"github.com/prodready/prodready/jwtauth"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

// canaries are the made-up secrets of one run: no output may hold any of
// them, in any form leakproof.Encodings lists.
type canaries struct {
	key      string // SECRET_KEY, strong
	fallback string // SECRET_KEY_FALLBACKS, strong
	weak     string // a weak SECRET_KEY: refused, and never quoted in the refusal
	dbPass   string // the password of DATABASE_URL
	cachePW  string // the password of CACHE_URL
	custom   string // a service's own Secret field (API_TOKEN), with characters that JSON and URLs escape
	file     string // a secret read from a NAME_FILE (WEBHOOK_SECRET_FILE)
	admin    string // the reference service's ADMIN_TOKEN
}

// queryCredentials returns base with a query that gives canary to every
// parameter name through which the outside attack ("Trust" issue) read a
// credential, separated by '&' and ';' in turn.
func queryCredentials(base, canary string) string {
	names := []string{
		"client_secret", "secret_key", "access_key", "private_key", "key", "sig",
		"signature", "X-Amz-Signature", "X-Amz-Credential", "api-key", "session_token",
		"sas_token", "SharedAccessSignature", "pw", "auth", "authorization", "bearer",
		"credentials", "apitoken", "+password", "password%00", "password",
	}
	q := "sslmode=require"
	for i, n := range names {
		q += "&;"[i%2:i%2+1] + n + "=" + canary
	}
	return base + "?" + q
}

func (c canaries) all() []string {
	return []string{c.key, c.fallback, c.weak, c.dbPass, c.cachePW, c.custom, c.file, c.admin}
}

// randomCanary returns "CANARY" and n random bytes in base64url: safe in
// a URL's password and in a .env file, mixed enough to pass
// CheckKeyStrength.
func randomCanary(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return "CANARY" + base64.RawURLEncoding.EncodeToString(b)
}

func newCanaries() canaries {
	return canaries{
		key:      randomCanary(36),
		fallback: randomCanary(36),
		weak:     "changeme-" + randomCanary(6)[:14], // 23 bytes: weak by length
		dbPass:   randomCanary(24),
		cachePW:  randomCanary(24),
		custom:   `CANARY<&>"+/ =` + randomCanary(24),
		file:     randomCanary(30),
		admin:    randomCanary(36),
	}
}

// svc is a service's configuration: Base and two secrets of its own.
type svc struct {
	prodready.Base
	APIToken prodready.Secret `env:"API_TOKEN" doc:"token of the upstream API"`
	Webhook  prodready.Secret `env:"WEBHOOK_SECRET" doc:"secret that signs webhooks"`
	//lint:ignore U1000 unexported on purpose: nothing may render it
	hidden prodready.Secret
}

// scan checks outputs for a set of canaries.
type scan struct {
	t        *testing.T
	canaries []string
}

func (s scan) text(where string, out string) {
	s.t.Helper()
	leakproof.Check(s.t, where, []byte(out), s.canaries...)
}

// verbs are the fmt verbs every value is rendered with.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T"}

// value renders v with every fmt verb, as JSON, through MarshalText when
// it has it, and through slog's text and JSON handlers, as a value and
// as an error attribute.
func (s scan) value(where string, v any) {
	s.t.Helper()
	for _, verb := range verbs {
		s.text(where+" "+verb, fmt.Sprintf(verb, v))
	}
	if j, err := json.Marshal(v); err == nil {
		s.text(where+" JSON", string(j))
	} else {
		s.text(where+" JSON error", err.Error())
	}
	if m, ok := v.(interface{ MarshalText() ([]byte, error) }); ok {
		b, err := m.MarshalText()
		s.text(where+" MarshalText", string(b)+fmt.Sprint(err))
	}
	var tb, jb bytes.Buffer
	slog.New(slog.NewTextHandler(&tb, nil)).Info("m", "v", v, slog.Any("err", v))
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("m", "v", v, slog.Any("err", v))
	s.text(where+" slog text", tb.String())
	s.text(where+" slog JSON", jb.String())
}

// err renders err as value does, then every error it wraps.
func (s scan) err(where string, err error) {
	s.t.Helper()
	if err == nil {
		return
	}
	s.value(where, err)
	s.text(where+" Error()", err.Error())
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		s.err(where+" unwrapped", u.Unwrap())
	case interface{ Unwrap() []error }:
		for i, e := range u.Unwrap() {
			s.err(fmt.Sprintf("%s unwrapped[%d]", where, i), e)
		}
	}
}

// logs returns a logger that writes to both a text and a JSON handler at
// the debug level, and a function that returns what it wrote.
func logs() (*slog.Logger, func() string) {
	var mu sync.Mutex
	var tb, jb bytes.Buffer
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	h := slog.NewMultiHandler(slog.NewTextHandler(lockedWriter{&mu, &tb}, opts), slog.NewJSONHandler(lockedWriter{&mu, &jb}, opts))
	return slog.New(h), func() string {
		mu.Lock()
		defer mu.Unlock()
		return tb.String() + jb.String()
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// TestNoSecretLeaks walks every public rendering path of every package —
// errors, fmt verbs, JSON, text marshalling, slog's text and JSON handlers,
// the CLI's outputs, and the reference service's HTTP responses and logs —
// with canary secrets in the configuration, and fails on any trace of one.
func TestNoSecretLeaks(t *testing.T) {
	c := newCanaries()
	t.Cleanup(func() {
		t.Logf("leak proof: %d outputs scanned, each for %d canaries in every encoding", leakproof.Scanned(), len(c.all()))
	})
	t.Run("scanner", func(t *testing.T) { t.Parallel(); testScanner(t) })
	t.Run("root", func(t *testing.T) { t.Parallel(); walkRoot(t, c) })
	t.Run("cli", func(t *testing.T) { t.Parallel(); walkCLI(t, c) })
	t.Run("cache", func(t *testing.T) { t.Parallel(); walkCache(t, c) })
	t.Run("signing", func(t *testing.T) { t.Parallel(); walkSigning(t, c) })
	t.Run("session", func(t *testing.T) { t.Parallel(); walkSession(t, c) })
	t.Run("jwtauth", func(t *testing.T) { t.Parallel(); walkJWT(t, c) })
	t.Run("paginate", func(t *testing.T) { t.Parallel(); walkPaginate(t, c) })
	t.Run("itemsapi", func(t *testing.T) { t.Parallel(); walkService(t, c) })
}

// A recordingTB is a testing.TB that records Errorf, to test Check.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// testScanner shows that Check finds a canary in each form, also inside
// a longer base64 blob at every byte offset, and stays quiet on a clean
// output.
func testScanner(t *testing.T) {
	canary := `CANARY<&>"+/ =` + randomCanary(24)
	b := []byte(canary)
	var outs []string
	for _, enc := range leakproof.Encodings(canary) {
		outs = append(outs, "x "+enc+" y")
	}
	for pre := range 3 {
		blob := append(append(bytes.Repeat([]byte{'p'}, pre), b...), "suffix"...)
		for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			outs = append(outs, e.EncodeToString(blob))
		}
	}
	outs = append(outs, canary[3:len(canary)-3]) // cut at both ends
	for i, out := range outs {
		r := &recordingTB{TB: t}
		leakproof.Check(r, "out", []byte(out), canary)
		if len(r.errs) != 1 {
			t.Errorf("Check(output %d %q) reported %d leaks, want 1", i, out, len(r.errs))
		}
	}
	r := &recordingTB{TB: t}
	leakproof.Check(r, "clean", []byte("nothing here: [redacted] CANARY REDACTED"), canary)
	if len(r.errs) != 0 {
		t.Errorf("Check(clean output) = %v, want no leak", r.errs)
	}
}

// fixedRand is a deterministic source for the development key.
type fixedRand struct{}

func (fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return len(p), nil
}

func walkRoot(t *testing.T, c canaries) {
	dbURL := "postgres://app:" + c.dbPass + "@db:5432/app?sslmode=require"
	cacheURL := "redis://:" + c.cachePW + "@cache:6379/0"
	good := prodready.MapEnv{
		"APP_ENV": "production", "SECRET_KEY": c.key, "SECRET_KEY_FALLBACKS": c.fallback,
		"DATABASE_URL": dbURL, "CACHE_BACKEND": "redis", "CACHE_URL": cacheURL,
		"API_TOKEN": c.custom, "WEBHOOK_SECRET_FILE": "/run/secrets/webhook",
	}
	files := fstest.MapFS{"run/secrets/webhook": {Data: []byte(c.file + "\n"), Mode: 0o400}}
	with := func(kv ...string) prodready.MapEnv {
		env := prodready.MapEnv{}
		for k, v := range good {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(env, kv[i])
			} else {
				env[kv[i]] = kv[i+1]
			}
		}
		return env
	}
	tests := []struct {
		name  string
		env   prodready.MapEnv
		files fstest.MapFS
		conf  []string
	}{
		{"valid production", good, files, nil},
		{"development, generated key", prodready.MapEnv{"DATABASE_URL": dbURL, "API_TOKEN": c.custom}, nil, nil},
		{"missing key", with("SECRET_KEY", ""), files, nil},
		{"weak key is the canary", with("SECRET_KEY", c.weak), files, nil},
		{"weak fallback is the canary", with("SECRET_KEY_FALLBACKS", c.fallback+","+c.weak), files, nil},
		{"fallback equals key", with("SECRET_KEY_FALLBACKS", c.key), files, nil},
		{"key and key file", with("SECRET_KEY_FILE", "/run/secrets/webhook"), files, nil},
		{"missing secret file", good, nil, nil},
		{"world-readable secret file", good, fstest.MapFS{"run/secrets/webhook": {Data: []byte(c.file), Mode: 0o644}}, nil},
		{"weak key from file", with("SECRET_KEY", "", "SECRET_KEY_FILE", "k"), fstest.MapFS{"k": {Data: []byte(c.weak)}}, nil},
		{"invalid database url", with("DATABASE_URL", "postgres://app:"+c.dbPass+"@db:notaport/app"), files, nil},
		{"database password with '@'", with("DATABASE_URL", "postgres://app:"+c.dbPass+"@x@db/app"), files, nil},
		{"database url without sslmode", with("DATABASE_URL", "postgres://app:"+c.dbPass+"@db/app"), files, nil},
		{"database password in the query", with("DATABASE_URL", "postgres://db/app?user=app&password="+c.dbPass), files, nil},
		{"cache url bad scheme", with("CACHE_BACKEND", "memcached", "CACHE_URL", "redis://:"+c.cachePW+"@h:6379"), files, nil},
		{"cache url malformed", with("CACHE_URL", "redis://:"+c.cachePW+"@h:port/x"), files, nil},
		// A non-secret variable's value is quoted in errors, by design, but
		// never a URL password in it.
		{"URL password in a level's error", with("LOG_LEVEL", "redis://u:"+c.dbPass+"@h"), files, nil},
		{"URL password in a bool's error", with("DEBUG", "postgres://app:"+c.dbPass+"@db/app"), files, nil},
		{"URL password in a duration's error", with("CACHE_TTL", "redis://:"+c.cachePW+"@h:6379"), files, nil},
		{"DEBUG on in production", with("DEBUG", "true"), files, nil},
		{"misspelled secret variable", with("SECRET_KYE", c.key, "API_TOKNE", c.custom), files, nil},
		{"secret in config file", prodready.MapEnv{"APP_ENV": "production"}, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: " + c.key + "\napi_token: " + c.fallback + "\n")}}, []string{"c.yaml"}},
		{"secret in broken yaml", prodready.MapEnv{}, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: \"" + c.key + "\n  : [\n")}}, []string{"c.yaml"}},
		{"secret under unknown key", prodready.MapEnv{}, fstest.MapFS{"c.json": {Data: []byte(`{"secret_kee": "` + c.key + `"}`)}}, []string{"c.json"}},
		{"secret in broken json", prodready.MapEnv{}, fstest.MapFS{"c.json": {Data: []byte(`{"secret_key": "` + c.key + `",}`)}}, []string{"c.json"}},
		{"URL password of wrong type in json", prodready.MapEnv{}, fstest.MapFS{"c.json": {Data: []byte(`{"page_size": "redis://:` + c.cachePW + `@h"}`)}}, []string{"c.json"}},
		{"database credentials in every query parameter", with("DATABASE_URL", queryCredentials("postgres://app@db/app", c.dbPass)), files, nil},
		{"database credential in the fragment", with("DATABASE_URL", "postgres://app@db/app?sslmode=require#"+c.dbPass), files, nil},
		{"query credentials in a level's error", with("LOG_LEVEL", queryCredentials("redis://h", c.dbPass)), files, nil},
		{"secret as an unknown key", prodready.MapEnv{}, fstest.MapFS{"c.yaml": {Data: []byte("page_size: 5\n" + c.key + ": 1\n")}}, []string{"c.yaml"}},
		{"secret as a duplicate key", prodready.MapEnv{}, fstest.MapFS{"c.yaml": {Data: []byte(c.key + ": 1\n" + c.key + ": 2\n")}}, []string{"c.yaml"}},
		{"secret anchored, level aliases", prodready.MapEnv{}, fstest.MapFS{"c.yaml": {Data: []byte("secret_key: &a " + c.key + "\nlog_level: *a\npage_size: *a\n")}}, []string{"c.yaml"}},
		{"level anchored, secret aliases", prodready.MapEnv{}, fstest.MapFS{"c.yaml": {Data: []byte("log_level: &a " + c.key + "\nsecret_key: *a\n")}}, []string{"c.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := scan{t, c.all()}
			logger, logged := logs()
			fsys := tt.files
			if fsys == nil {
				fsys = fstest.MapFS{}
			}
			o := &prodready.Options{Env: tt.env, FS: fsys, ConfigFiles: tt.conf, NoDotEnv: true, Logger: logger, Rand: fixedRand{}}
			var cfg svc
			rep, err := prodready.LoadWithReport(context.Background(), &cfg, o)
			if k := cfg.SecretKey.Reveal(); k != "" && !strings.Contains(strings.Join(c.all(), "\n"), k) {
				s.canaries = append(s.canaries, k) // the generated development key is a secret too
			}
			s.err("Load error", err)
			var le *prodready.LoadError
			if errors.As(err, &le) {
				s.value("LoadError", *le)
				for i, fe := range le.Errors {
					w := fmt.Sprintf("FieldError[%d] %s", i, fe.Key)
					s.value(w, fe)
					s.value(w+" deref", *fe)
					s.text(w+" Hint", fe.Hint)
					s.text(w+" Origin", fe.Origin.String())
					s.err(w+" Err", fe.Err)
				}
			}
			if rep != nil {
				s.value("Report", rep)
				s.value("Report deref", *rep)
				for _, f := range rep.Findings {
					s.value("Finding "+f.ID, f)
					s.text("Finding "+f.ID+" message", f.Message+f.Hint+f.Origin.String())
					s.err("Finding "+f.ID+" Err", f.Err)
				}
				for _, v := range rep.Vars {
					s.value("Var "+v.Name, v)
				}
				fp, ferr := prodready.FingerprintReport(cfg, rep)
				s.text("FingerprintReport", fp)
				s.err("FingerprintReport error", ferr)
			}
			fp, ferr := prodready.Fingerprint(cfg)
			s.text("Fingerprint", fp)
			s.err("Fingerprint error", ferr)
			s.value("config", cfg)
			s.value("*config", &cfg)
			s.value("Base", cfg.Base)
			s.value("CacheConfig", cfg.CacheConfig())
			s.value("BaseConfig", cfg.BaseConfig())
			docs, derr := prodready.Describe(&cfg, o)
			s.value("Describe", docs)
			s.err("Describe error", derr)
			s.text("Options.Logger", logged())
		})
	}
	t.Run("types", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		for _, v := range []string{c.key, c.weak, c.custom, c.file} {
			sec := prodready.NewSecret(v)
			s.value("Secret", sec)
			s.value("*Secret", &sec)
			s.value("[]Secret", []prodready.Secret{sec, sec})
			s.value("map Secret", map[string]prodready.Secret{"k": sec})
			s.value("struct{Secret}", struct{ K prodready.Secret }{sec})
			s.value("LogValue", sec.LogValue())
			s.text("GoString", sec.GoString())
			s.err("CheckKeyStrength", prodready.CheckKeyStrength(sec))
			var back prodready.Secret
			s.err("UnmarshalText", back.UnmarshalText([]byte(v)))
		}
		for _, raw := range []string{
			"postgres://app:" + c.dbPass + "@db:5432/app",
			"redis://:" + c.cachePW + "@cache:6379/0",
			"postgres://db/app?password=" + c.dbPass + "&sslpassword=" + c.cachePW,
			"postgres://app:" + c.dbPass + "@db:notaport/app",
			"app:" + c.dbPass + "@tcp(db)/app",
			"postgres://app:" + c.dbPass + "@x@db/app",
			"postgres://app:" + c.dbPass + "@db/app#frag",
			"postgres://app:" + c.dbPass + "\x00@db/app",
		} {
			u, err := prodready.ParseSecretURL(raw)
			s.err("ParseSecretURL error", err)
			s.value("SecretURL", u)
			s.value("*SecretURL", &u)
			s.value("SecretURL LogValue", u.LogValue())
			s.text("SecretURL GoString", u.GoString())
			var back prodready.SecretURL
			s.err("SecretURL UnmarshalText", back.UnmarshalText([]byte(raw)))
		}
	})
}

func walkCLI(t *testing.T, c canaries) {
	env := prodready.MapEnv{
		"APP_ENV": "production", "SECRET_KEY": c.key, "SECRET_KEY_FALLBACKS": c.fallback,
		"DATABASE_URL":  "postgres://app:" + c.dbPass + "@db:5432/app?sslmode=require",
		"CACHE_BACKEND": "redis", "CACHE_URL": "redis://:" + c.cachePW + "@cache:6379/0",
		"API_TOKEN": c.custom, "WEBHOOK_SECRET_FILE": "run/secrets/webhook", "NO_COLOR": "",
	}
	files := fstest.MapFS{
		"run/secrets/webhook": {Data: []byte(c.file), Mode: 0o400},
		"c.yaml":              {Data: []byte("secret_key: " + c.key + "\nsecret_key_fallbacks: [" + c.fallback + "]\ndatabase_url: postgres://app:" + c.dbPass + "@db/app\n")},
		"weak.yaml":           {Data: []byte("secret_key: " + c.weak + "\n")},
		"broken.yaml":         {Data: []byte("secret_key: \"" + c.key + "\n  : [\n")},
		"unknown.json":        {Data: []byte(`{"secret_kee": "` + c.key + `"}`)},
		"broken.json":         {Data: []byte(`{"secret_key": "` + c.key + `",}`)},
		"prod.env":            {Data: []byte("SECRET_KEY=" + c.key + "\nCACHE_URL=redis://:" + c.cachePW + "@cache:6379/0\nDATABASE_URL='postgres://app:" + c.dbPass + "@db/app'\n")},
		"broken.env":          {Data: []byte("SECRET_KEY=" + c.key + "\nAPI_TOKEN=\"" + c.fallback + "\n")},
		"yamlish.env":         {Data: []byte("SECRET_KEY: " + c.key + "=\n")},
	}
	weak := prodready.MapEnv{}
	for k, v := range env {
		weak[k] = v
	}
	weak["SECRET_KEY"] = c.weak
	weak["SECRET_KEY_FALLBACKS"] = c.weak
	missing := prodready.MapEnv{"APP_ENV": "production", "DATABASE_URL": env["DATABASE_URL"], "API_TOKEN": c.custom}
	commands := [][]string{
		{"check"}, {"check", "--format", "json"}, {"check", "--color", "always"}, {"check", "--silence", "PR-W041,PR-W042"},
		{"print"}, {"print", "--format", "json"}, {"print", "--format", "env"},
		{"env"}, {"env", "--format", "md"}, {"env", "--format", "dotenv"},
		{"fingerprint"}, {"fingerprint", "--verbose"},
		{"version"}, {"help"}, {"check", "-h"}, {"nope"},
	}
	setups := []struct {
		name  string
		env   prodready.MapEnv
		flags []string
	}{
		{"env", env, nil},
		{"weak", weak, nil},
		{"missing", missing, nil},
		{"development", prodready.MapEnv{"API_TOKEN": c.custom, "DATABASE_URL": env["DATABASE_URL"]}, []string{"--profile", "development"}},
		{"config file", prodready.MapEnv{"APP_ENV": "production"}, []string{"--config", "c.yaml"}},
		{"weak config file", prodready.MapEnv{"APP_ENV": "production"}, []string{"--config", "weak.yaml"}},
		{"broken yaml", prodready.MapEnv{}, []string{"--config", "broken.yaml"}},
		{"unknown key", prodready.MapEnv{}, []string{"--config", "unknown.json"}},
		{"broken json", prodready.MapEnv{}, []string{"--config", "broken.json"}},
		{"env file", prodready.MapEnv{"APP_ENV": "production"}, []string{"--env-file", "prod.env"}},
		{"broken env file", prodready.MapEnv{}, []string{"--env-file", "broken.env"}},
		{"yaml-style env file", prodready.MapEnv{}, []string{"--env-file", "yamlish.env"}},
		{"missing config", prodready.MapEnv{}, []string{"--config", "missing.yaml"}},
		{"query credentials", prodready.MapEnv{"DATABASE_URL": queryCredentials("postgres://app@db/app", c.dbPass), "CACHE_URL": "redis://cache:6379/0#" + c.cachePW}, nil},
	}
	for _, st := range setups {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := scan{t, c.all()}
			for _, cmd := range commands {
				args := append(append([]string{}, cmd...), st.flags...)
				if cmd[0] == "version" || cmd[0] == "help" || cmd[0] == "nope" {
					args = cmd
				}
				var stdout, stderr bytes.Buffer
				err := cli.Run(context.Background(), args, &stdout, &stderr, &svc{}, &cli.Options{
					Name: "leak", Version: "v0.0.0-test",
					Load:       prodready.Options{Env: st.env, FS: files, Rand: fixedRand{}},
					IsTerminal: func(io.Writer) bool { return true },
				})
				w := strings.Join(args, " ")
				if len(w) > 60 {
					w = w[:60]
				}
				s.text(w+" stdout", stdout.String())
				s.text(w+" stderr", stderr.String())
				s.err(w+" error", err)
				s.text(w+" exit code", strconv.Itoa(cli.ExitCode(err)))
			}
		})
	}
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startRedis runs a redis-server of the test's own, on a free loopback
// port, that requires password, and returns its address and a function
// that kills it (SIGKILL, once). It skips t when there is no redis-server
// (fails under PRODREADY_REQUIRE_SERVERS=1).
func startRedis(t *testing.T, password string) (addr string, kill func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("PRODREADY_REQUIRE_SERVERS") == "1" {
			t.Fatalf("no redis-server: %v", err)
		}
		t.Skipf("no redis-server: %v", err)
	}
	addr = closedPort(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "-") // the configuration on stdin, not in ps
	cmd.Stdin = strings.NewReader("bind 127.0.0.1\nport " + port + "\nrequirepass " + password + "\nsave \"\"\nappendonly no\ndaemonize no\n")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	t.Cleanup(kill)
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s does not answer: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, kill
}

func walkCache(t *testing.T, c canaries) {
	t.Run("New errors", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		closed := closedPort(t)
		for _, tt := range []struct {
			backend prodready.CacheBackend
			url     string
		}{
			{prodready.CacheRedis, "redis://:" + c.cachePW + "@" + closed + "/0"},
			{prodready.CacheRedis, "redis://user:" + c.cachePW + "@" + closed + "/0"},
			{prodready.CacheRedis, "rediss://:" + c.cachePW + "@" + closed + "/0"},
			{prodready.CacheRedis, "redis://:" + c.cachePW + "@" + closed + "/0?protocol=2"},
			{prodready.CacheRedis, "redis://:" + c.cachePW + "@" + closed + "/x"},
			{prodready.CacheRedis, "memcached://:" + c.cachePW + "@" + closed},
			{prodready.CacheMemcached, "memcached://:" + c.cachePW + "@" + closed},
			{prodready.CacheMemcached, "memcached://u:" + c.cachePW + "@" + closed + "/0"},
			{prodready.CacheMemcached, "redis://:" + c.cachePW + "@" + closed},
		} {
			u, err := prodready.ParseSecretURL(tt.url)
			if err != nil {
				s.err("ParseSecretURL", err)
				continue
			}
			logger, logged := logs()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			cc, err := cache.New[string](ctx, prodready.Base{CacheBackend: tt.backend, CacheURL: u, CacheTTL: time.Minute, CacheMaxSize: 10, SecretKey: prodready.NewSecret("entry-key-" + c.cachePW)},
				&cache.Options{Logger: logger, Timeout: 200 * time.Millisecond})
			cancel()
			w := string(tt.backend) + " " + u.String()
			if err == nil {
				// memcached connects lazily: its errors come with the calls.
				_, _, gerr := cc.Get(context.Background(), "k")
				s.err(w+" Get error", gerr)
				s.err(w+" Set error", cc.Set(context.Background(), "k", "v"))
				s.value(w+" Cache", cc)
				s.value(w+" Stats", cc.Stats())
				s.err(w+" Close", cc.Close())
			} else if tt.backend == prodready.CacheRedis && strings.HasPrefix(tt.url, "redis://:") && strings.HasSuffix(tt.url, "/0") {
				if !strings.Contains(err.Error(), closed) {
					t.Errorf("cache.New(%s) = %v, want an error naming the address", w, err)
				}
			}
			s.err(w+" New error", err)
			s.text(w+" logs", logged())
		}
	})
	t.Run("backend errors logged", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		addr, kill := startRedis(t, c.cachePW)
		u, err := prodready.ParseSecretURL("redis://:" + c.cachePW + "@" + addr + "/0")
		if err != nil {
			t.Fatal(err)
		}
		logger, logged := logs()
		ctx := context.Background()
		cc, err := cache.New[string](ctx, prodready.Base{CacheBackend: prodready.CacheRedis, CacheURL: u, CacheTTL: time.Minute, CacheNamespace: "leak", SecretKey: prodready.NewSecret("entry-key-" + c.cachePW)},
			&cache.Options{Logger: logger, ErrorLogInterval: time.Nanosecond, Timeout: 200 * time.Millisecond, LockLease: -1})
		if err != nil {
			t.Fatalf("cache.New on a redis with a password: %v", err)
		}
		defer cc.Close()
		if err := cc.Set(ctx, "a", "1"); err != nil {
			t.Fatalf("Set on a live redis: %v", err)
		}
		s.value("Cache", cc)
		s.value("Cache LogValue", cc.LogValue())
		kill()
		var errs []error
		for i := range 5 {
			_, _, err := cc.Get(ctx, "a"+strconv.Itoa(i))
			errs = append(errs, err, cc.Set(ctx, "b", "2"), cc.Delete(ctx, "a"))
			_, err = cc.GetOrLoad(ctx, "c"+strconv.Itoa(i), func(context.Context) (string, error) { return "v", nil })
			errs = append(errs, err)
		}
		for i, err := range errs {
			s.err(fmt.Sprintf("call %d error", i), err)
		}
		st := cc.Stats()
		if st.BackendErrors == 0 {
			t.Errorf("Stats after killing redis = %+v, want backend errors", st)
		}
		s.value("Stats", st)
		s.value("Stats LogValue", st.LogValue())
		s.value("Cache after faults", cc)
		s.err("Close", cc.Close())
		l := logged()
		if !strings.Contains(l, addr) {
			t.Errorf("logs after killing redis name no address %s:\n%s", addr, l)
		}
		s.text("Options.Logger", l)
	})
	t.Run("memcached backend errors logged", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		mc := testserver.StartMemcached(t)
		u, err := prodready.ParseSecretURL("memcached://" + mc.Addr())
		if err != nil {
			t.Fatal(err)
		}
		logger, logged := logs()
		ctx := context.Background()
		cc, err := cache.New[prodready.Secret](ctx, prodready.Base{CacheBackend: prodready.CacheMemcached, CacheURL: u, CacheTTL: time.Minute, CacheNamespace: c.custom, SecretKey: prodready.NewSecret("entry-key-" + c.cachePW)},
			&cache.Options{Logger: logger, ErrorLogInterval: time.Nanosecond, LockLease: -1})
		if err != nil {
			// A namespace that holds the canary: the error must not quote it
			// either, though it is no secret to the cache.
			s.err("New", err)
			cc, err = cache.New[prodready.Secret](ctx, prodready.Base{CacheBackend: prodready.CacheMemcached, CacheURL: u, CacheTTL: time.Minute, CacheNamespace: "leak", SecretKey: prodready.NewSecret("entry-key-" + c.cachePW)},
				&cache.Options{Logger: logger, ErrorLogInterval: time.Nanosecond, LockLease: -1})
			if err != nil {
				t.Fatal(err)
			}
		}
		defer cc.Close()
		// A Secret value: the JSON codec stores "[redacted]", never the value.
		s.err("Set Secret", cc.Set(ctx, "s", prodready.NewSecret(c.key)))
		v, _, err := cc.Get(ctx, "s")
		s.err("Get Secret", err)
		if v.Reveal() == c.key {
			t.Errorf("a Secret stored in memcached came back with its value: the codec wrote it out")
		}
		mc.Kill()
		for i := range 3 {
			_, _, err := cc.Get(ctx, "s"+strconv.Itoa(i))
			s.err("Get after kill", err)
		}
		s.value("Stats", cc.Stats())
		s.text("Options.Logger", logged())
	})
	t.Run("memory and loader panics", func(t *testing.T) {
		t.Parallel()
		s := scan{t, c.all()}
		logger, logged := logs()
		ctx := context.Background()
		u, _ := prodready.ParseSecretURL("redis://:" + c.cachePW + "@cache:6379/0")
		cc, err := cache.New[prodready.Secret](ctx, prodready.Base{CacheBackend: prodready.CacheMemory, CacheURL: u, CacheTTL: time.Minute, CacheMaxSize: 10},
			&cache.Options{Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		defer cc.Close()
		sec := prodready.NewSecret(c.key)
		s.err("Set", cc.Set(ctx, "k", sec))
		for i, p := range []any{sec, fmt.Errorf("open with key %v: %w", sec, io.EOF), secretError{sec}, &prodready.FieldError{Key: "SECRET_KEY", Err: secretError{sec}}} {
			_, err := cc.GetOrLoad(ctx, "p"+strconv.Itoa(i), func(context.Context) (prodready.Secret, error) { panic(p) })
			var pe *cache.PanicError
			if !errors.As(err, &pe) {
				t.Errorf("GetOrLoad with a panicking loader = %v, want a *cache.PanicError", err)
			}
			s.err(fmt.Sprintf("PanicError %T", p), err)
		}
		_, err = cc.GetOrLoad(ctx, "e", func(context.Context) (prodready.Secret, error) { return sec, secretError{sec} })
		s.err("loader error", err)
		s.value("Cache", cc)
		s.value("Stats", cc.Stats())
		s.text("Options.Logger", logged())
	})
}

// A secretError is an error that holds a secret and renders it with %v.
type secretError struct{ s prodready.Secret }

func (e secretError) Error() string { return fmt.Sprintf("token %v refused", e.s) }

func walkSigning(t *testing.T, c canaries) {
	s := scan{t, c.all()}
	key, fb := prodready.NewSecret(c.key), prodready.NewSecret(c.fallback)
	sg, err := signing.New(key, "leak", &signing.Options{Fallbacks: []prodready.Secret{fb}, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s.value("Signer", sg)
	s.value("Signer deref", *sg)
	s.text("Signer GoString", sg.GoString())
	tok := sg.Sign([]byte("payload"))
	s.text("token", tok)
	jt, err := sg.SignJSON(map[string]any{"k": "v"})
	s.text("JSON token", jt)
	s.err("SignJSON", err)
	old, _ := signing.New(fb, "leak", nil)
	other, _ := signing.New(prodready.NewSecret(c.admin), "leak", nil)
	for _, bad := range []string{"", "garbage", tok[:len(tok)-2] + "AA", tok + "x", other.Sign([]byte("p")), strings.Repeat("A", signing.MaxTokenSize+1)} {
		_, err := sg.Verify(bad)
		s.err("Verify error", err)
		tk, err := sg.VerifyToken(bad)
		s.err("VerifyToken error", err)
		s.value("Token", tk)
		var v map[string]any
		s.err("VerifyJSON error", sg.VerifyJSON(bad, &v))
	}
	tk, err := sg.VerifyToken(old.Sign([]byte("p")))
	s.value("Token by fallback", tk)
	s.err("VerifyToken by fallback", err)
	for _, opts := range []*signing.Options{nil, {Fallbacks: []prodready.Secret{prodready.NewSecret(c.weak)}}, {Fallbacks: []prodready.Secret{{}}}, {MaxAge: -1}, {Fallbacks: []prodready.Secret{key}}} {
		for _, k := range []prodready.Secret{prodready.NewSecret(c.weak), {}, key} {
			sg2, err := signing.New(k, "leak", opts)
			s.err("New error", err)
			if sg2 != nil {
				s.value("Signer", sg2)
			}
		}
	}
	dk, err := signing.DeriveKey(key, "leak")
	s.err("DeriveKey", err)
	s.value("derived key", dk)
	b := prodready.Base{SecretKey: key, SecretKeyFallbacks: []prodready.Secret{fb, prodready.NewSecret(c.weak)}}
	_, err = signing.FromConfig(b, "leak", nil)
	s.err("FromConfig error", err)
}

func walkSession(t *testing.T, c canaries) {
	s := scan{t, c.all()}
	logger, logged := logs()
	key, fb := prodready.NewSecret(c.key), prodready.NewSecret(c.fallback)
	base := prodready.Base{AppEnv: "production", SecretKey: key, SecretKeyFallbacks: []prodready.Secret{fb}}
	m, err := session.New(base, &session.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	s.value("Manager", m)
	s.value("Manager deref", *m)
	w := httptest.NewRecorder()
	s.err("Save", m.Save(w, session.Values{"user": "admin"}))
	s.text("Set-Cookie", fmt.Sprint(w.Header()))
	cookie := w.Result().Cookies()[0]
	oldSigner, _ := signing.New(fb, session.Purpose, nil)
	oldM, _ := session.NewWithSigner(oldSigner, nil)
	ow := httptest.NewRecorder()
	oldM.Save(ow, session.Values{"user": c.custom[:6]})
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := session.FromContext(r.Context())
		fmt.Fprint(w, v, ok)
	}))
	for _, val := range []string{cookie.Value, cookie.Value[:len(cookie.Value)-2] + "AA", "garbage", "", ow.Result().Cookies()[0].Value} {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: cookie.Name, Value: val})
		v, stale, err := m.Load(r)
		s.value("Values", v)
		s.text("stale", strconv.FormatBool(stale))
		s.err("Load error", err)
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, r)
		s.text("middleware response", fmt.Sprint(rw.Code, rw.Header(), rw.Body.String()))
	}
	w = httptest.NewRecorder()
	s.err("Save too large", m.Save(w, session.Values{"big": strings.Repeat("x", 8000)}))
	s.err("Clear", m.Clear(w))
	s.text("Clear header", fmt.Sprint(w.Header()))
	for _, b := range []prodready.Base{{SecretKey: prodready.NewSecret(c.weak), AppEnv: "production"}, {AppEnv: "production"}, {SecretKey: key, AppEnv: "nope"}} {
		m2, err := session.New(b, &session.Options{Logger: logger})
		s.err("New error", err)
		if m2 != nil {
			s.value("Manager", m2)
		}
	}
	s.text("Options.Logger", logged())
}

func walkJWT(t *testing.T, c canaries) {
	s := scan{t, c.all()}
	key, fb := prodready.NewSecret(c.key), prodready.NewSecret(c.fallback)
	a, err := jwtauth.NewWithKey(key, &jwtauth.Options{Fallbacks: []prodready.Secret{fb}, Issuer: "leak", Audience: "leak"})
	if err != nil {
		t.Fatal(err)
	}
	s.value("Authority", a)
	s.value("Authority deref", *a)
	s.text("Authority GoString", a.GoString())
	cl := a.NewClaims("user")
	tok, err := a.Issue(cl)
	s.err("Issue", err)
	s.text("token", tok)
	old, _ := jwtauth.NewWithKey(fb, &jwtauth.Options{Issuer: "leak", Audience: "leak"})
	oldTok, _ := old.Issue(old.NewClaims("user"))
	other, _ := jwtauth.NewWithKey(prodready.NewSecret(c.admin), nil)
	otherTok, _ := other.Issue(other.NewClaims("u"))
	parts := strings.Split(tok, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	for _, bad := range []string{tok, oldTok, otherTok, none, "garbage", tok[:len(tok)-3] + "AAA", parts[0] + ".e30." + parts[2], ""} {
		var got jwt.RegisteredClaims
		s.err("Verify error", a.Verify(bad, &got))
		s.value("claims", got)
	}
	s.text("KeyID", jwtauth.KeyID([]byte(c.key)))
	for _, k := range []prodready.Secret{prodready.NewSecret(c.weak), {}, key} {
		_, err := jwtauth.NewWithKey(k, nil)
		s.err("New error", err)
		_, err = jwtauth.NewWithKey(k, &jwtauth.Options{TTL: -1})
		s.err("New error", err)
	}
	_, err = jwtauth.NewWithKey(key, &jwtauth.Options{Fallbacks: []prodready.Secret{prodready.NewSecret(c.weak)}})
	s.err("New weak fallback", err)
	_, err = jwtauth.New(prodready.Base{AppEnv: "production", SecretKey: prodready.NewSecret(c.weak)}, nil)
	s.err("New error", err)
}

func walkPaginate(t *testing.T, c canaries) {
	s := scan{t, c.all()}
	key, fb := prodready.NewSecret(c.key), prodready.NewSecret(c.fallback)
	cs, err := paginate.NewCursors(prodready.Base{SecretKey: key, SecretKeyFallbacks: []prodready.Secret{fb}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.value("Cursors", cs)
	s.value("Cursors deref", *cs)
	ks := paginate.Keyset{Name: "items", Columns: []string{"id"}}
	tok, err := cs.Encode(ks.After(int64(7)))
	s.err("Encode", err)
	s.text("cursor", tok)
	other, _ := paginate.NewCursors(prodready.Base{SecretKey: prodready.NewSecret(c.admin)}, nil)
	otherTok, _ := other.Encode(ks.After(int64(7)))
	_, err = cs.Encode(ks.After(prodready.NewSecret(c.custom)))
	s.err("Encode a Secret key", err)
	for _, bad := range []string{"garbage", otherTok, tok[:len(tok)-2] + "AA", strings.Repeat("A", paginate.MaxCursorLen+1), ""} {
		cur, err := cs.Decode(bad)
		s.err("Decode error", err)
		s.value("Cursor", cur)
		p, err := paginate.Parse(url.Values{"cursor": {bad}, "limit": {"5"}}, paginate.Limits{Styles: paginate.StyleCursor}, cs)
		s.err("Parse error", err)
		s.value("Page", p)
		var pe *paginate.ParamError
		if errors.As(err, &pe) {
			s.text("ParamError Message", pe.Message())
		}
	}
	for _, k := range []prodready.Secret{prodready.NewSecret(c.weak), {}, key} {
		_, err := paginate.NewCursors(prodready.Base{SecretKey: k}, nil)
		s.err("NewCursors error", err)
		_, err = paginate.NewCursors(prodready.Base{SecretKey: k}, &signing.Options{MaxAge: -1})
		s.err("NewCursors error", err)
	}
	u, _ := url.Parse("http://example.test/items?limit=5")
	p, _ := paginate.Parse(u.Query(), paginate.Limits{Styles: paginate.StyleCursor}, cs)
	env, links, err := paginate.NewEnvelope(u, p, []int64{1, 2, 3, 4, 5, 6}, func(last int64) (string, error) { return cs.Encode(ks.After(last)) }, nil)
	s.err("NewEnvelope", err)
	s.value("Envelope", env)
	s.text("Link", links.Header())
}
