package prodready_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// Regression tests for defects found in review; each names the defect.

func TestURLPasswordWithSpecialCharacters(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"postgres://app:1234#" + canary + "@db:5432/app",
		"redis://:6379?" + canary + "@cache/0",
		"redis://u:ab/" + canary + "@host:6379",
	} {
		if _, err := prodready.ParseSecretURL(raw); err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("ParseSecretURL accepted a URL with an '@' outside its user info, or quoted it: %v", err)
		}
		var b prodready.Base
		err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"DATABASE_URL": raw}, nil))
		if err == nil {
			t.Fatalf("Load accepted %s", "DATABASE_URL with an unescaped '#'")
		}
		assertNoCanary(t, canary, "error", err.Error())
		var c struct {
			U *url.URL `env:"U"`
			S string   `env:"S"`
		}
		rep, err := prodready.LoadWithReport(ctx, &c, opts(prodready.MapEnv{"U": raw, "S": raw, "P": raw}, nil))
		if err != nil {
			assertNoCanary(t, canary, "error", err.Error())
		}
		assertNoCanary(t, canary, "report", findingsText(rep)+varsText(rep))
	}
}

func varsText(rep *prodready.Report) string {
	var b strings.Builder
	for _, v := range rep.Vars {
		b.WriteString(v.Name + "=" + v.Value + " " + v.Origin.String() + "\n")
	}
	return b.String()
}

func TestNameFileValueIsSecretEverywhere(t *testing.T) {
	t.Parallel()
	var c struct {
		Password string `env:"DB_PASSWORD"`
		Workers  int    `env:"WORKERS"`
	}
	files := fstest.MapFS{"run/secrets/db": {Data: []byte(canary + "\n")}}
	rep, err := prodready.LoadWithReport(ctx, &c, opts(prodready.MapEnv{"DB_PASSWORD_FILE": "/run/secrets/db", "WORKERS_FILE": "/run/secrets/db"}, files))
	if err == nil || !strings.Contains(err.Error(), "WORKERS: invalid value (secret, not shown) from WORKERS_FILE /run/secrets/db") {
		t.Errorf("Load() error = %v", err)
	}
	assertNoCanary(t, canary, "error", err.Error())
	v, _ := rep.Var("DB_PASSWORD")
	if v.Value != prodready.Redacted || !v.Secret {
		t.Errorf("a value read from a NAME_FILE file shows in the report: %+v", v)
	}
}

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

func TestAppEnvFileSelectsTheProfile(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{"run/secrets/appenv": {Data: []byte("production\n")}}
	var b prodready.Base
	err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"APP_ENV_FILE": "/run/secrets/appenv"}, files))
	if !errors.Is(err, prodready.ErrMissing) || !strings.Contains(err.Error(), "required in production") {
		t.Errorf("APP_ENV_FILE=production: Load() = %v, AppEnv %q; want production rules", err, b.AppEnv)
	}
}

func TestConfigFileCannotSwitchProfile(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{"c.yaml": {Data: []byte("app_env: production\n")}}
	o := opts(nil, files)
	o.ConfigFiles = []string{"c.yaml"}
	var b prodready.Base
	err := prodready.Load(ctx, &b, o)
	if err == nil || !strings.Contains(err.Error(), "but the profile is development") {
		t.Errorf("Load() = %v, want the disagreeing APP_ENV refused", err)
	}
}

func TestLongVariableNamesDoNotPanic(t *testing.T) {
	t.Parallel()
	name := strings.Repeat("A", 64)
	var c struct {
		X string `env:"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"`
	}
	for _, n := range []string{name, name[:63], name + "B", strings.Repeat("A", 200)} {
		rep, err := prodready.LoadWithReport(ctx, &c, opts(prodready.MapEnv{n: "1"}, nil))
		if err != nil || rep == nil {
			t.Errorf("Load() with a %d-byte name = %v", len(n), err)
		}
	}
}

func TestEmbeddedBasePointerIsRefused(t *testing.T) {
	t.Parallel()
	var c struct {
		*prodready.Base
		N int `env:"N"`
	}
	err := prodready.Load(ctx, &c, opts(nil, nil))
	if err == nil || !strings.Contains(err.Error(), "pointer to a struct cannot group variables") {
		t.Errorf("Load() = %v", err)
	}
	if _, err := prodready.Fingerprint(c); err == nil {
		t.Error("Fingerprint() accepted an embedded *Base")
	}
}

func TestEmptyValuesFallThrough(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{"k": {Data: []byte("\n")}, "c.yaml": {Data: []byte("page_size: \"\"\nsecret_key: \"\"\n")}}
	for _, tc := range []struct {
		name string
		env  prodready.MapEnv
		conf []string
	}{
		{"empty secret file", prodready.MapEnv{"SECRET_KEY_FILE": "k"}, nil},
		{"empty strings in a config file", nil, []string{"c.yaml"}},
	} {
		o := opts(tc.env, files)
		o.ConfigFiles = tc.conf
		var b prodready.Base
		rep, err := prodready.LoadWithReport(ctx, &b, o)
		if err != nil {
			t.Fatalf("%s: Load() = %v", tc.name, err)
		}
		if !b.SecretKey.IsSet() || !hasFinding(rep, "PR-W001", "") || b.PageSize != 50 {
			t.Errorf("%s: key set %v, PR-W001 %v, PAGE_SIZE %d; want the development key and the default", tc.name, b.SecretKey.IsSet(), hasFinding(rep, "PR-W001", ""), b.PageSize)
		}
	}
}

func TestOverridesAreTheirOwnLevel(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	files := fstest.MapFS{"k": {Data: []byte("x")}}
	o := opts(prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY_FILE": "k"}, files)
	o.Overrides = map[string]string{"SECRET_KEY": key}
	var b prodready.Base
	if err := prodready.Load(ctx, &b, o); err != nil || b.SecretKey.Reveal() != key {
		t.Errorf("override under an environment NAME_FILE: Load() = %v", err)
	}
	o = opts(prodready.MapEnv{"APP_ENV": "production"}, nil)
	o.Overrides = map[string]string{"APP_ENV": ""}
	if err := prodready.Load(ctx, &b, o); !errors.Is(err, prodready.ErrMissing) {
		t.Errorf("an empty APP_ENV override hid APP_ENV=production: Load() = %v", err)
	}
}

func TestFileFormCollision(t *testing.T) {
	t.Parallel()
	var c struct {
		TLSKey     string `env:"TLS_KEY"`
		TLSKeyFile string `env:"TLS_KEY_FILE"`
	}
	if err := prodready.Load(ctx, &c, opts(nil, nil)); err == nil || !strings.Contains(err.Error(), "file form of TLS_KEY") {
		t.Errorf("Load() = %v, want the collision refused", err)
	}
}

func TestFingerprintWithoutKeyHidesSecrets(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Token prodready.Secret            `env:"TOKEN"`
		Map   map[string]prodready.Secret `env:"MAP"`
	}
	fp := func(tok string) string {
		var c cfg
		prodready.MustLoad(ctx, &c, opts(prodready.MapEnv{"TOKEN": tok, "MAP": "a=" + tok}, nil))
		s, err := prodready.Fingerprint(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if fp("hunter2") != fp("another") {
		t.Error("without a SECRET_KEY, a secret's value changes the fingerprint: it could be guessed")
	}
	type keyed struct {
		Key  prodready.Secret            `env:"SECRET_KEY"`
		Map  map[string]prodready.Secret `env:"MAP"`
		PTok *prodready.Secret           `env:"PTOK"`
		URLs []prodready.SecretURL       `env:"URLS"`
	}
	kfp := func(tok string) string {
		var c keyed
		prodready.MustLoad(ctx, &c, opts(prodready.MapEnv{"SECRET_KEY": "k", "MAP": "a=" + tok, "PTOK": tok, "URLS": "redis://:" + tok + "@h:1"}, nil))
		s, _ := prodready.Fingerprint(c)
		return s
	}
	if kfp("one") == kfp("two") {
		t.Error("with a key, secrets inside maps, pointers and slices do not enter the fingerprint")
	}
}

func TestCheckSeverities(t *testing.T) {
	t.Parallel()
	o := opts(nil, nil)
	o.Checks = []prodready.Check{
		{ID: "X-E1", Severity: prodready.SeverityError, Run: func(context.Context, *prodready.CheckInput) []prodready.Finding {
			return []prodready.Finding{{Severity: prodready.SeverityInfo, Message: "just an info"}, {Message: "an error"}}
		}},
		{ID: "X-2", Run: func(context.Context, *prodready.CheckInput) []prodready.Finding {
			return []prodready.Finding{{Message: "no severity anywhere"}}
		}},
	}
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, o)
	if le := fieldErrors(t, err); len(le) != 1 || !strings.Contains(le[0].Error(), "an error") {
		t.Errorf("Load() = %v, want one error", err)
	}
	for _, f := range rep.Findings {
		want := map[string]prodready.Severity{"just an info": prodready.SeverityInfo, "an error": prodready.SeverityError, "no severity anywhere": prodready.SeverityWarning}[f.Message]
		if want != 0 && f.Severity != want {
			t.Errorf("finding %q has severity %v, want %v", f.Message, f.Severity, want)
		}
	}
}

func TestReportOnUnknownProfile(t *testing.T) {
	t.Parallel()
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, opts(prodready.MapEnv{"APP_ENV": "prod"}, nil))
	if !errors.Is(err, prodready.ErrUnknownProfile) || rep == nil || !hasFinding(rep, "PR-E002", "APP_ENV") {
		t.Errorf("LoadWithReport() = %+v, %v; want a report holding the error", rep, err)
	}
}

// Second review.

func TestSecretURLShapesThatHideAPassword(t *testing.T) {
	t.Parallel()
	const pw = "hunter2pwCANARY"
	refused := []string{
		"app:" + pw + "@tcp(db:3306)/app",
		"admin:" + pw + "@db.internal:5432/app",
		"postgres://admin@srv:1234/" + pw + "@db.internal/app",
	}
	for _, raw := range refused {
		_, err := prodready.ParseSecretURL(raw)
		if err == nil || strings.Contains(err.Error(), pw) {
			t.Errorf("ParseSecretURL(a URL hiding its password) = %v, want a refusal that does not quote it", err)
		}
	}
	for _, raw := range []string{
		"postgres://db.internal/app?user=app&password=" + pw + "&sslmode=require",
		"redis://cache:6379/0?password=" + pw,
	} {
		u, err := prodready.ParseSecretURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(u.String(), pw) || !u.HasPassword() || u.Reveal() != raw {
			t.Errorf("String() = %q, HasPassword %v: a password in the query must be redacted", u.String(), u.HasPassword())
		}
	}
}

func TestBaseMustBeEmbeddedWithoutPrefix(t *testing.T) {
	t.Parallel()
	var named struct{ Core prodready.Base }
	var nested struct {
		Group struct{ prodready.Base }
	}
	var prefixed struct {
		prodready.Base `prefix:"X_"`
	}
	type inner struct{ prodready.Base }
	var viaEmbedding struct{ inner }
	for _, dst := range []any{&named, &nested, &prefixed} {
		err := prodready.Load(ctx, dst, opts(nil, nil))
		if err == nil || !strings.Contains(err.Error(), "prodready.Base") {
			t.Errorf("Load(%T) = %v, want Base's placement refused", dst, err)
		}
	}
	o := opts(prodready.MapEnv{"SECRET_KEY": "changeme"}, nil)
	o.Profile = prodready.Production
	if err := prodready.Load(ctx, &viaEmbedding, o); !errors.Is(err, prodready.ErrWeakSecret) {
		t.Errorf("Base embedded through an embedded struct: Load() = %v, want the production rules", err)
	}
}

func TestUnknownOverrideKeys(t *testing.T) {
	t.Parallel()
	o := opts(nil, nil)
	o.Prefix = "MY_"
	o.Overrides = map[string]string{"APP_ENV": "production", "MY_PAGESIZE": "7", "MY_PAGE_SIZE": "8"}
	var b prodready.Base
	err := prodready.Load(ctx, &b, o)
	if err == nil || !strings.Contains(err.Error(), "APP_ENV: an override names an unknown variable (override keys carry the prefix MY_)") ||
		!strings.Contains(err.Error(), "MY_PAGESIZE: an override names an unknown variable (fix the name; did you mean PAGE_SIZE?)") {
		t.Errorf("Load() = %v", err)
	}
	files := fstest.MapFS{".env": {Data: []byte("CONFIG_FILE=c.yaml\n")}}
	if err := prodready.Load(ctx, &b, opts(nil, files)); err == nil || !strings.Contains(err.Error(), "CONFIG_FILE is read before the .env file") {
		t.Errorf("CONFIG_FILE in .env: Load() = %v", err)
	}
}

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

func TestOneVariableOncePerFile(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		"page_size: 10\nPAGE_SIZE: 20\n",
		"page_size: 10\npage-size: 20\n",
		"cache_ttl: 1m\ncache:\n  ttl: 2m\n",
	} {
		files := fstest.MapFS{"c.yaml": {Data: []byte(data)}}
		o := opts(nil, files)
		o.ConfigFiles = []string{"c.yaml"}
		var b prodready.Base
		if err := prodready.Load(ctx, &b, o); err == nil || !strings.Contains(err.Error(), "is set twice in c.yaml") {
			t.Errorf("Load(%q) = %v, want the repeat refused", data, err)
		}
	}
	files := fstest.MapFS{"c.json": {Data: []byte(`{"page_size": 1, "PAGE_SIZE": 2}`)}}
	o := opts(nil, files)
	o.ConfigFiles = []string{"c.json"}
	var b prodready.Base
	if err := prodready.Load(ctx, &b, o); err == nil || !strings.Contains(err.Error(), "set twice") {
		t.Errorf("JSON: Load() = %v", err)
	}
}

func TestMemorySizeOnlyAsAField(t *testing.T) {
	t.Parallel()
	var c struct {
		Bufs []prodready.MemorySize `env:"BUFS"`
	}
	if err := prodready.Load(ctx, &c, opts(nil, nil)); err == nil || !strings.Contains(err.Error(), "MemorySize must be a field of its own") {
		t.Errorf("Load() = %v", err)
	}
}

func TestFingerprintIsUnambiguous(t *testing.T) {
	t.Parallel()
	type cfg struct {
		SecretKey prodready.Secret  `env:"SECRET_KEY"`
		Hosts     []string          `env:"HOSTS"`
		U         *url.URL          `env:"U"`
		M         map[string]string `env:"M"`
	}
	fp := func(env prodready.MapEnv, fsys fstest.MapFS, files []string) string {
		o := opts(env, fsys)
		o.ConfigFiles = files
		var c cfg
		prodready.MustLoad(ctx, &c, o)
		s, _ := prodready.Fingerprint(c)
		return s
	}
	files := fstest.MapFS{"c.json": {Data: []byte(`{"hosts": ["a,b"]}`)}}
	a := fp(prodready.MapEnv{"SECRET_KEY": "k"}, files, []string{"c.json"})
	b := fp(prodready.MapEnv{"SECRET_KEY": "k", "HOSTS": "a,b"}, nil, nil)
	if a == b {
		t.Error(`["a,b"] and ["a", "b"] have the same fingerprint`)
	}
	c := fp(prodready.MapEnv{"SECRET_KEY": "k", "U": "https://u:pw1@h/"}, nil, nil)
	d := fp(prodready.MapEnv{"SECRET_KEY": "k", "U": "https://u:pw2@h/"}, nil, nil)
	if c == d {
		t.Error("a URL's password change does not change the fingerprint")
	}
	e := fp(prodready.MapEnv{"SECRET_KEY": "k", "M": "a=1,b=2"}, nil, nil)
	for range 20 {
		if fp(prodready.MapEnv{"SECRET_KEY": "k", "M": "b=2,a=1"}, nil, nil) != e {
			t.Fatal("map order changes the fingerprint")
		}
	}
}

func TestMisspelledFileForm(t *testing.T) {
	t.Parallel()
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, opts(prodready.MapEnv{"DATABASE_URL_FIEL": "/run/secrets/db"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !hasFinding(rep, "PR-W050", "DATABASE_URL_FIEL") || !strings.Contains(findingsText(rep), "DATABASE_URL_FILE") {
		t.Errorf("findings = %+v, want DATABASE_URL_FIEL reported with DATABASE_URL_FILE suggested", rep.Findings)
	}
}

func TestRequiredInMisspelledProfile(t *testing.T) {
	t.Parallel()
	var c struct {
		A string `env:"A" required:"prodution"`
		B string `env:"B" required:"Production"`
		C string `env:"C" required:"staging"` // registered below; an unknown one is refused (TestRequiredNamesUnknownProfile)
	}
	o0 := opts(nil, nil)
	o0.Profiles = []prodready.Profile{prodready.Production.Derive("staging", nil)}
	err := prodready.Load(ctx, &c, o0)
	if err == nil || !strings.Contains(err.Error(), `required:"prodution" names no profile (built-in or in Options.Profiles); did you mean production?`) {
		t.Errorf("Load() = %v", err)
	}
	var d struct {
		B string `env:"B" required:"Production"`
	}
	o := opts(nil, nil)
	o.Profile = prodready.Production
	if err := prodready.Load(ctx, &d, o); !errors.Is(err, prodready.ErrMissing) {
		t.Errorf(`required:"Production" under production: Load() = %v, want B missing`, err)
	}
}
