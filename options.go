package prodready

import (
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"reflect"
	"strings"

	"github.com/prodready/prodready/internal/regularfile"
)

// Options configure [Load]. The zero Options (or a nil *Options) loads from
// the process environment and a .env file if one exists (not in production),
// under the profile APP_ENV names. Load copies the Options and never writes
// to the caller's.
type Options struct {
	// Profile is the profile to load under. If it is the zero Profile, the
	// variable APP_ENV (from Overrides, then Env) names it, and if that is
	// unset, Development is used.
	Profile Profile

	// Profiles are the service's own profiles (see [Profile.Derive]), which
	// APP_ENV can then name beside the built-in ones.
	Profiles []Profile

	// Env is the environment to read. If Env is nil, the process
	// environment is used (os.LookupEnv and os.Environ).
	Env Environment

	// FS is where configuration, .env and NAME_FILE files are read. If FS
	// is nil, the operating system's file system is used, and paths are
	// relative to the working directory. A path given to a non-nil FS is
	// cleaned and stripped of any leading '/', so /run/secrets/key is
	// opened as run/secrets/key.
	FS fs.FS

	// ConfigFiles are YAML (.yaml, .yml) or JSON (.json) files to read, later
	// files overriding earlier ones. If ConfigFiles is nil, the file named by
	// the CONFIG_FILE variable is read, if it is set. A listed file that
	// does not exist is an error.
	ConfigFiles []string

	// DotEnv is the .env file to read. If DotEnv is "", ".env" is read when
	// it exists; a file named here must exist. Under a hardened profile
	// (Production) no .env file is read unless AllowDotEnvInProduction is
	// true; one that exists is reported (check PR-W043).
	DotEnv string

	// NoDotEnv turns .env reading off.
	NoDotEnv bool

	// AllowDotEnvInProduction lets a hardened profile read the .env file.
	AllowDotEnvInProduction bool

	// Prefix is prepended to every variable name: with Prefix "MYAPP_",
	// PAGE_SIZE is read from MYAPP_PAGE_SIZE. Config file keys and profile
	// defaults are written without it. With a prefix set, any variable
	// that starts with it but is unknown is reported (check PR-W050).
	Prefix string

	// Overrides take precedence over every other source. Keys are variable
	// names, prefix included; a command-line tool fills it from its flags.
	Overrides map[string]string

	// Silence lists the IDs of checks whose findings are dropped. Errors that
	// stop a value from loading (PR-E001 to PR-E009) cannot be silenced, nor,
	// under a hardened profile, its rules (HardeningRules): PR-E010,
	// PR-E011 and PR-E013 (weak keys), PR-E020 (DEBUG on) and PR-E043
	// (CACHE_URL's skip_verify).
	Silence []string

	// Checks are the service's own checks, run after the built-in ones.
	Checks []Check

	// Decoders parse values of the given types, taking precedence over the
	// built-in decoding. A decoder returns a value assignable to its type.
	Decoders map[reflect.Type]func(s string) (any, error)

	// Logger receives warnings and infos found while loading, such as the
	// generated development key. If Logger is nil, slog.Default() is used.
	Logger *slog.Logger

	// MemoryLimit returns the memory available to the process, in bytes,
	// for sizes given as a percentage (see [MemorySize]). If MemoryLimit is
	// nil, it is read from cgroup v2, then cgroup v1, then /proc/meminfo.
	MemoryLimit func() (int64, error)

	// ScrubEnvironment, after a load that succeeds, removes from the
	// process environment (os.Unsetenv) the variables of every secret
	// field, a [Secret], a [SecretURL] or a list or map of them, groups'
	// elements included: NAME and NAME_FILE, prefix included, whichever
	// is set. Child processes the service starts then no longer inherit
	// them, nor show them in their /proc/<pid>/environ. It applies only
	// when Env is nil or [ProcessEnv](); with any other Env there is
	// nothing to remove, and nothing is. A load that fails removes
	// nothing. If ScrubEnvironment is false, the environment is left as it
	// is.
	//
	// The limits: on Linux, /proc/<pid>/environ of the service itself keeps
	// showing the environment it started with, to its own user and root,
	// as the kernel reads the block the process started with, which
	// unsetting does not change; so does a core dump. And the process
	// changes for everyone in it: code that reads the variables after Load,
	// a second Load included (which then fails, or falls back to
	// defaults), finds them unset. Load once, at start-up, and take the
	// secrets from the loaded value.
	ScrubEnvironment bool

	// Rand is the source of the development key. If Rand is nil,
	// crypto/rand is used.
	Rand io.Reader
}

// An Environment is a set of variables: the process environment or a
// stand-in for it in tests.
type Environment interface {
	// Lookup returns the value of the variable name and whether it is set.
	Lookup(name string) (string, bool)
}

// A NamedEnvironment is an Environment that can also list its variables'
// names (in any order), which [Load] needs to report unknown and misspelled variables
// (check PR-W050).
type NamedEnvironment interface {
	Environment
	Names() []string
}

// MapEnv is an Environment held in a map, for tests and examples.
type MapEnv map[string]string

// Lookup returns m[name].
func (m MapEnv) Lookup(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

// Names returns the keys of m, in no particular order.
func (m MapEnv) Names() []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	return names
}

// LookupFunc adapts a function such as os.LookupEnv to an Environment. It
// cannot list names, so unknown variables are not reported.
type LookupFunc func(name string) (string, bool)

// Lookup calls f(name).
func (f LookupFunc) Lookup(name string) (string, bool) { return f(name) }

// processEnv is the process environment.
type processEnv struct{}

// Lookup reads the variable from the process environment.
func (processEnv) Lookup(name string) (string, bool) { return os.LookupEnv(name) }

// Names lists the process environment's variables, for the unknown
// variable scan and ScrubEnvironment.
func (processEnv) Names() []string {
	env := os.Environ()
	names := make([]string, 0, len(env))
	for _, kv := range env {
		if i := strings.IndexByte(kv, '='); i > 0 {
			names = append(names, kv[:i])
		}
	}
	return names
}

// ProcessEnv returns the process environment as an Environment.
func ProcessEnv() NamedEnvironment { return processEnv{} }

// osFS opens paths on the operating system's file system as they are given,
// absolute or relative to the working directory.
type osFS struct{}

// Open opens without blocking: a FIFO swapped in for a file after it was
// checked would otherwise hang the load until a writer came.
func (osFS) Open(name string) (fs.File, error) { return regularfile.Open(name) }

// Stat follows symbolic links: a NAME_FILE may be a link into a secret
// volume, as Kubernetes mounts them.
func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// fsPath turns a user-given path into one for fsys.
func fsPath(fsys fs.FS, name string) string {
	if _, ok := fsys.(osFS); ok {
		return name
	}
	p := strings.TrimLeft(path.Clean("/"+name), "/")
	if p == "" {
		return "."
	}
	return p
}
