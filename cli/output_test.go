package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/dotenv"
)

// plainSvc is a configuration with one plain string variable, PLAIN.
type plainSvc struct {
	prodready.Base
	Plain string `env:"PLAIN"`
}

// rawControl reports the first byte sequence in out that a terminal would
// act on: a C0 control other than tab and line feed, DEL, a C1 control
// (as UTF-8 or as a lone byte), or invalid UTF-8.
func rawControl(out string) (string, bool) {
	if !utf8.ValidString(out) {
		return "invalid UTF-8", true
	}
	for _, c := range out {
		if c != '\t' && c != '\n' && (c < 0x20 || c == 0x7f || c >= 0x80 && c <= 0x9f || unicode.Is(unicode.Cf, c)) {
			return string(c), true
		}
	}
	return "", false
}

// sourceInShell sources file in sh with set -a, in a clean environment
// and in dir, and returns the values the shell then has for names. It
// skips the test when there is no /bin/sh. The command pwned, and touch
// pwned, would create the file dir/pwned.
func sourceInShell(t *testing.T, dir, file string, names []string) map[string]string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Each name's value, NUL-terminated. The names are checked identifiers.
	script := `f=$1; shift; set -a; . "$f" >/dev/null 2>&1; for n in "$@"; do eval "v=\${$n-}"; printf '%s\0' "$v"; done`
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh", file}, names...)...)
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	canary := "#!/bin/sh\n: > '" + filepath.Join(dir, "pwned") + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "pwned"), []byte(canary), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin"} // a clean environment, but the canaries can run
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("sh: %v\n%s", err, errOut.String())
	}
	vals := strings.Split(out.String(), "\x00")
	got := map[string]string{}
	for i, n := range names {
		if i < len(vals) {
			got[n] = vals[i]
		}
	}
	return got
}

// TestPrintEnvShellSafe checks that print --format env writes a file that
// internal/dotenv and a POSIX shell both read back to the printed values,
// that sourcing it runs nothing (a canary command would create a file),
// and that a value neither can hold is a comment naming the variable,
// never quoting the value.
func TestPrintEnvShellSafe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   string
		written bool // false: a comment says the value is not written
	}{
		{"ampersand", "a&pwned", true},
		{"ampersand and a space", "a&touch pwned", true},
		// Query values off the redactor's allow-list are redacted (the
		// value is then a comment, see TestPrintEnvRoundTrip): the
		// command goes in the path and after an allowed value.
		{"URL with a command in its path", "https://h/a=1&pwned", true},
		{"URL with a command after an allowed query", "https://h/x?timeout=1&db=2|pwned", true},
		{"URL with a query", "https://h/x?timeout=1&db=2", true},
		{"semicolon", "x; touch pwned", true},
		{"pipe", "a|touch pwned", true},
		{"command substitution", "$(touch pwned)", true},
		{"backquotes", "`touch pwned`", true},
		{"quote and command substitution", "it's $(touch pwned) and ${HOME}", true},
		{"quote and backquotes", "it's `touch pwned`", false},
		{"line break and backquotes", "one\n`touch pwned`", false},
		{"quote, double quotes and backslashes", `it's "quoted" \ \\ \n $HOME`, true},
		{"quote that closes and reopens", "x' ; touch pwned ; '", true},
		{"line break", "one\ntwo $(touch pwned)\n", true},
		{"tab", "a\tb", true},
		{"tilde", "~root", true},
		{"glob", "*", true},
		{"comment sign", "#not a comment", true},
		{"spaces around", "  spaced  ", true},
		{"trailing backslash", `C:\dir\`, true},
		{"non-ASCII", "héllo wörld ✓ 日本", true},
		{"no-break space", "a\u00a0b", true},
		{"the word redacted", "[redacted]", true},
		{"redacted in a sentence", "see [redacted] in the docs", true},
		{"equals", "a=b==c", true},
		{"NUL", "a\x00b", false},
		{"invalid UTF-8", "a\xff\xfeb", false},
		{"lone C1 byte", "x\x9b31m", false},
		{"carriage return", "a\rb", false},
		{"terminal title", "\x1b]0;pwned\x07", false},
		{"CSI", "\x1b[2J", false},
		{"C1 CSI", "\u009b31m", false},
		{"DEL", "a\x7fb", false},
		{"right-to-left override", "abc\u202edef", false},
		{"line separator", "a\u2028b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"SECRET_KEY": strongKey(t), "PLAIN": tt.value}
			res := runWith(t, runOpts(env, nil), &plainSvc{}, "print", "--format", "env")
			if res.err != nil {
				t.Fatalf("print --format env: %v", res.err)
			}
			if c, ok := rawControl(res.stdout); ok {
				t.Errorf("output holds %q:\n%q", c, res.stdout)
			}
			entries, err := dotenv.Parse("printed.env", []byte(res.stdout))
			if err != nil {
				t.Fatalf("dotenv.Parse = %v\n%s", err, res.stdout)
			}
			got := map[string]string{}
			var names []string
			for _, e := range entries {
				got[e.Key] = e.Value
				names = append(names, e.Key)
			}
			v, ok := got["PLAIN"]
			switch {
			case tt.written && (!ok || v != tt.value):
				t.Errorf("dotenv reads PLAIN = %q (present %v), want %q\n%s", v, ok, tt.value, res.stdout)
			case !tt.written && ok:
				t.Errorf("PLAIN written as %q, want a comment\n%s", v, res.stdout)
			case !tt.written && !strings.Contains(res.stdout, "\n# PLAIN: not written: ") || !tt.written && strings.Contains(res.stdout, tt.value):
				t.Errorf("want a comment naming PLAIN, without its value:\n%q", res.stdout)
			}

			dir := t.TempDir()
			file := filepath.Join(dir, "printed.env")
			if err := os.WriteFile(file, []byte(res.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			sh := sourceInShell(t, dir, file, names)
			if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
				t.Fatalf("sourcing the file ran a command:\n%s", res.stdout)
			}
			for _, n := range names {
				if sh[n] != got[n] {
					t.Errorf("sh reads %s = %q, dotenv %q\n%s", n, sh[n], got[n], res.stdout)
				}
			}
		})
	}
}

// TestPrintEnvEveryValue runs the round trip of TestPrintEnvShellSafe
// on a service's variables of many types, secrets and a URL password
// included: the ones written read back equal in the shell and dotenv.
func TestPrintEnvEveryValue(t *testing.T) {
	t.Parallel()
	type svc struct {
		prodready.Base
		Tags   []string          `env:"TAGS" sep:" "`
		Labels map[string]string `env:"LABELS"`
		Hook   string            `env:"HOOK"`
		Token  prodready.Secret  `env:"TOKEN"`
	}
	env := productionReady(t)
	env["TAGS"] = "a b $(touch pwned)"
	env["LABELS"] = "team=core,cmd=`touch pwned`"
	env["HOOK"] = "https://u:pw@hooks.example.com/x?a=1&b=2" // a plain string with a password: left empty
	env["TOKEN"] = strongKey(t)
	res := runWith(t, runOpts(env, nil), &svc{}, "print", "--format", "env")
	if res.err != nil {
		t.Fatal(res.err)
	}
	entries, err := dotenv.Parse("printed.env", []byte(res.stdout))
	if err != nil {
		t.Fatalf("dotenv.Parse = %v\n%s", err, res.stdout)
	}
	got := map[string]string{}
	var names []string
	for _, e := range entries {
		got[e.Key] = e.Value
		names = append(names, e.Key)
	}
	for _, n := range []string{"HOOK", "TOKEN", "DATABASE_URL", "SECRET_KEY"} {
		if got[n] != "" {
			t.Errorf("%s = %q, want it left empty", n, got[n])
		}
	}
	if got["TAGS"] != env["TAGS"] {
		t.Errorf("TAGS = %q, want %q", got["TAGS"], env["TAGS"])
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "printed.env")
	if err := os.WriteFile(file, []byte(res.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := sourceInShell(t, dir, file, names)
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatalf("sourcing the file ran a command:\n%s", res.stdout)
	}
	for _, n := range names {
		if sh[n] != got[n] {
			t.Errorf("sh reads %s = %q, dotenv %q", n, sh[n], got[n])
		}
	}
}

// TestPrintEnvReloadsUnderAnotherProfile checks that the file does not pin
// APP_ENV: loaded back with --env-file under another profile, it loads
// (a file that sets APP_ENV to another profile is finding PR-E009).
func TestPrintEnvReloadsUnderAnotherProfile(t *testing.T) {
	t.Parallel()
	printed := run(t, productionReady(t), nil, "print", "--format", "env")
	if printed.err != nil {
		t.Fatal(printed.err)
	}
	if !strings.Contains(printed.stdout, "\n# APP_ENV=production (selects the profile; set it in the environment)\n") {
		t.Errorf("APP_ENV is not a comment:\n%s", printed.stdout)
	}
	tests := []struct {
		name string
		env  prodready.MapEnv
		args []string
	}{
		{"--profile development", prodready.MapEnv{}, []string{"--profile", "development"}},
		{"APP_ENV=testing", prodready.MapEnv{"APP_ENV": "testing"}, nil},
		{"no profile", prodready.MapEnv{}, nil},
		{"production", productionReady(t), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := fstest.MapFS{"printed.env": {Data: []byte(printed.stdout)}}
			args := append([]string{"check", "--fail-level", "error", "--env-file", "printed.env"}, tt.args...)
			res := run(t, tt.env, files, args...)
			if res.code != 0 || strings.Contains(res.stdout, "PR-E009") {
				t.Errorf("Run(%q) on the printed file: exit %d, %v\n%s", args, res.code, res.err, res.stdout)
			}
		})
	}
}

// TestJSONEscapesNonPrintable checks that print and check --format json
// \u-escape what encoding/json leaves raw (DEL, C1 controls, format
// characters) and read back to the same values.
func TestJSONEscapesNonPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
	}{
		{"terminal title", "\x1b]0;pwned\x07"},
		{"C1 CSI", "\u009b31m"},
		{"DEL", "a\x7fb"},
		{"right-to-left override", "abc\u202edef"},
		{"astral format character", "a\U000e0001b"},
		{"printable", "héllo <b> & ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"SECRET_KEY": strongKey(t), "PLAIN": tt.value, "PAGE_SIZE": tt.value}
			res := runWith(t, runOpts(env, nil), &plainSvc{}, "print", "--format", "json")
			if c, ok := rawControl(res.stdout); ok {
				t.Errorf("print --format json holds %q:\n%q", c, res.stdout)
			}
			var printed struct {
				Vars []struct{ Name, Value string }
			}
			if err := json.Unmarshal([]byte(res.stdout), &printed); err != nil {
				t.Fatalf("%v\n%s", err, res.stdout)
			}
			found := false
			for _, v := range printed.Vars {
				if v.Name == "PLAIN" {
					found = true
					if v.Value != tt.value {
						t.Errorf("PLAIN = %q, want %q", v.Value, tt.value)
					}
				}
			}
			if !found {
				t.Errorf("no PLAIN in\n%s", res.stdout)
			}
			chk := runWith(t, runOpts(env, nil), &plainSvc{}, "check", "--format", "json")
			if c, ok := rawControl(chk.stdout); ok {
				t.Errorf("check --format json holds %q:\n%q", c, chk.stdout)
			}
			if !json.Valid([]byte(chk.stdout)) {
				t.Errorf("check --format json is not JSON:\n%s", chk.stdout)
			}
		})
	}
}

// TestUntrustedPathsStayOnOneLine gives a config file a name that holds
// line breaks and an assignment: no output may start a line with it, and
// the .env output must not assign it.
func TestUntrustedPathsStayOnOneLine(t *testing.T) {
	t.Parallel()
	const path = "c\nINJECTED=1\n#.yaml"
	files := fstest.MapFS{path: {Data: []byte("page_size: 0\ncache_namespace: \"ns\\e]0;x\\a\"\n")}}
	tests := [][]string{
		{"print"},
		{"print", "--format", "env"},
		{"print", "--format", "json"},
		{"check"},
		{"check", "--format", "json"},
		{"fingerprint", "--verbose"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			res := run(t, prodready.MapEnv{"SECRET_KEY": strongKey(t)}, files, append(args, "--config", path)...)
			out := res.stdout
			if res.err != nil {
				out += "\n" + res.err.Error()
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "INJECTED") || strings.HasPrefix(line, "#.yaml") {
					t.Errorf("Run(%q) wrote a line from the path: %q\n%s", args, line, out)
				}
			}
			if c, ok := rawControl(out); ok {
				t.Errorf("Run(%q) wrote %q:\n%q", args, c, out)
			}
			if args[len(args)-1] == "env" {
				entries, err := dotenv.Parse("printed.env", []byte(res.stdout))
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if e.Key == "INJECTED" {
						t.Errorf("the .env output assigns INJECTED:\n%s", res.stdout)
					}
				}
			}
		})
	}
	// The same path as a file that does not exist: the usage error is one line.
	res := run(t, nil, nil, "check", "--config", path)
	if res.code != 2 || strings.Contains(res.err.Error(), "\n") {
		t.Errorf("check --config %q: exit %d, error %q; want exit 2 and one line", path, res.code, res.err)
	}
}

// TestEnvDocEscaping checks env's Markdown and .env.example for docs and
// defaults that hold line breaks, pipes and backquotes.
func TestEnvDocEscaping(t *testing.T) {
	t.Parallel()
	type svc struct {
		Multi string `env:"MULTI" doc:"first line\nsecond | line"`
		Tick  string "env:\"TICK\" default:\"a`b\" doc:\"a backquote\""
		Edge  string "env:\"EDGE\" default:\"`x`\" doc:\"backquotes at both ends\""
		Pipe  string `env:"PIPE" default:"a|b" doc:"a pipe"`
		Ctl   string `env:"CTL" default:"a\tb" doc:"a tab"`
		NL    string `env:"NL" default:"a\nB=1" doc:"a line break"`
	}
	tests := []struct {
		format string
		want   []string
	}{
		{"md", []string{
			"| `MULTI` | string |  |  |  |  | first line second \\| line |",
			"| `TICK` | string | ``a`b`` |",
			"| `EDGE` | string | `` `x` `` |",
			"| `PIPE` | string | `a\\|b` |",
			"| `CTL` | string | `\"a\\tb\"` |",
		}},
		{"dotenv", []string{
			"\n# first line second | line\n",
			"\n#TICK='a`b'\n",
			"\n#PIPE='a|b'\n",
			"\n#CTL='a\tb'\n",
			"# type string; default \"a\\nB=1\"\n#NL=\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			res := runWith(t, runOpts(nil, nil), &svc{}, "env", "--format", tt.format)
			if res.err != nil {
				t.Fatal(res.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("env --format %s lacks %q:\n%s", tt.format, w, res.stdout)
				}
			}
			if tt.format == "dotenv" {
				if _, err := dotenv.Parse(".env.example", []byte(res.stdout)); err != nil {
					t.Errorf("dotenv.Parse = %v\n%s", err, res.stdout)
				}
				if strings.Contains(res.stdout, "\nB=1") {
					t.Errorf("a default's line break starts a line:\n%s", res.stdout)
				}
			}
		})
	}
}

// TestTextEscapesControls checks that print's and check's text output
// quotes what a terminal would act on.
func TestTextEscapesControls(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, value string }{
		{"C1 CSI", "\u009b31m"},
		{"lone C1 byte", "x\x9b31m"},
		{"DEL", "a\x7fb"},
		{"right-to-left override", "abc\u202edef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{"CACHE_NAMESPACE": tt.value, "PAGE_SIZE": tt.value}
			for _, args := range [][]string{{"print"}, {"check"}} {
				res := run(t, env, nil, args...)
				if c, ok := rawControl(res.stdout); ok {
					t.Errorf("Run(%q) printed %q:\n%q", args, c, res.stdout)
				}
			}
		})
	}
}
