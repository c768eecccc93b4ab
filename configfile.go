package prodready

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/prodready/prodready/internal/cfgfile"
	"github.com/prodready/prodready/internal/redact"
	"github.com/prodready/prodready/internal/regularfile"
)

// fileValue is a field's value as a config file gives it: the node, not
// its text, so that a list or map is decoded item by item, and where it
// was found, for the origin.
type fileValue struct {
	node cfgfile.Node
	file string
	line int
}

// readConfigFiles reads the YAML and JSON files and maps their keys to
// fields.
func (l *loader) readConfigFiles() {
	files := l.o.ConfigFiles
	if files == nil {
		for level := levelOverride; level <= levelEnv; level++ {
			if v, ok := l.lookupAt(level, l.o.Prefix+"CONFIG_FILE"); ok && strings.TrimSpace(v) != "" {
				files = []string{strings.TrimSpace(v)}
				break
			}
		}
	}
	for _, name := range files {
		// A CONFIG_FILE variable may hold anything: every message, and
		// the origins, show the path in showPath's form.
		shown := showPath(name)
		origin := Origin{Source: SourceFile, Name: shown}
		if len(name) > MaxPathSize {
			l.errorf(Finding{ID: idConfigFile, Origin: origin, Hint: "fix the path"},
				ErrInvalid, nil, "config file %s: the path is %d bytes, longer than the %d-byte limit", shown, len(name), MaxPathSize)
			continue
		}
		b, err := l.readConfigBytes(name)
		if err != nil {
			hint := "fix the path or the file's permissions"
			if se := (*sizeError)(nil); errors.As(err, &se) {
				hint = "keep the file under " + sizeString(cfgfile.MaxSize) + ", or split it across several files"
			}
			l.errorf(Finding{ID: idConfigFile, Origin: origin, Hint: hint},
				ErrInvalid, err, "config file %s %s", shown, err)
			continue
		}
		root, err := cfgfile.Parse(name, b)
		if err != nil {
			var ce *cfgfile.Error
			if errors.As(err, &ce) {
				origin.Line = ce.Line
				ce.File = shown
			}
			l.errorf(Finding{ID: idConfigFile, Origin: origin, Hint: "fix the file"}, ErrInvalid, err, "%s", err)
			continue
		}
		if l.fileVals == nil {
			l.fileVals = map[int]fileValue{}
		}
		l.mapNode(shown, "", root, map[int]int{})
	}
}

// readConfigBytes reads one config file, refusing a directory, a special
// file or one over MaxConfigFileSize before reading it.
func (l *loader) readConfigBytes(name string) ([]byte, error) {
	fp := fsPath(l.fsys, name)
	st, err := fs.Stat(l.fsys, fp)
	if err != nil {
		return nil, fileErr(err)
	}
	if st.IsDir() {
		return nil, errors.New("is a directory, want a file")
	}
	if err := regularfile.Check(st); err != nil {
		return nil, err
	}
	if st.Size() > cfgfile.MaxSize {
		return nil, &sizeError{st.Size(), cfgfile.MaxSize}
	}
	return readLimited(l.fsys, fp, cfgfile.MaxSize)
}

// mapNode maps the keys of a configuration file's map to fields: a key is
// a variable's name in any case, with '-' for '_' allowed; a nested map
// adds its key as a prefix, so cache: {ttl: 10m} sets CACHE_TTL. file is
// the path in showPath's form.
func (l *loader) mapNode(file, prefix string, n cfgfile.Node, seen map[int]int) {
	for _, fl := range n.Fields {
		key := prefix + strings.ToUpper(strings.ReplaceAll(fl.Key, "-", "_"))
		origin := Origin{Source: SourceFile, Name: file, Line: fl.Line}
		if key == "APP_ENV" {
			// The profile is chosen before files are read: a file may only
			// agree with it.
			if fl.Value.Kind == cfgfile.Scalar {
				l.checkAppEnv(SourceFile, file, fl.Value.Value, fl.Line, fl.Value.Shared)
			} else if fl.Value.Kind != cfgfile.Null {
				l.errorf(Finding{ID: idAppEnv, Key: key, Origin: origin, Hint: "give a profile name"},
					ErrInvalid, nil, "%s:%d: APP_ENV holds a %s", file, fl.Line, fl.Value.Kind)
			}
			continue
		}
		if l.fileGroup(key, file, fl, seen) {
			continue
		}
		if i, ok := l.plan.Lookup(key); ok {
			// page_size, PAGE_SIZE, page-size and a nested page: {size}
			// are one variable: a file may set it once.
			if first, dup := seen[i]; dup {
				l.errorf(Finding{ID: idConfigFile, Key: prefix + key[len(prefix):], Origin: origin, Hint: "keep one of them"},
					ErrInvalid, nil, "%s:%d: %s is set twice in %s (lines %d and %d)", file, fl.Line, key, file, first, fl.Line)
				continue
			}
			seen[i] = fl.Line
			if fl.Value.Kind == cfgfile.Null || fl.Value.Kind == cfgfile.Scalar && fl.Value.Value == "" {
				continue // unset, as an empty value is everywhere
			}
			l.fileVals[i] = fileValue{node: fl.Value, file: file, line: fl.Line}
			continue
		}
		if fl.Value.Kind == cfgfile.Map && l.pe.groups[key+"_"] {
			l.mapNode(file, key+"_", fl.Value, seen)
			continue
		}
		l.errorf(Finding{ID: idConfigFile, Origin: origin, Hint: "remove it or fix its name" + l.suggest(key)},
			ErrInvalid, nil, "%s:%d: unknown key %s", file, fl.Line, redact.Key(prefix+fl.Key))
	}
}
