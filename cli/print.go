package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/redact"
)

func (r *runner) print(ctx context.Context, args []string) error {
	fs := r.newFlags("print")
	var c common
	c.register(fs)
	format := &choiceFlag{v: "text", choices: []string{"text", "json", "env"}}
	fs.Var(format, "format", "output `format`: text, json or env (.env syntax, safe to source in a shell; secrets, empty values and defaults are comments)")
	if err := r.parse(fs, "print", args); err != nil {
		return err
	}
	o, err := r.loadOptions("print", &c, nil)
	if err != nil {
		return err
	}
	_, rep, loadErr := r.load(ctx, "print", o)
	var le *prodready.LoadError
	if rep == nil || loadErr != nil && !errors.As(loadErr, &le) {
		return loadErr
	}
	switch format.v {
	case "json":
		err = writeVarsJSON(r.stdout, rep)
	case "env":
		err = writeVarsEnv(r.stdout, r.o.Name, o.Prefix, rep)
	default:
		err = writeVarsText(r.stdout, rep)
	}
	if err != nil {
		return r.errorf("print", "%w", err)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", clean(v.Name), clean(v.Value), text(secretState(v)), clean(v.Origin.String()))
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
	return writeJSON(w, out)
}

// writeJSON writes v as indented JSON in which every character that is
// not printable is \u-escaped: encoding/json escapes only those below
// U+0020 (and <, >, & and U+2028, U+2029), which leaves DEL, the C1
// controls such as U+009B (a terminal's CSI) and the format characters
// (bidirectional overrides) raw.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, escapeNonPrintable(b)+"\n")
	return err
}

// escapeNonPrintable \u-escapes every character of the JSON text b that is
// not printable. Outside strings, JSON from encoding/json is printable
// ASCII, spaces and newlines, so only characters inside strings change.
func escapeNonPrintable(b []byte) string {
	var sb strings.Builder
	for _, c := range string(b) {
		if c < utf8.RuneSelf && c != 0x7f || unicode.IsPrint(c) {
			sb.WriteRune(c)
			continue
		}
		if c > 0xffff {
			r1, r2 := utf16.EncodeRune(c)
			fmt.Fprintf(&sb, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&sb, `\u%04x`, c)
	}
	return sb.String()
}

// writeVarsEnv writes the configuration in .env syntax, in a form that
// both internal/dotenv (what --env-file reads) and a POSIX shell (set -a;
// . ./file) read back to the same values, and that runs nothing in the
// shell; see envValue.
//
// Only values that can be written in full, and that a source above the
// defaults set, are assignments. A default or a profile's default is a
// comment showing it, so that it reads back as a default (a set
// CACHE_MAX_SIZE means more than its default does). A secret, a
// value in which the report redacted a credential (a URL's password), and
// an empty or unset value are comments: the file must never hold a secret
// nor a placeholder that would load as a real value, and an assignment
// NAME= would, once sourced with set -a, export an empty string over the
// value the environment already holds (and an empty list reloads as its
// default anyway). APP_ENV is a comment, since a file may not select the
// profile (finding PR-E009 when it names another one). A value that
// cannot be written so is a comment naming the variable, never quoting
// the value.
func writeVarsEnv(w io.Writer, prog, prefix string, rep *prodready.Report) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# The effective configuration under profile %s, written by %s print --format env.\n", text(rep.Profile), text(prog))
	b.WriteString("# Secrets, URLs with a password and empty values are comments, never assignments:\n")
	b.WriteString("# set them in the environment (or with NAME_FILE); sourcing this file leaves them as they are.\n")
	b.WriteString("# Defaults and profile defaults are comments too, so that they stay defaults when it is read back.\n")
	b.WriteString("# Safe to source in a POSIX shell (set -a; . ./file): values are quoted, never expanded.\n")
	for _, v := range rep.Vars {
		name := clean(v.Name)
		if name != v.Name || !validName(v.Name) {
			fmt.Fprintf(b, "# %s: not written: not a shell variable name\n", name)
			continue
		}
		switch {
		case v.Name == prefix+"APP_ENV":
			fmt.Fprintf(b, "# %s=%s (selects the profile; set it in the environment)\n", v.Name, clean(v.Value))
		case v.Secret:
			fmt.Fprintf(b, "# %s: secret, %s (not written; set it in the environment)\n", v.Name, secretState(v))
		case redactedCredential(v.Value):
			fmt.Fprintf(b, "# %s: holds a password, not written (%s; set it in the environment)\n", v.Name, clean(v.Origin.String()))
		case v.Value == "" && v.Origin.Source == prodready.SourceNone:
			fmt.Fprintf(b, "# %s: not set\n", v.Name)
		case v.Value == "":
			fmt.Fprintf(b, "# %s: empty, not written (%s; an empty assignment would clear the environment's value, or reload as the default)\n", v.Name, clean(v.Origin.String()))
		case v.Origin.Source == prodready.SourceDefault || v.Origin.Source == prodready.SourceProfile:
			// Written, a default would come back set: CACHE_MAX_SIZE set
			// beside CACHE_MAX_MEMORY bounds the cache, where its default
			// gives way, and CACHE_AUTOSIZE refuses it (PR-E047).
			// clean keeps the comment on one line.
			fmt.Fprintf(b, "# %s=%s (%s)\n", v.Name, clean(v.Value), clean(v.Origin.String()))
		default:
			q, ok := envValue(v.Value)
			if !ok {
				fmt.Fprintf(b, "# %s: not written: a control character, invalid UTF-8, or a backquote with a quote or line break, which a .env file and a shell cannot both read back (%s)\n", v.Name, clean(v.Origin.String()))
				continue
			}
			fmt.Fprintf(b, "%s=%s\n", v.Name, q)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// redactedCredential reports whether the report replaced a credential in
// value, as internal/redact (the module's one redactor) marks it: a URL's
// password (scheme://user:[redacted]@host), a query value
// (password=[redacted]), a fragment... A value that merely holds the text
// [redacted] elsewhere is written as it is.
func redactedCredential(value string) bool { return redact.Marked(value) }

// validName reports whether name is a variable name a shell and a .env
// file both accept.
func validName(name string) bool {
	for i, c := range name {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return name != ""
}

// envValue returns s as the value of a .env assignment that
// internal/dotenv and a POSIX shell both read back as s, with nothing
// expanded or run by the shell:
//
//   - bare, when s has only characters that mean nothing to either;
//   - single-quoted, when s has no ' nor line break (both take it
//     literally);
//   - double-quoted, when s has no backquote, with \, " and $ escaped as
//     \\, \" and \$ (the escapes both read) and line breaks and tabs kept
//     as they are.
//
// ok is false when none applies: s is not valid UTF-8, holds a control or
// format character other than tab and line feed (NUL, CR, ESC, the C1
// controls, bidirectional overrides...), or both a backquote and a ' or a
// line break.
func envValue(s string) (q string, ok bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	bare := true
	for _, c := range s {
		switch {
		case c == '\t' || c == '\n':
		case !unicode.IsGraphic(c):
			return "", false
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.,:/@%+=", c)) {
			bare = false
		}
	}
	switch {
	case bare:
		return s, true
	case !strings.ContainsAny(s, "'\n"):
		return "'" + s + "'", true
	case strings.ContainsRune(s, '`'):
		return "", false
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(s) + `"`, true
}
