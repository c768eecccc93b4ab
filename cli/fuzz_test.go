package cli_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

// Fixed canaries, so that the seed corpus in testdata/fuzz stays
// meaningful from one run to the next: a strong key and a weak one.
const (
	fuzzCanary     = "CANARYx8ES7uz0uPgUYS3PX_pLY8JUuYXyqDfo9bCOekzDMVBoNxlhy"
	fuzzWeakCanary = "CANARY-changeme-key"
)

// fuzzConfig is a service's configuration with a secret of each kind.
type fuzzConfig struct {
	prodready.Base
	APIToken prodready.Secret    `env:"API_TOKEN" doc:"API token"`
	Tokens   []prodready.Secret  `env:"TOKENS" sep:";"`
	Upstream prodready.SecretURL `env:"UPSTREAM_URL"`
	Plain    string              `env:"PLAIN"`
}

// fuzzFiles are the files every fuzzed run can name with --config and
// --env-file: valid and broken, each holding a canary where a secret goes.
func fuzzFiles() fstest.MapFS {
	c := fuzzCanary
	return fstest.MapFS{
		"c.yaml":          {Data: []byte("secret_key: " + c + "\napi_token: " + c + "\npage_size: 7\n")},
		"c.json":          {Data: []byte(`{"secret_key": "` + c + `", "tokens": ["` + c + `"], "upstream_url": "https://u:` + c + `@up:1/x"}`)},
		"broken.yaml":     {Data: []byte("secret_key: \"" + c + "\n  : [\n")},
		"unknown.json":    {Data: []byte(`{"secret_kee": "` + c + `"}`)},
		"dup.yaml":        {Data: []byte("secret_key: " + c + "\nsecret_key: " + c + "x\n")},
		"d.env":           {Data: []byte("SECRET_KEY=" + c + "\nAPI_TOKEN='" + c + "'\nUPSTREAM_URL=redis://:" + c + "@h:6379\n")},
		"broken.env":      {Data: []byte("SECRET_KEY=" + c + "\nAPI_TOKEN=\"" + c + "\n")},
		".env":            {Data: []byte("API_TOKEN=" + c + "\n")},
		"run/secrets/key": {Data: []byte(c + "\n")},
		"p":               {Data: []byte(c)},
		"dir/x":           {Data: []byte("x")},
	}
}

// fuzzEnvs are the fixed environments a fuzzed run picks from: canaries in
// every variable a secret can come from, valid or broken, under each
// profile.
var fuzzEnvs = []prodready.MapEnv{
	{"APP_ENV": "production", "SECRET_KEY": fuzzCanary, "API_TOKEN": fuzzCanary,
		"DATABASE_URL": "postgres://app:" + fuzzCanary + "@db:5432/app?sslmode=verify-full"},
	{"APP_ENV": "production", "SECRET_KEY": fuzzWeakCanary, "SECRET_KEY_FALLBACKS": fuzzWeakCanary + "," + fuzzWeakCanary},
	{"SECRET_KEY_FILE": "/run/secrets/key", "SECRET_KEY": fuzzCanary, "PAGE_SIZE_FILE": "p", "PLAIN_FILE": "p",
		"CONFIG_FILE": "c.yaml"},
	{"DATABASE_URL": "postgres://app:" + fuzzCanary + "@db:notaport/app", "CACHE_BACKEND": "memcached",
		"CACHE_URL": "redis://:" + fuzzCanary + "@cache:6379", "TOKENS": fuzzCanary + ";;" + fuzzCanary,
		"UPSTREAM_URL": "https://h/?token=" + fuzzCanary, "LOG_LEVEL": "redis://u:" + fuzzCanary + "@h",
		"SECRET_KYE": fuzzCanary},
	{"APP_ENV": "staging\x1b[31m", "SECRET_KEY": fuzzCanary, "NO_COLOR": "1", "TERM": "dumb"},
}

// FuzzRun runs cli.Run with an arbitrary argument list: the input split at
// NUL bytes (which no argument of a real process holds), in one of the
// fixed environments, on a service whose secrets are all canaries. Run must
// never panic; its exit status must be 0, 1 or 2 and agree with its error
// (0 for success or help only, 2 for a *UsageError only); an error must
// say something; and no form of a canary may appear in stdout, stderr or
// the error. Outside check --color, no output holds a control character
// other than newline and tab: the package quotes untrusted text.
func FuzzRun(f *testing.F) {
	for _, args := range allCommands {
		f.Add(strings.Join(args, "\x00"), uint8(0))
	}
	f.Add("", uint8(0))
	f.Add("check\x00--config\x00c.json\x00--env-file\x00d.env", uint8(2))
	f.Add("print\x00--format\x00env\x00--config\x00broken.yaml", uint8(3))
	f.Add("fingerprint\x00--verbose\x00--profile\x00production", uint8(1))
	f.Add("check\x00--silence\x00PR-E001,PR-W001\x00--fail-level\x00info", uint8(4))
	f.Add("gen-secret\x00--bytes\x0099999999999999999999", uint8(0))

	canaries := append(canaryForms(fuzzCanary), canaryForms(fuzzWeakCanary)...)
	files := fuzzFiles()
	f.Fuzz(func(t *testing.T, input string, which uint8) {
		for _, c := range canaries {
			if strings.Contains(input, c) {
				t.Skip("the arguments hold a canary: an echo of them is no leak")
			}
		}
		var args []string
		if input != "" {
			args = strings.Split(input, "\x00")
		}
		env := fuzzEnvs[int(which)%len(fuzzEnvs)]
		o := &cli.Options{
			Name:       "svc config",
			Version:    "v0.0.0-fuzz",
			IsTerminal: func(io.Writer) bool { return false },
			Load: prodready.Options{
				Env:         env,
				FS:          files,
				MemoryLimit: func() (int64, error) { return 1 << 30, nil },
			},
		}
		var stdout, stderr bytes.Buffer
		err := cli.Run(context.Background(), args, &stdout, &stderr, &fuzzConfig{}, o)
		code := cli.ExitCode(err)

		var ue *cli.UsageError
		switch {
		case code != 0 && code != 1 && code != 2:
			t.Fatalf("Run(%q) exit status %d, want 0, 1 or 2", args, code)
		case code == 0 && err != nil && !errors.Is(err, flag.ErrHelp):
			t.Fatalf("Run(%q) exit status 0 for error %v", args, err)
		case code == 2 && !errors.As(err, &ue), code != 2 && errors.As(err, &ue):
			t.Fatalf("Run(%q) exit status %d for error %v (%T)", args, code, err, err)
		case err != nil && strings.TrimSpace(err.Error()) == "":
			t.Fatalf("Run(%q) error %#v says nothing", args, err)
		}

		outs := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
		if err != nil {
			outs["error"] = err.Error()
			outs["error %+v %#v"] = fmt.Sprintf("%+v %#v", err, err)
		}
		for where, out := range outs {
			for _, c := range canaries {
				if strings.Contains(out, c) {
					t.Fatalf("Run(%q) in environment %d: %s leaks the canary %q:\n%s", args, int(which)%len(fuzzEnvs), where, c, out)
				}
			}
		}

		colored := false
		for _, a := range args {
			if strings.Contains(a, "color") {
				colored = true
			}
		}
		for where, out := range outs {
			if where == "error %+v %#v" || colored && where == "stdout" {
				continue
			}
			if i := strings.IndexFunc(out, isControl); i >= 0 {
				r, _ := utf8.DecodeRuneInString(out[i:])
				t.Fatalf("Run(%q): %s holds the control character %q at byte %d:\n%q", args, where, r, i, out)
			}
		}
	})
}

// isControl reports a C0 or C1 control character other than newline and
// tab, or DEL: what could move a terminal's cursor or start a sequence.
func isControl(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r < 0xa0)
}
