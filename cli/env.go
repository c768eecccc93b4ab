package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/prodready/prodready"
)

func (r *runner) envDoc(ctx context.Context, args []string) error {
	fs := r.newFlags("env")
	var c common
	c.registerDoc(fs)
	format := &choiceFlag{v: "md", choices: []string{"md", "dotenv"}}
	fs.Var(format, "format", "output `format`: md (a Markdown table) or dotenv (a commented .env.example)")
	if err := r.parse(fs, "env", args); err != nil {
		return err
	}
	p, err := r.lookupProfile("env", &c)
	if err != nil {
		return err
	}
	docs, err := prodready.Describe(r.dst, &prodready.Options{Prefix: r.o.Load.Prefix, Profiles: r.o.Load.Profiles, Profile: r.o.Load.Profile})
	if err != nil {
		return r.errorf("env", "%w", err)
	}
	if err := r.checkFiles(ctx, &c); err != nil {
		return err
	}
	if !p.IsZero() {
		lineage := p.Lineage()
		for i := range docs {
			docs[i].ProfileDefaults = slices.DeleteFunc(slices.Clone(docs[i].ProfileDefaults), func(pd prodready.ProfileDefault) bool {
				return !slices.Contains(lineage, pd.Profile)
			})
		}
	}
	b := &strings.Builder{}
	if format.v == "dotenv" {
		writeEnvExample(b, r.o.Name, docs)
	} else {
		writeEnvMarkdown(b, docs)
	}
	if _, err := io.WriteString(r.stdout, b.String()); err != nil {
		return r.errorf("env", "%w", err)
	}
	return nil
}

// checkFiles reads and parses the files env's --config and --env-file
// name, and only those, so that a file another command could not use is
// a *UsageError here too. They are read under --profile, else the profile
// APP_ENV names, else (APP_ENV unset, or naming an unknown profile)
// Development. What the files hold is not documented: env documents the
// struct.
func (r *runner) checkFiles(ctx context.Context, c *common) error {
	if len(c.configs) == 0 && c.envFile == "" {
		return nil
	}
	o, err := r.loadOptions("env", c, nil)
	if err != nil {
		return err
	}
	if len(c.configs) == 0 {
		o.ConfigFiles = []string{} // not CONFIG_FILE
	}
	if c.envFile == "" {
		o.NoDotEnv = true
	}
	_, _, err = r.load(ctx, "env", o)
	if errors.Is(err, prodready.ErrUnknownProfile) && o.Profile.IsZero() {
		// APP_ENV names an unknown profile, and the loader stops before it
		// reads a file: read them under Development, so that a broken file
		// is still bad usage.
		o.Profile = prodready.Development
		_, _, err = r.load(ctx, "env", o)
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return err
	}
	return nil
}

func requiredIn(d prodready.VarDoc) string {
	if d.Required {
		return "always"
	}
	return strings.Join(d.RequiredIn, ", ")
}

// writeEnvMarkdown writes a Markdown table of the variables.
func writeEnvMarkdown(b *strings.Builder, docs []prodready.VarDoc) {
	b.WriteString("| variable | type | default | profile defaults | required in | secret | description |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, d := range docs {
		def := ""
		if d.HasDefault {
			def = mdCode(d.Default)
		}
		secret := ""
		if d.Secret {
			secret = "yes"
		}
		pds := make([]string, 0, len(d.ProfileDefaults))
		for _, pd := range d.ProfileDefaults {
			pds = append(pds, mdCell(pd.Profile)+": "+mdCode(pd.Value))
		}
		cells := []string{mdCode(d.Name), mdCell(d.Type), def, strings.Join(pds, "<br>"), mdCell(requiredIn(d)), secret, mdCell(d.Doc)}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

// mdCode returns the value s as a Markdown code span inside a GFM table
// cell: Go-quoted if it holds a control character, in a fence of more
// backquotes than it holds in a row, and with | escaped as \| (which GFM
// reads as | inside a cell, code spans included).
func mdCode(s string) string {
	if s == "" {
		return `""`
	}
	s = clean(s)
	run, longest := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	// A span that starts or ends with a backquote needs a space inside the
	// fence, and CommonMark strips one space from each end when both ends
	// have one.
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "" {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// mdCell returns prose for a table cell: on one line, and with | escaped.
func mdCell(s string) string {
	return strings.ReplaceAll(text(s), "|", `\|`)
}

// writeEnvExample writes a commented .env.example: each variable with its
// documentation, a required one as an empty assignment to fill in, an
// optional one commented out with its default. Values are written as
// print --format env writes them; a default that cannot be written on one
// line so is shown Go-quoted in the comment instead.
func writeEnvExample(b *strings.Builder, prog string, docs []prodready.VarDoc) {
	fmt.Fprintf(b, "# Every variable the configuration reads, written by %s env --format dotenv.\n", text(prog))
	b.WriteString("# Any of them can be given as NAME_FILE=/path instead (Docker and Kubernetes secrets).\n")
	b.WriteString("# Required variables are uncommented; uncomment another line to change its default.\n")
	for _, d := range docs {
		b.WriteString("\n")
		if d.Doc != "" {
			fmt.Fprintf(b, "# %s\n", text(d.Doc))
		}
		facts := []string{"type " + text(d.Type)}
		if d.Secret {
			facts = append(facts, "secret")
		}
		if r := requiredIn(d); r != "" {
			facts = append(facts, "required in "+text(r))
		}
		if len(d.ProfileDefaults) > 0 {
			pds := make([]string, 0, len(d.ProfileDefaults))
			for _, pd := range d.ProfileDefaults {
				pds = append(pds, text(pd.Profile)+": "+exampleValue(pd.Value))
			}
			facts = append(facts, "profile defaults "+strings.Join(pds, ", "))
		}
		value := ""
		switch {
		case !d.HasDefault || d.Secret:
		case redactedCredential(d.Default):
			// Describe replaced a password in the default: the placeholder
			// must never be a value a copy of the file would load.
			facts = append(facts, "default "+clean(d.Default)+" (it holds a password, not written)")
		default:
			if q, ok := envValue(d.Default); ok && !strings.Contains(q, "\n") {
				value = q
			} else {
				facts = append(facts, "default "+clean(d.Default))
			}
		}
		fmt.Fprintf(b, "# %s\n", strings.Join(facts, "; "))
		name := clean(d.Name)
		if d.Required || len(d.RequiredIn) > 0 {
			fmt.Fprintf(b, "%s=%s\n", name, value)
		} else {
			fmt.Fprintf(b, "#%s=%s\n", name, value)
		}
	}
}

// exampleValue returns a value for a comment of .env.example: as a .env
// file would hold it when that takes one line, else Go-quoted.
func exampleValue(s string) string {
	if q, ok := envValue(s); ok && !strings.Contains(q, "\n") {
		return q
	}
	return clean(s)
}
