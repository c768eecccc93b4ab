package prodready

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prodready/prodready/internal/bind"
)

// The types the loader treats apart from bind's generic decoding: secrets
// are redacted and never quoted, []byte may hold a binary key read through
// NAME_FILE, and a MemorySize percentage is resolved after decoding.
var (
	secretType    = reflect.TypeFor[Secret]()
	secretURLType = reflect.TypeFor[SecretURL]()
	bytesType     = reflect.TypeFor[[]byte]()
	memSizeType   = reflect.TypeFor[MemorySize]()
)

// plans caches one plan per configuration type. Plans are immutable, so the
// cache only ever grows with the program's own types.
var plans sync.Map // reflect.Type -> *planEntry

// planEntry is everything the loader needs to know about a configuration
// type that does not depend on the environment: bind's plan, or the error
// that makes the type unusable, and the indexes built from it once.
type planEntry struct {
	plan      *bind.Plan
	err       error
	groups    map[string]bool     // "CACHE_" for CACHE_TTL...: the key groups a config file may nest
	byLen     [][]knownName       // known names by length, for the misspelling scan
	known     map[string]struct{} // every name the loader reads, _FILE forms included, without the prefix
	sensitive []bool              // per field: its value must never be quoted
	minLen    int                 // shortest and longest variable names
	maxLen    int
	near      pieceIndex     // the known names' pieces, for the misspelling scan
	slots     map[string]int // field i's NAME -> 2i, NAME_FILE -> 2i+1 (see snapshotEnv); nil if two fields share a name
	grp       []*groupPlan   // the []struct and map[string]struct groups
	loaders   sync.Pool      // released *loader values of this type (see release)
	envScanCache
}

// newLoader returns a loader for one load of the type: a released one,
// with its fields and findings arrays, or a new one.
func (pe *planEntry) newLoader() *loader {
	if l, ok := pe.loaders.Get().(*loader); ok {
		return l
	}
	return &loader{plan: pe.plan, pe: pe}
}

// release keeps l, cleared, for the next load of the type, sparing two
// allocations of every load (the loader and its per-field state). Nothing
// returned by the load points into a loader: the report clones the
// findings and copies the fields' origins. A service's own check, though,
// may keep the *CheckInput it was given, whose methods read the loader:
// such a loader is left to the garbage collector.
func (pe *planEntry) release(l *loader) {
	if len(l.o.Checks) > 0 {
		return
	}
	fields, findings := l.fields[:cap(l.fields)], l.findings[:cap(l.findings)]
	clear(fields)
	clear(findings)
	*l = loader{plan: pe.plan, pe: pe, fields: fields[:0], findings: findings[:0]}
	pe.loaders.Put(l)
}

// planConfig is how bind walks a configuration struct.
var planConfig = bind.Config{
	IsSecret: func(t reflect.Type) bool { return t == secretType },
	Leaf:     func(t reflect.Type) bool { return t == secretType || t == secretURLType || t == memSizeType },
	Decoders: ownDecoders,
}

// planFor returns t's plan, building and caching it on first use. Two
// goroutines may both build it; LoadOrStore keeps one, so every load of t
// sees the same entry.
func planFor(t reflect.Type) *planEntry {
	if e, ok := plans.Load(t); ok {
		return e.(*planEntry)
	}
	p, err := bind.Build(t, planConfig)
	if err == nil {
		err = checkPlacement(t, true, "")
	}
	if err == nil {
		for _, f := range p.Fields {
			if f.Type != memSizeType && holdsType(f.Type, memSizeType) {
				err = fmt.Errorf("%s: a MemorySize must be a field of its own, not inside a pointer, slice or map (its percentage is resolved at load)", f.Path)
				break
			}
		}
	}
	var grp []*groupPlan
	if err == nil {
		grp, err = groupPlans(p)
	}
	e := &planEntry{plan: p, err: err, grp: grp}
	if err == nil {
		e.groups = map[string]bool{}
		e.known = map[string]struct{}{"APP_ENV": {}, "APP_ENV_FILE": {}, "CONFIG_FILE": {}}
		e.minLen = 1 << 30
		for _, f := range p.Fields {
			e.sensitive = append(e.sensitive, f.Secret || holdsSecret(f.Type))
			e.minLen, e.maxLen = min(e.minLen, len(f.Name)), max(e.maxLen, len(f.FileName))
			for i := 0; i < len(f.Name); i++ {
				if f.Name[i] == '_' && i > 0 {
					e.groups[f.Name[:i+1]] = true
				}
			}
			// Both forms are indexed, so DATABASE_URL_FIEL is caught too.
			for _, name := range []string{f.Name, f.FileName} {
				if len(name) >= len(e.byLen) {
					e.byLen = append(e.byLen, make([][]knownName, len(name)+1-len(e.byLen))...)
				}
				e.byLen[len(name)] = append(e.byLen[len(name)], knownName{name, charMask(name)})
			}
			e.known[f.Name] = struct{}{}
			e.known[f.FileName] = struct{}{}
			e.near.add(f.Name, f.FileName)
		}
		e.slots = make(map[string]int, 2*len(p.Fields))
		for i, f := range p.Fields {
			for j, name := range []string{f.Name, f.FileName} {
				if _, dup := e.slots[name]; dup {
					e.slots = nil // each field looks its names up instead
					break
				}
				e.slots[name] = 2*i + j
			}
			if e.slots == nil {
				break
			}
		}
		e.addGroupKeys()
	}
	actual, _ := plans.LoadOrStore(t, e)
	return actual.(*planEntry)
}

// ownDecoders decode this package's types. Their errors never quote the
// value, unlike a foreign UnmarshalText's, so they are not scrubbed; and a
// Secret decodes without UnmarshalText's two copies.
var ownDecoders = map[reflect.Type]func(reflect.Value, string) error{
	secretType: func(v reflect.Value, s string) error {
		// The items of SECRET_KEY_FALLBACKS are trimmed like every list's,
		// so a key kept verbatim here would not match itself once
		// rotated into the fallbacks; trimming silently would hide a
		// mistake in how the secret was delivered. A key that is not
		// UTF-8 is binary (32 random bytes in a NAME_FILE file): a
		// white-space byte at its edge is part of it.
		if strings.TrimSpace(s) != s && utf8.ValidString(s) {
			return errors.New("has white space at its start or end (a newline from echo or a secret manifest?): remove it")
		}
		*v.Addr().Interface().(*Secret) = NewSecret(s)
		return nil
	},
	secretURLType:                   unmarshalOwn,
	memSizeType:                     unmarshalOwn,
	reflect.TypeFor[LogFormat]():    unmarshalOwn,
	reflect.TypeFor[CacheBackend](): unmarshalOwn,
	reflect.TypeFor[Severity]():     unmarshalOwn,
}

// unmarshalOwn decodes one of this package's TextUnmarshalers directly,
// without bind's generic path and its scrubbing of foreign messages.
func unmarshalOwn(v reflect.Value, s string) error {
	return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
}

// checkPlacement refuses a Base the profile rules could not find: one
// that is a named field, sits inside a nested group, or has a prefix tag.
// Load finds Base through the method that embedding promotes, so it must
// be reached through embedded fields only, with its variables unprefixed.
func checkPlacement(t reflect.Type, embedded bool, path string) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Type.Kind() != reflect.Struct || sf.Tag.Get("env") != "" {
			continue
		}
		p := sf.Name
		if path != "" {
			p = path + "." + sf.Name
		}
		if sf.Type == reflect.TypeFor[Base]() {
			switch {
			case !sf.Anonymous || !embedded:
				return fmt.Errorf("%s: embed prodready.Base in the top-level struct (or in structs it embeds), not as a named or nested field: its profile rules would not apply", p)
			case sf.Tag.Get("prefix") != "":
				return fmt.Errorf("%s: prodready.Base cannot take a prefix tag; use Options.Prefix to prefix every variable", p)
			}
			continue
		}
		if err := checkPlacement(sf.Type, embedded && sf.Anonymous, p); err != nil {
			return err
		}
	}
	return nil
}

// holdsType reports whether values of t are or contain a want.
func holdsType(t, want reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return t == want || holdsType(t.Elem(), want)
	}
	return t == want
}
