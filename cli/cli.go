// Package cli is the operator's command line for a prodready configuration:
// check, print, env, fingerprint and gen-secret. cmd/prodready runs it on
// [prodready.Base]; a service mounts the same commands on its own
// configuration struct, with the options it loads with, so that the
// commands load exactly as the service does:
//
//	// myservice config check --profile production
//	loadOpts := prodready.Options{Prefix: "MYAPP_", Checks: myChecks}
//	if len(os.Args) > 1 && os.Args[1] == "config" {
//		err := cli.Run(ctx, os.Args[2:], os.Stdout, os.Stderr, &Config{},
//			&cli.Options{Name: "myservice config", Load: loadOpts})
//		if code := cli.ExitCode(err); code != 0 {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(code)
//		}
//		return
//	}
//
// # Commands
//
//	check        run every deploy check; list the findings by severity
//	print        the effective configuration: each value and its origin
//	env          document every variable: type, defaults, required-in, secret
//	fingerprint  the digest of the effective configuration, to compare replicas
//	diff         the variables that differ between two fingerprint --json reports
//	gen-secret   a new random key for SECRET_KEY
//	version      the program's version
//	help         help on a command; -h on any command does the same
//
// check, print, env and fingerprint take --profile NAME (default: APP_ENV,
// else development), --config FILE (repeatable; default: CONFIG_FILE) and
// --env-file FILE (read under any profile, since naming it is the
// permission; default: .env when it exists, outside hardened profiles),
// and read the environment, as the service itself would. env documents the
// struct without loading it: its --profile keeps only the named profile's
// defaults (its own and its ancestors'), and its --config and --env-file
// are only read and parsed, so that a broken file fails as it would for
// the other commands.
//
// # Exit status
//
// [ExitCode] maps Run's error to the process's exit status:
//
//	0  success; also help asked for with help or -h (Run returns flag.ErrHelp)
//	1  check found something at or above --fail-level (ErrCheckFailed), or the
//	   configuration does not load (print, fingerprint), or any other failure:
//	   an output that cannot be written, a done context, a configuration
//	   struct with mistaken tags
//	2  bad usage (*UsageError): an unknown command, flag or profile, a bad
//	   flag value, or a configuration or .env file that cannot be read or
//	   parsed, or that holds an unknown key (findings PR-E005 and PR-E006)
//
// A profile named by --profile that does not exist is bad usage (2), but
// one named by APP_ENV is a configuration that does not load (1): the
// service itself would refuse to start with it, and check lists it as a
// finding.
//
// # Secrets
//
// No command prints a secret: values come from [prodready.Report], where
// the library's own types have redacted them, and errors name variables,
// never values. gen-secret is the one command that prints a key: a new one.
//
// # Untrusted text
//
// Values, origins, file paths and documentation are written so that none
// can change what the output means: the text and Markdown output show a
// string with a control character, or that is not valid UTF-8, Go-quoted
// on one line; JSON escapes every non-printable character; and print
// --format env writes a file that both a POSIX shell (set -a; . ./file)
// and the .env loader read back to the same values, never running or
// expanding anything: a value that cannot be written so is left out, with
// a comment naming the variable.
//
// # Concurrency
//
// Run keeps nothing between calls, and uses dst only for its type: it
// loads into a new value of that type and never reads or writes *dst.
// Calls may run concurrently.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/prodready/prodready"
)

// Options configure [Run]. The zero Options (or a nil *Options) runs the
// commands as "prodready" on the process environment and the working
// directory. Run copies the Options and never writes to the caller's, nor
// to anything they point to.
type Options struct {
	// Name is the program name that help and errors show, such as
	// "myservice config". If Name is "", "prodready" is used.
	Name string

	// Version is what the version command prints. If Version is "", the
	// main module's version from the build information is used.
	Version string

	// Load are the options the service itself loads its configuration
	// with: its Profile, Profiles, Prefix, Checks, Decoders, Overrides,
	// Silence, .env policy (DotEnv, NoDotEnv, AllowDotEnvInProduction),
	// Env, FS, MemoryLimit and Rand. The commands load with a copy of them
	// that only their flags change:
	//
	//   - --profile replaces Profile;
	//   - --config replaces ConfigFiles;
	//   - --env-file replaces DotEnv, and, since naming the file is the
	//     permission to read it, sets AllowDotEnvInProduction and clears
	//     NoDotEnv;
	//   - check's --silence adds to Silence.
	//
	// Logger is always replaced by one that discards: the findings are the
	// commands' output. Env is also where the commands read NO_COLOR and
	// TERM; if Env is nil, the process environment is used. If FS is nil,
	// --config, --env-file and NAME_FILE paths are opened on the operating
	// system's file system, relative to the working directory. Rand is also
	// the source of gen-secret's keys; if Rand is nil, crypto/rand is used.
	Load prodready.Options

	// IsTerminal reports whether w is a terminal, which turns colors on
	// in check's text output. If IsTerminal is nil, w is a terminal when it
	// is an *os.File on a character device.
	IsTerminal func(w io.Writer) bool
}

// ErrCheckFailed means that check found something at or above the fail
// level. [ExitCode] maps it to 1.
var ErrCheckFailed = errors.New("check failed")

// A UsageError is bad input from the operator: an unknown command, flag or
// profile, a bad flag value, or a configuration file that cannot be read
// or parsed. [ExitCode] maps it to 2.
type UsageError struct {
	Err error
}

// Error returns the message of the cause.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *UsageError) Unwrap() error { return e.Err }

// ExitCode returns the exit status for an error Run returned: 0 for nil
// and for [flag.ErrHelp] (help was asked for and printed), 2 for a
// [*UsageError], and 1 for anything else, [ErrCheckFailed] included.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// Run runs the command args[0] with the flags and arguments after it.
//
// dst is used only for its type, a pointer to the configuration struct (a
// struct that embeds prodready.Base, or any configuration struct): the
// commands load into a new value of that type, and Run never reads or
// writes *dst, nor keeps a reference to it.
//
// Output, and help asked for, go to stdout; stderr gets the usage when args
// is empty, and warnings that do not change the exit status. A nil stdout
// or stderr discards what would be written to it. Run never reads
// os.Args, os.Stdout or os.Stderr, and reads the process environment and
// file system only when opts.Load leaves Env and FS nil.
//
// The error says what went wrong, in one line per problem, and maps to an
// exit status with [ExitCode]. It is [flag.ErrHelp] when help was printed.
// A nil opts is the zero [Options].
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, dst any, opts *Options) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	r := &runner{stdout: stdout, stderr: stderr, dst: dst}
	if opts != nil {
		r.o = *opts
	}
	if r.o.Name == "" {
		r.o.Name = "prodready"
	}
	r.env = r.o.Load.Env
	if r.env == nil {
		r.env = prodready.ProcessEnv()
	}
	if r.o.IsTerminal == nil {
		r.o.IsTerminal = isTerminal
	}
	if len(args) == 0 {
		_ = r.topUsage(stderr) // the usage error says it all if stderr fails
		return r.usagef("", "no command given")
	}
	switch args[0] {
	case "check":
		return r.check(ctx, args[1:])
	case "print":
		return r.print(ctx, args[1:])
	case "env":
		return r.envDoc(ctx, args[1:])
	case "fingerprint":
		return r.fingerprint(ctx, args[1:])
	case "diff":
		return r.diff(args[1:])
	case "gen-secret":
		return r.genSecret(args[1:])
	case "version", "-version", "--version":
		return r.version(args[1:])
	case "help", "-h", "-help", "--help":
		return r.help(ctx, args[1:])
	}
	return r.usagef("", "unknown command %q (run '%s help')", args[0], r.o.Name)
}

// runner is one run of a command.
type runner struct {
	o      Options
	env    prodready.Environment
	stdout io.Writer
	stderr io.Writer
	dst    any
}

// usagef returns a *UsageError of command cmd ("" for none).
func (r *runner) usagef(cmd, format string, args ...any) error {
	return &UsageError{Err: r.errorf(cmd, format, args...)}
}

// errorf returns an error of command cmd ("" for none), prefixed with the
// program's and the command's name.
func (r *runner) errorf(cmd, format string, args ...any) error {
	prefix := r.o.Name
	if cmd != "" {
		prefix += " " + cmd
	}
	return fmt.Errorf(strings.ReplaceAll(prefix, "%", "%%")+": "+format, args...)
}

// A command's text for its help.
type helpText struct {
	name     string
	args     string // after the flags, in the usage line
	summary  string
	details  string
	examples []string
}

var helps = []helpText{
	{name: "check", summary: "run every deploy check and list the findings by severity",
		details: "Loads the configuration as the service would and runs every check. Exits 1 when a finding\n" +
			"reaches --fail-level (default warning) or APP_ENV names an unknown profile, 0 otherwise,\n" +
			"2 on bad usage (an unknown --profile included) or an unreadable file. The loader's own\n" +
			"errors, PR-E001 to PR-E009, cannot be silenced, nor, under a hardened profile, PR-E010,\n" +
			"PR-E011, PR-E013, PR-E020 and PR-E043.",
		examples: []string{
			"APP_ENV=production {} check",
			"{} check --profile production --fail-level error",
			"{} check --config app.yaml --env-file deploy.env --silence PR-I040,PR-W031",
			"{} check --format json | jq '.findings[].id'",
		}},
	{name: "print", summary: "show the effective configuration: each value and where it came from",
		details: "One row per variable: its value (secrets as [redacted], with set or not set and a length\n" +
			"class), and its origin: env, default, profile production, config.yaml:12, SECRET_KEY_FILE\n" +
			"/run/secrets/key... --format env writes a .env file that is safe to source in a POSIX\n" +
			"shell (set -a; . ./effective.env) and loads back with --env-file: values are quoted,\n" +
			"never expanded. Secrets, URLs with a password, empty or unset values, APP_ENV, and a\n" +
			"value a shell and a .env file cannot both read (a control character, say), are comments,\n" +
			"never assignments, so sourcing the file keeps what the environment already holds.\n" +
			"Exits 1 when the configuration does not load, after printing what it could.",
		examples: []string{
			"{} print --profile production",
			"{} print --format json",
			"{} print --format env > effective.env",
		}},
	{name: "env", summary: "document every variable: type, defaults, required-in, secret",
		details: "Describes every variable the configuration reads, without loading it. --format md (the\n" +
			"default) is a Markdown table for a README; --format dotenv is a commented .env.example.\n" +
			"--profile keeps only that profile's defaults; --config and --env-file are read and parsed,\n" +
			"so a broken file exits 2 as it does for the other commands, but the output documents the\n" +
			"struct, not the files.",
		examples: []string{
			"{} env > VARIABLES.md",
			"{} env --format dotenv > .env.example",
			"{} env --profile production",
		}},
	{name: "fingerprint", summary: "print the digest of the effective configuration, to compare replicas",
		details: "Prints 32 hexadecimal digits that two processes share exactly when their effective\n" +
			"configuration and SECRET_KEY are equal; secrets, and values read through NAME_FILE,\n" +
			"enter only through a keyed hash. --verbose then lists the variables that entered it.\n" +
			"Without SECRET_KEY under a profile that generates one, the key differs on every run, and\n" +
			"so does the fingerprint: a warning on stderr says so. Exits 1 when the configuration\n" +
			"does not load.",
		examples: []string{
			"{} fingerprint",
			"{} fingerprint --profile production --verbose",
		}},
	diffHelp,
	{name: "gen-secret", summary: "print a new random key for SECRET_KEY",
		details: fmt.Sprintf("Prints --bytes random bytes from crypto/rand (default 48, %d to %d), base64url\n"+
			"encoded without padding: a key that passes every strength check.", prodready.MinKeyBytes, maxKeyBytes),
		examples: []string{
			"export SECRET_KEY=$({} gen-secret)",
			"{} gen-secret --bytes 64 > /run/secrets/key",
		}},
	{name: "version", summary: "print the version", examples: []string{"{} version"}},
	{name: "help", args: "[command]", summary: "show help for a command", examples: []string{"{} help check"}},
}
