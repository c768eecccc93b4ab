package cli_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// result is what one cli.Run did.
type result struct {
	stdout, stderr string
	err            error
	code           int
}

// runOpts are the Options of a test run: env and files injected, never
// the process's, and no terminal unless a test says so.
func runOpts(env prodready.MapEnv, files fstest.MapFS) *cli.Options {
	if env == nil {
		env = prodready.MapEnv{}
	}
	if files == nil {
		files = fstest.MapFS{}
	}
	return &cli.Options{
		Version:    "v1.2.3",
		IsTerminal: func(io.Writer) bool { return false },
		Load: prodready.Options{
			Env:         env,
			FS:          files,
			MemoryLimit: func() (int64, error) { return 1 << 30, nil },
		},
	}
}

// run runs cli.Run on a Base with env and files.
func run(tb testing.TB, env prodready.MapEnv, files fstest.MapFS, args ...string) result {
	tb.Helper()
	return runWith(tb, runOpts(env, files), &prodready.Base{}, args...)
}

func runWith(tb testing.TB, o *cli.Options, dst any, args ...string) result {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	err := cli.Run(context.Background(), args, &stdout, &stderr, dst, o)
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err, code: cli.ExitCode(err)}
}

// strongKey returns a new key that passes the production checks.
func strongKey(tb testing.TB) string {
	tb.Helper()
	k, err := prodready.GenerateKey(nil, 48)
	if err != nil {
		tb.Fatal(err)
	}
	return k.Reveal()
}

// productionReady is an environment that passes check under production at
// the default fail level: a strong key and a PostgreSQL database over TLS.
func productionReady(tb testing.TB) prodready.MapEnv {
	tb.Helper()
	return prodready.MapEnv{
		"APP_ENV":      "production",
		"SECRET_KEY":   strongKey(tb),
		"DATABASE_URL": "postgres://app:" + strongKey(tb) + "@db.internal:5432/app?sslmode=verify-full",
	}
}

var fingerprintHex = regexp.MustCompile(`\b[0-9a-f]{32}\b`)

// golden compares got with testdata/name.golden, or rewrites the file
// under -update. Fingerprints are masked: they depend on a random key.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	got = fingerprintHex.ReplaceAllString(got, "<fingerprint>")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("output differs from %s (go test -update rewrites it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

func isUsage(err error) bool {
	var ue *cli.UsageError
	return errors.As(err, &ue)
}
