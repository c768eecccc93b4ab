package prodready_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/prodready/prodready"
)

// badInputConfig has a field of every kind the loader decodes, so that
// each malformed input meets the decoder it attacks.
type badInputConfig struct {
	prodready.Base
	Name      string               `env:"NAME" required:"true" doc:"a required plain string"`
	I         int                  `env:"NUM_INT"`
	I8        int8                 `env:"NUM_INT8"`
	I16       int16                `env:"NUM_INT16"`
	I32       int32                `env:"NUM_INT32"`
	I64       int64                `env:"NUM_INT64"`
	U         uint                 `env:"NUM_UINT"`
	U8        uint8                `env:"NUM_UINT8"`
	U16       uint16               `env:"NUM_UINT16"`
	U32       uint32               `env:"NUM_UINT32"`
	U64       uint64               `env:"NUM_UINT64"`
	F32       float32              `env:"NUM_FLOAT32"`
	F64       float64              `env:"NUM_FLOAT64"`
	Timeout   time.Duration        `env:"TIMEOUT"`
	Token     prodready.Secret     `env:"API_TOKEN"`
	Mem       prodready.MemorySize `env:"BUFFER_MEMORY"`
	Hosts     []string             `env:"HOSTS"`
	Ports     []int                `env:"PORTS"`
	Labels    map[string]int       `env:"LABELS"`
	Endpoint  url.URL              `env:"ENDPOINT"`
	Upstream  *url.URL             `env:"UPSTREAM"`
	Blob      []byte               `env:"BLOB"`
	Keys      []prodready.Secret   `env:"API_KEYS"`
	Countries map[string]string    `env:"COUNTRIES"`
}

// badCanary is a secret value that must never appear in any output.
const badCanary = "CANARY-7f3a9c1e5b2d8064-do-not-leak"

// A badInput is one row of the corpus: a malformed input and the error it
// must produce.
type badInput struct {
	name      string
	env       prodready.MapEnv  // merged over the valid baseline NAME=ok
	unset     string            // a variable of the baseline to remove
	overrides map[string]string // Options.Overrides
	files     fstest.MapFS      // Options.FS; nil for an empty one
	denied    string            // a path the FS refuses with a permission error
	fsys      fs.FS             // Options.FS, when files and denied do not say enough
	conf      []string          // Options.ConfigFiles
	dotenv    string            // Options.DotEnv
	prefix    string            // Options.Prefix
	profile   prodready.Profile // zero: development
	// real, when set, builds the files in dir on the operating system's
	// file system and edits the options (FS is then nil: the default).
	real func(t *testing.T, dir string, o *prodready.Options)

	key string           // variable the error must name; "" for a file-level error
	src prodready.Source // where the offending value came from
	// where is text the error must contain: "environment", "c.yaml:3",
	// "API_TOKEN_FILE"...; for a warning, text of "message | origin | hint".
	where string
	want  error  // sentinel the error must wrap
	check string // finding ID, when it matters
	// warn says the input must load, with the finding check as a warning
	// on key; absent, that it must load without that finding.
	warn, absent bool
}

// mapFS returns a MapFS of private files from name, content pairs.
func mapFS(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1]), Mode: 0o600}
	}
	return m
}

// writeFile writes a file of mode perm in dir and returns its path.
func writeFile(t *testing.T, dir, name, data string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil { // the umask may have cut perm
		t.Fatal(err)
	}
	return p
}

func symlinkLoop(t *testing.T, dir, name string) string {
	t.Helper()
	a, b := filepath.Join(dir, name), filepath.Join(dir, name+".other")
	if err := os.Symlink(b, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, b); err != nil {
		t.Fatal(err)
	}
	return a
}

// permFS answers every Open and Stat of name with a permission error: an
// unreadable file, even for root.
type permFS struct {
	fstest.MapFS
	name string
}

func (f permFS) Open(name string) (fs.File, error) {
	if name == f.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func (f permFS) Stat(name string) (fs.FileInfo, error) {
	if name == f.name {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Stat(name)
}

// statLiarFS answers a Stat of name with a regular file of size bytes,
// whatever it holds: a file swapped for a FIFO, or grown, between the stat
// and the open.
type statLiarFS struct {
	fstest.MapFS
	name string
	size int64
}

func (f statLiarFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := f.MapFS.Stat(name)
	if err != nil || name != f.name {
		return fi, err
	}
	return liarInfo{fi, f.size}, nil
}

type liarInfo struct {
	fs.FileInfo
	size int64
}

func (i liarInfo) Mode() fs.FileMode { return 0o600 }
func (i liarInfo) Size() int64       { return i.size }

// aliasList is a YAML file that anchors a value of size bytes and lists n
// aliases of it in HOSTS: n times the text for a few bytes each.
func aliasList(size, n int) string {
	return "name: x\nx: &a \"" + strings.Repeat("v", size) + "\"\nhosts: [" + strings.Repeat("*a,", n) + "]\n"
}

func badInputs() []badInput {
	env := func(kv ...string) prodready.MapEnv {
		m := prodready.MapEnv{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	var (
		mib1  = strings.Repeat("a", 1<<20)
		mib10 = strings.Repeat("# padding line of a config file\n", 10<<20/32+1)
		inv   = prodready.ErrInvalid
		miss  = prodready.ErrMissing
		sEnv  = prodready.SourceEnv
		sFil  = prodready.SourceFile
		sDot  = prodready.SourceDotEnv
		sSec  = prodready.SourceEnvFile
		sOvr  = prodready.SourceOverride
	)
	rows := []badInput{
		// Numbers: non-numeric and overflowing, for every size.
		{name: "int non-numeric", env: env("NUM_INT", "twelve"), key: "NUM_INT", src: sEnv, where: "environment", want: inv},
		{name: "int overflow", env: env("NUM_INT", "9223372036854775808"), key: "NUM_INT", src: sEnv, where: "out of range", want: inv},
		{name: "int8 non-numeric", env: env("NUM_INT8", "0x10"), key: "NUM_INT8", src: sEnv, where: "-128 to 127", want: inv},
		{name: "int8 overflow", env: env("NUM_INT8", "128"), key: "NUM_INT8", src: sEnv, where: "out of range", want: inv},
		{name: "int8 underflow", env: env("NUM_INT8", "-129"), key: "NUM_INT8", src: sEnv, where: "out of range", want: inv},
		{name: "int16 non-numeric", env: env("NUM_INT16", "1e3"), key: "NUM_INT16", src: sEnv, where: "whole number", want: inv},
		{name: "int16 overflow", env: env("NUM_INT16", "32768"), key: "NUM_INT16", src: sEnv, where: "out of range", want: inv},
		{name: "int32 non-numeric", env: env("NUM_INT32", "1_000"), key: "NUM_INT32", src: sEnv, where: "whole number", want: inv},
		{name: "int32 overflow", env: env("NUM_INT32", "2147483648"), key: "NUM_INT32", src: sEnv, where: "out of range", want: inv},
		{name: "int64 non-numeric", env: env("NUM_INT64", "12abc"), key: "NUM_INT64", src: sEnv, where: "whole number", want: inv},
		{name: "int64 overflow", env: env("NUM_INT64", "-9223372036854775809"), key: "NUM_INT64", src: sEnv, where: "out of range", want: inv},
		{name: "int64 400 digits", env: env("NUM_INT64", strings.Repeat("9", 400)), key: "NUM_INT64", src: sEnv, where: "(400 bytes)", want: inv},
		{name: "uint non-numeric", env: env("NUM_UINT", "many"), key: "NUM_UINT", src: sEnv, where: "whole number", want: inv},
		{name: "uint overflow", env: env("NUM_UINT", "18446744073709551616"), key: "NUM_UINT", src: sEnv, where: "out of range", want: inv},
		{name: "uint negative", env: env("NUM_UINT", "-1"), key: "NUM_UINT", src: sEnv, where: "negative", want: inv},
		{name: "uint8 non-numeric", env: env("NUM_UINT8", "0b1"), key: "NUM_UINT8", src: sEnv, where: "0 to 255", want: inv},
		{name: "uint8 overflow", env: env("NUM_UINT8", "256"), key: "NUM_UINT8", src: sEnv, where: "out of range", want: inv},
		{name: "uint8 negative", env: env("NUM_UINT8", "-0"), key: "NUM_UINT8", src: sEnv, where: "negative", want: inv},
		{name: "uint16 non-numeric", env: env("NUM_UINT16", "+-1"), key: "NUM_UINT16", src: sEnv, where: "0 to 65535", want: inv},
		{name: "uint16 overflow", env: env("NUM_UINT16", "65536"), key: "NUM_UINT16", src: sEnv, where: "out of range", want: inv},
		{name: "uint32 non-numeric", env: env("NUM_UINT32", "4.5"), key: "NUM_UINT32", src: sEnv, where: "whole number", want: inv},
		{name: "uint32 overflow", env: env("NUM_UINT32", "4294967296"), key: "NUM_UINT32", src: sEnv, where: "out of range", want: inv},
		{name: "uint64 non-numeric", env: env("NUM_UINT64", "0x1p4"), key: "NUM_UINT64", src: sEnv, where: "whole number", want: inv},
		{name: "uint64 overflow", env: env("NUM_UINT64", "99999999999999999999"), key: "NUM_UINT64", src: sEnv, where: "out of range", want: inv},
		{name: "uint64 negative", env: env("NUM_UINT64", "-18446744073709551615"), key: "NUM_UINT64", src: sEnv, where: "negative", want: inv},
		{name: "float32 non-numeric", env: env("NUM_FLOAT32", "half"), key: "NUM_FLOAT32", src: sEnv, where: "want a number", want: inv},
		{name: "float32 overflow", env: env("NUM_FLOAT32", "3.5e38"), key: "NUM_FLOAT32", src: sEnv, where: "out of range", want: inv},
		{name: "float32 NaN", env: env("NUM_FLOAT32", "NaN"), key: "NUM_FLOAT32", src: sEnv, where: "finite", want: inv},
		{name: "float32 -Inf", env: env("NUM_FLOAT32", "-Inf"), key: "NUM_FLOAT32", src: sEnv, where: "finite", want: inv},
		{name: "float64 non-numeric", env: env("NUM_FLOAT64", "1,5"), key: "NUM_FLOAT64", src: sEnv, where: "want a number", want: inv},
		{name: "float64 overflow", env: env("NUM_FLOAT64", "1e309"), key: "NUM_FLOAT64", src: sEnv, where: "out of range", want: inv},
		{name: "float64 NaN lower case", env: env("NUM_FLOAT64", "nan"), key: "NUM_FLOAT64", src: sEnv, where: "finite", want: inv},
		{name: "float64 +Inf", env: env("NUM_FLOAT64", "+Inf"), key: "NUM_FLOAT64", src: sEnv, where: "finite", want: inv},
		{name: "float64 infinity spelled out", env: env("NUM_FLOAT64", "infinity"), key: "NUM_FLOAT64", src: sEnv, where: "finite", want: inv},
		{name: "int whitespace only", env: env("NUM_INT", " \t "), key: "NUM_INT", src: sEnv, where: "whole number", want: inv},
		// Numbers through the other sources, which the origin must name.
		{name: "yaml int8 overflow", files: mapFS("c.yaml", "name: x\nnum_int8: 300\n"), conf: []string{"c.yaml"}, key: "NUM_INT8", src: sFil, where: "c.yaml:2", want: inv},
		{name: "json uint16 negative", files: mapFS("c.json", "{\n \"num_uint16\": -1\n}"), conf: []string{"c.json"}, key: "NUM_UINT16", src: sFil, where: "c.json:2", want: inv},
		{name: "json float NaN string", files: mapFS("c.json", `{"num": {"float64": "NaN"}}`), conf: []string{"c.json"}, key: "NUM_FLOAT64", src: sFil, where: "c.json:1", want: inv},
		{name: "dotenv int32 overflow", files: mapFS(".env", "# c\nNUM_INT32=99999999999\n"), key: "NUM_INT32", src: sDot, where: ".env:2", want: inv},
		{name: "override int16 non-numeric", overrides: map[string]string{"NUM_INT16": "x"}, key: "NUM_INT16", src: sOvr, where: "override", want: inv},
		{name: "NAME_FILE int64 non-numeric", env: env("NUM_INT64_FILE", "n"), files: mapFS("n", badCanary+"\n"), key: "NUM_INT64", src: sSec, where: "NUM_INT64_FILE", want: inv},

		// Negative and malformed sizes.
		{name: "memory size negative", env: env("BUFFER_MEMORY", "-1MiB"), key: "BUFFER_MEMORY", src: sEnv, where: "negative", want: inv},
		{name: "memory size negative percent", env: env("CACHE_MAX_MEMORY", "-5%"), key: "CACHE_MAX_MEMORY", src: sEnv, where: "negative", want: inv},
		{name: "memory size NaN", env: env("BUFFER_MEMORY", "NaN"), key: "BUFFER_MEMORY", src: sEnv, where: "finite", want: inv},
		{name: "memory size Inf percent", env: env("BUFFER_MEMORY", "Inf%"), key: "BUFFER_MEMORY", src: sEnv, where: "finite", want: inv},
		{name: "memory size overflow", env: env("BUFFER_MEMORY", "99999999999TiB"), key: "BUFFER_MEMORY", src: sEnv, where: "invalid memory size", want: inv},
		{name: "memory size unknown unit", env: env("BUFFER_MEMORY", "10 parsecs"), key: "BUFFER_MEMORY", src: sEnv, where: "invalid memory size", want: inv},
		{name: "memory size over 100 percent", env: env("BUFFER_MEMORY", "250%"), key: "BUFFER_MEMORY", src: sEnv, where: "invalid memory size", want: inv},
		{name: "PAGE_SIZE negative", env: env("PAGE_SIZE", "-1"), key: "PAGE_SIZE", src: sEnv, check: "PR-E021", want: inv},
		// The decoder knows the Go type's range, not the variable's: a new
		// user fixed MAX_PAGE_SIZE to 9223372036854775807 and only then
		// met PR-E022. The hint now gives the variable's own range.
		{name: "MAX_PAGE_SIZE past 64 bits", env: env("MAX_PAGE_SIZE", "99999999999999999999"), key: "MAX_PAGE_SIZE", src: sEnv, where: "(fix MAX_PAGE_SIZE in the environment: it takes a whole number from 1 to 2147483646)", want: inv},
		{name: "PAGE_SIZE with a separator", env: env("PAGE_SIZE", "1_000"), key: "PAGE_SIZE", src: sEnv, where: "it takes a whole number from 1 to the value of MAX_PAGE_SIZE)", want: inv},
		{name: "CACHE_AUTOSIZE_MARGIN a word", env: env("CACHE_AUTOSIZE_MARGIN", "half"), key: "CACHE_AUTOSIZE_MARGIN", src: sEnv, where: "it takes a number of points from 0 to 50", want: inv},
		{name: "CACHE_MAX_SIZE a word", env: env("CACHE_MAX_SIZE", "lots"), key: "CACHE_MAX_SIZE", src: sEnv, where: "it takes a whole number of 1 or more", want: inv},
		{name: "MAX_PAGE_SIZE zero", env: env("MAX_PAGE_SIZE", "0"), key: "MAX_PAGE_SIZE", src: sEnv, check: "PR-E022", want: inv},
		{name: "PAGE_SIZE above MAX_PAGE_SIZE", env: env("PAGE_SIZE", "500"), key: "PAGE_SIZE", src: sEnv, check: "PR-E023", want: inv},
		{name: "CACHE_MAX_SIZE negative", env: env("CACHE_MAX_SIZE", "-100"), key: "CACHE_MAX_SIZE", src: sEnv, check: "PR-E032", want: inv},
		{name: "PAGE_SIZE overflow", env: env("PAGE_SIZE", "1e10"), key: "PAGE_SIZE", src: sEnv, where: "whole number", want: inv},

		// Durations.
		{name: "duration without unit", env: env("TIMEOUT", "10"), key: "TIMEOUT", src: sEnv, where: "no unit", want: inv},
		{name: "duration in years", env: env("TIMEOUT", "1y"), key: "TIMEOUT", src: sEnv, where: "want a duration", want: inv},
		{name: "duration in days", env: env("CACHE_TTL", "7d"), key: "CACHE_TTL", src: sEnv, where: "want a duration", want: inv},
		{name: "negative CACHE_TTL", env: env("CACHE_TTL", "-5s"), key: "CACHE_TTL", src: sEnv, check: "PR-E030", want: inv},
		{name: "zero CACHE_TTL", env: env("CACHE_TTL", "0s"), key: "CACHE_TTL", src: sEnv, check: "PR-E030", want: inv},
		{name: "duration overflow", env: env("TIMEOUT", "9999999999h"), key: "TIMEOUT", src: sEnv, where: "out of range; want a duration between -2562047h and 2562047h", want: inv},
		{name: "negative duration overflow", env: env("TIMEOUT", "-9999999999h"), key: "TIMEOUT", src: sEnv, where: "out of range; want a duration between -2562047h and 2562047h", want: inv},
		{name: "duration NaN", env: env("TIMEOUT", "NaN"), key: "TIMEOUT", src: sEnv, where: "want a duration such as", want: inv},
		{name: "duration with space", env: env("TIMEOUT", "5 s"), key: "TIMEOUT", src: sEnv, where: "want a duration", want: inv},
		{name: "yaml duration without unit", files: mapFS("c.yml", "name: x\ncache:\n  ttl: 300\n"), conf: []string{"c.yml"}, key: "CACHE_TTL", src: sFil, where: "c.yml:3", want: inv},

		// Empty and whitespace-only required values.
		{name: "required unset", unset: "NAME", key: "NAME", src: prodready.SourceNone, where: "required, not set", want: miss, check: "PR-E001"},
		{name: "required set but empty", env: env("NAME", ""), key: "NAME", src: prodready.SourceNone, where: "set but empty", want: miss, check: "PR-E001"},
		{name: "required whitespace", env: env("NAME", "   "), key: "NAME", src: sEnv, where: "whitespace", want: miss},
		{name: "required tabs and newlines", env: env("NAME", "\t\r\n"), key: "NAME", src: sEnv, where: "whitespace", want: miss},
		{name: "required empty override", env: env("NAME", ""), overrides: map[string]string{"NAME": " "}, key: "NAME", src: sOvr, where: "whitespace", want: miss},
		{name: "required empty NAME_FILE", env: env("NAME", "", "NAME_FILE", "n"), files: mapFS("n", "\n"), key: "NAME", want: miss, where: "set but empty: NAME_FILE n is an empty file"},
		// The report names the empty file, not only the variable (a new
		// user's report, round six: "set SECRET_KEY or SECRET_KEY_FILE"
		// when SECRET_KEY_FILE was set, to an empty file).
		{name: "required empty NAME_FILE hint", env: env("NAME", "", "NAME_FILE", "n"), files: mapFS("n", ""), key: "NAME", want: miss, where: "put the value in that file, or set NAME instead"},
		// Only one final line break is removed (Trust issue): the second is content.
		{name: "required NAME_FILE of two line breaks", env: env("NAME", "", "NAME_FILE", "n"), files: mapFS("n", "\n\n"), key: "NAME", want: miss, where: "set to only whitespace"},
		{name: "required whitespace yaml", env: env("NAME", ""), files: mapFS("c.yaml", "name: '   '\n"), conf: []string{"c.yaml"}, key: "NAME", src: sFil, where: "whitespace", want: miss},
		{name: "required whitespace dotenv", env: env("NAME", ""), files: mapFS(".env", "NAME=\"  \"\n"), key: "NAME", src: sDot, where: "whitespace", want: miss},
		{name: "string given an empty list in yaml", env: env("NAME", ""), files: mapFS("c.yaml", "name: []\n"), conf: []string{"c.yaml"}, key: "NAME", src: sFil, where: "c.yaml:1", want: inv},
		{name: "production secret key whitespace", profile: prodready.Production, env: env("SECRET_KEY", "  \t"), key: "SECRET_KEY", src: sEnv, want: miss},
		{name: "production secret key missing", profile: prodready.Production, key: "SECRET_KEY", want: miss, check: "PR-E001"},

		// Invalid UTF-8 and NUL bytes.
		{name: "string invalid UTF-8", env: env("NAME", "caf\xe9"), key: "NAME", src: sEnv, check: "PR-W045", warn: true, where: "the value from the environment is not valid UTF-8 text"},
		{name: "string NUL byte", env: env("NAME", "a\x00b"), key: "NAME", src: sEnv, check: "PR-W045", warn: true, where: "the value from the environment contains a NUL byte"},
		{name: "int NUL byte", env: env("NUM_INT", "1\x002"), key: "NUM_INT", src: sEnv, where: "NUL byte", want: inv},
		{name: "duration invalid UTF-8", env: env("TIMEOUT", "5\xb5s"), key: "TIMEOUT", src: sEnv, where: "UTF-8", want: inv},
		{name: "secret invalid UTF-8", env: env("API_TOKEN", badCanary+"\xff"), key: "API_TOKEN", src: sEnv, check: "PR-W045", warn: true, where: "is not valid UTF-8 text"},
		{name: "secret NUL byte", env: env("API_TOKEN", badCanary+"\x00"+badCanary), key: "API_TOKEN", src: sEnv, check: "PR-W045", warn: true, where: "contains a NUL byte"},
		{name: "secret URL NUL byte", env: env("DATABASE_URL", "postgres://u:"+badCanary+"@db/\x00"), key: "DATABASE_URL", src: sEnv, where: "not shown", want: inv},
		{name: "override NUL byte", overrides: map[string]string{"CACHE_NAMESPACE": "ns\x00"}, key: "CACHE_NAMESPACE", src: sOvr, check: "PR-W045", warn: true, where: "the value from override contains a NUL byte"},
		{name: "override NUL byte in a number", overrides: map[string]string{"PAGE_SIZE": "5\x00"}, key: "PAGE_SIZE", src: sOvr, where: "NUL byte", want: inv},
		{name: "list item invalid UTF-8", env: env("HOSTS", "a,\xc3\x28"), key: "HOSTS", src: sEnv, check: "PR-W045", warn: true, where: "item 2 is not valid UTF-8 text"},
		{name: "int list item invalid UTF-8", env: env("PORTS", "80,\xc3\x28"), key: "PORTS", src: sEnv, where: "UTF-8", want: inv},
		{name: "log level invalid UTF-8", env: env("LOG_LEVEL", "\xffinfo"), key: "LOG_LEVEL", src: sEnv, where: "UTF-8", want: inv},
		{name: "yaml invalid UTF-8", files: mapFS("c.yaml", "name: x\nhosts: [\"\xfe\"]\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:2: file is not valid UTF-8", want: inv, check: "PR-E005"},
		{name: "yaml NUL byte", files: mapFS("c.yaml", "name: x\n\ncache_namespace: a\x00\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:3: file contains a NUL byte", want: inv},
		{name: "yaml NUL escape in a number", files: mapFS("c.yaml", "name: x\nnum_int: \"1\\0\"\n"), conf: []string{"c.yaml"}, key: "NUM_INT", src: sFil, where: "invalid value \"1\\x00\" from c.yaml:2: contains a NUL byte", want: inv},
		{name: "yaml NUL escape in a duration", files: mapFS("c.yaml", "name: x\ntimeout: \"5s\\0\"\n"), conf: []string{"c.yaml"}, key: "TIMEOUT", src: sFil, where: "contains a NUL byte", want: inv},
		{name: "json NUL escape in a string", files: mapFS("c.json", `{"cache_namespace": "a\u0000b"}`), conf: []string{"c.json"}, key: "CACHE_NAMESPACE", src: sFil, check: "PR-W045", warn: true, where: "the value from c.json:1 contains a NUL byte; it is used as given"},
		{name: "json NUL escape in a secret", files: mapFS("c.json", `{"api_token": "`+badCanary+`\u0000"}`), conf: []string{"c.json"}, key: "API_TOKEN", src: sFil, check: "PR-W045", warn: true, where: "c.json:1 contains a NUL byte"},
		{name: "yaml NUL escape in a list item", files: mapFS("c.yaml", "name: x\nhosts: [a, \"b\\0\"]\n"), conf: []string{"c.yaml"}, key: "HOSTS", src: sFil, check: "PR-W045", warn: true, where: "the value from c.yaml:2: item 2 contains a NUL byte"},
		{name: "yaml NUL escape in an int list item", files: mapFS("c.yaml", "name: x\nports: [80, \"4\\0\"]\n"), conf: []string{"c.yaml"}, key: "PORTS", src: sFil, where: "from c.yaml:2: item 2 contains a NUL byte", want: inv},
		{name: "yaml NUL escape after a bad item", files: mapFS("c.yaml", "name: x\nports: [80, x, \"4\\0\"]\n"), conf: []string{"c.yaml"}, key: "PORTS", src: sFil, where: "item 2: want a whole number, such as 50; also, item 3 contains a NUL byte", want: inv},
		{name: "json NUL escape in a map value", files: mapFS("c.json", `{"labels": {"a": "1\u0000"}}`), conf: []string{"c.json"}, key: "LABELS", src: sFil, where: "c.json:1: the value of key 1 contains a NUL byte", want: inv},
		{name: "json NUL escape in a map key", files: mapFS("c.json", `{"countries": {"f\u0000r": "x"}}`), conf: []string{"c.json"}, key: "COUNTRIES", src: sFil, check: "PR-W045", warn: true, where: "c.json:1: key 1 contains a NUL byte"},
		{name: "json NUL escape in an int map key", files: mapFS("c.json", `{"labels": {"a\u0000": "1"}}`), conf: []string{"c.json"}, key: "LABELS", src: sFil, check: "PR-W045", warn: true, where: "c.json:1: key 1 contains a NUL byte"},
		{name: "list empty item and NUL byte", env: env("HOSTS", "a,,b\x00"), key: "HOSTS", src: sEnv, where: "item 2 is empty; also, item 3 contains a NUL byte", want: inv},
		{name: "int list NUL byte in an item", env: env("PORTS", "80,4\x00"), key: "PORTS", src: sEnv, where: "from environment: item 2 contains a NUL byte", want: inv},
		{name: "map entry without = and NUL byte", env: env("LABELS", "a=1,b\x00"), key: "LABELS", src: sEnv, where: "entry 2 has no \"=\"", want: inv},
		{name: "map value NUL byte", env: env("LABELS", "a=1,b=2\x00"), key: "LABELS", src: sEnv, where: "entry 2 contains a NUL byte", want: inv},
		{name: "json invalid UTF-8", files: mapFS("c.json", "{\"name\": \"\xc0\xaf\"}"), conf: []string{"c.json"}, src: sFil, where: "c.json:1: file is not valid UTF-8", want: inv},
		{name: "json NUL byte", files: mapFS("c.json", "{\"name\":\n\"\x00\"}"), conf: []string{"c.json"}, src: sFil, where: "c.json:2: file contains a NUL byte", want: inv},
		{name: "dotenv invalid UTF-8", files: mapFS(".env", "NAME=ok\nAPI_TOKEN="+badCanary+"\xff\n"), src: sDot, where: ".env:2: invalid UTF-8 in value of key \"API_TOKEN\"", want: inv, check: "PR-E006"},
		{name: "dotenv NUL byte", files: mapFS(".env", "API_TOKEN="+badCanary+"\x00\n"), src: sDot, where: ".env:1: file contains a NUL byte", want: inv},
		{name: "NAME_FILE invalid UTF-8 string", env: env("NAME", "", "NAME_FILE", "n"), files: mapFS("n", badCanary+"\xff"), key: "NAME", src: sSec, check: "PR-W045", warn: true, where: "the value from NAME_FILE n is not valid UTF-8 text"},
		{name: "NAME_FILE binary secret is no finding", env: env("API_TOKEN_FILE", "t"), files: mapFS("t", badCanary+"\x00\xff\xfe"), key: "API_TOKEN", src: sSec, check: "PR-W045", warn: true, absent: true},
		{name: "NAME_FILE path with NUL", env: env("API_TOKEN_FILE", "/run/secrets/t\x00k"), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE", want: inv, check: "PR-E004"},

		// Huge values.
		{name: "1 MiB string", env: env("NAME", mib1), key: "NAME", src: sEnv, where: "limit", want: inv},
		{name: "1 MiB int", env: env("NUM_INT", strings.Repeat("1", 1<<20)), key: "NUM_INT", src: sEnv, where: "limit", want: inv},
		{name: "1 MiB secret", env: env("API_TOKEN", strings.Repeat(badCanary, 1<<20/len(badCanary))), key: "API_TOKEN", src: sEnv, where: "limit", want: inv},
		{name: "1 MiB list", env: env("HOSTS", strings.Repeat("h,", 1<<19)), key: "HOSTS", src: sEnv, where: "limit", want: inv},
		{name: "1 MiB override", overrides: map[string]string{"CACHE_NAMESPACE": mib1}, key: "CACHE_NAMESPACE", src: sOvr, where: "limit", want: inv},
		{name: "1 MiB APP_ENV", env: env("APP_ENV", mib1), key: "APP_ENV", src: sEnv, where: "APP_ENV: invalid value from the environment: is 1048576 bytes, larger than the 64 KiB limit", want: inv, check: "PR-E002"},
		{name: "64 KiB APP_ENV_FILE", env: env("APP_ENV_FILE", "p"), files: mapFS("p", mib1[:64<<10]), key: "APP_ENV", src: sSec, where: "not a known profile", want: prodready.ErrUnknownProfile},
		{name: "512 KiB dotenv value", files: mapFS(".env", "CACHE_NAMESPACE="+mib1[:512<<10]+"\n"), key: "CACHE_NAMESPACE", src: sDot, where: ".env:1", want: inv},
		{name: "512 KiB yaml value", files: mapFS("c.yaml", "name: x\ncache_namespace: "+mib1[:512<<10]+"\n"), conf: []string{"c.yaml"}, key: "CACHE_NAMESPACE", src: sFil, where: "c.yaml:2", want: inv},
		{name: "512 KiB yaml list item", files: mapFS("c.yaml", "name: x\nhosts:\n  - a\n  - "+mib1[:512<<10]+"\n"), conf: []string{"c.yaml"}, key: "HOSTS", src: sFil, where: "c.yaml:2", want: inv},
		{name: "1 MiB secret file", env: env("API_TOKEN_FILE", "t"), files: mapFS("t", mib1), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE t: is 1048576 bytes, larger than the 64 KiB limit", want: inv, check: "PR-E004"},
		{name: "64 KiB secret file and a newline loads", env: env("API_TOKEN_FILE", "t"), files: mapFS("t", mib1[:64<<10]+"\n"), key: "API_TOKEN", src: sSec, check: "PR-E004", warn: true, absent: true},
		{name: "64 KiB secret file and CRLF loads", env: env("API_TOKEN_FILE", "t"), files: mapFS("t", mib1[:64<<10]+"\r\n"), key: "API_TOKEN", src: sSec, check: "PR-E004", warn: true, absent: true},
		{name: "64 KiB + 1 secret file", env: env("API_TOKEN_FILE", "t"), files: mapFS("t", mib1[:64<<10+1]), key: "API_TOKEN", src: sSec, where: "is 65537 bytes, larger than the 64 KiB limit", want: inv, check: "PR-E004"},
		{name: "64 KiB secret file and two newlines", env: env("API_TOKEN_FILE", "t"), files: mapFS("t", mib1[:64<<10]+"\n\n"), key: "API_TOKEN", src: sSec, where: "is 65538 bytes, larger than the 64 KiB limit", want: inv, check: "PR-E004"},
		{name: "secret file swapped for a FIFO after the stat", env: env("API_TOKEN_FILE", "t"), fsys: statLiarFS{MapFS: fstest.MapFS{"t": {Data: []byte(badCanary), Mode: fs.ModeNamedPipe | 0o600}}, name: "t", size: 10}, key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE t: is a named pipe, want a regular file", want: inv, check: "PR-E004"},
		{name: "config file swapped for a FIFO after the stat", fsys: statLiarFS{MapFS: fstest.MapFS{"c.yaml": {Data: []byte("name: x\n"), Mode: fs.ModeNamedPipe | 0o600}}, name: "c.yaml", size: 8}, conf: []string{"c.yaml"}, src: sFil, where: "config file c.yaml is a named pipe, want a regular file", want: inv, check: "PR-E005"},
		{name: "secret file grown after the stat", env: env("API_TOKEN_FILE", "t"), fsys: statLiarFS{MapFS: mapFS("t", strings.Repeat(badCanary, 1<<20/len(badCanary))), name: "t", size: 10}, key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE t: is larger than the 64 KiB limit", want: inv, check: "PR-E004"},
		{name: "config file grown after the stat", fsys: statLiarFS{MapFS: mapFS("c.yaml", mib10), name: "c.yaml", size: 10}, conf: []string{"c.yaml"}, src: sFil, where: "config file c.yaml is larger than the 1 MiB limit", want: inv, check: "PR-E005"},
		{name: "dotenv grown after the stat", fsys: statLiarFS{MapFS: mapFS(".env", mib10), name: ".env", size: 10}, src: sDot, where: ".env is larger than the 1 MiB limit", want: inv, check: "PR-E006"},

		// Unknown enum values.
		{name: "unknown LOG_LEVEL", env: env("LOG_LEVEL", "verbose"), key: "LOG_LEVEL", src: sEnv, where: "debug, info, warn or error", want: inv},
		{name: "LOG_LEVEL bad offset", env: env("LOG_LEVEL", "info+x"), key: "LOG_LEVEL", src: sEnv, where: "log level", want: inv},
		{name: "unknown LOG_FORMAT", env: env("LOG_FORMAT", "xml"), key: "LOG_FORMAT", src: sEnv, where: "text or json", want: inv},
		{name: "unknown CACHE_BACKEND", env: env("CACHE_BACKEND", "mongodb"), key: "CACHE_BACKEND", src: sEnv, where: "memory, redis or memcached", want: inv},
		{name: "unknown CACHE_BACKEND yaml", files: mapFS("c.yaml", "name: x\ncache:\n  backend: redis-cluster\n"), conf: []string{"c.yaml"}, key: "CACHE_BACKEND", src: sFil, where: "c.yaml:3", want: inv},
		// A new user typed prod and got no suggestion, where a required
		// tag naming prod gets one.
		{name: "unknown APP_ENV", env: env("APP_ENV", "prod"), key: "APP_ENV", src: sEnv, where: "want one of development, production, testing; did you mean production?", want: prodready.ErrUnknownProfile},
		{name: "misspelt APP_ENV", env: env("APP_ENV", "developement"), key: "APP_ENV", src: sEnv, where: "; did you mean development?", want: prodready.ErrUnknownProfile},
		{name: "unknown APP_ENV from file", env: env("APP_ENV_FILE", "p"), files: mapFS("p", badCanary), key: "APP_ENV", src: sSec, where: "not a known profile", want: prodready.ErrUnknownProfile},
		{name: "APP_ENV NUL", env: env("APP_ENV", "production\x00"), key: "APP_ENV", src: sEnv, where: `unknown profile "production\x00"; want one of`, want: prodready.ErrUnknownProfile},
		// A secret pasted into APP_ENV stops the load before any secret is
		// read: the name is shown only when it looks like one (an outside
		// review, round six).
		{name: "APP_ENV holding a secret", env: env("APP_ENV", badCanary), key: "APP_ENV", src: sEnv, where: "unknown profile of 35 bytes (not shown: it does not look like a name); want one of", want: prodready.ErrUnknownProfile},
		{name: "yaml APP_ENV other profile", files: mapFS("c.yaml", "name: x\napp_env: production\n"), conf: []string{"c.yaml"}, key: "APP_ENV", src: sFil, where: "c.yaml:2", want: inv, check: "PR-E009"},
		{name: "DEBUG not a boolean", env: env("DEBUG", "maybe"), key: "DEBUG", src: sEnv, where: "true or false", want: inv},

		// Malformed URLs, with passwords that must not be echoed.
		{name: "database URL bad port", env: env("DATABASE_URL", "postgres://app:"+badCanary+"@db:notaport/app"), key: "DATABASE_URL", src: sEnv, where: "port", want: inv},
		{name: "database URL bad IPv6", env: env("DATABASE_URL", "postgres://app:"+badCanary+"@[::1/app"), key: "DATABASE_URL", src: sEnv, where: "IPv6", want: inv},
		{name: "database URL '#' in password", env: env("DATABASE_URL", "postgres://app:p#"+badCanary+"@db/app"), key: "DATABASE_URL", src: sEnv, where: "port", want: inv},
		{name: "database URL '@' in path", env: env("DATABASE_URL", "postgres://admin@srv/"+badCanary+"@db/app"), key: "DATABASE_URL", src: sEnv, where: "percent-encode", want: inv},
		{name: "database URL bad escape", env: env("DATABASE_URL", "postgres://app:"+badCanary+"%zz@db/app"), key: "DATABASE_URL", src: sEnv, where: "escape", want: inv},
		{name: "database URL control character", env: env("DATABASE_URL", "postgres://app:"+badCanary+"@db/\x7f"), key: "DATABASE_URL", src: sEnv, where: "control character", want: inv},
		{name: "database URL is a DSN", env: env("DATABASE_URL", "app:"+badCanary+"@tcp(db:3306)/app"), key: "DATABASE_URL", src: sEnv, want: inv},
		{name: "url.URL port out of range", env: env("ENDPOINT", "https://u:"+badCanary+"@h:99999/"), key: "ENDPOINT", src: sEnv, where: "port", want: inv},
		{name: "url.URL missing scheme", env: env("ENDPOINT", "://u:"+badCanary+"@h/"), key: "ENDPOINT", src: sEnv, where: "scheme", want: inv},
		{name: "*url.URL bad escape", env: env("UPSTREAM", "http://u:"+badCanary+"@h/%G1"), key: "UPSTREAM", src: sEnv, where: "escape", want: inv},
		{name: "cache URL scheme mismatch", env: env("CACHE_BACKEND", "memcached", "CACHE_URL", "redis://:"+badCanary+"@h:6379"), key: "CACHE_URL", src: sEnv, check: "PR-E034", want: inv},
		{name: "cache backend without URL", env: env("CACHE_BACKEND", "redis"), key: "CACHE_URL", check: "PR-E033", want: inv},
		// Found: these CACHE_URLs passed prodready check and start-up (the
		// load-time check compared only the scheme); the reference service
		// then retried forever with GET /readyz at 503. The backends'
		// parser (internal/cacheurl) now runs at load.
		{name: "redis URL non-numeric db", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "redis://:"+badCanary+"@h/abc"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: `redis://:[redacted]@h/abc is not a URL the redis backend accepts: path "/abc" is not a database number`, want: inv},
		{name: "redis URL protocol=3", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "redis://:"+badCanary+"@h/0?protocol=3"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: "only protocol=2 (RESP2) is an option", want: inv},
		{name: "redis URL fragment", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "redis://h/0#frag"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: "fragment", want: inv},
		{name: "redis URL password option", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "redis://h/0?password="+badCanary), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: `redis://h/0?... is not a URL the redis backend accepts: unknown query option "password"`, want: inv},
		{name: "redis URL write_timeout", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "redis://h/0?write_timeout=1s"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: "write timeout", want: inv},
		{name: "redis URL unix socket", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "unix:///run/redis.sock"), key: "CACHE_URL", src: sEnv, check: "PR-E034", want: inv},
		{name: "memcached URL query", env: env("CACHE_BACKEND", "memcached", "CACHE_URL", "memcached://h?x=1"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: "takes no options", want: inv},
		{name: "memcached URL path", env: env("CACHE_BACKEND", "memcached", "CACHE_URL", "memcached://h/some/path"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: "has a path", want: inv},
		{name: "memcached URL password", env: env("CACHE_BACKEND", "memcached", "CACHE_URL", "memcached://u:"+badCanary+"@h"), key: "CACHE_URL", src: sEnv, check: "PR-E037", where: "has no authentication", want: inv},
		{name: "memcached URL memcache scheme", env: env("CACHE_BACKEND", "memcached", "CACHE_URL", "memcache://h"), key: "CACHE_URL", src: sEnv, check: "PR-E034", want: inv},
		{name: "redis URL with options loads", env: env("CACHE_BACKEND", "redis", "CACHE_URL", "rediss://:"+badCanary+"@h:6380/2?dial_timeout=2s&client_name=api"), key: "CACHE_URL", src: sEnv, check: "PR-E037", warn: true, absent: true},
		{name: "yaml URL bad port", files: mapFS("c.yaml", "name: x\ndatabase_url: postgres://app:"+badCanary+"@db:0/app\n"), conf: []string{"c.yaml"}, key: "DATABASE_URL", src: sFil, where: "c.yaml:2", want: inv},

		// Malformed slices and maps.
		{name: "list empty item", env: env("HOSTS", "a,,b"), key: "HOSTS", src: sEnv, where: "item 2 is empty", want: inv},
		{name: "list only separators", env: env("HOSTS", ",,"), key: "HOSTS", src: sEnv, where: "empty", want: inv},
		{name: "list bad int item", env: env("PORTS", "80,http,443"), key: "PORTS", src: sEnv, where: "item 2", want: inv},
		{name: "list int item overflow", env: env("PORTS", "1,99999999999999999999"), key: "PORTS", src: sEnv, where: "out of range", want: inv},
		{name: "map entry without =", env: env("LABELS", "a=1,b"), key: "LABELS", src: sEnv, where: "entry 2", want: inv},
		{name: "map repeated key", env: env("LABELS", "a=1,a=2"), key: "LABELS", src: sEnv, where: "repeats", want: inv},
		{name: "map empty key", env: env("LABELS", "=1"), key: "LABELS", src: sEnv, where: "empty key", want: inv},
		{name: "map bad value", env: env("LABELS", "a=x"), key: "LABELS", src: sEnv, where: "entry 1 value", want: inv},
		{name: "secret list empty item", env: env("API_KEYS", badCanary+",,"+badCanary), key: "API_KEYS", src: sEnv, where: "not shown", want: inv},
		{name: "yaml map for a list", files: mapFS("c.yaml", "name: x\nhosts: {a: 1}\n"), conf: []string{"c.yaml"}, key: "HOSTS", src: sFil, where: "c.yaml:2", want: inv},
		{name: "yaml nested list", files: mapFS("c.yaml", "name: x\nhosts: [[a]]\n"), conf: []string{"c.yaml"}, key: "HOSTS", src: sFil, where: "item 1", want: inv},
		{name: "yaml list for a map", files: mapFS("c.yaml", "name: x\nlabels: [a, b]\n"), conf: []string{"c.yaml"}, key: "LABELS", src: sFil, where: "c.yaml:2", want: inv},
		{name: "yaml nested map value", files: mapFS("c.yaml", "name: x\ncountries: {fr: {x: 1}}\n"), conf: []string{"c.yaml"}, key: "COUNTRIES", src: sFil, where: "holds a map", want: inv},
		{name: "yaml list for a string", files: mapFS("c.yaml", "cache_namespace: [a, b]\n"), conf: []string{"c.yaml"}, key: "CACHE_NAMESPACE", src: sFil, where: "list is not allowed", want: inv},
		{name: "json object for an int", files: mapFS("c.json", `{"name": "x", "num_int": {}}`), conf: []string{"c.json"}, key: "NUM_INT", src: sFil, where: "c.json:1", want: inv},

		// Hostile config files.
		{name: "yaml billion laughs", files: mapFS("c.yaml", billionLaughs()), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml: too many values after alias expansion (limit 100000)", want: inv, check: "PR-E005"},
		{name: "yaml alias bomb via merge keys", files: mapFS("c.yaml", mergeBomb()), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml: too many values after alias expansion", want: inv},
		{name: "yaml 4,000 aliases of a 60 KiB value", files: mapFS("c.yaml", aliasList(60<<10, 4000)), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml: values too large after alias expansion", want: inv, check: "PR-E005"},
		{name: "yaml list over 64 KiB in all", files: mapFS("c.yaml", "name: x\nhosts:\n  - "+mib1[:30<<10]+"\n  - "+mib1[:30<<10]+"\n  - "+mib1[:30<<10]+"\n"), conf: []string{"c.yaml"}, key: "HOSTS", src: sFil, where: "c.yaml:2: is a list of 92162 bytes in all", want: inv},
		{name: "yaml recursive alias", files: mapFS("c.yaml", "a: &a [*a]\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:1: alias refers to a value that contains it", want: inv},
		{name: "yaml deeply nested flow", files: mapFS("c.yaml", "hosts: "+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+"\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:1: values nested too deeply (limit 32 levels)", want: inv},
		{name: "yaml deeply nested blocks", files: mapFS("c.yaml", deepYAML(200)), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:33: values nested too deeply", want: inv},
		{name: "json deeply nested", files: mapFS("c.json", `{"hosts": `+strings.Repeat("[", 400_000)+strings.Repeat("]", 400_000)+"}"), conf: []string{"c.json"}, src: sFil, where: "c.json:1: values nested too deeply", want: inv},
		{name: "json nested 40 objects", files: mapFS("c.json", strings.Repeat(`{"a":`, 40)+"1"+strings.Repeat("}", 40)), conf: []string{"c.json"}, src: sFil, where: "c.json:1: values nested too deeply", want: inv},
		{name: "yaml 10 MiB", files: mapFS("c.yaml", mib10), conf: []string{"c.yaml"}, src: sFil, where: "config file c.yaml is 10485792 bytes, larger than the 1 MiB limit", want: inv},
		{name: "json 10 MiB", files: mapFS("c.json", `{"name": "`+mib10[:10<<20]+`"}`), conf: []string{"c.json"}, src: sFil, where: "config file c.json is 10485772 bytes, larger than the 1 MiB limit", want: inv},
		{name: "dotenv 10 MiB", files: mapFS(".env", mib10), src: sDot, where: ".env is 10485792 bytes, larger than the 1 MiB limit", want: inv, check: "PR-E006"},
		{name: "yaml 200,000 values", files: mapFS("c.yaml", "hosts: ["+strings.Repeat("a,", 200_000)+"a]\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml: too many values (limit 100000)", want: inv},
		{name: "yaml duplicate key", files: mapFS("c.yaml", "name: x\npage_size: 1\npage_size: 2\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:3: duplicate key", want: inv},
		{name: "yaml duplicate key other case", files: mapFS("c.yaml", "name: x\npage_size: 1\nPAGE-SIZE: 2\n"), conf: []string{"c.yaml"}, key: "PAGE_SIZE", src: sFil, where: "set twice", want: inv},
		{name: "yaml duplicate nested and flat", files: mapFS("c.yaml", "name: x\ncache_ttl: 1m\ncache:\n  ttl: 2m\n"), conf: []string{"c.yaml"}, key: "CACHE_TTL", src: sFil, where: "c.yaml:4", want: inv},
		{name: "json duplicate key", files: mapFS("c.json", "{\"name\": \"x\",\n\"name\": \"y\"}"), conf: []string{"c.json"}, src: sFil, where: "c.json:2: duplicate key", want: inv},
		{name: "json duplicate escaped key", files: mapFS("c.json", `{"name": "x", "n\u0061me": "y"}`), conf: []string{"c.json"}, src: sFil, where: `c.json:1: duplicate key "name" (first on line 1)`, want: inv},
		{name: "dotenv duplicate key", files: mapFS(".env", "NAME=a\nexport NAME=b\n"), src: sDot, where: ".env:2: duplicate key", want: inv},
		{name: "yaml two merge keys", files: mapFS("c.yaml", "b: &b {name: x}\nc:\n  <<: *b\n  <<: *b\n"), conf: []string{"c.yaml"}, src: sFil, where: `c.yaml:4: duplicate key "<<" (first on line 3)`, want: inv},
		{name: "yaml unknown key with secret value", files: mapFS("c.yaml", "name: x\napi_tokn: "+badCanary+"\n"), conf: []string{"c.yaml"}, src: sFil, where: `c.yaml:2: unknown key "api_tokn" (remove it or fix its name; did you mean API_TOKEN?)`, want: inv},
		{name: "yaml custom tag", files: mapFS("c.yaml", "name: !vault "+badCanary+"\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:1: unsupported YAML tag", want: inv},
		{name: "yaml two documents", files: mapFS("c.yaml", "name: x\n---\nname: y\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:2: multiple documents", want: inv},
		{name: "yaml top level list", files: mapFS("c.yaml", "- name\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:1: top level must be a map, not a list", want: inv},
		{name: "yaml broken with secret", files: mapFS("c.yaml", "api_token: \""+badCanary+"\n  : [\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:3: invalid YAML syntax", want: inv},
		{name: "json trailing comma with secret", files: mapFS("c.json", `{"api_token": "`+badCanary+`",}`), conf: []string{"c.json"}, src: sFil, where: "c.json:1: invalid JSON syntax", want: inv},
		{name: "config file without extension", files: mapFS("config", "name: x\n"), conf: []string{"config"}, src: sFil, where: "config: file name has no extension", want: inv},
		{name: "CONFIG_FILE 1 MiB path", env: env("CONFIG_FILE", "/"+mib1+".yaml"), src: sFil, where: "aaaa.yaml (1048582-byte path): the path is 1048582 bytes, longer than the 4095-byte limit", want: inv, check: "PR-E005"},
		{name: "CONFIG_FILE with control characters", env: env("CONFIG_FILE", "c.yaml\n\x1b[31mforged line"), src: sFil, where: `config file "c.yaml\n\x1b[31mforged line" does not exist`, want: inv},
		{name: "NAME_FILE 1 MiB path", env: env("API_TOKEN_FILE", "/"+mib1), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE: the path is 1048577 bytes, longer than the 4095-byte limit", want: inv, check: "PR-E004"},
		{name: "NAME_FILE holds the secret itself", env: env("API_TOKEN_FILE", badCanary), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE (35 bytes, not shown): does not exist (set API_TOKEN_FILE to the path of a file, or API_TOKEN to the value itself)", want: inv, check: "PR-E004"},
		{name: "NAME_FILE holds a long secret", env: env("API_TOKEN_FILE", strings.Repeat(badCanary, 200)), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE: the path is 7000 bytes, longer than the 4095-byte limit (set API_TOKEN_FILE to the path of a file", want: inv, check: "PR-E004"},
		{name: "APP_ENV_FILE holds the secret itself", env: env("APP_ENV_FILE", "sk_live_"+badCanary), key: "APP_ENV", src: sSec, where: "APP_ENV_FILE (43 bytes, not shown): does not exist", want: inv, check: "PR-E004"},
		{name: "NAME_FILE path of 4096 bytes", env: env("API_TOKEN_FILE", "/"+mib1[:4095]), key: "API_TOKEN", src: sSec, where: "the path is 4096 bytes, longer than the 4095-byte limit", want: inv, check: "PR-E004"},
		// A path that is plainly one (lower-case path characters and a
		// '/') is shown though nothing is there: a new user could not tell
		// which mount path the service tried. A generated key has upper
		// case (base64) or no '/' (hex), so it stays hidden.
		{name: "NAME_FILE names a missing path, shown", env: env("API_TOKEN_FILE", "/run/secrets/api_token"), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE /run/secrets/api_token: does not exist", want: inv, check: "PR-E004"},
		{name: "NAME_FILE holds a base64 key with a slash", env: env("API_TOKEN_FILE", "/Zq3v9Xk2Lw8Rt5Yp1Hn6Bm4/Cj7Df0Gs2Ve9Ua3Ko8Ix5Wr"), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE (48 bytes, not shown): does not exist", want: inv, check: "PR-E004"},
		{name: "NAME_FILE holds a lower-case secret with a slash", env: env("API_TOKEN_FILE", "/"+strings.ToLower(badCanary)), key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE (36 bytes, not shown): does not exist", want: inv, check: "PR-E004"},
		{name: "NAME_FILE names a directory, shown", env: env("API_TOKEN_FILE", "/run/secrets"), files: fstest.MapFS{"run/secrets/x": {Data: []byte("x")}}, key: "API_TOKEN", src: sSec, where: "API_TOKEN_FILE /run/secrets: is a directory", want: inv},
		{name: "CONFIG_FILE path of 4096 bytes", env: env("CONFIG_FILE", "/"+mib1[:4090]+".yaml"), src: sFil, where: "the path is 4096 bytes, longer than the 4095-byte limit", want: inv, check: "PR-E005"},
		{name: "CONFIG_FILE long path keeps its name", env: env("CONFIG_FILE", "/"+strings.Repeat("deploy/", 50)+"app.yaml"), src: sFil, where: "config file /" + strings.Repeat("deploy/", 50) + "app.yaml does not exist", want: inv},
		{name: "CONFIG_FILE 3 KiB path keeps its end", env: env("CONFIG_FILE", "/"+strings.Repeat("d/", 1500)+"app.yaml"), src: sFil, where: "d/d/d/app.yaml (3009-byte path) does not exist", want: inv},
		{name: "json 512 KiB escaped string", files: mapFS("c.json", `{"cache_namespace": "`+strings.Repeat(`\u0041`, 100<<10)+`"}`), conf: []string{"c.json"}, key: "CACHE_NAMESPACE", src: sFil, where: "64 KiB limit", want: inv},
		{name: "json 512 KiB map key", files: mapFS("c.json", `{"countries": {"`+mib1[:512<<10]+`": "x"}}`), conf: []string{"c.json"}, key: "COUNTRIES", src: sFil, where: "entry 1", want: inv},
		{name: "config file name with control characters, bad syntax", files: mapFS("c\x1b[2J.yaml", "name: x\nname: y\n"), conf: []string{"c\x1b[2J.yaml"}, src: sFil, where: `"c\x1b[2J.yaml":2: duplicate key "name"`, want: inv, check: "PR-E005"},
		{name: "config file name with control characters, unknown key", files: mapFS("c\x1b[2J.yaml", "name: x\nbogus: 1\n"), conf: []string{"c\x1b[2J.yaml"}, src: sFil, where: `"c\x1b[2J.yaml":2: unknown key "bogus"`, want: inv, check: "PR-E005"},
		{name: "config file name with control characters, key set twice", files: mapFS("c\x1b[2J.yaml", "name: x\npage_size: 1\nPAGE-SIZE: 2\n"), conf: []string{"c\x1b[2J.yaml"}, key: "PAGE_SIZE", src: sFil, where: `set twice in "c\x1b[2J.yaml" (lines 2 and 3)`, want: inv, check: "PR-E005"},
		{name: "config file name with control characters, bad value", files: mapFS("c\x1b[2J.yaml", "name: x\nnum_int: x\n"), conf: []string{"c\x1b[2J.yaml"}, key: "NUM_INT", src: sFil, where: `invalid value "x" from "c\x1b[2J.yaml":2`, want: inv},
		{name: "config file name with control characters, APP_ENV", files: mapFS("c\x1b[2J.yaml", "name: x\napp_env: production\n"), conf: []string{"c\x1b[2J.yaml"}, key: "APP_ENV", src: sFil, where: `"c\x1b[2J.yaml":2 sets APP_ENV`, want: inv, check: "PR-E009"},
		{name: "dotenv name with control characters, bad value", dotenv: "p\x1b[2J.env", files: mapFS("p\x1b[2J.env", "NUM_INT=x\n"), key: "NUM_INT", src: sDot, where: `invalid value "x" from "p\x1b[2J.env":1`, want: inv},
		{name: "dotenv name with control characters, bad syntax", dotenv: "p\x1b[2J.env", files: mapFS("p\x1b[2J.env", "NAME=ok\nbad line\n"), src: sDot, where: `"p\x1b[2J.env":2: missing =`, want: inv, check: "PR-E006"},
		{name: "config file missing", conf: []string{"nope.yaml"}, src: sFil, where: "config file nope.yaml does not exist", want: inv},
		{name: "CONFIG_FILE missing", env: env("CONFIG_FILE", "/etc/app/nope.json"), src: sFil, where: "config file /etc/app/nope.json does not exist", want: inv},
		{name: "config file is a directory", files: fstest.MapFS{"conf.d/x": {Data: []byte("x")}}, conf: []string{"conf.d"}, src: sFil, where: "config file conf.d is a directory", want: inv},
		{name: "config file unreadable", denied: "c.yaml", conf: []string{"c.yaml"}, src: sFil, where: "config file c.yaml permission denied", want: inv},
		{name: "dotenv is a directory", files: fstest.MapFS{".env/x": {Data: []byte("x")}}, src: sDot, where: ".env is not a regular file", want: inv},
		{name: "dotenv named but missing", dotenv: "prod.env", src: sDot, where: "prod.env does not exist", want: inv},
		{name: "dotenv line without =", files: mapFS(".env", "NAME=x\n"+badCanary+"\n"), src: sDot, where: ".env:2: missing =", want: inv},
		{name: "dotenv yaml style line", files: mapFS(".env", "API_TOKEN: "+badCanary+"=\n"), src: sDot, where: ".env:1: invalid key", want: inv},
		{name: "dotenv unterminated quote", files: mapFS(".env", "API_TOKEN=\""+badCanary+"\n"), src: sDot, where: ".env:1: unterminated double-quoted value", want: inv},
		{name: "dotenv sets CONFIG_FILE", files: mapFS(".env", "CONFIG_FILE=c.yaml\n"), key: "CONFIG_FILE", src: sDot, where: "read before the .env file", want: inv, check: "PR-E009"},

		// Secret files (NAME_FILE).
		{name: "secret file missing", env: env("API_TOKEN_FILE", "/run/secrets/nope"), key: "API_TOKEN", src: sSec, where: "does not exist", want: inv, check: "PR-E004"},
		{name: "secret file is a directory", env: env("API_TOKEN_FILE", "run/secrets"), files: fstest.MapFS{"run/secrets/x": {Data: []byte("x")}}, key: "API_TOKEN", src: sSec, where: "directory", want: inv},
		{name: "secret file unreadable (fake FS)", denied: "run/secrets/t", env: env("API_TOKEN_FILE", "/run/secrets/t"), key: "API_TOKEN", src: sSec, where: "permission denied", want: inv},
		{name: "both NAME and NAME_FILE", env: env("API_TOKEN", badCanary, "API_TOKEN_FILE", "t"), files: mapFS("t", badCanary), key: "API_TOKEN", src: sEnv, where: "both API_TOKEN and API_TOKEN_FILE", want: inv, check: "PR-E003"},
		{name: "secret with trailing space", env: env("API_TOKEN", badCanary+" "), key: "API_TOKEN", src: sEnv, where: "white space", want: inv},
		{name: "weak production key from file", profile: prodready.Production, env: env("SECRET_KEY_FILE", "k"), files: mapFS("k", "CANARY-changeme-changeme\n"), key: "SECRET_KEY", check: "PR-E010", want: prodready.ErrWeakSecret},
		// Weak keys of the Trust issue's outside attack: each passed check
		// and was found by a dictionary attack in under a second.
		{name: "weak production key of 0xFF bytes from file", profile: prodready.Production, env: env("SECRET_KEY_FILE", "k"), files: mapFS("k", strings.Repeat("\xff", 32)), key: "SECRET_KEY", src: sSec, check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key of 0xFF bytes from environment", profile: prodready.Production, env: env("SECRET_KEY", strings.Repeat("\xff", 32)), key: "SECRET_KEY", src: sEnv, check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key with a Latin-1 byte from file", profile: prodready.Production, env: env("SECRET_KEY_FILE", "k"), files: mapFS("k", "passwordpasswordpasswordpassword\xe9"), key: "SECRET_KEY", src: sSec, check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key with a Latin-1 byte from environment", profile: prodready.Production, env: env("SECRET_KEY", "passwordpasswordpasswordpassword\xe9"), key: "SECRET_KEY", src: sEnv, check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key pangram", profile: prodready.Production, env: env("SECRET_KEY", "the quick brown fox jumps over the lazy dog"), key: "SECRET_KEY", src: sEnv, where: "dictionary words", check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key alphabet", profile: prodready.Production, env: env("SECRET_KEY", "abcdefghijklmnopqrstuvwxyz012345"), key: "SECRET_KEY", src: sEnv, where: "sequences", check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key passphrase", profile: prodready.Production, env: env("SECRET_KEY", "correct horse battery staple 2024"), key: "SECRET_KEY", src: sEnv, check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production key repeat with a tail", profile: prodready.Production, env: env("SECRET_KEY", "Summer2024!Summer2024!Summer2024!x"), key: "SECRET_KEY", src: sEnv, where: "repeats", check: "PR-E010", want: prodready.ErrWeakSecret},
		{name: "weak production fallback phrase", profile: prodready.Production, env: env("SECRET_KEY_FALLBACKS", "the quick brown fox jumps over the lazy dog"), key: "SECRET_KEY_FALLBACKS", src: sEnv, where: "key 1 of 1", check: "PR-E011", want: prodready.ErrWeakSecret},
		{name: "unknown prefixed variable with a 1 MiB name", prefix: "SVC_", env: env("SVC_NAME", "ok", "SVC_"+strings.Repeat("X", 1<<20), "x", "SVC_\x1b[2J", "x"), src: sEnv, check: "PR-W050", warn: true, key: `"SVC_` + strings.Repeat("X", 60) + `"... (1048580 bytes)`, where: "set but not a variable of this service"},
		{name: "override with a 1 MiB name", overrides: map[string]string{strings.Repeat("A", 1<<20): "x"}, src: sOvr, where: "unknown variable", want: inv, check: "PR-E007"},
		{name: "override name with control characters", overrides: map[string]string{"PAGE_SIZE\n\x1b[2J": "1"}, src: sOvr, where: "unknown variable", want: inv, check: "PR-E007"},
		{name: "override unknown variable", overrides: map[string]string{"API_TOKNE": badCanary}, key: "API_TOKNE", src: sOvr, where: "did you mean API_TOKEN", want: inv, check: "PR-E007"},

		// Files on the real file system.
		{name: "secret file is a FIFO", key: "API_TOKEN", src: sSec, where: "named pipe", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = mkfifo(t, dir, "fifo")
		}},
		{name: "secret file is a FIFO in os.DirFS", key: "API_TOKEN", src: sSec, where: "named pipe", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			mkfifo(t, dir, "fifo")
			o.FS = os.DirFS(dir)
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = "/fifo"
		}},
		{name: "config file is a FIFO", src: sFil, where: "named pipe", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.ConfigFiles = []string{mkfifo(t, dir, "c.yaml")}
		}},
		{name: "dotenv is a FIFO", src: sDot, where: "regular file", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.DotEnv = mkfifo(t, dir, ".env")
		}},
		{name: "secret file is a device", key: "API_TOKEN", src: sSec, where: "device", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = "/dev/zero"
		}},
		{name: "config file is a device", src: sFil, where: "device", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.ConfigFiles = []string{"/dev/urandom"}
		}},
		{name: "secret file symlink loop", key: "API_TOKEN", src: sSec, where: "symbolic links", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = symlinkLoop(t, dir, "t")
		}},
		{name: "config file symlink loop", src: sFil, where: "symbolic links", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.ConfigFiles = []string{symlinkLoop(t, dir, "c.yaml")}
		}},
		{name: "secret file dangling symlink", key: "API_TOKEN", src: sSec, where: "does not exist", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			p := filepath.Join(dir, "t")
			if err := os.Symlink(filepath.Join(dir, "gone"), p); err != nil {
				t.Fatal(err)
			}
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = p
		}},
		{name: "secret file symlink to a directory", key: "API_TOKEN", src: sSec, where: "directory", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			p := filepath.Join(dir, "t")
			if err := os.Symlink(dir, p); err != nil {
				t.Fatal(err)
			}
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = p
		}},
		{name: "secret file 10 MiB", key: "API_TOKEN", src: sSec, where: "limit", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = writeFile(t, dir, "t", mib10, 0o600)
		}},
		{name: "config file 10 MiB", src: sFil, where: "1 MiB limit", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			o.ConfigFiles = []string{writeFile(t, dir, "c.yaml", mib10, 0o600)}
		}},
		{name: "secret file chmod 000", key: "API_TOKEN", src: sSec, where: "permission denied", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			if os.Geteuid() == 0 {
				t.Skip("running as root, which reads a mode 000 file; the row \"secret file unreadable (fake FS)\" covers the error")
			}
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = writeFile(t, dir, "t", badCanary, 0)
		}},
		{name: "config file chmod 000", src: sFil, where: "permission denied", want: inv, real: func(t *testing.T, dir string, o *prodready.Options) {
			if os.Geteuid() == 0 {
				t.Skip("running as root, which reads a mode 000 file; the row \"config file unreadable\" covers the error")
			}
			o.ConfigFiles = []string{writeFile(t, dir, "c.yaml", "name: x\n", 0)}
		}},
		{name: "secret file world-readable", key: "API_TOKEN", src: sSec, check: "PR-W044", warn: true, where: "read from a file that other users can read (mode -rw-r--r--) | API_TOKEN_FILE /", real: func(t *testing.T, dir string, o *prodready.Options) {
			o.Env.(prodready.MapEnv)["API_TOKEN_FILE"] = writeFile(t, dir, "t", badCanary+"\n", 0o644)
		}},
		{name: "secret file group-readable in production", profile: prodready.Production, key: "SECRET_KEY", src: sSec, check: "PR-W044", warn: true, where: "(mode -rw-r-----) | SECRET_KEY_FILE /", real: func(t *testing.T, dir string, o *prodready.Options) {
			o.Env.(prodready.MapEnv)["SECRET_KEY_FILE"] = writeFile(t, dir, "k", "CANARY"+"ez6cUFmbNAuCkbCi7fJKBPhwYobY8tspbn-JLLfvpF0SlDv5", 0o640)
		}},
		// The Trust issue's outside attack: a secret pasted as a config-file
		// key was quoted in "unknown key", and a secret's YAML anchor used
		// as another variable's value was quoted in that variable's error.
		{name: "config file: a secret pasted as a key", files: mapFS("c.yaml", "name: x\n"+badCanary+": 1\n"), conf: []string{"c.yaml"}, src: sFil, where: "c.yaml:2", want: inv},
		{name: "config file: a secret's anchor as log_level", files: mapFS("c.yaml", "name: x\napi_token: &a "+badCanary+"\nlog_level: *a\n"), conf: []string{"c.yaml"}, key: "LOG_LEVEL", src: sFil, where: "c.yaml:3", want: inv},
		// The same through APP_ENV, whose check quoted the value (an
		// outside review, round six).
		{name: "config file: a secret's anchor as APP_ENV", files: mapFS("c.yaml", "name: x\napi_token: &a "+badCanary+"\napp_env: *a\n"), conf: []string{"c.yaml"}, key: "APP_ENV", src: sFil, where: "c.yaml:3 sets APP_ENV to a value not shown (a YAML anchor's", want: inv, check: "PR-E009"},
	}
	// The Trust issue's outside attack: these query parameters of a
	// DATABASE_URL were printed in the report (and so by the CLI, logs and
	// the service's /debug/config), with '&' and with ';'. The rows load;
	// the runner checks that no output holds the canary.
	for _, name := range []string{
		"password", "client_secret", "secret_key", "access_key", "private_key", "key", "sig",
		"signature", "X-Amz-Signature", "X-Amz-Credential", "api-key", "session_token",
		"sas_token", "SharedAccessSignature", "pw", "auth", "authorization", "bearer",
		"credentials", "apitoken", "+password", "password%00", "pass%77ord",
	} {
		for _, sep := range []string{"&", ";"} {
			rows = append(rows, badInput{
				name:  fmt.Sprintf("DATABASE_URL query %s after %q", name, sep),
				env:   env("DATABASE_URL", "postgres://app@db/app?sslmode=require"+sep+name+"="+badCanary+"#"+badCanary),
				key:   "DATABASE_URL",
				check: "PR-W042", warn: true, absent: true,
			})
		}
	}
	return rows
}

// billionLaughs is the classic exponential alias document: 9 levels of 9.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("lol0: &lol0 [\"lol\"]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "lol%d: &lol%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*lol%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString("hosts: *lol9\n")
	return b.String()
}

// mergeBomb doubles a map at each level through merge keys and aliases.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString("m0: &m0 {a: 1, b: 2}\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {x: *m%d, y: *m%d}\n", i, i, i-1, i-1)
	}
	return b.String()
}

// deepYAML nests n block maps.
func deepYAML(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("cache:\n")
	}
	return b.String()
}

// TestBadInputCorpus feeds every malformed input of badInputs through
// LoadWithReport and checks that it fails with an error that names the
// variable (or, for a file that cannot be parsed at all, the file and line),
// says where the value came from, wraps the right sentinel, stays short,
// and shows no secret; and that nothing panics or blocks.
func TestBadInputCorpus(t *testing.T) {
	t.Parallel()
	rows := badInputs()
	t.Logf("bad-input corpus: %d rows", len(rows))
	if len(rows) < 100 {
		t.Errorf("corpus has %d rows, want at least 100", len(rows))
	}
	seen := map[string]bool{}
	for _, tt := range rows {
		if seen[tt.name] {
			t.Errorf("two rows are named %q", tt.name)
		}
		seen[tt.name] = true
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runBadInput(t, tt)
		})
	}
}

// loadBadInput runs LoadWithReport on the row's input and returns what it
// gave and what it logged.
func loadBadInput(t *testing.T, tt badInput) (rep *prodready.Report, logs string, err error) {
	t.Helper()
	e := prodready.MapEnv{"NAME": "ok"}
	for k, v := range tt.env {
		e[k] = v
	}
	delete(e, tt.unset)
	var buf bytes.Buffer
	o := &prodready.Options{
		Profile:     tt.profile,
		Env:         e,
		Overrides:   tt.overrides,
		ConfigFiles: tt.conf,
		DotEnv:      tt.dotenv,
		Prefix:      tt.prefix,
		Logger:      slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MemoryLimit: func() (int64, error) { return 1 << 30, nil },
	}
	if tt.profile == prodready.Production {
		o.AllowDotEnvInProduction = true
	}
	switch {
	case tt.real != nil:
		tt.real(t, t.TempDir(), o)
		if o.DotEnv == "" {
			o.NoDotEnv = true
		}
	case tt.fsys != nil:
		o.FS = tt.fsys
	case tt.denied != "":
		o.FS = permFS{MapFS: fstest.MapFS{}, name: tt.denied}
	case tt.files != nil:
		o.FS = tt.files
	default:
		o.FS = fstest.MapFS{}
	}
	var c badInputConfig
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("LoadWithReport panicked: %v", r)
			}
		}()
		rep, err = prodready.LoadWithReport(ctx, &c, o)
	}()
	return rep, buf.String(), err
}

func runBadInput(t *testing.T, tt badInput) {
	rep, logs, err := loadBadInput(t, tt)

	// No output may show the canary, whatever the outcome.
	outs := []string{logs}
	if err != nil {
		outs = append(outs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	if rep != nil {
		j, jerr := json.Marshal(rep)
		if jerr != nil {
			t.Errorf("json.Marshal(report) error = %v", jerr)
		}
		outs = append(outs, string(j))
	}
	for i, out := range outs {
		assertNoCanary(t, badCanary, fmt.Sprintf("output %d", i), out)
		if len(out) > 32<<10 {
			// A huge value must not be echoed, in part or whole.
			t.Errorf("output %d is %d bytes long: %.200q...", i, len(out), out)
		}
	}
	if rep != nil {
		// What a terminal shows of the report (the CLI prints these)
		// must be clean text too.
		for _, f := range rep.Findings {
			for _, x := range []string{f.Key, f.Message, f.Hint, f.Origin.String()} {
				if !cleanText(x) {
					t.Errorf("finding %s is not clean text (invalid UTF-8 or a control character): %q", f.ID, x)
				}
			}
		}
		for _, v := range rep.Vars {
			if !cleanText(v.Origin.String()) {
				t.Errorf("origin of %s is not clean text: %q", v.Name, v.Origin.String())
			}
		}
	}

	if tt.warn {
		if err != nil {
			t.Fatalf("LoadWithReport() error = %v, want only a warning", err)
		}
		var found *prodready.Finding
		for i, f := range rep.Findings {
			if f.ID == tt.check && f.Key == tt.key {
				found = &rep.Findings[i]
			}
		}
		switch {
		case tt.absent && found != nil:
			t.Fatalf("report has finding %+v, want none", *found)
		case tt.absent:
		case found == nil:
			t.Fatalf("report has no %s finding for %s; findings: %+v", tt.check, tt.key, rep.Findings)
		case found.Origin.Source != tt.src:
			t.Errorf("finding origin = %v, want source %s", found.Origin, tt.src)
		case tt.where == "":
			t.Errorf("row has no where: say what the warning must say")
		case found.Hint == "" || !strings.Contains(found.Message+" | "+found.Origin.String()+" | "+found.Hint, tt.where):
			t.Errorf("finding = %q | %s | %q, want a hint and %q in \"message | origin | hint\"", found.Message, found.Origin, found.Hint, tt.where)
		}
		return
	}
	if err == nil {
		t.Fatalf("LoadWithReport() error = nil, want an error wrapping %v", tt.want)
	}
	if !errors.Is(err, tt.want) {
		t.Errorf("LoadWithReport() error = %v, want it to wrap %v", err, tt.want)
	}
	msg := err.Error()
	if !cleanText(msg) {
		t.Errorf("error is not clean text (invalid UTF-8 or a control character): %q", msg)
	}
	if len(msg) > 4096 {
		t.Errorf("error is %d bytes long, want a short message: %.300q...", len(msg), msg)
	}
	fe := matchingFieldError(t, err, tt)
	if fe == nil {
		return
	}
	if !errors.Is(fe, tt.want) {
		t.Errorf("FieldError %v does not wrap %v", fe, tt.want)
	}
	if fe.Hint == "" {
		t.Errorf("FieldError %v has no hint on how to fix it", fe)
	}
	if tt.check != "" && fe.Check != tt.check {
		t.Errorf("FieldError check = %s, want %s (%v)", fe.Check, tt.check, fe)
	}
	if tt.src != prodready.SourceNone && fe.Origin.Source != tt.src {
		t.Errorf("FieldError origin = %v (%s), want source %s (%v)", fe.Origin, fe.Origin.Source, tt.src, fe)
	}
	if tt.where != "" && !strings.Contains(fe.Error(), tt.where) {
		t.Errorf("FieldError = %v, want it to contain %q", fe, tt.where)
	}
}

// cleanText reports whether s is UTF-8 without control characters other
// than line feed and tab.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r < 0xa0
	})
}

// matchingFieldError returns the FieldError of err that the row is about:
// the one naming tt.key, or for a file-level row the one from its source.
func matchingFieldError(t *testing.T, err error, tt badInput) *prodready.FieldError {
	t.Helper()
	fes := fieldErrors(t, err)
	for _, fe := range fes {
		if tt.key != "" && fe.Key == tt.key && strings.Contains(fe.Error(), tt.key) {
			if tt.check == "" || fe.Check == tt.check {
				return fe
			}
		}
		if tt.key == "" && fe.Origin.Source == tt.src {
			return fe
		}
	}
	t.Errorf("no FieldError for key %q (source %s) in: %v", tt.key, tt.src, err)
	return nil
}

// TestBadInputAliasMemory checks that aliases of a long value fail before
// the loader copies the value once per alias: 1,000 aliases of 60 KiB are
// 60 MiB of text in a 63 KiB file, which Load once joined into one string
// and rendered again for the report. It does not run in parallel, so that
// the allocation count is the load's own (loosely: the bound is far from
// both the fixed and the broken figure).
func TestBadInputAliasMemory(t *testing.T) {
	tt := badInput{name: "aliases", files: mapFS("c.yaml", aliasList(60<<10, 1000)), conf: []string{"c.yaml"}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := loadBadInput(t, tt)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "values too large after alias expansion") {
		t.Errorf("LoadWithReport() error = %.300v, want one saying the values are too large after alias expansion", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
		t.Errorf("LoadWithReport() allocated %d MiB for a %d KiB file, want under 32 MiB", n>>20, len(aliasList(60<<10, 1000))>>10)
	}
}
