// Package bind walks a configuration struct once per type and decodes
// strings into its fields.
//
// A [Plan] is the flattened list of a struct's configuration fields, with
// their variable names, tag values and a decoder chosen once for the field's
// type. Building a plan is the only reflective walk of the type; loading then
// touches each field by index. Plans are immutable once built and safe to
// share between goroutines.
package bind

import (
	"encoding"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// A Field is one configuration variable of a struct.
type Field struct {
	Index      []int        // index path from the root struct, for reflect.Value.FieldByIndex
	Name       string       // variable name, nested prefixes included
	FileName   string       // Name + "_FILE"
	Path       string       // Go field path, such as "Base.SecretKey"
	Type       reflect.Type // the field's type
	Default    string       // the default tag
	HasDefault bool         // whether the default tag is present
	Required   bool         // required:"true"
	RequiredIn []string     // required:"production,staging": required only in these profiles
	Doc        string       // the doc tag
	Sep        string       // separator of slice elements and map entries
	KVSep      string       // separator of a map entry's key and value
	Secret     bool         // the field's type (or its element type) is secret
	Key        bool         // key:"true": a secret judged as a signing key under hardened profiles
	// NeedsDecoder is set when no built-in decoding handles the type: a
	// load must register a decoder for it.
	NeedsDecoder bool
	decode       decodeFunc
	elem, key    decodeFunc // element and key decoders of slices and maps
}

// A Plan is the list of configuration fields of one struct type.
type Plan struct {
	Type   reflect.Type
	Fields []Field
	Groups []Group // the []struct and map[string]struct fields with a prefix tag
	byName map[string]int
}

// Lookup returns the index in p.Fields of the field named name.
func (p *Plan) Lookup(name string) (int, bool) {
	i, ok := p.byName[name]
	return i, ok
}

// Config says which types the plan treats specially.
type Config struct {
	// IsSecret reports whether values of t must never be shown.
	IsSecret func(t reflect.Type) bool
	// Leaf reports whether a struct type t is a single value that the
	// caller decodes itself, rather than a nested group of fields.
	Leaf func(t reflect.Type) bool
	// Decoders are the caller's own decoders for its types, used before
	// encoding.TextUnmarshaler: they can set a value without the []byte
	// copy UnmarshalText needs. Their errors never quote the value.
	Decoders map[reflect.Type]func(v reflect.Value, s string) error
}

var namePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Build walks t, which must be a struct type, and returns its plan. The
// error describes a mistake in the struct's tags; it is a programming error,
// not bad input.
func Build(t reflect.Type, cfg Config) (*Plan, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%s is not a struct", t)
	}
	p := &Plan{Type: t, byName: map[string]int{}}
	if err := p.walk(t, nil, "", "", cfg, 0); err != nil {
		return nil, err
	}
	for _, f := range p.Fields {
		if j, ok := p.byName[f.FileName]; ok {
			return nil, fmt.Errorf("%s: variable %s is also the file form of %s (%s): rename one", p.Fields[j].Path, f.FileName, f.Name, f.Path)
		}
	}
	return p, nil
}

func (p *Plan) walk(t reflect.Type, index []int, prefix, path string, cfg Config, depth int) error {
	if depth > 16 {
		return fmt.Errorf("%s: structs nested more than 16 deep", path)
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() && !sf.Anonymous {
			continue
		}
		env, hasEnv := sf.Tag.Lookup("env")
		if env == "-" {
			continue
		}
		idx := append(append([]int(nil), index...), i)
		fpath := sf.Name
		if path != "" {
			fpath = path + "." + sf.Name
		}
		ft := sf.Type
		nested := ft.Kind() == reflect.Struct && !isLeaf(ft, cfg)
		if nested && !hasEnv {
			// An unexported embedded struct is walked too: reflect can set
			// its exported fields, as encoding/json does.
			sub := prefix + sf.Tag.Get("prefix")
			if _, ok := sf.Tag.Lookup("prefix"); !ok && !sf.Anonymous {
				// A named nested struct without a prefix tag shares the
				// parent's namespace, like an embedded one.
				sub = prefix
			}
			if sub != prefix && !namePattern.MatchString(sub) {
				return fmt.Errorf("%s: prefix %q is not a valid variable name prefix", fpath, sub)
			}
			if err := p.walk(ft, idx, sub, fpath, cfg, depth+1); err != nil {
				return err
			}
			continue
		}
		if _, hasPrefix := sf.Tag.Lookup("prefix"); !hasEnv && (sf.Anonymous || hasPrefix) &&
			ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !isLeaf(ft.Elem(), cfg) {
			// Its fields would be silently ignored (and an embedded
			// *prodready.Base left nil).
			return fmt.Errorf("%s: a pointer to a struct cannot group variables: embed or use the struct value", fpath)
		}
		if _, hasPrefix := sf.Tag.Lookup("prefix"); hasPrefix && !nested && sf.IsExported() {
			if err := p.addGroup(sf, idx, prefix, fpath, hasEnv, cfg); err != nil {
				return err
			}
			continue
		}
		if !hasEnv || !sf.IsExported() {
			continue
		}
		if !namePattern.MatchString(env) {
			return fmt.Errorf("%s: env tag %q is not a valid variable name (letters, digits and _, not starting with a digit)", fpath, env)
		}
		f := Field{
			Index:    idx,
			Name:     prefix + env,
			FileName: prefix + env + "_FILE",
			Path:     fpath,
			Type:     ft,
			Doc:      sf.Tag.Get("doc"),
			Sep:      ",",
			KVSep:    "=",
		}
		f.Default, f.HasDefault = sf.Tag.Lookup("default")
		if s, ok := sf.Tag.Lookup("sep"); ok {
			if s == "" {
				return fmt.Errorf("%s: sep tag is empty", fpath)
			}
			f.Sep = s
		}
		if s, ok := sf.Tag.Lookup("kvsep"); ok {
			if s == "" {
				return fmt.Errorf("%s: kvsep tag is empty", fpath)
			}
			f.KVSep = s
		}
		if r, ok := sf.Tag.Lookup("required"); ok {
			switch r {
			case "true":
				f.Required = true
			case "false", "":
			default:
				for _, name := range strings.Split(r, ",") {
					name = strings.TrimSpace(name)
					if name == "" {
						return fmt.Errorf("%s: required tag %q has an empty profile name", fpath, r)
					}
					f.RequiredIn = append(f.RequiredIn, strings.ToLower(name)) // profile names are lower case
				}
			}
		}
		if f.Required && f.HasDefault {
			return fmt.Errorf("%s: required:\"true\" and a default contradict each other; drop one", fpath)
		}
		f.Secret = cfg.IsSecret != nil && (cfg.IsSecret(ft) || (ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map) && cfg.IsSecret(ft.Elem()))
		if k, ok := sf.Tag.Lookup("key"); ok {
			switch {
			case k != "true" && k != "false":
				return fmt.Errorf("%s: key tag %q: want key:\"true\"", fpath, k)
			case k == "true" && (cfg.IsSecret == nil || !cfg.IsSecret(ft) && (ft.Kind() != reflect.Slice || !cfg.IsSecret(ft.Elem()))):
				return fmt.Errorf("%s: key:\"true\" is for a Secret or a []Secret, not %s", fpath, ft)
			}
			f.Key = k == "true"
		}
		dec, err := fieldDecoder(ft, cfg, f.Sep, f.KVSep)
		if errors.Is(err, errUnsupported) && !f.IsList() && !f.IsMap() {
			f.NeedsDecoder = true
			dec = decodeCustom(ft, func(reflect.Value, string, Custom) error {
				return fmt.Errorf("no decoder registered for %s", ft)
			})
			err = nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", fpath, err)
		}
		f.decode = dec
		if f.IsList() || f.IsMap() {
			if f.elem, err = decoderFor(ft.Elem(), cfg); err != nil {
				return fmt.Errorf("%s: %w", fpath, err)
			}
		}
		if f.IsMap() {
			if f.key, err = decoderFor(ft.Key(), cfg); err != nil {
				return fmt.Errorf("%s: %w", fpath, err)
			}
		}
		if prev, dup := p.byName[f.Name]; dup {
			return fmt.Errorf("%s: variable %s is already bound to %s", fpath, f.Name, p.Fields[prev].Path)
		}
		p.byName[f.Name] = len(p.Fields)
		p.Fields = append(p.Fields, f)
	}
	return nil
}

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
	urlType             = reflect.TypeFor[url.URL]()
)

func isLeaf(t reflect.Type, cfg Config) bool {
	if t == urlType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	return cfg.Leaf != nil && cfg.Leaf(t)
}
