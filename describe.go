package prodready

import (
	"fmt"
	"reflect"
	"slices"
)

// A VarDoc documents one variable of a configuration struct, as its tags
// declare it: what [Describe] returns, for a tool that lists every variable
// a service reads (prodready env).
type VarDoc struct {
	Name  string `json:"name"`  // variable name, Options.Prefix included
	Field string `json:"field"` // Go field path, such as "Base.SecretKey"
	Type  string `json:"type"`  // Go type, such as "time.Duration"
	// Default is the default tag; HasDefault says whether there is one.
	// A secret's default is shown as Redacted.
	Default    string `json:"default,omitempty"`
	HasDefault bool   `json:"has_default"`
	// ProfileDefaults are the defaults profiles set for the variable, each
	// profile's own (a derived profile also inherits its parent's), in the
	// order Describe lists the profiles.
	ProfileDefaults []ProfileDefault `json:"profile_defaults,omitempty"`
	Required        bool             `json:"required,omitempty"`    // required:"true": required under every profile
	RequiredIn      []string         `json:"required_in,omitempty"` // the profiles (and those derived from them) that require it
	Secret          bool             `json:"secret"`                // whether its value is a secret, never shown
	Doc             string           `json:"doc,omitempty"`         // the doc tag
}

// A ProfileDefault is the default one profile sets for a variable.
type ProfileDefault struct {
	Profile string `json:"profile"`
	Value   string `json:"value"` // Redacted for a secret
}

// Describe returns the documentation of every variable of the struct dst
// points to (or of dst, a struct), in the order Load reads them, without
// reading any source. The profiles whose defaults it lists are the built-in
// ones, then opts.Profiles and opts.Profile; only opts.Profiles,
// opts.Profile, opts.Prefix and opts.Decoders are used. A nil opts is the
// zero [Options]. Secrets' defaults are shown as [Redacted], and passwords
// in URL defaults are removed.
//
// The error, for a struct whose tags are mistaken, is the one Load returns.
// Describe is safe for concurrent use.
func Describe(dst any, opts *Options) ([]VarDoc, error) {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("prodready: Describe needs a struct or a pointer to one, got %T", dst)
	}
	pe := planFor(t)
	if pe.err != nil {
		return nil, fmt.Errorf("prodready: %s: %w", t, pe.err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	profiles := BuiltinProfiles()
	for _, p := range append(slices.Clone(o.Profiles), o.Profile) {
		// A profile's ancestors come first, so that a parent's defaults are
		// listed before those of the profiles derived from it.
		var line []Profile
		for x := p.p; x != nil; x = x.parent {
			line = append(line, Profile{x})
		}
		for _, q := range slices.Backward(line) {
			if !slices.Contains(profiles, q) {
				profiles = append(profiles, q)
			}
		}
	}
	docs := make([]VarDoc, 0, len(pe.plan.Fields))
	for i := range pe.plan.Fields {
		f := &pe.plan.Fields[i]
		if f.NeedsDecoder && o.Decoders[f.Type] == nil {
			// The error Load would return: a struct it cannot load is
			// not documented as if it could.
			return nil, fmt.Errorf("prodready: %s: %s: unsupported type %s: implement encoding.TextUnmarshaler or register a decoder in Options.Decoders", t, f.Path, f.Type)
		}
		d := VarDoc{
			Name:       o.Prefix + f.Name,
			Field:      f.Path,
			Type:       f.Type.String(),
			Default:    f.Default,
			HasDefault: f.HasDefault,
			Required:   f.Required,
			RequiredIn: slices.Clone(f.RequiredIn),
			Secret:     pe.sensitive[i] && f.Type != secretURLType,
			Doc:        f.Doc,
		}
		for _, p := range profiles {
			if v, ok := p.p.defaults[f.Name]; ok {
				d.ProfileDefaults = append(d.ProfileDefaults, ProfileDefault{Profile: p.Name(), Value: v})
			}
		}
		if d.Secret {
			if d.Default != "" {
				d.Default = Redacted
			}
			for j := range d.ProfileDefaults {
				if d.ProfileDefaults[j].Value != "" {
					d.ProfileDefaults[j].Value = Redacted
				}
			}
		} else {
			// A URL default (a SecretURL's, or a plain string's) shows its
			// host but not its password, as the report does.
			d.Default = redactURLPasswords(d.Default)
			for j := range d.ProfileDefaults {
				d.ProfileDefaults[j].Value = redactURLPasswords(d.ProfileDefaults[j].Value)
			}
		}
		docs = append(docs, d)
	}
	for _, f := range pe.everyField()[len(pe.plan.Fields):] {
		if f.NeedsDecoder && o.Decoders[f.Type] == nil {
			return nil, fmt.Errorf("prodready: %s: %s: unsupported type %s: implement encoding.TextUnmarshaler or register a decoder in Options.Decoders", t, f.Path, f.Type)
		}
	}
	docs = append(docs, pe.groupDocs(o.Prefix)...)
	return docs, nil
}
