package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/prodready/prodready"
)

func (r *runner) fingerprint(ctx context.Context, args []string) error {
	fs := r.newFlags("fingerprint")
	var c common
	c.register(fs)
	verbose := fs.Bool("verbose", false, "also list the variables that entered the fingerprint, and its key")
	asJSON := fs.Bool("json", false, "print the fingerprint and each variable's digest as JSON, for diff")
	if err := r.parse(fs, "fingerprint", args); err != nil {
		return err
	}
	if *verbose && *asJSON {
		return r.usagef("fingerprint", "--verbose and --json do not combine")
	}
	o, err := r.loadOptions("fingerprint", &c, nil)
	if err != nil {
		return err
	}
	cfg, rep, err := r.load(ctx, "fingerprint", o)
	var le *prodready.LoadError
	switch {
	case rep == nil || err != nil && !errors.As(err, &le):
		return err
	case err != nil:
		return r.notLoaded("fingerprint", rep, err)
	}
	key, _ := rep.Var(o.Prefix + "SECRET_KEY")
	b := &strings.Builder{}
	if *asJSON {
		if err := writeFingerprintJSON(b, cfg, rep, key.Origin.Source == prodready.SourceGenerated); err != nil {
			return r.errorf("fingerprint", "%w", err)
		}
	} else {
		fp, err := prodready.FingerprintReport(cfg, rep)
		if err != nil {
			return r.errorf("fingerprint", "%w", err)
		}
		fmt.Fprintln(b, fp)
	}
	if *verbose {
		writeFingerprintDetails(b, o.Prefix, rep)
	}
	if _, err := io.WriteString(r.stdout, b.String()); err != nil {
		return r.errorf("fingerprint", "%w", err)
	}
	if key, ok := rep.Var(o.Prefix + "SECRET_KEY"); ok && key.Origin.Source == prodready.SourceGenerated {
		// The exit status stays 0: the fingerprint is right for this
		// process, but comparing it with another's tells nothing.
		if _, err := fmt.Fprintf(r.stderr, "%s fingerprint: warning: %sSECRET_KEY is not set, so the fingerprint uses a key generated for this run and differs on every run; set %[2]sSECRET_KEY to compare replicas\n",
			r.o.Name, o.Prefix); err != nil {
			return r.errorf("fingerprint", "%w", err)
		}
	}
	return nil
}

// secretURLType is the Go type of a SecretURL as a Var names it.
var secretURLType = reflect.TypeFor[prodready.SecretURL]().String()

// writeFingerprintDetails says what entered the fingerprint: its key, and
// every variable, sorted by name.
func writeFingerprintDetails(b *strings.Builder, prefix string, rep *prodready.Report) {
	fmt.Fprintf(b, "profile: %s\n", text(rep.Profile))
	key, ok := rep.Var(prefix + "SECRET_KEY")
	switch {
	case !ok || !key.Set:
		b.WriteString("key: none (no SECRET_KEY): secrets enter only as set or unset\n")
	case key.Origin.Source == prodready.SourceGenerated:
		b.WriteString("key: SECRET_KEY, generated for this process: the fingerprint changes on every run\n")
	default:
		fmt.Fprintf(b, "key: SECRET_KEY (%s)\n", clean(key.Origin.String()))
	}
	vars := slices.Clone(rep.Vars)
	// Fingerprint digests the variables sorted by name without the prefix.
	slices.SortFunc(vars, func(a, b prodready.Var) int {
		return strings.Compare(strings.TrimPrefix(a.Name, prefix), strings.TrimPrefix(b.Name, prefix))
	})
	w := 0
	for _, v := range vars {
		w = max(w, len(clean(v.Name)))
	}
	fmt.Fprintf(b, "variables (%d):\n", len(vars))
	for _, v := range vars {
		how := "value"
		// The report marks as secret every value FingerprintReport hides
		// behind a keyed hash, Secret fields in any container and any value
		// read through NAME_FILE, but for a bare SecretURL, shown with its
		// password redacted, which enters through its own keyed hash too.
		if v.Secret || v.Type == secretURLType {
			how = "keyed hash"
			if !key.Set {
				how = "set or unset"
			}
		}
		fmt.Fprintf(b, "  %-*s  %s\n", w, clean(v.Name), how)
	}
}
