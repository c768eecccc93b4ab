package bind

import (
	"fmt"
	"reflect"
	"strings"
)

// A Group is a []T or map[string]T field, T a struct, with a prefix tag:
// a list or a set of named elements, each a struct of variables. The
// elements' variables are the prefix, the element's index or key, '_',
// and the element field's name: UPSTREAM_0_HOST, POOL_PRIMARY_HOST. Build
// only records the group; the caller builds the element type's plan.
type Group struct {
	Index  []int        // index path of the slice or map field
	Prefix string       // the elements' variable prefix, nested prefixes included: "UPSTREAM_"
	Path   string       // Go field path, such as "Upstreams"
	Type   reflect.Type // []T or map[string]T (or a named type of either)
	Elem   reflect.Type // T
	Doc    string       // the doc tag
}

// IsMap reports whether the group's elements are named by keys rather
// than numbered.
func (g *Group) IsMap() bool { return g.Type.Kind() == reflect.Map }

// addGroup records the field sf, which has a prefix tag and is not a
// nested struct, as a group, or says why it cannot be one. prefix is the
// enclosing structs' prefix.
func (p *Plan) addGroup(sf reflect.StructField, idx []int, prefix, fpath string, hasEnv bool, cfg Config) error {
	ft := sf.Type
	if ft.Kind() != reflect.Slice && ft.Kind() != reflect.Map {
		return fmt.Errorf("%s: a prefix tag on a %s groups nothing; it belongs on a struct, []struct or map[string]struct field", fpath, ft)
	}
	elem := ft.Elem()
	if elem.Kind() == reflect.Pointer && elem.Elem().Kind() == reflect.Struct && !isLeaf(elem.Elem(), cfg) {
		return fmt.Errorf("%s: a group's elements must be structs, not pointers to structs: use %s of %s", fpath, kindWord(ft), elem.Elem())
	}
	if elem.Kind() != reflect.Struct || isLeaf(elem, cfg) {
		return fmt.Errorf("%s: a prefix tag on a %s groups nothing; it belongs on a struct, []struct or map[string]struct field (a list of values takes an env tag)", fpath, ft)
	}
	if ft.Kind() == reflect.Map && ft.Key().Kind() != reflect.String {
		return fmt.Errorf("%s: a map group needs string keys, not %s: the key is part of a variable's name", fpath, ft.Key())
	}
	if hasEnv {
		return fmt.Errorf("%s: both env and prefix tags: a group of structs takes a prefix tag only", fpath)
	}
	for _, tag := range []string{"default", "required", "sep", "kvsep"} {
		if _, ok := sf.Tag.Lookup(tag); ok {
			return fmt.Errorf("%s: a %s tag does not apply to a group of structs; put it on the element's fields", fpath, tag)
		}
	}
	full := prefix + sf.Tag.Get("prefix")
	if !strings.HasSuffix(full, "_") || !namePattern.MatchString(full) {
		return fmt.Errorf("%s: a group's prefix %q must end in \"_\" and be a valid variable name prefix, such as \"UPSTREAM_\"", fpath, full)
	}
	for _, g := range p.Groups {
		if strings.HasPrefix(g.Prefix, full) || strings.HasPrefix(full, g.Prefix) {
			return fmt.Errorf("%s: its prefix %s and the prefix %s of %s overlap: a variable could belong to either; rename one", fpath, full, g.Prefix, g.Path)
		}
	}
	p.Groups = append(p.Groups, Group{Index: idx, Prefix: full, Path: fpath, Type: ft, Elem: elem, Doc: sf.Tag.Get("doc")})
	return nil
}

func kindWord(t reflect.Type) string {
	if t.Kind() == reflect.Map {
		return "map[string]"
	}
	return "[]"
}
