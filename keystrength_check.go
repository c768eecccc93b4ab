package prodready

import (
	"context"
	"fmt"
	"reflect"
)

// checkKeyFields judges, under a hardened profile, every Secret (or each
// item of a []Secret) that the service tagged key:"true", as PR-E010 judges
// SECRET_KEY: a service's own signing keys and tokens get the same rule.
func checkKeyFields(_ context.Context, in *CheckInput) []Finding {
	if !in.Profile.Hardened() || in.Config == nil {
		return nil
	}
	v := reflect.ValueOf(in.Config)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	pe := planFor(v.Type())
	if pe.err != nil {
		return nil
	}
	var out []Finding
	for i := range pe.plan.Fields {
		f := &pe.plan.Fields[i]
		if !f.Key {
			continue
		}
		var keys []Secret
		switch fv := v.FieldByIndex(f.Index).Interface().(type) {
		case Secret:
			keys = []Secret{fv}
		case []Secret:
			keys = fv
		}
		for j, k := range keys {
			if !k.IsSet() {
				continue
			}
			err := CheckKeyStrength(k)
			if err == nil {
				continue
			}
			msg := err.Error()
			if len(keys) > 1 || f.IsList() {
				msg = fmt.Sprintf("key %d of %d: %s", j+1, len(keys), msg)
			}
			fd := in.finding(f.Name, msg, "set $ to a random key: prodready gen-secret")
			fd.Field = f.Path
			fd.Err = &causeError{msg: fd.Message, kind: ErrWeakSecret}
			out = append(out, fd)
		}
	}
	return out
}
