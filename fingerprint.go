package prodready

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Fingerprint returns a stable digest of the effective configuration cfg (a
// struct or a pointer to one, as [Load] filled it): 32 hexadecimal digits
// that are equal for two processes exactly when every variable, and the
// SECRET_KEY, are equal. Operators compare it across replicas to find drift.
//
// Every variable enters the digest by name and value. Secrets enter only
// through HMAC-SHA256 under a key derived with HKDF from the embedded
// Base's SECRET_KEY, and the whole digest is keyed the same way, so nothing
// about any secret, the key included, can be learned or guessed from it.
// Without a Base, the derivation key is empty and the digest is a plain
// hash of the values, secrets still hashed separately.
func Fingerprint(cfg any) (string, error) {
	v := reflect.ValueOf(cfg)
	for v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", fmt.Errorf("prodready: Fingerprint of a nil %T", cfg)
		}
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return "", fmt.Errorf("prodready: Fingerprint needs a struct, got %T", cfg)
	}
	pe := planFor(v.Type())
	if pe.err != nil {
		return "", fmt.Errorf("prodready: %s: %w", v.Type(), pe.err)
	}
	var master string
	if v.CanAddr() {
		if hb, ok := v.Addr().Interface().(hasBase); ok {
			master = hb.base().SecretKey.Reveal()
		}
	} else {
		cp := reflect.New(v.Type())
		cp.Elem().Set(v)
		if hb, ok := cp.Interface().(hasBase); ok {
			master = hb.base().SecretKey.Reveal()
		}
	}
	key, err := hkdf.Key(sha256.New, []byte(master), nil, "prodready fingerprint v1", 32)
	if err != nil {
		return "", fmt.Errorf("prodready: derive fingerprint key: %w", err)
	}
	lines := make([]string, 0, len(pe.plan.Fields))
	for i := range pe.plan.Fields {
		f := &pe.plan.Fields[i]
		lines = append(lines, f.Name+"="+fingerprintValue(key, f.Name, v.FieldByIndex(f.Index), f.Sep, f.KVSep))
	}
	slices.Sort(lines)
	mac := hmac.New(sha256.New, key)
	for _, l := range lines {
		mac.Write([]byte(l))
		mac.Write([]byte{'\n'})
	}
	return hex.EncodeToString(mac.Sum(nil)[:16]), nil
}

func fingerprintValue(key []byte, name string, v reflect.Value, sep, kvsep string) string {
	secret := func(s string) string {
		if s == "" {
			return "unset"
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(name))
		m.Write([]byte{0})
		m.Write([]byte(s))
		return "hmac:" + hex.EncodeToString(m.Sum(nil))
	}
	switch x := v.Interface().(type) {
	case Secret:
		return secret(x.Reveal())
	case []Secret:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = secret(s.Reveal())
		}
		return "[" + strings.Join(parts, ",") + "]"
	case SecretURL:
		return strconv.Quote(x.String()) + " " + secret(x.Reveal())
	}
	return strconv.Quote(renderValue(v, sep, kvsep))
}
