package cli

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"

	"github.com/prodready/prodready"
)

// loadOptions returns the options of a load: the service's, changed by
// the flags of c, with silence added to the silenced checks.
func (r *runner) loadOptions(cmd string, c *common, silence []string) (*prodready.Options, error) {
	o := r.o.Load // a copy; its slices and maps are never written
	o.Env = r.env
	o.Logger = slog.New(slog.DiscardHandler)
	if len(silence) > 0 {
		o.Silence = slices.Concat(o.Silence, silence)
	}
	if len(c.configs) > 0 {
		o.ConfigFiles = c.configs
	}
	if c.envFile != "" {
		o.DotEnv = string(c.envFile)
		o.NoDotEnv = false
		o.AllowDotEnvInProduction = true
	}
	p, err := r.lookupProfile(cmd, c)
	if err != nil {
		return nil, err
	}
	if !p.IsZero() {
		o.Profile = p
	}
	return &o, nil
}

// lookupProfile returns the profile --profile names, or the zero Profile
// when the flag is not given.
func (r *runner) lookupProfile(cmd string, c *common) (prodready.Profile, error) {
	if c.profile == "" {
		return prodready.Profile{}, nil
	}
	custom := r.o.Load.Profiles
	if !r.o.Load.Profile.IsZero() {
		custom = append(slices.Clip(custom), r.o.Load.Profile)
	}
	p, err := prodready.LookupProfile(c.profile, custom)
	if err != nil {
		return prodready.Profile{}, r.usagef(cmd, "--profile: %w", err)
	}
	return p, nil
}

// load loads the configuration into a new value of dst's type. It returns
// the value, the report and the load's error. A file that cannot be used
// (findings PR-E005, PR-E006) is a *UsageError. An error that comes
// without a report is a plain error (exit status 1), not bad usage: a
// configuration that is not a pointer to a struct, a struct with mistaken
// tags, or a done context.
func (r *runner) load(ctx context.Context, cmd string, o *prodready.Options) (any, *prodready.Report, error) {
	t := reflect.TypeOf(r.dst)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil, nil, r.errorf(cmd, "the configuration must be a pointer to a struct, got %T", r.dst)
	}
	cfg := reflect.New(t.Elem()).Interface()
	rep, err := prodready.LoadWithReport(ctx, cfg, o)
	if rep == nil {
		return nil, nil, r.errorf(cmd, "%w", err)
	}
	var lines []string
	for _, f := range rep.Findings {
		if f.ID == "PR-E005" || f.ID == "PR-E006" {
			line := fmt.Sprintf("%s %s: %s", r.o.Name, cmd, text(f.Message))
			if f.Hint != "" {
				line += " (" + text(f.Hint) + ")"
			}
			lines = append(lines, line)
		}
	}
	if len(lines) > 0 {
		return nil, nil, &UsageError{Err: &fileError{msg: strings.Join(lines, "\n"), err: err}}
	}
	return cfg, rep, err
}

// fileError is an error with a message of its own: a configuration file
// that cannot be used (it unwraps to the load's error), or a flag error
// made one line (it unwraps to the flag package's).
type fileError struct {
	msg string
	err error
}

func (e *fileError) Error() string { return e.msg }

func (e *fileError) Unwrap() error { return e.err }

// notLoaded returns the one-line error of command cmd when the
// configuration does not load: how many errors, and to run check for
// them, since the errors themselves are check's output.
func (r *runner) notLoaded(cmd string, rep *prodready.Report, err error) error {
	n := len(rep.Errors())
	return &notLoaded{
		msg: fmt.Sprintf("%s %s: the configuration does not load under profile %s: %s (run '%s check' for details)",
			r.o.Name, cmd, text(rep.Profile), plural(n, "error"), r.o.Name),
		err: err,
	}
}

// notLoaded is the error of a command that needed the configuration to
// load; it unwraps to the *prodready.LoadError.
type notLoaded struct {
	msg string
	err error
}

func (e *notLoaded) Error() string { return e.msg }

func (e *notLoaded) Unwrap() error { return e.err }
