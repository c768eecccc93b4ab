package prodready_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// opts returns Options over env and the files in fsys, with a silent logger,
// so that no test reads the process environment or the working directory.
func opts(env prodready.MapEnv, fsys fstest.MapFS) *prodready.Options {
	if env == nil {
		env = prodready.MapEnv{}
	}
	if fsys == nil {
		fsys = fstest.MapFS{}
	}
	return &prodready.Options{
		Env:         env,
		FS:          fsys,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		MemoryLimit: func() (int64, error) { return 1 << 30, nil },
	}
}

// fieldErrors returns the FieldErrors in err, failing the test when err is
// not a *LoadError.
func fieldErrors(tb testing.TB, err error) []*prodready.FieldError {
	tb.Helper()
	var le *prodready.LoadError
	if !errors.As(err, &le) {
		tb.Fatalf("error = %v (%T), want a *prodready.LoadError", err, err)
	}
	return le.Errors
}

// hasFinding reports whether rep holds a finding with the ID for the key.
func hasFinding(rep *prodready.Report, id, key string) bool {
	if rep == nil {
		return false
	}
	for _, f := range rep.Findings {
		if f.ID == id && (key == "" || f.Key == key) {
			return true
		}
	}
	return false
}

func strongKey(tb testing.TB) string {
	tb.Helper()
	k, err := prodready.GenerateKey(nil, 48)
	if err != nil {
		tb.Fatal(err)
	}
	return k.Reveal()
}

var ctx = context.Background()

func lookupProcessEnv(name string) (string, bool) { return prodready.ProcessEnv().Lookup(name) }

// checkErr checks err against want, a fragment the error must contain, or
// "" for no error. It reports whether the caller is done: an error was
// wanted and found.
func checkErr(tb testing.TB, err error, want string) (done bool) {
	tb.Helper()
	if want != "" {
		if err == nil || !strings.Contains(err.Error(), want) {
			tb.Fatalf("Load() error = %v, want it to contain %q", err, want)
		}
		return true
	}
	if err != nil {
		tb.Fatalf("Load() error = %v", err)
	}
	return false
}

func varsText(rep *prodready.Report) string {
	var b strings.Builder
	for _, v := range rep.Vars {
		b.WriteString(v.Name + "=" + v.Value + " " + v.Origin.String() + "\n")
	}
	return b.String()
}
