package cfgfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Standard YAML tags, as the yaml package spells them.
const (
	tagStr       = "!!str"
	tagInt       = "!!int"
	tagBool      = "!!bool"
	tagFloat     = "!!float"
	tagNull      = "!!null"
	tagBinary    = "!!binary"
	tagTimestamp = "!!timestamp"
	tagMerge     = "!!merge"
	tagSeq       = "!!seq"
	tagMap       = "!!map"
)

const (
	msgBadTag        = `unsupported YAML tag; only standard tags such as !!str are allowed (quote a value that starts with "!")`
	msgUnknownAnchor = `alias refers to an unknown anchor (quote a value that starts with "*")`
	msgSyntax        = "invalid YAML syntax"
)

// errParserPanic stands for a panic inside the YAML parser.
var errParserPanic = errors.New("yaml parser panic")

func parseYAML(name string, data []byte) (Node, error) {
	line, msg := checkText(data, true)
	if msg != "" {
		return Node{}, &Error{File: name, Line: line, Msg: msg}
	}
	doc, extra, err := decodeYAML(data)
	if err != nil {
		return Node{}, yamlSyntaxError(name, err)
	}
	if extra != nil {
		return Node{}, &Error{File: name, Line: extra.Line, Msg: "multiple documents in one file; a configuration file must hold a single document"}
	}
	c := &yamlConverter{file: name, lastLine: line}
	n, err := c.root(doc)
	if err != nil {
		return Node{}, err
	}
	return n, nil
}

// decodeYAML parses data into its first document, or nil when data holds
// no document. extra is the second document when there is one. A panic in
// the YAML parser is turned into errParserPanic.
func decodeYAML(data []byte) (doc, extra *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, extra, err = nil, nil, errParserPanic
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		if err == io.EOF {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	var second yaml.Node
	if err := dec.Decode(&second); err != nil {
		if err == io.EOF {
			return &first, nil, nil
		}
		return nil, nil, err
	}
	return &first, &second, nil
}

// Problems reported by the YAML scanner and parser (go.yaml.in/yaml/v3
// scannerc.go and parserc.go). They are constant strings that never carry
// input, so they may be shown. Scanner errors report a 1-based line, parser
// errors a 0-based one; both omit the line when it is the first.
var (
	scannerProblems = map[string]bool{
		"block sequence entries are not allowed in this context":       true,
		"could not find expected ':'":                                  true,
		"could not find expected directive name":                       true,
		"did not find URI escaped octet":                               true,
		"did not find expected '!'":                                    true,
		"did not find expected alphabetic or numeric character":        true,
		"did not find expected comment or line break":                  true,
		"did not find expected digit or '.' character":                 true,
		"did not find expected hexdecimal number":                      true,
		"did not find expected tag URI":                                true,
		"did not find expected version number":                         true,
		"did not find expected whitespace":                             true,
		"did not find expected whitespace or line break":               true,
		"did not find the expected '>'":                                true,
		"found a tab character that violates indentation":              true,
		"found a tab character where an indentation space is expected": true,
		"found an incorrect leading UTF-8 octet":                       true,
		"found an incorrect trailing UTF-8 octet":                      true,
		"found an indentation indicator equal to 0":                    true,
		"found character that cannot start any token":                  true,
		"found extremely long version number":                          true,
		"found invalid Unicode character escape code":                  true,
		"found unexpected document indicator":                          true,
		"found unexpected end of stream":                               true,
		"found unexpected non-alphabetical character":                  true,
		"found unknown directive name":                                 true,
		"found unknown escape character":                               true,
		"mapping keys are not allowed in this context":                 true,
		"mapping values are not allowed in this context":               true,
	}
	parserProblems = map[string]bool{
		"did not find expected ',' or ']'":       true,
		"did not find expected ',' or '}'":       true,
		"did not find expected '-' indicator":    true,
		"did not find expected <document start>": true,
		"did not find expected <stream-start>":   true,
		"did not find expected key":              true,
		"did not find expected node content":     true,
		"found duplicate %TAG directive":         true,
		"found duplicate %YAML directive":        true,
		"found incompatible YAML document":       true,
		"found undefined tag handle":             true,
	}
)

// yamlSyntaxError converts an error of the YAML parser into an *Error,
// keeping the parser's message only when it is a known constant.
func yamlSyntaxError(file string, err error) *Error {
	if err == errParserPanic {
		return &Error{File: file, Msg: msgSyntax + " (internal parser error)"}
	}
	rest, ok := strings.CutPrefix(err.Error(), "yaml: ")
	if !ok {
		return &Error{File: file, Msg: msgSyntax}
	}
	line, hasLine := 0, false
	if after, ok := strings.CutPrefix(rest, "line "); ok {
		if num, msg, ok := strings.Cut(after, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				line, hasLine, rest = n, true, msg
			}
		}
	}
	switch {
	case scannerProblems[rest]:
		if !hasLine {
			line = 1
		}
		return &Error{File: file, Line: line, Msg: msgSyntax + ": " + rest}
	case parserProblems[rest]:
		line++ // 0-based, and 0 (absent) for the first line
		return &Error{File: file, Line: line, Msg: msgSyntax + ": " + rest}
	case strings.HasPrefix(rest, "exceeded max depth of "):
		if !hasLine {
			line = 1
		}
		return tooDeep(file, line)
	case strings.HasPrefix(rest, "unknown anchor '") && strings.HasSuffix(rest, "' referenced"):
		return &Error{File: file, Msg: msgUnknownAnchor}
	}
	return &Error{File: file, Line: line, Msg: msgSyntax}
}

// A yamlConverter turns a yaml.Node tree into a Node tree, expanding
// aliases and merge keys and enforcing the limits.
type yamlConverter struct {
	file     string
	lastLine int                 // last line of the file that has content
	nodes    int                 // nodes produced so far
	text     int                 // bytes of keys and scalar values produced so far
	expanded bool                // whether an alias or merge key was expanded
	active   map[*yaml.Node]bool // anchored nodes being converted
	shared   int                 // anchored nodes around the one being converted; see Node.Shared
}

// line returns l, or the last line of the file if l is after it. The YAML
// parser places an empty value at the end of the input on the line after
// the last one.
func (c *yamlConverter) line(l int) int {
	return min(l, c.lastLine)
}

func (c *yamlConverter) errorf(line int, format string, args ...any) *Error {
	return &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (c *yamlConverter) root(doc *yaml.Node) (Node, error) {
	if doc == nil {
		return Node{Kind: Map}, nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0] == nil {
		return Node{}, c.errorf(doc.Line, msgSyntax)
	}
	top := doc.Content[0]
	switch {
	case top.Kind == yaml.MappingNode:
		return c.convert(top, 1)
	case top.Kind == yaml.ScalarNode && top.Tag == tagNull && top.Value == "":
		return Node{Kind: Map}, nil
	case top.Kind == yaml.SequenceNode:
		return Node{}, c.errorf(top.Line, "top level must be a map, not a list")
	case top.Kind == yaml.ScalarNode && top.Tag == tagNull:
		return Node{}, c.errorf(top.Line, "top level must be a map, not null")
	}
	return Node{}, c.errorf(top.Line, "top level must be a map, not a scalar")
}

// count accounts for one more node produced. The error it returns has no
// line, as the limit concerns the whole file.
func (c *yamlConverter) count() error {
	c.nodes++
	if c.nodes <= MaxNodes {
		return nil
	}
	if c.expanded {
		return c.errorf(0, "too many values after alias expansion (limit %d)", MaxNodes)
	}
	return c.errorf(0, "too many values (limit %d)", MaxNodes)
}

// addText accounts for n more bytes of keys or scalar values. Like count,
// its error has no line.
func (c *yamlConverter) addText(n int) error {
	c.text += n
	if c.text <= MaxText {
		return nil
	}
	if c.expanded {
		return c.errorf(0, "values too large after alias expansion (limit %d MiB of keys and values in all)", MaxText>>20)
	}
	return c.errorf(0, "values too large (limit %d MiB of keys and values in all)", MaxText>>20)
}

// enter marks the anchored node n as being converted, failing if it
// already is: then an alias inside n refers to n. The returned function
// undoes the mark.
func (c *yamlConverter) enter(n *yaml.Node, line int) (func(), error) {
	if n.Anchor == "" {
		return func() {}, nil
	}
	if c.active[n] {
		return nil, c.errorf(line, "alias refers to a value that contains it")
	}
	if c.active == nil {
		c.active = make(map[*yaml.Node]bool)
	}
	c.active[n] = true
	return func() { delete(c.active, n) }, nil
}

// resolve returns the node an alias refers to, or n itself.
func (c *yamlConverter) resolve(n *yaml.Node) (*yaml.Node, error) {
	if n.Kind != yaml.AliasNode {
		return n, nil
	}
	if n.Alias == nil {
		return nil, c.errorf(n.Line, msgUnknownAnchor)
	}
	if n.Alias.Kind == yaml.AliasNode {
		// The parser never anchors an alias; refuse rather than loop.
		return nil, c.errorf(n.Line, msgSyntax)
	}
	return n.Alias, nil
}

// convert converts n, found at the given depth (the top level is 1).
func (c *yamlConverter) convert(n *yaml.Node, depth int) (Node, error) {
	if n == nil {
		return Node{}, c.errorf(0, msgSyntax)
	}
	if depth > MaxDepth {
		return Node{}, tooDeep(c.file, n.Line)
	}
	if n.Kind == yaml.AliasNode {
		t, err := c.resolve(n)
		if err != nil {
			return Node{}, err
		}
		if c.active[t] {
			return Node{}, c.errorf(n.Line, "alias refers to a value that contains it")
		}
		c.expanded = true
		return c.convert(t, depth)
	}
	leave, err := c.enter(n, n.Line)
	if err != nil {
		return Node{}, err
	}
	defer leave()
	if n.Anchor != "" {
		c.shared++
		defer func() { c.shared-- }()
	}
	if err := c.count(); err != nil {
		return Node{}, err
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if !scalarTagOK(n) {
			return Node{}, c.errorf(n.Line, msgBadTag)
		}
		if n.Tag == tagNull {
			return Node{Kind: Null, Line: c.line(n.Line)}, nil
		}
		if err := c.addText(len(n.Value)); err != nil {
			return Node{}, err
		}
		return Node{Kind: Scalar, Value: n.Value, Line: c.line(n.Line), Shared: c.shared > 0}, nil
	case yaml.SequenceNode:
		if n.Tag != tagSeq {
			return Node{}, c.errorf(n.Line, msgBadTag)
		}
		var items []Node
		if len(n.Content) > 0 {
			items = make([]Node, 0, len(n.Content))
		}
		for _, item := range n.Content {
			v, err := c.convert(item, depth+1)
			if err != nil {
				return Node{}, err
			}
			items = append(items, v)
		}
		return Node{Kind: List, Items: items, Line: c.line(n.Line)}, nil
	case yaml.MappingNode:
		if n.Tag != tagMap {
			return Node{}, c.errorf(n.Line, msgBadTag)
		}
		return c.mapping(n, depth)
	}
	return Node{}, c.errorf(n.Line, msgSyntax)
}

// scalarTagOK reports whether the scalar n has a standard tag.
func scalarTagOK(n *yaml.Node) bool {
	switch n.Tag {
	case tagStr, tagInt, tagBool, tagFloat, tagNull, tagBinary, tagTimestamp:
		return true
	case tagMerge:
		// A plain << outside of a key is just the text "<<".
		return n.Value == "<<"
	}
	return false
}

// isMergeKey reports whether the (resolved) key k is the merge key <<.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == tagMerge && k.Value == "<<"
}

// kindName describes the kind of a yaml node for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "an unknown value"
}

// mapping converts the mapping node n found at depth.
func (c *yamlConverter) mapping(n *yaml.Node, depth int) (Node, error) {
	if len(n.Content)%2 != 0 {
		return Node{}, c.errorf(n.Line, msgSyntax)
	}
	var fields []Field
	if len(n.Content) > 0 {
		fields = make([]Field, 0, len(n.Content)/2)
	}
	seen := make(map[string]int, len(n.Content)/2) // explicit key -> line
	var merged []Field
	mergeAt, mergeLine := -1, 0
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k == nil || v == nil {
			return Node{}, c.errorf(n.Line, msgSyntax)
		}
		kline := c.line(k.Line)
		kr, err := c.resolve(k)
		if err != nil {
			return Node{}, err
		}
		if isMergeKey(kr) {
			if mergeAt >= 0 {
				return Node{}, duplicateKey(c.file, "<<", kline, mergeLine)
			}
			mergeAt, mergeLine = len(fields), kline
			if merged, err = c.merge(v, depth); err != nil {
				return Node{}, err
			}
			continue
		}
		if kr.Kind != yaml.ScalarNode {
			return Node{}, c.errorf(kline, "map key must be a scalar, not %s", kindName(kr))
		}
		if !scalarTagOK(kr) {
			return Node{}, c.errorf(kline, msgBadTag)
		}
		key := kr.Value
		if first, dup := seen[key]; dup {
			return Node{}, duplicateKey(c.file, key, kline, first)
		}
		if err := c.addText(len(key)); err != nil {
			return Node{}, err
		}
		seen[key] = kline
		val, err := c.convert(v, depth+1)
		if err != nil {
			return Node{}, err
		}
		fields = append(fields, Field{Key: key, Line: kline, Value: val})
	}
	if mergeAt >= 0 {
		var add []Field
		for _, f := range merged {
			if _, ok := seen[f.Key]; !ok {
				add = append(add, f)
			}
		}
		fields = slices.Insert(fields, mergeAt, add...)
	}
	return Node{Kind: Map, Fields: fields, Line: c.line(n.Line)}, nil
}

// merge returns the fields that the merge key value v brings into a map at
// depth: those of one map, or of a list of maps where the earlier map wins
// for a key present in several.
func (c *yamlConverter) merge(v *yaml.Node, depth int) ([]Field, error) {
	const msgMerge = `merge key "<<" must refer to a map or a list of maps`
	r, err := c.resolve(v)
	if err != nil {
		return nil, err
	}
	switch r.Kind {
	case yaml.MappingNode:
		// Converted at the depth of the map it merges into, as that is
		// where its fields end up.
		m, err := c.convert(v, depth)
		if err != nil {
			return nil, err
		}
		if v.Kind == yaml.AliasNode {
			c.expanded = true
		}
		return m.Fields, nil
	case yaml.SequenceNode:
		if r.Tag != tagSeq {
			return nil, c.errorf(r.Line, msgBadTag)
		}
		if v.Kind == yaml.AliasNode {
			c.expanded = true
		}
		leave, err := c.enter(r, v.Line)
		if err != nil {
			return nil, err
		}
		defer leave()
		if err := c.count(); err != nil {
			return nil, err
		}
		var fields []Field
		seen := make(map[string]bool)
		for _, item := range r.Content {
			if item == nil {
				return nil, c.errorf(r.Line, msgSyntax)
			}
			ir, err := c.resolve(item)
			if err != nil {
				return nil, err
			}
			if ir.Kind != yaml.MappingNode {
				return nil, c.errorf(item.Line, msgMerge)
			}
			m, err := c.convert(item, depth)
			if err != nil {
				return nil, err
			}
			for _, f := range m.Fields {
				if !seen[f.Key] {
					seen[f.Key] = true
					fields = append(fields, f)
				}
			}
		}
		return fields, nil
	}
	return nil, c.errorf(v.Line, msgMerge)
}
