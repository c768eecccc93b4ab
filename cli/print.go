package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/prodready/prodready"
)

func (r *runner) print(ctx context.Context, args []string) error {
	fs := r.newFlags("print")
	var c common
	c.register(fs)
	format := &choiceFlag{v: "text", choices: []string{"text", "json", "env"}}
	fs.Var(format, "format", "output `format`: text, json or env (.env syntax, secrets left empty)")
	if err := r.parse(fs, "print", args); err != nil {
		return err
	}
	_, rep, loadErr := r.load(ctx, "print", &c, nil)
	var le *prodready.LoadError
	if rep == nil || loadErr != nil && !errors.As(loadErr, &le) {
		return loadErr
	}
	var err error
	switch format.v {
	case "json":
		err = writeVarsJSON(r.stdout, rep)
	case "env":
		err = writeVarsEnv(r.stdout, r.o.Name, rep)
	default:
		err = writeVarsText(r.stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("%s print: %w", r.o.Name, err)
	}
	if loadErr != nil {
		return r.notLoaded("print", rep, loadErr)
	}
	return nil
}

// secretState is a secret's "set, 32-63 bytes" or "not set".
func secretState(v prodready.Var) string {
	switch {
	case !v.Secret:
		return ""
	case !v.Set:
		return "not set"
	case v.Length != "":
		return "set, " + v.Length
	}
	return "set"
}

func writeVarsText(w io.Writer, rep *prodready.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "VARIABLE\tVALUE\tSECRET\tORIGIN\n")
	for _, v := range rep.Vars {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Name, clean(v.Value), secretState(v), clean(v.Origin.String()))
	}
	return tw.Flush()
}

// jsonVar is a variable in print's JSON output.
type jsonVar struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Type   string `json:"type"`
	Secret bool   `json:"secret"`
	Set    bool   `json:"set"`
	Length string `json:"length,omitempty"`
	Origin string `json:"origin"`
	Source string `json:"source"`
}

func writeVarsJSON(w io.Writer, rep *prodready.Report) error {
	out := struct {
		Profile string    `json:"profile"`
		Vars    []jsonVar `json:"vars"`
	}{Profile: rep.Profile, Vars: []jsonVar{}}
	for _, v := range rep.Vars {
		out.Vars = append(out.Vars, jsonVar{
			Name: v.Name, Value: v.Value, Type: v.Type, Secret: v.Secret, Set: v.Set, Length: v.Length,
			Origin: v.Origin.String(), Source: v.Origin.Source.String(),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeVarsEnv writes the configuration in .env syntax. A secret, and any
// value the report redacted part of (a URL's password), is left empty with
// a comment: the file must never hold a secret, nor a placeholder that
// would load as a real value.
func writeVarsEnv(w io.Writer, prog string, rep *prodready.Report) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# The effective configuration under profile %s, written by %s print --format env.\n", rep.Profile, prog)
	fmt.Fprintf(b, "# Secrets are left empty: set them in the environment or with NAME_FILE.\n")
	for _, v := range rep.Vars {
		switch {
		case v.Secret:
			fmt.Fprintf(b, "# %s: secret, %s\n%s=\n", v.Name, secretState(v), v.Name)
		case strings.Contains(v.Value, prodready.Redacted):
			fmt.Fprintf(b, "# %s: holds a password, not shown (%s)\n%s=\n", v.Name, v.Origin, v.Name)
		default:
			fmt.Fprintf(b, "%s=%s\n", v.Name, dotenvQuote(v.Value))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// dotenvQuote returns s as a .env value that reads back as s: bare when
// that is safe, else single-quoted, else double-quoted with escapes.
func dotenvQuote(s string) string {
	bare := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.,:/@%+=?&*", c)) {
			bare = false
			break
		}
	}
	if bare {
		return s
	}
	if !strings.ContainsAny(s, "'\n\r") {
		return "'" + s + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// clean returns s for a terminal: as it is when every character is
// printable, else quoted, so that no value can send control sequences.
func clean(s string) string {
	if strings.IndexFunc(s, func(c rune) bool { return !unicode.IsPrint(c) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}
