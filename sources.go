package prodready

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/prodready/prodready/internal/bind"
)

// knownProfile reports whether name is a built-in profile, one of
// Options.Profiles or Options.Profile, or an ancestor of one; if not, near
// suggests the known name it may stand for ("; did you mean production?"),
// or is "". A required:"..." tag naming no profile is a programming error:
// the requirement would silently never apply. (Only near misses within two
// edits were refused before, so required:"prod" passed unnoticed.)
func (l *loader) knownProfile(name string) (known bool, near string) {
	var names []string
	for _, p := range append(append(BuiltinProfiles(), l.o.Profiles...), l.o.Profile) {
		for _, n := range p.Lineage() {
			if n == name {
				return true, ""
			}
			names = append(names, n)
		}
	}
	if n := nearProfile(name, names); n != "" {
		return false, "; did you mean " + n + "?"
	}
	return false, "; register it with Options.Profiles, or fix the tag"
}

// nearProfile returns the name in names that name may stand for: one
// within two edits (developement), else one it abbreviates (prod, dev,
// stag); "" if none.
func nearProfile(name string, names []string) string {
	for _, n := range names {
		if editDistance(name, n, 3) < 3 {
			return n
		}
	}
	for _, n := range names {
		if len(name) >= 3 && strings.HasPrefix(n, name) {
			return n
		}
	}
	return ""
}

// resolveProfile picks the profile: Options.Profile, else APP_ENV (or
// APP_ENV_FILE) from the overrides or the environment, else Development.
// The .env file and config files cannot choose it: which of them are read
// depends on it. It reports false when APP_ENV is unusable.
func (l *loader) resolveProfile() bool {
	if !l.o.Profile.IsZero() {
		l.prof, l.profOrigin = l.o.Profile, Origin{Source: SourceOverride}
		return true
	}
	key := l.o.Prefix + "APP_ENV"
	lv := l.valueOf(key, key+"_FILE", "Base.AppEnv", levelEnv, -1)
	name, origin := lv.raw, lv.origin
	if lv.failed {
		l.prof = Development // for the report's sake; the load fails
		return false
	}
	if !lv.found || strings.TrimSpace(name) == "" {
		l.prof, l.profOrigin = Development, Origin{Source: SourceDefault}
		return true
	}
	if err := checkValue(name); err != nil {
		l.prof = Development // for the report's sake; the load fails
		l.errorf(Finding{ID: idInvalid, Key: key, Field: "Base.AppEnv", Origin: origin, Hint: "set " + key + " to a profile name"},
			ErrInvalid, err, "invalid value from %s: %s", sourceText(origin), err)
		return false
	}
	p, err := LookupProfile(name, l.o.Profiles)
	if err != nil {
		l.prof = Development // for the report's sake; the load fails
		if origin.Source != SourceEnvFile {
			l.profLabel = name // what was asked for, not the stand-in
		}
		msg := err.Error()
		if origin.Source == SourceEnvFile { // the file may hold anything: do not quote it
			msg = "read from a file whose content is not a known profile name"
			err = fmt.Errorf("%w (value not shown)", ErrUnknownProfile)
		}
		l.errorf(Finding{ID: idInvalid, Key: key, Field: "Base.AppEnv", Origin: origin, Hint: "register the profile with Options.Profiles, or fix " + key},
			ErrUnknownProfile, err, "%s", msg)
		return false
	}
	l.prof, l.profOrigin = p, origin
	return true
}

// checkAppEnv reports a file that sets APP_ENV to another profile than the
// one loading: files are read after the profile is chosen, so they cannot
// choose it. shared says the value is a YAML anchor's or an alias's, which
// is not quoted (invalidShared).
func (l *loader) checkAppEnv(src Source, file, v string, line int, shared bool) {
	if strings.TrimSpace(v) == "" || strings.EqualFold(strings.TrimSpace(v), l.prof.Name()) {
		return
	}
	key := l.o.Prefix + "APP_ENV"
	origin := Origin{Source: src, Name: file, Line: line}
	shown := quote(v)
	if shared {
		shown = "a value not shown (a YAML anchor's, which an alias may share with a secret)"
	}
	l.errorf(Finding{ID: idAppEnv, Key: key, Origin: origin, Hint: "set " + key + " in the environment; files are read after the profile is chosen"},
		ErrInvalid, nil, "%s sets %s to %s, but the profile is %s", origin, key, shown, l.prof.Name())
}

// profileName is the name of the active profile, or of the unknown one
// that was asked for (at most 64 bytes of it).
func (l *loader) profileName() string {
	if v := l.profLabel; v != "" {
		if !profileNameLike(v) {
			return "(unknown, not shown: it does not look like a name)"
		}
		if len(v) > 64 {
			cut := 64
			for cut > 0 && !isRuneStart(v[cut]) {
				cut--
			}
			v = v[:cut] + "..."
		}
		return strings.ToValidUTF8(v, "?")
	}
	return l.prof.Name()
}

// The levels at which NAME and NAME_FILE are looked up, highest first.
const (
	levelOverride = iota
	levelEnv
	levelDotEnv
)

// A lookup is what valueOf found for a variable.
type lookup struct {
	raw    string // the value, or the content of the file NAME_FILE names
	origin Origin // where it came from; for a failure, the source at fault
	found  bool   // a non-empty value was found
	// emptied says that an empty value, or an empty file, was passed over
	// on the way: a required variable set empty is reported as such.
	emptied bool
	// emptyFile, when emptied, is the NAME_FILE variable and the path of
	// the empty file passed over ("" for an empty NAME): the report says
	// which to fill.
	emptyFile string
	failed    bool // an error was reported (both NAME and NAME_FILE set, an unreadable file)
}

// valueOf finds the variable name, or the file its NAME_FILE form names, at
// the override, environment and .env levels down to lowest. An empty value,
// or an empty file, counts as unset: the search goes on, and emptied says
// so. At one level, setting both NAME and NAME_FILE is an error; failed
// says an error was reported.
//
// slot is the field's slot in the environment snapshot (see snapshotEnv),
// or -1 for a variable that is not a field's.
func (l *loader) valueOf(name, fileName, path string, lowest, slot int) lookup {
	emptied, emptyFile := false, ""
	for level := levelOverride; level <= lowest; level++ {
		if level == levelOverride && len(l.o.Overrides) == 0 || level == levelDotEnv && l.dotenv == nil {
			continue
		}
		v, ok, fv, fok := l.envPair(level, name, fileName, slot)
		if ok && fok && v != "" && fv != "" {
			o := l.originAt(level, name)
			l.errorf(Finding{ID: idBothSet, Key: name, Field: path, Origin: o, Hint: "unset one of them"},
				ErrInvalid, nil, "both %s and %s are set", name, fileName)
			return lookup{origin: o, failed: true}
		}
		switch {
		case fok && fv != "":
			// The path is shown only once a file is found there: a value
			// that names no file may be the secret itself, pasted into
			// NAME_FILE instead of NAME.
			o := Origin{Source: SourceEnvFile, Var: fileName, Name: hiddenPath(fv), Line: l.originAt(level, fileName).Line}
			hint := "set " + fileName + " to the path of a file, or " + name + " to the value itself"
			if len(fv) > MaxPathSize {
				l.errorf(Finding{ID: idEnvFile, Key: name, Field: path, Origin: o, Hint: hint},
					ErrInvalid, nil, "%s: the path is %d bytes, longer than the %d-byte limit", fileName, len(fv), MaxPathSize)
				return lookup{origin: o, failed: true}
			}
			content, exists, err := l.readSecretFile(name, fv)
			if exists {
				o.Name = showPath(fv)
				hint = "point " + fileName + " at a readable regular file, or set " + name + " instead"
			}
			if err != nil {
				l.errorf(Finding{ID: idEnvFile, Key: name, Field: path, Origin: o, Hint: hint},
					ErrInvalid, err, "%s: %s", o, err)
				return lookup{origin: o, failed: true}
			}
			if content == "" {
				if !emptied {
					emptyFile = fileName + " " + o.Name
				}
				emptied = true
				continue
			}
			return lookup{raw: content, origin: o, found: true, emptied: emptied, emptyFile: emptyFile}
		case ok && v == "":
			emptied = true
		case ok:
			return lookup{raw: v, origin: l.originAt(level, name), found: true, emptied: emptied, emptyFile: emptyFile}
		}
	}
	return lookup{emptied: emptied, emptyFile: emptyFile}
}

// lookupAt returns the variable name at one level.
func (l *loader) lookupAt(level int, name string) (string, bool) {
	switch level {
	case levelOverride:
		if len(l.o.Overrides) > 0 {
			v, ok := l.o.Overrides[name]
			return v, ok
		}
	case levelEnv:
		return l.env.Lookup(name)
	case levelDotEnv:
		if d, ok := l.dotenv[name]; ok {
			return d.value, true
		}
	}
	return "", false
}

// originAt is the origin of the variable name found at level.
func (l *loader) originAt(level int, name string) Origin {
	switch level {
	case levelOverride:
		return Origin{Source: SourceOverride}
	case levelEnv:
		return Origin{Source: SourceEnv, Var: name}
	}
	return Origin{Source: SourceDotEnv, Name: showPath(l.dotEnvName()), Line: l.dotenv[name].line}
}

// loadField finds the value of field i from the highest source that sets it
// and decodes it into nv.
func (l *loader) loadField(i int, nv reflect.Value, custom bind.Custom) {
	f := &l.plan.Fields[i]
	full, fileName := f.Name, f.FileName
	if l.o.Prefix != "" { // concatenating even "" costs a runtime call per field
		full, fileName = l.o.Prefix+full, l.o.Prefix+fileName
	}
	sensitive := l.pe.sensitive[i]
	lv := l.valueOf(full, fileName, f.Path, levelDotEnv, 2*i)
	raw, origin, found := lv.raw, lv.origin, lv.found
	if lv.failed {
		// The report shows where the bad value came from (NAME_FILE and
		// its path, say) rather than "unset".
		l.fields[i].origin = origin
		return
	}
	if origin.Source == SourceEnvFile {
		sensitive = true
	}
	if !found {
		if fv, ok := l.fileVals[i]; ok {
			origin = Origin{Source: SourceFile, Name: fv.file, Line: fv.line}
			l.fields[i].origin = origin
			l.fields[i].set = true
			l.decodeNode(i, f, fv.node, nv.FieldByIndex(f.Index), custom, full, origin, sensitive)
			return
		}
	}
	if !found {
		if v, from, ok := l.prof.Default(f.Name); ok && !l.inGroup {
			raw, origin, found = v, Origin{Source: SourceProfile, Name: from}, true
		} else if f.HasDefault {
			raw, origin, found = f.Default, Origin{Source: SourceDefault}, true
		}
	} else {
		l.fields[i].set = true
	}
	l.fields[i].origin = origin
	l.fields[i].raw = raw
	if l.required(f) && strings.TrimSpace(raw) == "" {
		l.missing(f, full, origin, lv.emptied, raw != "", lv.emptyFile)
		return
	}
	if !found || raw == "" && origin.Source <= SourceProfile {
		return
	}
	var odd oddText
	if origin.Source > SourceProfile {
		if err := checkValue(raw); err != nil {
			l.invalid(f, full, origin, raw, sensitive, err)
			return
		}
		// A Secret or []byte read through NAME_FILE may be a raw binary
		// key; elsewhere a NUL byte or a bad encoding is a mistake.
		if origin.Source != SourceEnvFile || f.Type != secretType && f.Type != bytesType {
			odd = oddInValue(f, raw)
		}
	}
	if origin.Source == SourceEnvFile && f.Type == secretType && !utf8.ValidString(raw) {
		// A binary key (not UTF-8 text) is kept byte for byte: its first
		// or last byte may well be 0x20 or 0x0A, which the white-space
		// rule for text would refuse one time in twenty.
		*nv.FieldByIndex(f.Index).Addr().Interface().(*Secret) = NewSecret(raw)
		return
	}
	if err := f.Decode(nv.FieldByIndex(f.Index), raw, custom); err != nil {
		l.invalid(f, full, origin, raw, sensitive, odd.explain(err))
		return
	}
	l.warnOdd(f, full, origin, odd)
}
