package prodready

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
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
// Every variable enters the digest by name and value. The digest is an
// HMAC-SHA256 under a key derived from SECRET_KEY (the embedded Base's, or
// a Secret field of the struct bound to SECRET_KEY) with argon2id, a
// memory-hard function, and each secret — a [Secret] or a [SecretURL]'s
// full text, also inside pointers, slices and maps — enters only as its
// own HMAC under that key, so nothing about a secret can be learned from
// the fingerprint, and each guess at SECRET_KEY that it lets an attacker
// test costs a derivation: 64 MiB of memory and a sixth of a second or so
// (see docs/SECURITY.md), far more than checking a guess against a signed
// token. The derivation runs on the first fingerprint with a given key in
// a process, not in Load; later ones reuse its result.
//
// Without a SECRET_KEY there is no key to hide secrets behind:
// a secret then enters only as "set" or "unset", so a change of its value
// does not change the fingerprint.
//
// A value read through NAME_FILE is a secret whatever its type, but cfg
// alone does not say which values were: use [FingerprintReport] with the
// load's [Report] so that they are hidden too.
func Fingerprint(cfg any) (string, error) { return fingerprint(cfg, nil) }

// FingerprintReport is [Fingerprint] for a configuration loaded by
// [LoadWithReport]: every variable rep marks as secret, which includes each
// value read through a NAME_FILE file, enters the digest only as a secret
// does. It is what the prodready fingerprint command prints. A nil rep is
// Fingerprint.
func FingerprintReport(cfg any, rep *Report) (string, error) {
	return fingerprint(cfg, reportSecrets(rep))
}

// fingerprint digests cfg; secret holds the Go field paths of variables
// that are secrets although their type is not.
func fingerprint(cfg any, secret map[string]bool) (string, error) {
	v, pe, fp, err := fingerprintInput(cfg)
	if err != nil {
		return "", err
	}
	return fp.sum(fp.lines(pe, v, secret)), nil
}

// sum is the fingerprint of lines.
func (fp fingerprinter) sum(lines []string) string {
	var h hash.Hash
	if fp.key != nil {
		h = hmac.New(sha256.New, fp.key)
	} else {
		h = sha256.New()
	}
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fingerprintInput finds the struct cfg holds, its plan, and the key its
// SECRET_KEY derives (the argon2id derivation runs here).
func fingerprintInput(cfg any) (reflect.Value, *planEntry, fingerprinter, error) {
	v := reflect.ValueOf(cfg)
	for v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return v, nil, fingerprinter{}, fmt.Errorf("prodready: Fingerprint of a nil %T", cfg)
		}
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return v, nil, fingerprinter{}, fmt.Errorf("prodready: Fingerprint needs a struct, got %T", cfg)
	}
	pe := planFor(v.Type())
	if pe.err != nil {
		return v, nil, fingerprinter{}, fmt.Errorf("prodready: %s: %w", v.Type(), pe.err)
	}
	fp := fingerprinter{}
	if i, ok := pe.plan.Lookup("SECRET_KEY"); ok {
		if k, ok := v.FieldByIndex(pe.plan.Fields[i].Index).Interface().(Secret); ok && k.IsSet() {
			fp.key = fingerprintKey([]byte(k.Reveal()))
		}
	}
	return v, pe, fp, nil
}

// lines are the fingerprint's lines, NAME=text, one a variable, sorted.
func (fp fingerprinter) lines(pe *planEntry, v reflect.Value, secret map[string]bool) []string {
	lines := make([]string, 0, len(pe.plan.Fields))
	b, hasBase := baseOf(v)
	for i := range pe.plan.Fields {
		f := &pe.plan.Fields[i]
		fv := v.FieldByIndex(f.Index)
		var text string
		if secret[f.Path] && !holdsSecret(f.Type) {
			text = fp.secret(f.Name, renderValue(fv, f.Sep, f.KVSep))
		} else {
			text = fp.value(f.Name, fv, f.Sep, f.KVSep)
		}
		if hasBase && f.Name == "CACHE_MAX_SIZE" && b.cacheMaxSize() != b.CacheMaxSize {
			// The bound depends on where the value came from: a default
			// gives way to CACHE_MAX_MEMORY (Base.cacheMaxSize).
			text += " gives way to CACHE_MAX_MEMORY"
		}
		lines = append(lines, f.Name+"="+text)
	}
	lines = append(lines, fp.groupLines(pe, v, secret)...)
	slices.Sort(lines)
	return lines
}

type fingerprinter struct{ key []byte }

// baseOf returns the Base that v is or embeds, at any depth, by value or
// pointer, under any name (the loader's hasBase, on a copy, since v need
// not be addressable), and whether there is one.
func baseOf(v reflect.Value) (Base, bool) {
	if !reflect.PointerTo(v.Type()).Implements(hasBaseType) {
		return Base{}, false
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	b := p.Interface().(hasBase).base()
	if b == nil {
		return Base{}, false
	}
	return *b, true
}

func (fp fingerprinter) secret(name, s string) string {
	switch {
	case s == "":
		return "unset"
	case fp.key == nil:
		return "set"
	}
	m := hmac.New(sha256.New, fp.key)
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write([]byte(s))
	return "hmac:" + hex.EncodeToString(m.Sum(nil))
}

// value encodes v unambiguously: scalars quoted, lists and maps item by
// item, so that ["a,b"] and ["a", "b"] differ. Secrets, and URLs' user
// info, enter through fp.secret.
func (fp fingerprinter) value(name string, v reflect.Value, sep, kvsep string) string {
	switch v.Type() {
	case secretType:
		return fp.secret(name, v.Interface().(Secret).Reveal())
	case secretURLType:
		u := v.Interface().(SecretURL)
		return strconv.Quote(u.String()) + " " + fp.secret(name, u.Reveal())
	case urlType:
		u := v.Interface().(url.URL)
		return strconv.Quote(u.Redacted()) + " " + fp.secret(name, u.String())
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		if v.Type().Elem() == urlType || holdsSecret(v.Type()) {
			return fp.value(name, v.Elem(), sep, kvsep)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			break
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fp.value(name, v.Index(i), sep, kvsep)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case reflect.Map:
		parts := make([]string, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			parts = append(parts, fp.value(name, it.Key(), sep, kvsep)+":"+fp.value(name, it.Value(), sep, kvsep))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ",") + "}"
	}
	text := renderValue(v, sep, kvsep)
	if fp.key == nil {
		// Without a key the digest is a plain hash: keep URL passwords
		// in plain strings out of it.
		text = redactURLPasswords(text)
	}
	return strconv.Quote(text)
}

// holdsSecret reports whether values of t are or contain a Secret or a
// SecretURL.
func holdsSecret(t reflect.Type) bool { return holdsType(t, secretType) || holdsType(t, secretURLType) }
