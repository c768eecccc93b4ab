package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// help runs help: the top usage, or, for a command, that command run with
// -h, so that its help lists its flags as they are registered.
func (r *runner) help(ctx context.Context, args []string) error {
	if len(args) > 1 {
		return r.usagef("help", "takes one command, got %d arguments", len(args))
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if err := r.topUsage(r.stdout); err != nil {
			return r.errorf("help", "%w", err)
		}
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

// topUsage writes the list of commands and the exit statuses to w.
func (r *runner) topUsage(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s checks, shows and documents the service's configuration.\n\n", r.o.Name)
	fmt.Fprintf(b, "Usage:\n  %s <command> [flags]\n\nCommands:\n", r.o.Name)
	for _, h := range helps {
		fmt.Fprintf(b, "  %-12s %s\n", h.name, h.summary)
	}
	fmt.Fprintf(b, "\nRun '%s <command> -h' for a command's flags and examples.\n", r.o.Name)
	fmt.Fprintf(b, "Exit status: 0 ready, 1 check failed or the configuration does not load (APP_ENV\n")
	fmt.Fprintf(b, "naming an unknown profile included), 2 bad usage (an unknown --profile included) or\n")
	fmt.Fprintf(b, "a config file that cannot be read.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// commandHelp writes the help of command name, with its flags written
// --name, as the documentation writes them.
func (r *runner) commandHelp(fs *flag.FlagSet, name string) error {
	h := helpFor(name)
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s: %s\n\nUsage:\n  %s %s [flags]", fs.Name(), h.summary, r.o.Name, name)
	if h.args != "" {
		fmt.Fprintf(b, " %s", h.args)
	}
	b.WriteString("\n")
	if h.details != "" {
		fmt.Fprintf(b, "\n%s\n", h.details)
	}
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			b.WriteString("\nFlags:\n")
			first = false
		}
		arg, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(b, "  --%s", f.Name)
		if arg != "" {
			fmt.Fprintf(b, " %s", arg)
		}
		fmt.Fprintf(b, "\n        %s", usage)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	if len(h.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range h.examples {
			fmt.Fprintf(b, "  %s\n", strings.ReplaceAll(e, "{}", r.o.Name))
		}
	}
	_, err := io.WriteString(r.stdout, b.String())
	return err
}

// helpFor returns the help text of command name, or one with only its name.
func helpFor(name string) helpText {
	for _, h := range helps {
		if h.name == name {
			return h
		}
	}
	return helpText{name: name}
}
