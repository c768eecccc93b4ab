// Package cli is the operator's command line for a prodready configuration:
// check, print, env, fingerprint and gen-secret. cmd/prodready runs it on
// [prodready.Base]; a service mounts the same commands on its own
// configuration struct:
//
//	// myservice config check --profile production
//	if len(os.Args) > 1 && os.Args[1] == "config" {
//		err := cli.Run(ctx, os.Args[2:], os.Stdout, os.Stderr, &Config{},
//			&cli.Options{Name: "myservice config", Prefix: "MYAPP_"})
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
//	gen-secret   a new random key for SECRET_KEY
//	version      the program's version
//	help         help on a command; -h on any command does the same
//
// check, print, env and fingerprint take --profile NAME (default: APP_ENV,
// else development), --config FILE (repeatable; default: CONFIG_FILE) and
// --env-file FILE (read under any profile, since naming it is the
// permission; default: .env when it exists, outside hardened profiles),
// and read the environment, as the service itself would.
//
// # Exit status
//
// [ExitCode] maps Run's error to the process's exit status:
//
//	0  success; also help asked for with help or -h (Run returns flag.ErrHelp)
//	1  check found something at or above --fail-level (ErrCheckFailed), or the
//	   configuration does not load (print, fingerprint), or any other failure
//	2  bad usage (*UsageError): an unknown command, flag or profile, a bad
//	   flag value, or a configuration or .env file that cannot be read or
//	   parsed, or that holds an unknown key (findings PR-E005 and PR-E006)
//
// # Secrets
//
// No command prints a secret: values come from [prodready.Report], where
// the library's own types have redacted them, and errors name variables,
// never values. gen-secret is the one command that prints a key: a new one.
//
// # Concurrency
//
// Run keeps nothing between calls and never writes to dst (it loads into a
// new value of dst's type), so calls may run concurrently.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"reflect"
	"runtime/debug"
	"strings"

	"github.com/prodready/prodready"
)

// Options configure [Run]. The zero Options (or a nil *Options) runs the
// commands as "prodready" on the process environment and the working
// directory. Run copies the Options and never writes to the caller's.
type Options struct {
	// Name is the program name that help and errors show, such as
	// "myservice config". If Name is "", "prodready" is used.
	Name string

	// Version is what the version command prints. If Version is "", the
	// main module's version from the build information is used.
	Version string

	// Env is the environment the commands read: the variables loaded,
	// APP_ENV, CONFIG_FILE and NO_COLOR. If Env is nil, the process
	// environment is used.
	Env prodready.Environment

	// FS is where --config, --env-file and NAME_FILE files are read. If FS
	// is nil, the operating system's file system is used, with paths
	// relative to the working directory.
	FS fs.FS

	// IsTerminal reports whether w is a terminal, which turns colors on
	// in check's text output. If IsTerminal is nil, w is a terminal when it
	// is an *os.File on a character device.
	IsTerminal func(w io.Writer) bool

	// Rand is the source of gen-secret's keys and of the development key.
	// If Rand is nil, crypto/rand is used.
	Rand io.Reader

	// The fields below are passed to prodready.Load; see prodready.Options.

	// Profiles are the service's own profiles, which --profile and
	// APP_ENV can name beside the built-in ones.
	Profiles []prodready.Profile
	// Prefix is prepended to every variable name.
	Prefix string
	// Checks are the service's own checks, run after the built-in ones.
	Checks []prodready.Check
	// Decoders parse values of the service's own types.
	Decoders map[reflect.Type]func(s string) (any, error)
	// MemoryLimit returns the memory available to the process, for sizes
	// given as a percentage. If MemoryLimit is nil, it is read from the
	// cgroup files, then /proc/meminfo.
	MemoryLimit func() (int64, error)
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

// Run runs the command args[0] with the flags and arguments after it,
// loading the configuration into a new value of the struct type dst points
// to (a struct that embeds prodready.Base, or any configuration struct).
// Output and help asked for go to stdout; stderr gets the usage when args
// is empty. Run
// never writes to dst and keeps no reference to it; it never reads
// os.Args, os.Stdout or os.Stderr, and reads the process environment and
// file system only when opts leaves Env and FS nil.
//
// The error says what went wrong, in one line per problem, and maps to an
// exit status with [ExitCode]. It is [flag.ErrHelp] when help was printed.
// A nil opts is the zero [Options].
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, dst any, opts *Options) error {
	r := &runner{stdout: stdout, stderr: stderr, dst: dst}
	if opts != nil {
		r.o = *opts
	}
	if r.o.Name == "" {
		r.o.Name = "prodready"
	}
	r.env = r.o.Env
	if r.env == nil {
		r.env = prodready.ProcessEnv()
	}
	if r.o.IsTerminal == nil {
		r.o.IsTerminal = isTerminal
	}
	if len(args) == 0 {
		r.topUsage(stderr)
		return r.usagef("", "no command given")
	}
	switch args[0] {
	case "check":
		return r.check(ctx, args[1:])
	case "print":
		return r.print(ctx, args[1:])
	case "env":
		return r.envDoc(args[1:])
	case "fingerprint":
		return r.fingerprint(ctx, args[1:])
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
	prefix := r.o.Name
	if cmd != "" {
		prefix += " " + cmd
	}
	return &UsageError{Err: fmt.Errorf(strings.ReplaceAll(prefix, "%", "%%")+": "+format, args...)}
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
			"reaches --fail-level (default warning), 0 otherwise, 2 on bad usage or an unreadable file.",
		examples: []string{
			"APP_ENV=production {} check",
			"{} check --profile production --fail-level error",
			"{} check --config app.yaml --env-file deploy.env --silence PR-I040,PR-W031",
			"{} check --format json | jq '.findings[].id'",
		}},
	{name: "print", summary: "show the effective configuration: each value and where it came from",
		details: "One row per variable: its value (secrets as [redacted], with set or not set and a length\n" +
			"class), and its origin: env, default, profile production, config.yaml:12, SECRET_KEY_FILE\n" +
			"/run/secrets/key... --format env writes a .env file with every secret left empty.\n" +
			"Exits 1 when the configuration does not load, after printing what it could.",
		examples: []string{
			"{} print --profile production",
			"{} print --format json",
			"{} print --format env > effective.env",
		}},
	{name: "env", summary: "document every variable: type, defaults, required-in, secret",
		details: "Describes every variable the configuration reads, without loading it. --format md (the\n" +
			"default) is a Markdown table for a README; --format dotenv is a commented .env.example.",
		examples: []string{
			"{} env > VARIABLES.md",
			"{} env --format dotenv > .env.example",
		}},
	{name: "fingerprint", summary: "print the digest of the effective configuration, to compare replicas",
		details: "Prints 32 hexadecimal digits that two processes share exactly when their effective\n" +
			"configuration and SECRET_KEY are equal; secrets enter only through a keyed hash.\n" +
			"--verbose then lists the variables that entered it. Exits 1 when the configuration\n" +
			"does not load.",
		examples: []string{
			"{} fingerprint",
			"{} fingerprint --profile production --verbose",
		}},
	{name: "gen-secret", summary: "print a new random key for SECRET_KEY",
		details: "Prints --bytes random bytes from crypto/rand (default 48, at least 32), base64url\n" +
			"encoded without padding: a key that passes every strength check.",
		examples: []string{
			"export SECRET_KEY=$({} gen-secret)",
			"{} gen-secret --bytes 64 > /run/secrets/key",
		}},
	{name: "version", summary: "print the version", examples: []string{"{} version"}},
	{name: "help", args: "[command]", summary: "show help for a command", examples: []string{"{} help check"}},
}

func helpFor(name string) helpText {
	for _, h := range helps {
		if h.name == name {
			return h
		}
	}
	return helpText{name: name}
}

func (r *runner) topUsage(w io.Writer) {
	fmt.Fprintf(w, "%s checks, shows and documents the service's configuration.\n\n", r.o.Name)
	fmt.Fprintf(w, "Usage:\n  %s <command> [flags]\n\nCommands:\n", r.o.Name)
	for _, h := range helps {
		fmt.Fprintf(w, "  %-12s %s\n", h.name, h.summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> -h' for a command's flags and examples.\n", r.o.Name)
	fmt.Fprintf(w, "Exit status: 0 ready, 1 check failed or the configuration does not load,\n")
	fmt.Fprintf(w, "2 bad usage or a config file that cannot be read.\n")
}

func (r *runner) help(ctx context.Context, args []string) error {
	switch {
	case len(args) == 0:
		r.topUsage(r.stdout)
		return flag.ErrHelp
	case len(args) > 1:
		return r.usagef("help", "takes one command, got %d arguments", len(args))
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		r.topUsage(r.stdout)
		return flag.ErrHelp
	}
	for _, h := range helps {
		if h.name == args[0] {
			// The command prints its own help, flags included.
			return Run(ctx, []string{args[0], "-h"}, r.stdout, r.stderr, r.dst, &r.o)
		}
	}
	return r.usagef("help", "unknown command %q", args[0])
}

// newFlags returns the flag set of command name. Flag errors are not
// printed by the flag package: parse returns them as one line.
func (r *runner) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(r.o.Name+" "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args into fs. On -h it prints the command's help on stdout
// and returns flag.ErrHelp; on a bad flag or a stray argument it returns a
// *UsageError.
func (r *runner) parse(fs *flag.FlagSet, name string, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		r.commandHelp(fs, name)
		return flag.ErrHelp
	}
	if err != nil {
		return &UsageError{Err: fmt.Errorf("%s: %w", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return &UsageError{Err: fmt.Errorf("%s: unexpected argument %q (flags go before arguments; there are none)", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func (r *runner) commandHelp(fs *flag.FlagSet, name string) {
	h := helpFor(name)
	w := r.stdout
	fmt.Fprintf(w, "%s: %s\n\nUsage:\n  %s %s [flags]", fs.Name(), h.summary, r.o.Name, name)
	if h.args != "" {
		fmt.Fprintf(w, " %s", h.args)
	}
	fmt.Fprintln(w)
	if h.details != "" {
		fmt.Fprintf(w, "\n%s\n", h.details)
	}
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if len(h.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(e, "{}", r.o.Name))
		}
	}
}

// common are the flags of the commands that load the configuration.
type common struct {
	profile string
	configs repeatFlag
	envFile string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "load under profile `NAME` (default: APP_ENV, else development)")
	fs.Var(&c.configs, "config", "read the YAML or JSON config `FILE`; repeat for several, later ones win (default: CONFIG_FILE)")
	fs.StringVar(&c.envFile, "env-file", "", "read variables from the .env `FILE`, under any profile (default: .env outside production)")
}

// loadOptions returns the options of a load with the flags of c.
func (r *runner) loadOptions(cmd string, c *common, silence []string) (*prodready.Options, error) {
	o := &prodready.Options{
		Env:                     r.env,
		FS:                      r.o.FS,
		ConfigFiles:             c.configs,
		DotEnv:                  c.envFile,
		AllowDotEnvInProduction: c.envFile != "",
		Profiles:                r.o.Profiles,
		Prefix:                  r.o.Prefix,
		Checks:                  r.o.Checks,
		Decoders:                r.o.Decoders,
		Silence:                 silence,
		Logger:                  slog.New(slog.DiscardHandler),
		MemoryLimit:             r.o.MemoryLimit,
		Rand:                    r.o.Rand,
	}
	if c.profile != "" {
		p, err := prodready.LookupProfile(c.profile, r.o.Profiles)
		if err != nil {
			return nil, r.usagef(cmd, "--profile: %w", err)
		}
		o.Profile = p
	}
	return o, nil
}

// load loads the configuration into a new value of dst's type. It returns
// the value, the report and the load's error. A file that cannot be used
// (findings PR-E005, PR-E006) is a *UsageError, and so is an error that
// comes without a report: a struct with mistaken tags, or a done context.
func (r *runner) load(ctx context.Context, cmd string, c *common, silence []string) (any, *prodready.Report, error) {
	o, err := r.loadOptions(cmd, c, silence)
	if err != nil {
		return nil, nil, err
	}
	t := reflect.TypeOf(r.dst)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("%s %s: the configuration must be a pointer to a struct, got %T", r.o.Name, cmd, r.dst)
	}
	cfg := reflect.New(t.Elem()).Interface()
	rep, err := prodready.LoadWithReport(ctx, cfg, o)
	if rep == nil {
		return nil, nil, fmt.Errorf("%s %s: %w", r.o.Name, cmd, err)
	}
	var lines []string
	for _, f := range rep.Findings {
		if f.ID == "PR-E005" || f.ID == "PR-E006" {
			line := fmt.Sprintf("%s %s: %s", r.o.Name, cmd, oneLine(f.Message))
			if f.Hint != "" {
				line += " (" + oneLine(f.Hint) + ")"
			}
			lines = append(lines, line)
		}
	}
	if len(lines) > 0 {
		return nil, nil, &UsageError{Err: &fileError{msg: strings.Join(lines, "\n"), err: err}}
	}
	return cfg, rep, err
}

// fileError is a configuration file that cannot be used; it unwraps to the
// load's error.
type fileError struct {
	msg string
	err error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.err }

// notLoaded is the error of a command that needed the configuration to
// load; it unwraps to the *prodready.LoadError.
type notLoaded struct {
	msg string
	err error
}

func (e *notLoaded) Error() string { return e.msg }
func (e *notLoaded) Unwrap() error { return e.err }

func (r *runner) notLoaded(cmd string, rep *prodready.Report, err error) error {
	n := len(rep.Errors())
	return &notLoaded{
		msg: fmt.Sprintf("%s %s: the configuration does not load under profile %s: %s (run '%s check' for details)",
			r.o.Name, cmd, rep.Profile, plural(n, "error"), r.o.Name),
		err: err,
	}
}

func (r *runner) version(args []string) error {
	fs := r.newFlags("version")
	if err := r.parse(fs, "version", args); err != nil {
		return err
	}
	v := r.o.Version
	if v == "" {
		v = "(unknown)"
		if bi, ok := debug.ReadBuildInfo(); ok {
			v = bi.Main.Version
		}
	}
	_, err := fmt.Fprintf(r.stdout, "%s %s\n", r.o.Name, v)
	return err
}

func (r *runner) genSecret(args []string) error {
	fs := r.newFlags("gen-secret")
	n := fs.Int("bytes", 48, "random `N` bytes in the key, at least 32")
	if err := r.parse(fs, "gen-secret", args); err != nil {
		return err
	}
	if *n < prodready.MinKeyBytes || *n > prodready.MaxSecretFileSize/2 {
		return r.usagef("gen-secret", "--bytes %d: want %d to %d", *n, prodready.MinKeyBytes, prodready.MaxSecretFileSize/2)
	}
	k, err := prodready.GenerateKey(r.o.Rand, *n)
	if err != nil {
		return fmt.Errorf("%s gen-secret: %w", r.o.Name, err)
	}
	_, err = fmt.Fprintln(r.stdout, k.Reveal())
	return err
}

// listFlag is a flag that may be repeated, each value holding one or more
// comma-separated items.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// repeatFlag is a flag that may be repeated, each value one item.
type repeatFlag []string

func (l *repeatFlag) String() string { return strings.Join(*l, " ") }

func (l *repeatFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// choiceFlag is a flag that takes one of a few words.
type choiceFlag struct {
	v       string
	choices []string
}

func (c *choiceFlag) String() string { return c.v }

func (c *choiceFlag) Set(s string) error {
	for _, ch := range c.choices {
		if s == ch {
			c.v = s
			return nil
		}
	}
	return fmt.Errorf("want %s", strings.Join(c.choices, ", "))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
