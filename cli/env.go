package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/prodready/prodready"
)

func (r *runner) envDoc(args []string) error {
	fs := r.newFlags("env")
	format := &choiceFlag{v: "md", choices: []string{"md", "dotenv"}}
	fs.Var(format, "format", "output `format`: md (a Markdown table) or dotenv (a commented .env.example)")
	if err := r.parse(fs, "env", args); err != nil {
		return err
	}
	docs, err := prodready.Describe(r.dst, &prodready.Options{Prefix: r.o.Prefix, Profiles: r.o.Profiles})
	if err != nil {
		return fmt.Errorf("%s env: %w", r.o.Name, err)
	}
	b := &strings.Builder{}
	if format.v == "dotenv" {
		writeEnvExample(b, r.o.Name, docs)
	} else {
		writeEnvMarkdown(b, docs)
	}
	if _, err := io.WriteString(r.stdout, b.String()); err != nil {
		return fmt.Errorf("%s env: %w", r.o.Name, err)
	}
	return nil
}

func requiredIn(d prodready.VarDoc) string {
	if d.Required {
		return "always"
	}
	return strings.Join(d.RequiredIn, ", ")
}

func profileDefaults(d prodready.VarDoc, code func(string) string, sep string) string {
	parts := make([]string, 0, len(d.ProfileDefaults))
	for _, pd := range d.ProfileDefaults {
		parts = append(parts, pd.Profile+": "+code(pd.Value))
	}
	return strings.Join(parts, sep)
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
		cells := []string{mdCode(d.Name), mdCell(d.Type), def, profileDefaults(d, mdCode, "<br>"), mdCell(requiredIn(d)), secret, mdCell(d.Doc)}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

// mdCode returns s as a Markdown code span inside a table cell.
func mdCode(s string) string {
	if s == "" {
		return `""`
	}
	s = strings.ReplaceAll(mdCell(s), "`", "'")
	return "`" + s + "`"
}

// mdCell escapes what would end a table cell or a line.
func mdCell(s string) string {
	return strings.ReplaceAll(oneLine(clean(s)), "|", `\|`)
}

// writeEnvExample writes a commented .env.example: each variable with its
// documentation, a required one as an empty assignment to fill in, an
// optional one commented out with its default.
func writeEnvExample(b *strings.Builder, prog string, docs []prodready.VarDoc) {
	fmt.Fprintf(b, "# Every variable the configuration reads, written by %s env --format dotenv.\n", prog)
	b.WriteString("# Any of them can be given as NAME_FILE=/path instead (Docker and Kubernetes secrets).\n")
	b.WriteString("# Required variables are uncommented; uncomment another line to change its default.\n")
	for _, d := range docs {
		b.WriteString("\n")
		if d.Doc != "" {
			fmt.Fprintf(b, "# %s\n", oneLine(clean(d.Doc)))
		}
		facts := []string{"type " + d.Type}
		if d.Secret {
			facts = append(facts, "secret")
		}
		if r := requiredIn(d); r != "" {
			facts = append(facts, "required in "+r)
		}
		if len(d.ProfileDefaults) > 0 {
			facts = append(facts, "profile defaults "+profileDefaults(d, dotenvQuote, ", "))
		}
		fmt.Fprintf(b, "# %s\n", oneLine(clean(strings.Join(facts, "; "))))
		value := ""
		if d.HasDefault && !d.Secret {
			value = dotenvQuote(d.Default)
		}
		if d.Required || len(d.RequiredIn) > 0 {
			fmt.Fprintf(b, "%s=%s\n", d.Name, value)
		} else {
			fmt.Fprintf(b, "#%s=%s\n", d.Name, value)
		}
	}
}
