package prodready

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/prodready/prodready/internal/redact"
)

// A Profile is a named set of default overrides and rules, with a parent
// whose defaults and rules it inherits. [Development], [Testing] and
// [Production] are built in; [Profile.Derive] makes a new one from any of
// them without copying it.
//
// The rules a profile carries are:
//   - hardened (Production and its descendants): SECRET_KEY is required
//     and must pass [CheckKeyStrength], DEBUG must be false, and no .env
//     file is read unless [Options.AllowDotEnvInProduction] says so;
//   - development keys (Development, Testing and their descendants): a
//     missing SECRET_KEY gets a random key for this process only, with a
//     warning, never a fixed string.
//
// The zero Profile means "not chosen": [Load] then picks one by APP_ENV. A
// Profile is immutable and safe to share between goroutines.
type Profile struct{ p *profile }

// profile is a Profile's shared, immutable state; Profile wraps a
// pointer to it, so that profiles compare by identity.
type profile struct {
	name     string
	parent   *profile
	defaults map[string]string
	hardened bool
	devKey   bool
}

// Built-in profiles. Base, the set of tag defaults, is the parent of all
// three.
var (
	// Development is for a developer's machine: DEBUG on, debug logs as
	// text, and a random per-process SECRET_KEY when none is set.
	Development = Profile{&profile{
		name:   "development",
		devKey: true,
		defaults: map[string]string{
			"DEBUG":     "true",
			"LOG_LEVEL": "debug",
		},
	}}
	// Testing is for automated tests: an in-memory SQLite database, quiet
	// logs, a short cache TTL and a random per-process SECRET_KEY when none
	// is set.
	Testing = Profile{&profile{
		name:   "testing",
		devKey: true,
		defaults: map[string]string{
			"DATABASE_URL": "sqlite::memory:",
			"LOG_LEVEL":    "warn",
			"CACHE_TTL":    "1m",
		},
	}}
	// Production is Base plus hardening: SECRET_KEY required and strong,
	// DEBUG off, JSON logs at info, and a cache of 4096 entries for 600 s.
	Production = Profile{&profile{
		name:     "production",
		hardened: true,
		defaults: map[string]string{
			"DEBUG":          "false",
			"LOG_FORMAT":     "json",
			"LOG_LEVEL":      "info",
			"CACHE_TTL":      "600s",
			"CACHE_MAX_SIZE": "4096",
		},
	}}
)

var profileName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// Derive returns a new profile called name whose parent is p. defaults maps
// variable names (without [Options.Prefix]) to default values that override
// p's; the map is copied. The new profile inherits p's rules: a profile
// derived from Production is hardened. Register it with [Options.Profiles] so
// that APP_ENV can select it. Names are checked when the profile is used:
// lower-case letters, digits, '-' and '_', starting with a letter.
func (p Profile) Derive(name string, defaults map[string]string) Profile {
	d := &profile{name: name, parent: p.p, defaults: maps.Clone(defaults)}
	if p.p != nil {
		d.hardened = p.p.hardened
		d.devKey = p.p.devKey
	}
	return Profile{d}
}

// Name returns the profile's name, or "" for the zero Profile.
func (p Profile) Name() string {
	if p.p == nil {
		return ""
	}
	return p.p.name
}

// String returns the profile's name.
func (p Profile) String() string { return p.Name() }

// MarshalText returns the profile's name.
func (p Profile) MarshalText() ([]byte, error) { return []byte(p.Name()), nil }

// Parent returns the profile p was derived from, or the zero Profile for a
// built-in one.
func (p Profile) Parent() Profile {
	if p.p == nil {
		return Profile{}
	}
	return Profile{p.p.parent}
}

// IsZero reports whether p is the zero Profile.
func (p Profile) IsZero() bool { return p.p == nil }

// Is reports whether p is q or descends from it; a profile derived from
// Production is Production.
func (p Profile) Is(q Profile) bool {
	for x := p.p; x != nil; x = x.parent {
		if x == q.p {
			return true
		}
	}
	return false
}

// IsNamed reports whether p or one of its ancestors is called name.
func (p Profile) IsNamed(name string) bool {
	for x := p.p; x != nil; x = x.parent {
		if x.name == name {
			return true
		}
	}
	return false
}

// Hardened reports whether the production rules apply to p.
func (p Profile) Hardened() bool { return p.p != nil && p.p.hardened }

// Lineage returns the names of p and its ancestors, p first.
func (p Profile) Lineage() []string {
	var names []string
	for x := p.p; x != nil; x = x.parent {
		names = append(names, x.name)
	}
	return names
}

// Default returns the default that p or its nearest ancestor sets for the
// variable name, and the name of the profile that sets it.
func (p Profile) Default(name string) (value, from string, ok bool) {
	for x := p.p; x != nil; x = x.parent {
		if v, ok := x.defaults[name]; ok {
			return v, x.name, true
		}
	}
	return "", "", false
}

// Defaults returns a copy of the defaults p itself sets, without its
// ancestors'.
func (p Profile) Defaults() map[string]string {
	if p.p == nil {
		return nil
	}
	return maps.Clone(p.p.defaults)
}

// BuiltinProfiles returns Development, Testing and Production.
func BuiltinProfiles() []Profile { return []Profile{Development, Testing, Production} }

// LookupProfile returns the profile called name among the built-in ones and
// custom. The error wraps [ErrUnknownProfile] and lists the known names.
func LookupProfile(name string, custom []Profile) (Profile, error) {
	all := append(BuiltinProfiles(), custom...)
	want := strings.ToLower(strings.TrimSpace(name))
	for _, p := range all {
		if p.Name() == want {
			return p, nil
		}
	}
	names := make([]string, 0, len(all))
	for _, p := range all {
		names = append(names, p.Name())
	}
	slices.Sort(names)
	// The name is quoted only when it looks like one: a secret pasted into
	// APP_ENV stops the load before any secret is read, so nothing else
	// would hide it (secret_copies.go).
	shown, near := redact.Key(name), "" // not name-like here: described by its length
	if profileNameLike(name) {
		shown = quote(name)
		if n := nearProfile(want, names); n != "" {
			near = "; did you mean " + n + "?"
		}
	}
	return Profile{}, fmt.Errorf("%w %s; want one of %s%s", ErrUnknownProfile, shown, strings.Join(names, ", "), near)
}

// validateProfiles checks custom profiles' names and that no two profiles
// share a name.
func validateProfiles(custom []Profile) error {
	var seen map[string]bool // built at the first custom profile: most loads have none
	for _, p := range custom {
		if slices.Contains(BuiltinProfiles(), p) {
			continue
		}
		if seen == nil {
			seen = map[string]bool{}
			for _, p := range BuiltinProfiles() {
				seen[p.Name()] = true
			}
		}
		for x := p.p; x != nil; x = x.parent {
			if !profileName.MatchString(x.name) {
				return fmt.Errorf("profile name %q: want lower-case letters, digits, '-' or '_', starting with a letter", x.name)
			}
		}
		if p.p == nil {
			return fmt.Errorf("Options.Profiles holds a zero Profile")
		}
		if seen[p.Name()] {
			return fmt.Errorf("profile %q is defined twice", p.Name())
		}
		seen[p.Name()] = true
	}
	return nil
}

// profileNameLike reports whether an unknown profile name may be shown:
// it looks like a name (redact.NameLike) once stripped of surrounding
// space and of control characters, which quote shows escaped
// ("production\x00").
func profileNameLike(name string) bool {
	return redact.NameLike(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(name)))
}
