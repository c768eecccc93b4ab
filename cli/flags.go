package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

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
		if err := r.commandHelp(fs, name); err != nil {
			return r.errorf(name, "%w", err)
		}
		return flag.ErrHelp
	}
	if err != nil {
		// The flag package quotes only some of what it echoes (a flag's
		// name, never): the message is folded onto one line and quoted if
		// a control character remains, as every other message is.
		return &UsageError{Err: &fileError{msg: text(fs.Name() + ": " + err.Error()), err: err}}
	}
	if fs.NArg() > 0 {
		return &UsageError{Err: fmt.Errorf("%s: unexpected argument %q (flags go before arguments; there are none)", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// common are the flags of the commands that load the configuration.
type common struct {
	profile string
	configs repeatFlag
	envFile pathFlag
}

// register registers the flags of c for a command that loads the
// configuration as the service would.
func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "load under profile `NAME` (default: APP_ENV, else development)")
	fs.Var(&c.configs, "config", "read the YAML or JSON config `FILE`; repeat for several, later ones win (default: CONFIG_FILE)")
	fs.Var(&c.envFile, "env-file", "read variables from the .env `FILE`, under any profile (default: .env outside production)")
}

// registerDoc registers the flags of c for env, which documents the
// struct instead of loading it.
func (c *common) registerDoc(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "list only the defaults of profile `NAME` and of those it derives from (default: every profile's)")
	fs.Var(&c.configs, "config", "check that the YAML or JSON config `FILE` reads and parses; repeatable")
	fs.Var(&c.envFile, "env-file", "check that the .env `FILE` reads and parses")
}

// listFlag is a flag that may be repeated, each value holding one or more
// comma-separated items.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds the comma-separated items of s, trimmed, dropping empty ones,
// so that "--silence A, B," is A and B.
func (l *listFlag) Set(s string) error {
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// repeatFlag is a flag that may be repeated, each value one file name.
type repeatFlag []string

func (l *repeatFlag) String() string { return strings.Join(*l, " ") }

// Set adds the file name s; an empty one is a flag error, not a file to
// open.
func (l *repeatFlag) Set(s string) error {
	if s == "" {
		return errEmptyPath
	}
	*l = append(*l, s)
	return nil
}

// pathFlag is a flag that takes one file name.
type pathFlag string

func (p *pathFlag) String() string { return string(*p) }

// Set sets the file name s; an empty one is refused, since "" means that
// the flag is not given.
func (p *pathFlag) Set(s string) error {
	if s == "" {
		return errEmptyPath
	}
	*p = pathFlag(s)
	return nil
}

var errEmptyPath = errors.New("empty file name")

// choiceFlag is a flag that takes one of a few words.
type choiceFlag struct {
	v       string
	choices []string
}

func (c *choiceFlag) String() string { return c.v }

// Set sets s if it is one of the choices; the error lists them, and the
// flag package adds the flag's name and s.
func (c *choiceFlag) Set(s string) error {
	for _, ch := range c.choices {
		if s == ch {
			c.v = s
			return nil
		}
	}
	return fmt.Errorf("want %s", strings.Join(c.choices, ", "))
}
