package cli_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

// savedReport runs "fingerprint --json" with env, as an operator saves
// each replica's report.
func savedReport(t *testing.T, env prodready.MapEnv) string {
	t.Helper()
	res := run(t, env, nil, "fingerprint", "--json")
	if res.err != nil {
		t.Fatalf("fingerprint --json: %v\n%s", res.err, res.stderr)
	}
	return res.stdout
}

// runDiff runs diff with the reports a and b as files a.json and b.json.
func runDiff(t testing.TB, a, b string, args ...string) result {
	t.Helper()
	files := fstest.MapFS{"a.json": {Data: []byte(a)}, "b.json": {Data: []byte(b)}}
	if len(args) == 0 {
		args = []string{"a.json", "b.json"}
	}
	return run(t, nil, files, append([]string{"diff"}, args...)...)
}

// assertNoSecret fails when out holds secret s, or a plain hash of it.
func assertNoSecret(t *testing.T, s, where, out string) {
	t.Helper()
	sum := sha256.Sum256([]byte(s))
	for _, enc := range []string{s, hex.EncodeToString([]byte(s)), hex.EncodeToString(sum[:])[:16], s[4 : len(s)-4]} {
		if strings.Contains(out, enc) {
			t.Errorf("%s holds the secret or its SHA-256:\n%s", where, out)
		}
	}
}

// Two replicas whose configurations differ in one variable: diff lists
// exactly that one, from reports saved by fingerprint --json.
func TestDiffListsExactlyTheVariableThatDiffers(t *testing.T) {
	t.Parallel()
	base := productionReady(t)
	password := "Pw" + strongKey(t)
	base["DATABASE_URL"] = "postgres://app:" + password + "@db.internal:5432/app?sslmode=verify-full"
	ref := savedReport(t, base)
	with := func(k, v string) prodready.MapEnv {
		m := maps.Clone(base)
		m[k] = v
		return m
	}
	otherPassword := "Pw" + strongKey(t)
	tests := []struct {
		name      string
		env       prodready.MapEnv
		want      string
		code      int
		wantNote  string // in stderr
		wantErr   string // in the error, when set
		secretsIn []string
	}{
		{name: "identical", env: base, want: "", code: 0},
		{name: "page size", env: with("PAGE_SIZE", "41"), want: "PAGE_SIZE\n", code: 1},
		{name: "cache ttl", env: with("CACHE_TTL", "11m"), want: "CACHE_TTL\n", code: 1},
		{name: "database password only", env: with("DATABASE_URL", strings.Replace(base["DATABASE_URL"], password, otherPassword, 1)),
			want: "DATABASE_URL\n", code: 1, secretsIn: []string{otherPassword}},
		{name: "secret key only", env: with("SECRET_KEY", strongKey(t)), want: "SECRET_KEY\n", code: 1,
			// The count once took in the secret not compared: "differ in 2
			// variables" over one line of output (a new user).
			wantNote: "cannot be compared: DATABASE_URL", wantErr: "the configurations differ in 1 variable; 1 secret could not be compared"},
		{name: "two variables", env: with("PAGE_SIZE", "41"), want: "PAGE_SIZE\n", code: 1},
	}
	tests[len(tests)-1].env["LOG_LEVEL"] = "debug"
	tests[len(tests)-1].want = "LOG_LEVEL\nPAGE_SIZE\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := savedReport(t, tt.env)
			res := runDiff(t, ref, other)
			if res.stdout != tt.want || res.code != tt.code {
				t.Errorf("diff = %q, exit %d (%v); want %q, exit %d", res.stdout, res.code, res.err, tt.want, tt.code)
			}
			if !strings.Contains(res.stderr, tt.wantNote) || tt.wantNote == "" && res.stderr != "" {
				t.Errorf("stderr = %q, want %q", res.stderr, tt.wantNote)
			}
			if !strings.Contains(res.errText(), tt.wantErr) {
				t.Errorf("error = %q, want %q in it", res.errText(), tt.wantErr)
			}
			// Either order lists the same variables.
			if rev := runDiff(t, other, ref); rev.stdout != tt.want || rev.code != tt.code {
				t.Errorf("diff B A = %q, exit %d; want %q, exit %d", rev.stdout, rev.code, tt.want, tt.code)
			}
			for _, s := range append([]string{password, base["SECRET_KEY"], tt.env["SECRET_KEY"]}, tt.secretsIn...) {
				assertNoSecret(t, s, "fingerprint --json and diff", ref+other+res.stdout+res.stderr+res.errText())
			}
		})
	}
}

func (r result) errText() string {
	if r.err == nil {
		return ""
	}
	return r.err.Error()
}

// The report's format is stable: its version, the fingerprint that
// fingerprint prints, one digest a variable, keyed for a secret.
func TestFingerprintJSON(t *testing.T) {
	t.Parallel()
	env := productionReady(t)
	var rep struct {
		Format      string `json:"format"`
		Version     int    `json:"version"`
		Profile     string `json:"profile"`
		Fingerprint string `json:"fingerprint"`
		Key         string `json:"key"`
		Variables   map[string]struct {
			Digest string `json:"digest"`
			Keyed  bool   `json:"keyed"`
		} `json:"variables"`
	}
	if err := json.Unmarshal([]byte(savedReport(t, env)), &rep); err != nil {
		t.Fatal(err)
	}
	plain := run(t, env, nil, "fingerprint")
	if rep.Format != "prodready-fingerprint" || rep.Version != 1 || rep.Profile != "production" || rep.Fingerprint+"\n" != plain.stdout || len(rep.Key) != 16 {
		t.Errorf("report = %+v, fingerprint prints %q", rep, plain.stdout)
	}
	if !rep.Variables["DATABASE_URL"].Keyed || rep.Variables["PAGE_SIZE"].Keyed || rep.Variables["SECRET_KEY"].Digest != rep.Key {
		t.Errorf("variables = %+v", rep.Variables)
	}
	if res := run(t, env, nil, "fingerprint", "--json", "--verbose"); res.code != 2 {
		t.Errorf("--json --verbose: exit %d, want 2", res.code)
	}
	// A generated key is marked, and diff warns that secrets do not compare.
	dev := savedReport(t, prodready.MapEnv{"APP_ENV": "development"})
	if !strings.Contains(dev, `"key_generated": true`) {
		t.Errorf("development report without SECRET_KEY:\n%s", dev)
	}
	if res := runDiff(t, dev, dev); res.code != 0 || !strings.Contains(res.stderr, "generated") {
		t.Errorf("diff of a report with a generated key: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestDiffJSON(t *testing.T) {
	t.Parallel()
	env := productionReady(t)
	a := savedReport(t, env)
	env["PAGE_SIZE"] = "41"
	b := savedReport(t, env)
	var c map[string]any
	if err := json.Unmarshal([]byte(a), &c); err != nil {
		t.Fatal(err)
	}
	delete(c["variables"].(map[string]any), "LOG_LEVEL")
	less, _ := json.Marshal(c)
	// --json goes before or after the files.
	for _, args := range [][]string{{"--json", "a.json", "b.json"}, {"a.json", "b.json", "--json"}} {
		res := runDiff(t, string(less), b, args...)
		var out struct {
			Version   int  `json:"version"`
			Identical bool `json:"identical"`
			Variables []struct {
				Name, Change string
			} `json:"variables"`
			NotCompared []string `json:"not_compared"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
			t.Fatalf("diff %v: %v\n%s", args, err, res.stdout)
		}
		got, _ := json.Marshal(out.Variables)
		if want := `[{"Name":"LOG_LEVEL","Change":"only_in_b"},{"Name":"PAGE_SIZE","Change":"differs"}]`; string(got) != want || out.Identical || out.Version != 1 || res.code != 1 {
			t.Errorf("diff %v = %s (exit %d), want %s", args, res.stdout, res.code, want)
		}
	}
}

// Reports saved as real files are read from the working directory's file
// system when Options.Load.FS is nil, as --config files are.
func TestDiffReadsFiles(t *testing.T) {
	t.Parallel()
	env := productionReady(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := os.WriteFile(a, []byte(savedReport(t, env)), 0o600); err != nil {
		t.Fatal(err)
	}
	env["PAGE_SIZE"] = "41"
	if err := os.WriteFile(b, []byte(savedReport(t, env)), 0o600); err != nil {
		t.Fatal(err)
	}
	o := runOpts(nil, nil)
	o.Load.FS = nil
	res := runWith(t, o, &prodready.Base{}, "diff", a, b)
	if res.stdout != "PAGE_SIZE\n" || res.code != 1 {
		t.Errorf("diff = %q, exit %d (%v)", res.stdout, res.code, res.err)
	}
}

// Bad input exits 2 with an error naming the file and what is wrong.
func TestDiffBadInput(t *testing.T) {
	t.Parallel()
	good := savedReport(t, productionReady(t))
	swap := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	tests := []struct {
		name, b string
		args    []string
		want    string
	}{
		{name: "missing file", args: []string{"a.json", "nope.json"}, want: `"nope.json"`},
		{name: "one file", args: []string{"a.json"}, want: "takes two reports saved with 'fingerprint --json', got one argument"},
		{name: "three files", args: []string{"a.json", "b.json", "a.json"}, want: "got 3 arguments"},
		{name: "unknown flag", args: []string{"--nope", "a.json", "b.json"}, want: "nope"},
		{name: "not JSON", b: "PAGE_SIZE=1\n", want: `"b.json": not a fingerprint report: invalid JSON`},
		{name: "empty", b: "", want: `"b.json": not a fingerprint report`},
		{name: "a plain fingerprint", b: "0123456789abcdef0123456789abcdef\n", want: `"b.json": not a fingerprint report`},
		{name: "other JSON", b: `{"profile":"production"}`, want: `"b.json": not a fingerprint report: format is ""`},
		{name: "wrong version", b: swap(`"version": 1`, `"version": 2`), want: `"b.json": fingerprint report version 2, want 1`},
		{name: "trailing data", b: good + "{}", want: "data after the JSON object"},
		{name: "bad digest", b: swap(`"digest": "`, `"digest": "zz`), want: "is not 16 hexadecimal digits"},
		{name: "bad fingerprint", b: swap(`"fingerprint": "`, `"fingerprint": "x`), want: "fingerprint"},
		{name: "name with a line break", b: swap(`"PAGE_SIZE"`, `"PAGE_SIZE\nEVIL"`), want: `variable name "PAGE_SIZE\nEVIL"`},
		{name: "no variables", b: swap(`"variables"`, `"vars"`), want: `no "variables"`},
		{name: "too large", b: `{"format":"` + strings.Repeat("x", 5<<20) + `"}`, want: "larger than 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runDiff(t, good, tt.b, tt.args...)
			if res.code != 2 || !strings.Contains(res.errText(), tt.want) || res.stdout != "" {
				t.Errorf("diff: exit %d, error %q, stdout %q; want exit 2 and an error with %q", res.code, res.errText(), res.stdout, tt.want)
			}
			if len(res.errText()) > 400 {
				t.Errorf("error of %d bytes: %.400s", len(res.errText()), res.errText())
			}
		})
	}
}

// TestDiffRefusesSpecialFiles checks that diff reads regular files only,
// on Options.Load.FS too, as --config does (diff_special_unix_test.go
// checks a real FIFO).
func TestDiffRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	good := savedReport(t, productionReady(t))
	for _, tt := range []struct {
		name string
		mode fs.FileMode
		want string
	}{
		{"named pipe", fs.ModeNamedPipe | 0o600, `"b.json": is a named pipe, want a regular file`},
		{"directory", fs.ModeDir | 0o700, `"b.json": is a directory, want a regular file`},
		{"device", fs.ModeDevice | 0o600, `"b.json": is a device, want a regular file`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := fstest.MapFS{"a.json": {Data: []byte(good)}, "b.json": {Data: []byte(good), Mode: tt.mode}}
			res := run(t, nil, files, "diff", "a.json", "b.json")
			if res.code != 2 || !strings.Contains(res.errText(), tt.want) {
				t.Errorf("diff: exit %d, error %q; want exit 2 and %q", res.code, res.errText(), tt.want)
			}
		})
	}
}

// FuzzDiff feeds diff an untrusted report: it never panics, exits 0, 1 or
// 2, and prints only names, one a line.
func FuzzDiff(f *testing.F) {
	good := `{"format":"prodready-fingerprint","version":1,"profile":"production","fingerprint":"0123456789abcdef0123456789abcdef","key":"0123456789abcdef","variables":{"PAGE_SIZE":{"digest":"0123456789abcdef"},"DATABASE_URL":{"digest":"0123456789abcdef","keyed":true}}}`
	f.Add(good)
	f.Add(strings.Replace(good, `"key":"0123456789abcdef"`, `"key":""`, 1))
	f.Add(strings.Replace(good, `"PAGE_SIZE"`, `"PAGE\u0000SIZE"`, 1))
	f.Add(`{"format":"prodready-fingerprint","version":1,"variables":null}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"version":1e999}`)
	f.Fuzz(func(t *testing.T, b string) {
		for _, args := range [][]string{{"a.json", "b.json"}, {"--json", "b.json", "a.json"}} {
			res := runDiff(t, good, b, args...)
			if res.code < 0 || res.code > 2 {
				t.Fatalf("exit %d: %v", res.code, res.err)
			}
			if args[0] == "--json" {
				if res.stdout != "" && !json.Valid([]byte(res.stdout)) {
					t.Fatalf("--json output is not JSON: %q", res.stdout)
				}
				continue
			}
			for _, line := range strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n") {
				if strings.ContainsAny(line, " \t\r") {
					t.Fatalf("line %q is not a variable name", line)
				}
			}
		}
	})
}

// A service shows its own fingerprint report, as fingerprint --json
// prints it, for diff to compare with another replica's.
func ExampleFingerprintJSON() {
	key, err := prodready.GenerateKey(nil, 32) // in a real service: SECRET_KEY from the environment
	if err != nil {
		panic(err)
	}
	var cfg prodready.Base
	rep, err := prodready.LoadWithReport(context.Background(), &cfg, &prodready.Options{
		Profile:  prodready.Production,
		Env:      prodready.MapEnv{"SECRET_KEY": key.Reveal(), "PAGE_SIZE": "60"},
		NoDotEnv: true,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	doc, err := cli.FingerprintJSON(cfg, rep, "")
	if err != nil {
		panic(err)
	}
	var report struct {
		Version     int    `json:"version"`
		Fingerprint string `json:"fingerprint"`
		Variables   map[string]struct {
			Digest string `json:"digest"`
			Keyed  bool   `json:"keyed"`
		} `json:"variables"`
	}
	_ = json.Unmarshal(doc, &report)
	fmt.Println(report.Version, len(report.Fingerprint), len(report.Variables["PAGE_SIZE"].Digest), report.Variables["SECRET_KEY_FALLBACKS"].Keyed)
	// Output: 1 32 16 false
}
