package prodready

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// minSecretCopy is the shortest secret whose copies are redacted: a
// shorter one would cut words out of messages and values that only
// happen to hold it (a development database's password "postgres" is in
// every postgres:// URL). The production rules want keys of 32 bytes and
// more.
const minSecretCopy = 16

// collectSecretTexts records the values of the loaded secrets, so that
// their copies elsewhere are not shown (hideSecretCopies, report): a
// secret copied by hand into a plain variable, or shared with one
// through a YAML alias, is the plain variable's value and the text of
// its errors, and the loader cannot tell which was meant to hold it.
func (l *loader) collectSecretTexts(nv reflect.Value) {
	for i := range l.plan.Fields {
		f := &l.plan.Fields[i]
		fv := nv.FieldByIndex(f.Index)
		switch {
		case l.fields[i].origin.Source == SourceEnvFile:
			// Read from a NAME_FILE file: a secret, whatever the type.
			l.addSecretText(strings.TrimSpace(l.fields[i].raw))
		case holdsSecret(f.Type):
			l.walkSecrets(fv)
		}
	}
	for _, g := range l.pe.grp {
		// A group's elements are structs: their Secret and SecretURL
		// fields are hunted; an element's plain field read from a
		// NAME_FILE file is not (its origin is the element's loader's).
		l.walkSecrets(nv.FieldByIndex(g.Index))
	}
}

// walkSecrets records the Secret and SecretURL values v holds.
func (l *loader) walkSecrets(v reflect.Value) {
	switch v.Type() {
	case secretType:
		l.addSecretText(v.Interface().(Secret).Reveal())
		return
	case secretURLType:
		if u := v.Interface().(SecretURL).URL(); u != nil && u.User != nil {
			p, _ := u.User.Password()
			l.addSecretText(p)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			l.walkSecrets(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			l.walkSecrets(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			l.walkSecrets(it.Value())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				l.walkSecrets(v.Field(i))
			}
		}
	}
}

func (l *loader) addSecretText(s string) {
	if len(s) >= minSecretCopy {
		l.secretTexts = append(l.secretTexts, newSecretText(s))
	}
}

// minCutCopy is the shortest start of a secret that is hidden where quote
// cuts a value (see secretText): a shorter one would hide the last
// characters of a value that only happen to begin a secret, so at most
// minCutCopy-1 bytes of a secret can show there.
const minCutCopy = 4

// A secretText is a loaded secret's value in the forms a message can hold
// it: as it is, and escaped as quote escapes it (%q: a quote, a backslash
// or a control character is not the secret's text), whole or cut after a
// character where quote cuts a long value ("...", see quote).
type secretText struct {
	raw, escaped string
	// cuts are the lengths of escaped's starts that escape raw up to the
	// end of each of its characters, from the first that ends at or past
	// raw's minCutCopy-th byte to the one before the last (the whole is
	// escaped itself), in increasing order.
	cuts []int
}

func newSecretText(raw string) secretText {
	q := strconv.Quote(raw)
	st := secretText{raw: raw, escaped: q[1 : len(q)-1]}
	// strconv.Quote escapes each character alone, so the escaped text of
	// raw's start is the start of escaped.
	n := 0
	var buf []byte
	for i := 0; i < len(raw); {
		_, size := utf8.DecodeRuneInString(raw[i:])
		buf = strconv.AppendQuote(buf[:0], raw[i:i+size])
		n += len(buf) - 2
		i += size
		if i >= minCutCopy && i < len(raw) {
			st.cuts = append(st.cuts, n)
		}
	}
	return st
}

// cutMark is what quote writes after a value it cut.
const cutMark = `"... (`

// hideSecretCopies takes the loaded secrets' values out of the findings'
// messages, hints, errors and origins.
func (l *loader) hideSecretCopies() {
	if len(l.secretTexts) == 0 {
		return
	}
	for i := range l.findings {
		f := &l.findings[i]
		// An origin names a file by its path, which may be a secret
		// pasted into CONFIG_FILE.
		f.Origin.Name = l.withoutSecrets(f.Origin.Name)
		f.Message, f.Hint = l.withoutSecrets(f.Message), l.withoutSecrets(f.Hint)
		if f.Err == nil {
			continue
		}
		if text := l.withoutSecrets(f.Err.Error()); text != f.Err.Error() {
			if ce, ok := f.Err.(*causeError); ok {
				ce.msg = text
			} else {
				f.Err = &causeError{msg: text, kind: f.Err} // still errors.Is the original
			}
		}
	}
}

// withoutSecrets returns s with every loaded secret's value replaced by
// Redacted: as it is, escaped, and the start of it that ends where quote
// cut a value.
func (l *loader) withoutSecrets(s string) string {
	for _, st := range l.secretTexts {
		s = strings.ReplaceAll(s, st.raw, Redacted)
		if st.escaped != st.raw {
			s = strings.ReplaceAll(s, st.escaped, Redacted)
		}
	}
	if len(l.secretTexts) == 0 || !strings.Contains(s, cutMark) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, cutMark)
		if i < 0 {
			break
		}
		head := s[:i]
		for _, st := range l.secretTexts {
			if n := st.cutAt(head); n > 0 {
				head = head[:len(head)-n] + Redacted
				break
			}
		}
		b.WriteString(head)
		b.WriteString(cutMark)
		s = s[i+len(cutMark):]
	}
	b.WriteString(s)
	return b.String()
}

// cutAt returns the length of the longest start of the escaped secret,
// minCutCopy bytes of it or more, that head ends with; 0 if none.
func (st *secretText) cutAt(head string) int {
	for i := len(st.cuts) - 1; i >= 0; i-- {
		if strings.HasSuffix(head, st.escaped[:st.cuts[i]]) {
			return st.cuts[i]
		}
	}
	return 0
}

// holdsSecretCopy reports whether s holds a loaded secret's value.
func (l *loader) holdsSecretCopy(s string) bool { return l.withoutSecrets(s) != s }

// asSecretCopy makes v, the report's line of a plain variable whose value
// holds a loaded secret's, a secret's line: its value redacted, and
// Secret set, so that FingerprintVars keys its digest (a plain SHA-256 of
// the value would let anyone who sees the digest test guesses at the
// secret at full speed) and a length class shown for a string field fv.
func asSecretCopy(v *Var, fv reflect.Value) {
	v.Value, v.Secret = Redacted, true
	if fv.IsValid() && fv.Kind() == reflect.String {
		v.Length = lengthClass(fv.Len())
	}
}
