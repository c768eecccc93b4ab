package prodready

import (
	"encoding"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// report builds the Report of a load from the decoded value nv.
func (l *loader) report(nv reflect.Value) *Report {
	r := &Report{Profile: l.profileName(), Findings: slices.Clone(l.findings)}
	if !nv.IsValid() { // the load stopped before any value was read
		return r
	}
	r.Vars = make([]Var, 0, len(l.plan.Fields))
	for i := range l.plan.Fields {
		f := &l.plan.Fields[i]
		fv := nv.FieldByIndex(f.Index)
		v := Var{
			Name:   l.o.Prefix + f.Name,
			Field:  f.Path,
			Type:   f.Type.String(),
			Secret: f.Secret,
			Origin: l.fields[i].origin,
			Doc:    f.Doc,
		}
		if l.fields[i].origin.Source == SourceEnvFile || holdsSecret(f.Type) && f.Type != secretURLType {
			// A value read from a NAME_FILE file is treated as a secret,
			// whatever the field's type.
			v.Secret = true
		}
		if v.Secret {
			v.Value = Redacted
			switch s := fv.Interface().(type) {
			case Secret:
				v.Set = s.IsSet()
				v.Length = lengthClass(s.Len())
			case []Secret:
				v.Set = len(s) > 0
				if len(s) > 0 {
					v.Length = fmt.Sprintf("%d keys", len(s))
				}
			default:
				v.Set = !fv.IsZero()
				if v.Set && fv.Kind() == reflect.String {
					v.Length = lengthClass(fv.Len())
				}
			}
			if !v.Set {
				v.Value = ""
			}
		} else {
			v.Value = render(fv, f.Sep, f.KVSep)
			v.Set = v.Value != ""
			if l.holdsSecretCopy(v.Value) {
				asSecretCopy(&v, fv)
			}
		}
		v.Origin.Name = l.withoutSecrets(v.Origin.Name)
		r.Vars = append(r.Vars, v)
	}
	for _, v := range l.groupVars {
		if !v.Secret && l.holdsSecretCopy(v.Value) {
			asSecretCopy(&v, reflect.Value{})
		}
		r.Vars = append(r.Vars, v)
	}
	return r
}

var urlType = reflect.TypeFor[url.URL]()

// render formats a field's value for people, with any URL password
// removed. Lists and maps use the field's separators, so the text reads
// back as the same value.
func render(v reflect.Value, sep, kvsep string) string {
	return redactURLPasswords(renderValue(v, sep, kvsep))
}

// renderValue is render before URL passwords are removed: the text of v
// as it would be written in the environment, secrets redacted.
func renderValue(v reflect.Value, sep, kvsep string) string {
	if !v.IsValid() {
		return ""
	}
	switch {
	case v.Type() == urlType:
		u := v.Interface().(url.URL)
		return u.Redacted()
	case v.Kind() == reflect.Pointer && v.Type().Elem() == urlType:
		if v.IsNil() {
			return ""
		}
		return v.Interface().(*url.URL).Redacted()
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case slog.Level:
			// slog prints "INFO"; the defaults and docs say "info", and
			// both read back the same.
			return strings.ToLower(x.String())
		case encoding.TextMarshaler:
			// Before String: the text form is what the loader reads back
			// (MemorySize "10%", time.Time in RFC 3339), so a printed
			// configuration can be loaded again.
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return ""
			}
			b, err := x.MarshalText()
			if err != nil {
				return ""
			}
			return string(b)
		case fmt.Stringer:
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return ""
			}
			return x.String()
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return renderValue(v.Elem(), sep, kvsep)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = renderValue(v.Index(i), ",", "=")
		}
		return strings.Join(parts, sep)
	case reflect.Map:
		parts := make([]string, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			parts = append(parts, renderValue(it.Key(), ",", "=")+kvsep+renderValue(it.Value(), ",", "="))
		}
		slices.Sort(parts)
		return strings.Join(parts, sep)
	}
	return fmt.Sprint(v.Interface())
}
