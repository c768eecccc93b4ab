package prodready

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/prodready/prodready/internal/bind"
	"github.com/prodready/prodready/internal/cfgfile"
)

// A groupPlan is a []T or map[string]T field with a prefix tag: its
// elements are structs of variables named PREFIX + index or key + "_" +
// the element field's name.
type groupPlan struct {
	bind.Group
	elem    *planEntry
	names   []string // the element's variable names, NAME and NAME_FILE forms, longest first
	fileKey string   // the key a config file gives the group: the prefix without its final "_"
}

// maxGroupIndex is the highest index a list group's variable may give: an
// index is also the list's length, and no environment holds a million
// variables.
const maxGroupIndex = 999_999

// groupPlans builds the element plans of p's groups and refuses the
// combinations that cannot load soundly.
func groupPlans(p *bind.Plan) ([]*groupPlan, error) {
	var out []*groupPlan
	for _, g := range p.Groups {
		// Built once more here only to find nested groups before planFor
		// would recurse into them.
		if ep, err := bind.Build(g.Elem, planConfig); err == nil && len(ep.Groups) > 0 {
			return nil, fmt.Errorf("%s: a group's elements cannot hold groups themselves (%s in %s)", g.Path, ep.Groups[0].Path, g.Elem)
		}
		if reflect.PointerTo(g.Elem).Implements(reflect.TypeFor[hasBase]()) {
			return nil, fmt.Errorf("%s: a group's elements cannot embed prodready.Base", g.Path)
		}
		e := planFor(g.Elem)
		if e.err != nil {
			return nil, fmt.Errorf("%s: element %s: %w", g.Path, g.Elem, e.err)
		}
		gp := &groupPlan{Group: g, elem: e, fileKey: strings.TrimSuffix(g.Prefix, "_")}
		for _, f := range e.plan.Fields {
			if holdsType(f.Type, memSizeType) {
				return nil, fmt.Errorf("%s.%s: a MemorySize cannot be in a group's element (its percentage is resolved once, at the top level)", g.Path, f.Path)
			}
			gp.names = append(gp.names, f.Name, f.FileName)
		}
		slices.SortStableFunc(gp.names, func(a, b string) int { return len(b) - len(a) })
		if g.IsMap() {
			// POOL_A_PROXY_HOST could be key A_PROXY and field HOST, or
			// key A and field PROXY_HOST: refuse names that make keys
			// ambiguous rather than guess.
			for _, a := range gp.names {
				for _, b := range gp.names {
					if a != b && strings.HasSuffix(a, "_"+b) {
						return nil, fmt.Errorf("%s: element fields %s and %s make a map key ambiguous (%sKEY_%s); rename one", g.Path, a, b, g.Prefix, a)
					}
				}
			}
		}
		out = append(out, gp)
	}
	// A field's own variable must not read as an element's.
	pe := &planEntry{grp: out}
	for _, f := range p.Fields {
		for _, name := range []string{f.Name, f.FileName} {
			if gi, key, _, ok := pe.elementOf(name); ok {
				return nil, fmt.Errorf("%s: variable %s also names element %s of %s; rename one", f.Path, name, key, out[gi].Path)
			}
		}
	}
	return out, nil
}

// addGroupKeys lets a config file nest a group under any of its prefix's
// parts (http: {upstreams: [...]}) as it can a field's.
func (pe *planEntry) addGroupKeys() {
	for _, g := range pe.grp {
		for i := 0; i < len(g.fileKey); i++ {
			if g.fileKey[i] == '_' && i > 0 {
				pe.groups[g.fileKey[:i+1]] = true
			}
		}
	}
}

// fileGroup reports whether a config file's key (upper case, nested
// prefixes included) names a group, and records its value.
func (l *loader) fileGroup(key, file string, fl cfgfile.Field, seen map[int]int) bool {
	for gi, g := range l.pe.grp {
		if g.fileKey != key {
			continue
		}
		origin := Origin{Source: SourceFile, Name: file, Line: fl.Line}
		if first, dup := seen[-1-gi]; dup {
			l.errorf(Finding{ID: idConfigFile, Key: l.o.Prefix + g.Prefix, Field: g.Path, Origin: origin, Hint: "keep one of them"},
				ErrInvalid, nil, "%s:%d: %s is set twice in %s (lines %d and %d)", file, fl.Line, key, file, first, fl.Line)
			return true
		}
		seen[-1-gi] = fl.Line
		if l.groupFiles == nil {
			l.groupFiles = map[int]fileValue{}
		}
		if fl.Value.Kind == cfgfile.Null {
			delete(l.groupFiles, gi)
			return true
		}
		// A later file's list or map replaces an earlier one's whole, as a
		// list field's does.
		l.groupFiles[gi] = fileValue{node: fl.Value, file: file, line: fl.Line}
		return true
	}
	return false
}

// An element is one element of a group to load: its key (the index of a
// list's), the spelling of that key in its variables' names, and its
// node in a config file, if any.
type element struct {
	key   string
	spell string
	node  *cfgfile.Node
}

// loadGroups loads every group's elements from the overrides, the
// environment, the .env file and the config files, element field by
// element field, with the same precedence, defaults, requirements and
// secrecy as a field's.
func (l *loader) loadGroups(nv reflect.Value, custom bind.Custom) {
	if len(l.pe.grp) == 0 {
		return
	}
	names, listed := l.groupNames()
	for gi, g := range l.pe.grp {
		fv, hasFile := l.groupFiles[gi]
		var elems []element
		var ok bool
		if g.IsMap() {
			elems, ok = l.mapElements(gi, g, names, listed, fv, hasFile)
		} else {
			elems, ok = l.listElements(gi, g, names, listed, fv, hasFile)
		}
		if !ok || len(elems) == 0 {
			continue
		}
		out := nv.FieldByIndex(g.Index)
		if g.IsMap() {
			out.Set(reflect.MakeMapWithSize(g.Type, len(elems)))
		} else {
			out.Set(reflect.MakeSlice(g.Type, len(elems), len(elems)))
		}
		for i, el := range elems {
			ev := reflect.New(g.Elem).Elem()
			l.loadElement(g, el, ev, custom)
			if g.IsMap() {
				out.SetMapIndex(reflect.ValueOf(el.key).Convert(g.Type.Key()), ev)
			} else {
				out.Index(i).Set(ev)
			}
		}
	}
}

// groupNames lists the variable names, without Options.Prefix, that the
// overrides, the environment and the .env file set; listed says whether
// the environment could list its own.
func (l *loader) groupNames() (names []string, listed bool) {
	add := func(name string) {
		if bare, ok := strings.CutPrefix(name, l.o.Prefix); ok {
			names = append(names, bare)
		}
	}
	for k := range l.o.Overrides {
		add(k)
	}
	switch env := l.env.(type) {
	case NamedEnvironment:
		listed = true
		for _, name := range env.Names() {
			add(name)
		}
	}
	for k := range l.dotenv {
		add(k)
	}
	slices.Sort(names)
	return slices.Compact(names), listed
}

// listElements finds the elements of a list group: its config file's items
// and the indexes its variables give, which must run from 0 without gaps.
func (l *loader) listElements(gi int, g *groupPlan, names []string, listed bool, fv fileValue, hasFile bool) ([]element, bool) {
	var items []cfgfile.Node
	if hasFile {
		if fv.node.Kind != cfgfile.List {
			l.groupFileErr(g, fv, "holds a %s; want a list of maps, one per element", fv.node.Kind)
			return nil, false
		}
		items = fv.node.Items
	}
	byIndex := map[int]string{} // index -> the first variable that gives it
	fail := false
	for _, name := range names {
		gj, key, _, ok := l.pe.elementOf(name)
		if gj != gi || !ok || !l.setNonEmpty(name) {
			continue
		}
		n, err := strconv.Atoi(key)
		if err != nil || n < 0 || n > maxGroupIndex || strconv.Itoa(n) != key {
			fail = true
			l.errorf(Finding{ID: idInvalid, Key: safeKey(l.o.Prefix + name), Field: g.Path, Hint: fmt.Sprintf("number the elements %s%s0_..., %s%s1_...", l.o.Prefix, g.Prefix, l.o.Prefix, g.Prefix)},
				ErrInvalid, nil, "%s is a list: an element's index is a number from 0 to %d without leading zeros, not %s", l.o.Prefix+g.Prefix, maxGroupIndex, quote(key))
			continue
		}
		if _, seen := byIndex[n]; !seen {
			byIndex[n] = name
		}
	}
	if !listed {
		// A LookupFunc cannot list its names: look for each index's
		// variables in turn, up to the first index that has none.
		for n := len(items); ; n++ {
			if _, seen := byIndex[n]; seen {
				continue
			}
			name, found := l.probeElement(g, strconv.Itoa(n))
			if !found {
				break
			}
			byIndex[n] = name
		}
	}
	if fail {
		return nil, false
	}
	size := len(items)
	for n := range byIndex {
		size = max(size, n+1)
	}
	for n := 0; n < size; n++ {
		if _, ok := byIndex[n]; ok || n < len(items) {
			continue
		}
		next := n + 1
		for ; next < size; next++ {
			if _, ok := byIndex[next]; ok {
				break
			}
		}
		l.errorf(Finding{ID: idInvalid, Key: safeKey(l.o.Prefix + byIndex[next]), Field: g.Path, Hint: fmt.Sprintf("number the elements of %s%s from 0 without gaps", l.o.Prefix, g.Prefix)},
			ErrInvalid, nil, "sets element %d of %s%s, but no variable or config file item gives element %d: indexes run from 0 without gaps", next, l.o.Prefix, g.Prefix, n)
		return nil, false
	}
	elems := make([]element, size)
	for n := range elems {
		elems[n] = element{key: strconv.Itoa(n), spell: strconv.Itoa(n)}
		if n < len(items) {
			elems[n].node = &items[n]
		}
	}
	return elems, true
}

// mapElements finds the elements of a map group: its config file's keys
// and the keys its variables give, matched without regard to case and
// stored in lower case.
func (l *loader) mapElements(gi int, g *groupPlan, names []string, listed bool, fv fileValue, hasFile bool) ([]element, bool) {
	byKey := map[string]*element{}
	var order []string
	if hasFile {
		if fv.node.Kind != cfgfile.Map {
			l.groupFileErr(g, fv, "holds a %s; want a map of maps, one per element", fv.node.Kind)
			return nil, false
		}
		for i := range fv.node.Fields {
			fl := &fv.node.Fields[i]
			k := strings.ToLower(fl.Key)
			if !validKey(fl.Key) {
				l.groupFileErr(g, fileValue{file: fv.file, line: fl.Line}, "has the key %s; want 1 to 64 letters, digits, '_', '-' or '.'", quote(fl.Key))
				return nil, false
			}
			if _, dup := byKey[k]; dup {
				l.groupFileErr(g, fileValue{file: fv.file, line: fl.Line}, "has the key %s twice (keys match without regard to case)", quote(fl.Key))
				return nil, false
			}
			byKey[k] = &element{key: k, spell: strings.ToUpper(fl.Key), node: &fl.Value}
			order = append(order, k)
		}
	}
	if !listed {
		l.errorf(Finding{ID: idInvalid, Key: l.o.Prefix + g.Prefix, Field: g.Path, Hint: "use an Environment that lists its names, such as prodready.ProcessEnv() or a MapEnv"},
			ErrInvalid, nil, "the environment cannot list its variables (a LookupFunc), so the elements of the map group %s%s cannot be found in it", l.o.Prefix, g.Prefix)
		return nil, false
	}
	fromEnv := map[string]string{} // lower-case key -> the spelling variables use
	for _, name := range names {
		gj, key, _, ok := l.pe.elementOf(name)
		if gj != gi || !ok || !l.setNonEmpty(name) {
			continue
		}
		k := strings.ToLower(key)
		if !validKey(key) {
			l.errorf(Finding{ID: idInvalid, Key: safeKey(l.o.Prefix + name), Field: g.Path, Hint: "rename the variable"},
				ErrInvalid, nil, "names the key %s of %s%s; want 1 to 64 letters, digits, '_', '-' or '.'", quote(key), l.o.Prefix, g.Prefix)
			return nil, false
		}
		if prev, seen := fromEnv[k]; seen && prev != key {
			l.errorf(Finding{ID: idInvalid, Key: safeKey(l.o.Prefix + name), Field: g.Path, Hint: "spell the key one way in every variable of the element"},
				ErrInvalid, nil, "the key of element %s is spelled %s elsewhere; keys match without regard to case", quote(key), quote(prev))
			return nil, false
		}
		fromEnv[k] = key
		if e, ok := byKey[k]; ok {
			e.spell = key
			continue
		}
		byKey[k] = &element{key: k, spell: key}
		order = append(order, k)
	}
	slices.Sort(order)
	elems := make([]element, len(order))
	for i, k := range order {
		elems[i] = *byKey[k]
	}
	return elems, true
}

// setNonEmpty reports whether the variable bare (without Options.Prefix)
// has a non-empty value at some level: an empty one, unset everywhere
// else, does not make an element.
func (l *loader) setNonEmpty(bare string) bool {
	for level := levelOverride; level <= levelDotEnv; level++ {
		if v, ok := l.lookupAt(level, l.o.Prefix+bare); ok && v != "" {
			return true
		}
	}
	return false
}

// probeElement looks up the variables of one element of a list group in an
// environment that cannot list them; name is the first one found.
func (l *loader) probeElement(g *groupPlan, key string) (name string, found bool) {
	for _, n := range g.names {
		if name := g.Prefix + key + "_" + n; l.setNonEmpty(name) {
			return name, true
		}
	}
	return "", false
}

// groupFileErr reports a config file's group (a list or map of structs)
// that cannot be loaded, at the file and line of its key.
func (l *loader) groupFileErr(g *groupPlan, fv fileValue, format string, args ...any) {
	origin := Origin{Source: SourceFile, Name: fv.file, Line: fv.line}
	l.errorf(Finding{ID: idConfigFile, Key: l.o.Prefix + g.Prefix, Field: g.Path, Origin: origin, Hint: "fix the file"},
		ErrInvalid, nil, "%s: %s "+format, append([]any{origin, strings.ToLower(g.fileKey)}, args...)...)
}

// loadElement loads one element into ev with a loader of its own: the
// element's plan, and a prefix that makes its fields' names the element's
// variables. Its findings, and its variables for the report, join the
// load's.
func (l *loader) loadElement(g *groupPlan, el element, ev reflect.Value, custom bind.Custom) {
	sub := &loader{o: l.o, plan: g.elem.plan, pe: g.elem, env: l.env, fsys: l.fsys, prof: l.prof, dotenv: l.dotenv, inGroup: true}
	sub.o.Prefix = l.o.Prefix + g.Prefix + el.spell + "_"
	sub.fields = make([]fieldState, len(sub.plan.Fields))
	sub.fileVals = map[int]fileValue{}
	path := g.Path + "[" + strconv.Quote(el.key) + "]"
	if !g.IsMap() {
		path = g.Path + "[" + el.key + "]"
	}
	if n := el.node; n != nil {
		fv := l.groupFiles[slices.Index(l.pe.grp, g)]
		switch n.Kind {
		case cfgfile.Map:
			sub.mapNode(fv.file, "", *n, map[int]int{})
		case cfgfile.Null:
		default:
			l.groupFileErr(g, fileValue{file: fv.file, line: n.Line}, "element %s is a %s; want a map of its fields", quote(el.key), n.Kind)
		}
	}
	for j := range sub.plan.Fields {
		sub.loadField(j, ev, custom)
	}
	for _, f := range sub.findings {
		if f.Field != "" {
			f.Field = path + "." + f.Field
		}
		l.add(f)
	}
	for j := range sub.plan.Fields {
		f := &sub.plan.Fields[j]
		l.groupVars = append(l.groupVars, sub.elementVar(f, path+"."+f.Path, ev.FieldByIndex(f.Index), j))
		if sub.fields[j].origin.Source == SourceEnvFile {
			// Read from a NAME_FILE file: a secret whatever the type, whose
			// copies elsewhere are hidden too (secret_copies.go).
			l.addSecretText(strings.TrimSpace(sub.fields[j].raw))
		}
		if g.elem.sensitive[j] {
			l.groupSecrets = append(l.groupSecrets, sub.o.Prefix+f.Name, sub.o.Prefix+f.FileName)
		}
	}
}

// elementVar is the report's line for field j of an element, by the
// report's rules for a field: a SecretURL shows with its password removed,
// other secrets and anything read through NAME_FILE as Redacted.
func (l *loader) elementVar(f *bind.Field, path string, fv reflect.Value, j int) Var {
	v := Var{Name: l.o.Prefix + f.Name, Field: path, Type: f.Type.String(), Secret: f.Secret, Origin: l.fields[j].origin, Doc: f.Doc}
	if v.Origin.Source == SourceEnvFile || holdsSecret(f.Type) && f.Type != secretURLType {
		v.Secret = true
	}
	if !v.Secret {
		v.Value = render(fv, f.Sep, f.KVSep)
		v.Set = v.Value != ""
		return v
	}
	v.Set = !fv.IsZero()
	if s, ok := fv.Interface().(Secret); ok {
		v.Set = s.IsSet()
		v.Length = lengthClass(s.Len())
	}
	if v.Set {
		v.Value = Redacted
	}
	return v
}

// groupLines are the fingerprint's lines for the groups' elements, named
// as their variables are.
func (fp fingerprinter) groupLines(pe *planEntry, v reflect.Value, secret map[string]bool) []string {
	var lines []string
	for _, g := range pe.grp {
		gv := v.FieldByIndex(g.Index)
		each := func(key string, path string, ev reflect.Value) {
			for j := range g.elem.plan.Fields {
				f := &g.elem.plan.Fields[j]
				name := g.Prefix + key + "_" + f.Name
				fv := ev.FieldByIndex(f.Index)
				text := fp.value(name, fv, f.Sep, f.KVSep)
				if secret[path+"."+f.Path] && !holdsSecret(f.Type) {
					text = fp.secret(name, renderValue(fv, f.Sep, f.KVSep))
				}
				lines = append(lines, name+"="+text)
			}
		}
		if g.IsMap() {
			it := gv.MapRange()
			for it.Next() {
				k := it.Key().String()
				each(strings.ToUpper(k), g.Path+"["+strconv.Quote(k)+"]", it.Value())
			}
			continue
		}
		for i := range gv.Len() {
			each(strconv.Itoa(i), g.Path+"["+strconv.Itoa(i)+"]", gv.Index(i))
		}
	}
	return lines
}

// everyField returns the fields of the plan and of its groups' elements,
// the latter with paths such as "Upstreams[].Host", for the checks made
// once per load.
func (pe *planEntry) everyField() []bind.Field {
	if len(pe.grp) == 0 {
		return pe.plan.Fields
	}
	out := slices.Clone(pe.plan.Fields)
	for _, g := range pe.grp {
		for _, f := range g.elem.plan.Fields {
			f.Path = g.Path + "[]." + f.Path
			out = append(out, f)
		}
	}
	return out
}

// groupDocs documents the groups' element variables for [Describe], named
// with a placeholder for the index or key: UPSTREAM_<n>_HOST,
// POOL_<KEY>_HOST.
func (pe *planEntry) groupDocs(prefix string) []VarDoc {
	var docs []VarDoc
	for _, g := range pe.grp {
		slot := "<n>"
		if g.IsMap() {
			slot = "<KEY>"
		}
		for j := range g.elem.plan.Fields {
			f := &g.elem.plan.Fields[j]
			d := VarDoc{
				Name:       prefix + g.Prefix + slot + "_" + f.Name,
				Field:      g.Path + "[]." + f.Path,
				Type:       f.Type.String(),
				Default:    redactURLPasswords(f.Default),
				HasDefault: f.HasDefault,
				Required:   f.Required,
				RequiredIn: slices.Clone(f.RequiredIn),
				Secret:     g.elem.sensitive[j] && f.Type != secretURLType,
				Doc:        f.Doc,
			}
			if d.Secret && d.Default != "" {
				d.Default = Redacted
			}
			docs = append(docs, d)
		}
	}
	return docs
}
