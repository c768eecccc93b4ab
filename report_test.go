package prodready_test

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prodready/prodready"
)

// TestReportOnFailedLoads checks what the report and the errors say when a
// profile is unknown, a NAME_FILE is unreadable, a file is missing.
//
// Found in the review of the CLI (commit 75fd56e, formerly in
// report_fixes_test.go): the report named the stand-in profile instead of
// the unknown one, lost a failed NAME_FILE's origin, and a missing file's
// error said "does not exist" twice.
func TestReportOnFailedLoads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   prodready.MapEnv
		files []string
		check func(t *testing.T, rep *prodready.Report, err error)
	}{
		{
			name: "unknown profile is named, not the stand-in",
			env:  prodready.MapEnv{"APP_ENV": "staging"},
			check: func(t *testing.T, rep *prodready.Report, err error) {
				if rep.Profile != "staging" {
					t.Errorf("Report.Profile = %q, want %q", rep.Profile, "staging")
				}
				var le *prodready.LoadError
				if !errors.As(err, &le) || le.Profile != "staging" {
					t.Errorf("LoadError = %v, want Profile %q", err, "staging")
				}
			},
		},
		{
			name: "long unknown profile is truncated",
			env:  prodready.MapEnv{"APP_ENV": strings.Repeat("p", 500)},
			check: func(t *testing.T, rep *prodready.Report, _ error) {
				if len(rep.Profile) > 70 {
					t.Errorf("len(Report.Profile) = %d, want at most 70", len(rep.Profile))
				}
			},
		},
		{
			name: "unknown profile from a file is not shown",
			env:  prodready.MapEnv{"APP_ENV_FILE": "run/profile"},
			check: func(t *testing.T, rep *prodready.Report, _ error) {
				if rep.Profile != "development" {
					t.Errorf("Report.Profile = %q, want the stand-in %q", rep.Profile, "development")
				}
			},
		},
		{
			name: "unreadable NAME_FILE keeps its origin",
			env:  prodready.MapEnv{"SECRET_KEY_FILE": "run/secrets/missing"},
			check: func(t *testing.T, rep *prodready.Report, _ error) {
				v, ok := rep.Var("SECRET_KEY")
				if !ok {
					t.Fatal("Report.Var(SECRET_KEY) missing")
				}
				// The value names no file, but it is plainly a path (lower
				// case, a '/'), not a secret pasted instead of one.
				want := prodready.Origin{Source: prodready.SourceEnvFile, Var: "SECRET_KEY_FILE", Name: "run/secrets/missing"}
				if v.Origin != want {
					t.Errorf("SECRET_KEY origin = %+v, want %+v", v.Origin, want)
				}
			},
		},
		{
			name:  "missing config file says so once",
			files: []string{"nope.yaml"},
			check: func(t *testing.T, _ *prodready.Report, err error) {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("error = %v, want one wrapping fs.ErrNotExist", err)
				}
				if n := strings.Count(err.Error(), "not exist"); n != 1 {
					t.Errorf("error = %q says \"not exist\" %d times, want once", err, n)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, fstest.MapFS{"run/profile": {Data: []byte("nosuchprofile\n")}})
			o.ConfigFiles = tt.files
			var b prodready.Base
			rep, err := prodready.LoadWithReport(context.Background(), &b, o)
			if err == nil {
				t.Fatal("LoadWithReport() = nil error, want one")
			}
			tt.check(t, rep, err)
		})
	}
}

// TestReportValuesLoadBack checks that the report's values, which print
// --format env writes, load back as the same values.
//
// Found in review (commit 17c8365, formerly in report_fixes_test.go): print
// --format env wrote "10% (2527651430)" and "2026-01-02 03:04:05 +0000 UTC",
// which do not load back.
func TestReportValuesLoadBack(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Mem   prodready.MemorySize `env:"MEM"`
		Start time.Time            `env:"START"`
		Level slog.Level           `env:"LEVEL"`
	}
	env := prodready.MapEnv{"MEM": "10%", "START": "2026-01-02T03:04:05Z", "LEVEL": "WARN"}
	var c cfg
	rep, err := prodready.LoadWithReport(context.Background(), &c, opts(env, nil))
	if err != nil {
		t.Fatalf("LoadWithReport() = %v", err)
	}
	back := prodready.MapEnv{}
	for name, want := range map[string]string{"MEM": "10%", "START": "2026-01-02T03:04:05Z", "LEVEL": "warn"} {
		v, _ := rep.Var(name)
		if v.Value != want {
			t.Errorf("Report value of %s = %q, want %q", name, v.Value, want)
		}
		back[name] = v.Value
	}
	var c2 cfg
	if err := prodready.Load(context.Background(), &c2, opts(back, nil)); err != nil {
		t.Fatalf("Load(report values) = %v", err)
	}
	if c2.Mem != c.Mem || !c2.Start.Equal(c.Start) || c2.Level != c.Level {
		t.Errorf("reloaded %+v, want %+v", c2, c)
	}
}

// TestReportOnUnknownProfile checks that an unknown APP_ENV still
// yields a report holding the error.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): an unknown profile yielded no report.
func TestReportOnUnknownProfile(t *testing.T) {
	t.Parallel()
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, opts(prodready.MapEnv{"APP_ENV": "prod"}, nil))
	if !errors.Is(err, prodready.ErrUnknownProfile) || rep == nil || !hasFinding(rep, "PR-E002", "APP_ENV") {
		t.Errorf("LoadWithReport() = %+v, %v; want a report holding the error", rep, err)
	}
}
