package prodready_test

import (
	"context"
	"errors"
	"net/url"
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
	var c struct {
		T upperText `env:"T"`
	}
	_ = c
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
