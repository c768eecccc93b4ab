package prodready

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prodready/prodready/internal/bind"
	"github.com/prodready/prodready/internal/cfgfile"
)

// MaxValueSize is the longest value, in bytes (64 KiB), that a variable may
// take from the environment, an override, a .env file or a configuration
// file (each item of a list, each key and value of a map, and a list as a
// whole, joined by its separator, as it would be in the environment). A
// longer value is refused before it is decoded. Linux itself caps one
// environment string at 128 KiB.
const MaxValueSize = 64 << 10

// decodeNode sets a field from a configuration file's node. Its values
// meet the same limits as a variable's: MaxValueSize for each, checkText's
// warning or error.
func (l *loader) decodeNode(i int, f *bind.Field, n cfgfile.Node, v reflect.Value, custom bind.Custom, full string, origin Origin, sensitive bool) {
	var (
		err error
		odd oddText
	)
	switch n.Kind {
	case cfgfile.Scalar:
		l.fields[i].raw = n.Value
		if l.required(f) && strings.TrimSpace(n.Value) == "" {
			l.missing(f, full, origin, true, n.Value != "", "")
			return
		}
		if n.Value == "" {
			return
		}
		if err = checkValue(n.Value); err == nil {
			odd = oddInValue(f, n.Value)
			err = odd.explain(f.Decode(v, n.Value, custom))
		}
		if err != nil {
			if n.Shared && !sensitive {
				l.invalidShared(f, full, origin, n.Value, err)
				return
			}
			l.invalid(f, full, origin, n.Value, sensitive, err)
			return
		}
		l.warnOdd(f, full, origin, odd)
		return
	case cfgfile.List:
		items := make([]string, 0, len(n.Items))
		total := 0
		for j, it := range n.Items {
			if it.Kind != cfgfile.Scalar {
				err = fmt.Errorf("item %d is a %s; want a single value", j+1, it.Kind)
				break
			}
			if err = checkValue(it.Value); err != nil {
				err = fmt.Errorf("item %d %w", j+1, err)
				break
			}
			if j > 0 {
				total += len(f.Sep)
			}
			total += len(it.Value)
			if odd.what == "" {
				if w := checkText(it.Value); w != "" {
					odd = oddText{what: w, part: fmt.Sprintf("item %d", j+1), about: []string{fmt.Sprintf("item %d: ", j+1)}}
				}
			}
			items = append(items, it.Value)
		}
		if err == nil && total > MaxValueSize {
			// As one value in the environment, the list could not be
			// longer; and its text is kept, joined, for the checks.
			err = fmt.Errorf("is a list of %d bytes in all (joined with %q), larger than the %s limit of one value", total, f.Sep, sizeString(MaxValueSize))
		}
		if err == nil {
			l.fields[i].raw = strings.Join(items, f.Sep)
			err = odd.explain(f.DecodeList(v, items, custom))
		}
	case cfgfile.Map:
		keys := make([]string, 0, len(n.Fields))
		vals := make([]string, 0, len(n.Fields))
		for _, fl := range n.Fields {
			j := len(keys) + 1
			if fl.Value.Kind != cfgfile.Scalar {
				if sensitive {
					err = fmt.Errorf("entry %d holds a %s; want a single value", j, fl.Value.Kind)
				} else {
					err = fmt.Errorf("key %s holds a %s; want a single value", quote(fl.Key), fl.Value.Kind)
				}
				break
			}
			if err = checkValue(fl.Key); err == nil {
				err = checkValue(fl.Value.Value)
			}
			if err != nil {
				err = fmt.Errorf("entry %d %w", j, err)
				break
			}
			if odd.what == "" {
				if w := checkText(fl.Key); w != "" {
					odd = oddText{what: w, part: fmt.Sprintf("key %d", j), about: []string{fmt.Sprintf("key %d: ", j)}}
				} else if w := checkText(fl.Value.Value); w != "" {
					odd = oddText{what: w, part: fmt.Sprintf("the value of key %d", j), about: []string{fmt.Sprintf("value of key %d: ", j)}}
				}
			}
			keys = append(keys, fl.Key)
			vals = append(vals, fl.Value.Value)
		}
		if err == nil {
			l.fields[i].raw = fmt.Sprint(len(keys), " entries")
			err = odd.explain(f.DecodeMap(v, keys, vals, custom))
		}
	}
	if err != nil {
		why := err.Error()
		if fe := (*bind.ForeignError)(nil); errors.As(err, &fe) {
			if sensitive {
				why = foreignRejected(f)
			}
			for _, it := range n.Items {
				why = scrub(why, it.Value)
			}
			for _, fl := range n.Fields {
				why = scrub(scrub(why, fl.Key), fl.Value.Value)
			}
		}
		l.errorf(Finding{ID: idInvalid, Key: full, Field: f.Path, Origin: origin, Hint: "fix " + full + " (" + origin.String() + ")"},
			ErrInvalid, errors.New(why), "invalid value from %s: %s", origin, why)
		return
	}
	if l.required(f) && v.Len() == 0 {
		l.missing(f, full, origin, true, false, "")
		return
	}
	l.warnOdd(f, full, origin, odd)
}

// required reports whether f must have a value under the active profile:
// required:"true", or required:"name" naming the profile or an ancestor.
func (l *loader) required(f *bind.Field) bool {
	if f.Required {
		return true
	}
	for _, name := range f.RequiredIn {
		if l.prof.IsNamed(name) {
			return true
		}
	}
	return false
}

// missing reports a required variable without a value, saying whether it
// was unset, set but empty, or only white space: each has its own fix.
// emptyFile, for an empty file that NAME_FILE names, is that variable and
// the file's path.
func (l *loader) missing(f *bind.Field, full string, origin Origin, emptied, blank bool, emptyFile string) {
	what := "not set"
	hint := "set " + full + " or " + full + "_FILE"
	switch {
	case blank:
		what = "set to only whitespace"
	case emptied && emptyFile != "":
		what = "set but empty: " + emptyFile + " is an empty file"
		hint = "put the value in that file, or set " + full + " instead"
	case emptied:
		what = "set but empty"
	}
	when := "required"
	if !f.Required {
		when = "required in " + l.prof.Name()
	}
	l.errorf(Finding{ID: idMissing, Key: full, Field: f.Path, Origin: origin, Hint: hint},
		ErrMissing, nil, "%s, %s", when, what)
}

// checkValue returns an error for a value longer than MaxValueSize.
func checkValue(s string) error {
	if len(s) > MaxValueSize {
		return &sizeError{int64(len(s)), MaxValueSize}
	}
	return nil
}

// checkText says what is odd in a value that should be text: a NUL byte
// (which no environment variable can hold) or bytes that are not UTF-8.
// It returns "" for clean text.
func checkText(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte"
	case !utf8.ValidString(s):
		return "is not valid UTF-8 text (saved in another encoding, such as Latin-1?)"
	}
	return ""
}

// oddText says what is odd (checkText) in a value, or in one part of it:
// an item of a list, an entry or key of a map.
type oddText struct {
	what  string   // checkText's text, or "" for clean text
	part  string   // "item 2", "entry 3", "the value of key 2"; "" for the whole value
	about []string // how the decoder's messages about that part start
}

// oddInValue finds what is odd in a value as the environment or a
// configuration file's scalar gives it: in its first odd item or entry for
// a list or a map, else in the whole.
func oddInValue(f *bind.Field, raw string) oddText {
	what := checkText(raw)
	if what == "" {
		return oddText{}
	}
	if f.IsList() || f.IsMap() {
		for j, it := range bind.SplitList(raw, f.Sep) {
			if w := checkText(it); w != "" {
				if f.IsList() {
					return oddText{what: w, part: fmt.Sprintf("item %d", j+1), about: []string{fmt.Sprintf("item %d: ", j+1)}}
				}
				return oddText{what: w, part: fmt.Sprintf("entry %d", j+1), about: []string{fmt.Sprintf("entry %d key: ", j+1), fmt.Sprintf("entry %d value: ", j+1)}}
			}
		}
		return oddText{what: what} // about nothing: never the cause
	}
	return oddText{what: what, about: []string{""}}
}

// String is the oddity with its part: "item 2 contains a NUL byte".
func (o oddText) String() string {
	if o.part == "" {
		return o.what
	}
	return o.part + " " + o.what
}

// explain returns the error to report for a value whose decoder said err.
// When the decoder complains about the odd text itself ("want a whole
// number" for "1\x002"), the oddity is the real cause and replaces it;
// when it complains about something else ("item 2 is empty"), both are
// said.
func (o oddText) explain(err error) error {
	if err == nil || o.what == "" {
		return err
	}
	msg := err.Error()
	for _, p := range o.about {
		if strings.HasPrefix(msg, p) {
			return errors.New(o.String())
		}
	}
	part := o.part
	if part == "" {
		part = "the value"
	}
	return fmt.Errorf("%w; also, %s %s", err, part, o.what)
}

// invalid reports a value its field's decoder refused, quoting the value
// once, redacted, and never when it is sensitive; a foreign decoder's
// message is scrubbed, as it may quote the value itself.
func (l *loader) invalid(f *bind.Field, full string, origin Origin, raw string, sensitive bool, err error) {
	from := origin.String()
	if origin.Source == SourceEnv {
		from = "environment"
	}
	hint := "fix " + full + " in the environment"
	if origin.Source != SourceEnv {
		hint = "fix " + full + " (" + origin.String() + ")"
	}
	if r := l.baseRange(f.Name); r != "" {
		hint += ": it takes " + r
	}
	// A decoder's message may quote the value again, whole: a
	// TextUnmarshaler's or slog's does. Quote it once, our way.
	why := err.Error()
	if fe := (*bind.ForeignError)(nil); errors.As(err, &fe) {
		if sensitive {
			// No scrubbing can be sure to catch a short item or a
			// transformed value: a secret's decoder is not quoted at all.
			why = foreignRejected(f)
		}
		why = scrub(why, raw)
	}
	if sensitive {
		l.errorf(Finding{ID: idInvalid, Key: full, Field: f.Path, Origin: origin, Hint: hint},
			ErrInvalid, errors.New(why), "invalid value (secret, not shown) from %s: %s", from, why)
		return
	}
	l.errorf(Finding{ID: idInvalid, Key: full, Field: f.Path, Origin: origin, Hint: hint},
		ErrInvalid, errors.New(why), "invalid value %s from %s: %s", quote(raw), from, why)
}

// scrub removes raw, quoted or not, from a decoder's message. A message
// that still shares a run of 8 bytes with raw (a decoder quoting part of
// it) is replaced whole: the loader quotes the value itself, truncated and
// with URL passwords removed, or not at all for a secret.
func scrub(msg, raw string) string {
	if strings.TrimSpace(raw) == "" {
		return msg
	}
	for _, form := range []string{strconv.Quote(raw), strconv.QuoteToASCII(raw), raw, strings.TrimSpace(raw)} {
		if form != "" {
			msg = strings.ReplaceAll(msg, form, "(the value)")
		}
	}
	const run = 8
	for i := 0; i+run <= len(msg); i++ {
		if strings.Contains(raw, msg[i:i+run]) {
			return "not accepted by the parser of its type"
		}
	}
	return msg
}

// foreignRejected says that a decoder we do not own refused a secret
// value, without its message, which may quote the value.
func foreignRejected(f *bind.Field) string {
	return fmt.Sprintf("rejected by the decoder of %s (its message is not shown, as it may hold the value)", f.Type)
}

// warnOdd reports a value that loaded although it is not clean text: a
// field that takes any text (a string, a Secret) loads it as given, which
// Load did before this check existed, but says so, as the value is rarely
// what the operator meant.
func (l *loader) warnOdd(f *bind.Field, full string, origin Origin, o oddText) {
	if o.what == "" {
		return
	}
	msg := fmt.Sprintf("the value from %s %s; it is used as given", sourceText(origin), o.what)
	if o.part != "" {
		msg = fmt.Sprintf("the value from %s: %s; it is used as given", sourceText(origin), o)
	}
	l.add(Finding{ID: idOddText, Severity: SeverityWarning, Key: full, Field: f.Path, Origin: origin,
		Message: msg, Hint: "re-save the value as UTF-8 text without NUL bytes"})
}
