package prodready_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
)

func TestProfileSelection(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	staging := prodready.Production.Derive("staging", map[string]string{"LOG_LEVEL": "debug"})
	tests := []struct {
		name        string
		env         prodready.MapEnv
		profile     prodready.Profile
		profiles    []prodready.Profile
		overrides   map[string]string
		wantProfile string
		wantErr     error
	}{
		{name: "default is development", wantProfile: "development"},
		{name: "APP_ENV picks production", env: prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": key}, wantProfile: "production"},
		{name: "APP_ENV any case", env: prodready.MapEnv{"APP_ENV": " Testing "}, wantProfile: "testing"},
		{name: "empty APP_ENV is development", env: prodready.MapEnv{"APP_ENV": ""}, wantProfile: "development"},
		{name: "option beats APP_ENV", env: prodready.MapEnv{"APP_ENV": "production"}, profile: prodready.Testing, wantProfile: "testing"},
		{name: "override beats env", env: prodready.MapEnv{"APP_ENV": "production"}, overrides: map[string]string{"APP_ENV": "testing"}, wantProfile: "testing"},
		{name: "custom profile", env: prodready.MapEnv{"APP_ENV": "staging", "SECRET_KEY": key}, profiles: []prodready.Profile{staging}, wantProfile: "staging"},
		{name: "unknown profile", env: prodready.MapEnv{"APP_ENV": "prod"}, wantErr: prodready.ErrUnknownProfile},
		{name: "custom not registered", env: prodready.MapEnv{"APP_ENV": "staging"}, wantErr: prodready.ErrUnknownProfile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, nil)
			o.Profile, o.Profiles, o.Overrides = tt.profile, tt.profiles, tt.overrides
			var b prodready.Base
			err := prodready.Load(ctx, &b, o)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Load() error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "APP_ENV") || !strings.Contains(err.Error(), "want one of development, production, testing") {
					t.Errorf("Load() error = %q, want it to name APP_ENV and the known profiles", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if b.AppEnv != tt.wantProfile {
				t.Errorf("AppEnv = %q, want %q", b.AppEnv, tt.wantProfile)
			}
		})
	}
}

func TestProfileDefaultsAndInheritance(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	staging := prodready.Production.Derive("staging", map[string]string{"LOG_LEVEL": "debug", "CACHE_TTL": "2m"})
	canaryProfile := staging.Derive("canary", map[string]string{"PAGE_SIZE": "10"})
	tests := []struct {
		name    string
		profile prodready.Profile
		check   func(b prodready.Base) bool
	}{
		{"base defaults under development", prodready.Development, func(b prodready.Base) bool {
			return b.Debug && b.LogLevel == slog.LevelDebug && b.LogFormat == prodready.LogText && b.PageSize == 50 && b.MaxPageSize == 100 &&
				b.CacheTTL == 5*time.Minute && b.CacheMaxSize == 1024 && b.CacheBackend == prodready.CacheMemory
		}},
		{"production hardening", prodready.Production, func(b prodready.Base) bool {
			return !b.Debug && b.LogFormat == prodready.LogJSON && b.LogLevel == slog.LevelInfo &&
				b.CacheTTL == 600*time.Second && b.CacheMaxSize == 4096 && b.PageSize == 50
		}},
		{"testing", prodready.Testing, func(b prodready.Base) bool {
			return b.DatabaseURL.Reveal() == "sqlite::memory:" && b.LogLevel == slog.LevelWarn
		}},
		{"derived overrides parent, inherits the rest", staging, func(b prodready.Base) bool {
			return b.LogLevel == slog.LevelDebug && b.CacheTTL == 2*time.Minute && b.CacheMaxSize == 4096 && b.LogFormat == prodready.LogJSON
		}},
		{"grandchild", canaryProfile, func(b prodready.Base) bool {
			return b.PageSize == 10 && b.CacheTTL == 2*time.Minute && b.CacheMaxSize == 4096
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(prodready.MapEnv{"SECRET_KEY": key}, nil)
			o.Profile = tt.profile
			var b prodready.Base
			if err := prodready.Load(ctx, &b, o); err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if !tt.check(b) {
				t.Errorf("Load() under %s = %+v", tt.profile, b)
			}
		})
	}
	if !canaryProfile.Is(prodready.Production) || !canaryProfile.Hardened() || canaryProfile.Is(prodready.Development) {
		t.Error("a profile derived from Production is not Production")
	}
	if got := strings.Join(canaryProfile.Lineage(), ">"); got != "canary>staging>production" {
		t.Errorf("Lineage() = %q", got)
	}
}

func TestDerivedProductionIsHardened(t *testing.T) {
	t.Parallel()
	staging := prodready.Production.Derive("staging", nil)
	o := opts(prodready.MapEnv{"DEBUG": "true"}, nil)
	o.Profile = staging
	var b prodready.Base
	err := prodready.Load(ctx, &b, o)
	if !errors.Is(err, prodready.ErrMissing) || !strings.Contains(err.Error(), "SECRET_KEY: required in staging, not set") {
		t.Errorf("Load() error = %v, want SECRET_KEY required in staging", err)
	}
	if !strings.Contains(err.Error(), "DEBUG: is true under the staging profile") {
		t.Errorf("Load() error = %v, want DEBUG refused", err)
	}
}

func TestCustomProfileValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		profile  prodready.Profile
		profiles []prodready.Profile
		want     string
	}{
		{"unknown variable in defaults", prodready.Development.Derive("local", map[string]string{"PAGESIZE": "5"}), nil, "did you mean PAGE_SIZE?"},
		{"bad name", prodready.Development.Derive("Bad Name", nil), nil, "profile name"},
		{"duplicate", prodready.Profile{}, []prodready.Profile{prodready.Development.Derive("production", nil)}, "defined twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(nil, nil)
			o.Profile, o.Profiles = tt.profile, tt.profiles
			var b prodready.Base
			err := prodready.Load(ctx, &b, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRequired(t *testing.T) {
	t.Parallel()
	type cfg struct {
		A string   `env:"A" required:"true"`
		B string   `env:"B" required:"production,staging"`
		C []string `env:"C" required:"true"`
	}
	staging := prodready.Testing.Derive("staging", nil)
	tests := []struct {
		name    string
		env     prodready.MapEnv
		profile prodready.Profile
		missing []string
		message string
	}{
		{"all set", prodready.MapEnv{"A": "a", "C": "x"}, prodready.Development, nil, ""},
		{"A missing", prodready.MapEnv{"C": "x"}, prodready.Development, []string{"A"}, "A: required, not set (set A or A_FILE)"},
		{"A empty", prodready.MapEnv{"A": "", "C": "x"}, prodready.Development, []string{"A"}, "A: required, set but empty"},
		{"A whitespace", prodready.MapEnv{"A": " \t", "C": "x"}, prodready.Development, []string{"A"}, "A: required, set to only whitespace"},
		{"B only in named profiles", prodready.MapEnv{"A": "a", "C": "x"}, staging, []string{"B"}, "B: required in staging, not set"},
		{"every problem at once", prodready.MapEnv{}, staging, []string{"A", "B", "C"}, "3 configuration errors (profile staging)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, nil)
			o.Profile = tt.profile
			o.Profiles = []prodready.Profile{staging} // required:"staging" must name a known profile
			var c cfg
			err := prodready.Load(ctx, &c, o)
			if tt.missing == nil {
				if err != nil {
					t.Fatalf("Load() error = %v", err)
				}
				return
			}
			fes := fieldErrors(t, err)
			var keys []string
			for _, fe := range fes {
				keys = append(keys, fe.Key)
				if !errors.Is(fe, prodready.ErrMissing) {
					t.Errorf("%s: error %v does not wrap ErrMissing", fe.Key, fe)
				}
			}
			if strings.Join(keys, ",") != strings.Join(tt.missing, ",") {
				t.Errorf("missing = %v, want %v", keys, tt.missing)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("Load() error = %q, want it to contain %q", err, tt.message)
			}
		})
	}
}

func TestDevelopmentKey(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	o := opts(nil, nil)
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	var a, b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &a, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := prodready.Load(ctx, &b, o); err != nil {
		t.Fatal(err)
	}
	if !a.SecretKey.IsSet() || a.SecretKey.Len() < 32 {
		t.Fatalf("development key not generated")
	}
	if a.SecretKey.Equal(b.SecretKey) {
		t.Error("two loads gave the same development key: it must be random")
	}
	if err := prodready.CheckKeyStrength(a.SecretKey); err == nil {
		t.Error("a development key passes the production strength check")
	}
	if !hasFinding(rep, "PR-W001", "SECRET_KEY") || !strings.Contains(logs.String(), "PR-W001") {
		t.Errorf("no PR-W001 warning; findings %v, logs %s", rep.Findings, logs.String())
	}
	if strings.Contains(logs.String(), a.SecretKey.Reveal()) {
		t.Error("the development key was logged")
	}
	v, _ := rep.Var("SECRET_KEY")
	if v.Origin.Source != prodready.SourceGenerated || v.Value != prodready.Redacted {
		t.Errorf("SECRET_KEY var = %+v", v)
	}
	// Production never generates one.
	o.Profile = prodready.Production
	var p prodready.Base
	if err := prodready.Load(ctx, &p, o); !errors.Is(err, prodready.ErrMissing) || p.SecretKey.IsSet() {
		t.Errorf("production without a key: error %v, key set %v", err, p.SecretKey.IsSet())
	}
}

func TestNewProductionQuickPath(t *testing.T) {
	t.Parallel()
	// NewProduction reads the process environment; the test process has no
	// SECRET_KEY (CI does not set one), so it must fail naming it.
	if _, ok := lookupProcessEnv("SECRET_KEY"); ok {
		t.Skip("SECRET_KEY is set in this process's environment")
	}
	_, err := prodready.NewProduction(ctx)
	if !errors.Is(err, prodready.ErrMissing) || !strings.Contains(err.Error(), "SECRET_KEY: required in production, not set") {
		t.Errorf("NewProduction() error = %v, want SECRET_KEY missing", err)
	}
}

func TestProductionFailFastMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key string
		want      []string
		wantIs    error
	}{
		{"missing", "", []string{"prodready: SECRET_KEY: required in production, not set (set SECRET_KEY or SECRET_KEY_FILE)"}, prodready.ErrMissing},
		{"changeme", "changeme", []string{"SECRET_KEY: weak key", "8 bytes long", "placeholder"}, prodready.ErrWeakSecret},
		{"short random", "Zx8kq2LmN4pR7", []string{"13 bytes long, want at least 32"}, prodready.ErrWeakSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"APP_ENV": "production"}
			if tt.key != "" {
				env["SECRET_KEY"] = tt.key
			}
			var b prodready.Base
			err := prodready.Load(ctx, &b, opts(env, nil))
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("Load() error = %v, want %v", err, tt.wantIs)
			}
			if len(fieldErrors(t, err)) != 1 {
				t.Errorf("Load() error = %v, want exactly one problem", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load() error = %q, want it to contain %q", err, w)
				}
			}
			if tt.key != "" && strings.Contains(err.Error(), tt.key) {
				t.Errorf("Load() error prints the key: %v", err)
			}
		})
	}
}

// TestAppEnvFileSelectsTheProfile checks that APP_ENV_FILE chooses the
// profile as APP_ENV does.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): APP_ENV_FILE was not honoured.
func TestAppEnvFileSelectsTheProfile(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{"run/secrets/appenv": {Data: []byte("production\n")}}
	var b prodready.Base
	err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"APP_ENV_FILE": "/run/secrets/appenv"}, files))
	if !errors.Is(err, prodready.ErrMissing) || !strings.Contains(err.Error(), "required in production") {
		t.Errorf("APP_ENV_FILE=production: Load() = %v, AppEnv %q; want production rules", err, b.AppEnv)
	}
}

// TestConfigFileCannotSwitchProfile checks that a config file setting
// APP_ENV to another profile is refused: files are read after the profile
// is chosen.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): a config file could set APP_ENV silently.
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
