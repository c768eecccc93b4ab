package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/prodready/prodready"
)

func (r *runner) fingerprint(ctx context.Context, args []string) error {
	fs := r.newFlags("fingerprint")
	var c common
	c.register(fs)
	verbose := fs.Bool("verbose", false, "also list the variables that entered the fingerprint, and its key")
	if err := r.parse(fs, "fingerprint", args); err != nil {
		return err
	}
	cfg, rep, err := r.load(ctx, "fingerprint", &c, nil)
	var le *prodready.LoadError
	switch {
	case rep == nil || err != nil && !errors.As(err, &le):
		return err
	case err != nil:
		return r.notLoaded("fingerprint", rep, err)
	}
	fp, err := prodready.Fingerprint(cfg)
	if err != nil {
		return fmt.Errorf("%s fingerprint: %w", r.o.Name, err)
	}
	b := &strings.Builder{}
	fmt.Fprintln(b, fp)
	if *verbose {
		writeFingerprintDetails(b, r.o.Prefix, rep)
	}
	if _, err := fmt.Fprint(r.stdout, b.String()); err != nil {
		return fmt.Errorf("%s fingerprint: %w", r.o.Name, err)
	}
	return nil
}

// writeFingerprintDetails says what entered the fingerprint: its key, and
// every variable, sorted by name.
func writeFingerprintDetails(b *strings.Builder, prefix string, rep *prodready.Report) {
	fmt.Fprintf(b, "profile: %s\n", rep.Profile)
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
		w = max(w, len(v.Name))
	}
	fmt.Fprintf(b, "variables (%d):\n", len(vars))
	for _, v := range vars {
		how := "value"
		// Secret and SecretURL values, in any container, enter through
		// their own HMAC; so does a value read through NAME_FILE.
		if v.Secret || strings.Contains(v.Type, "prodready.Secret") {
			how = "keyed hash"
			if !key.Set {
				how = "set or unset"
			}
		}
		fmt.Fprintf(b, "  %-*s  %s\n", w, v.Name, how)
	}
}
