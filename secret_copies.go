package prodready

import (
	"reflect"
	"strings"
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
		l.secretTexts = append(l.secretTexts, s)
	}
}

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
// Redacted.
func (l *loader) withoutSecrets(s string) string {
	for _, secret := range l.secretTexts {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}

// holdsSecretCopy reports whether s holds a loaded secret's value.
func (l *loader) holdsSecretCopy(s string) bool { return l.withoutSecrets(s) != s }
