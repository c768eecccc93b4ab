package cfgfile

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prodready/prodready/internal/redact"
)

// Kind says what a Node holds.
type Kind uint8

const (
	// Null is an absent value: YAML ~, null or an empty value, or JSON null.
	Null Kind = iota
	// Scalar is a single value (string, number, boolean, ...) kept as text.
	Scalar
	// List is a YAML sequence or a JSON array.
	List
	// Map is a YAML mapping or a JSON object.
	Map
)

// String returns the name of k: "null", "scalar", "list" or "map".
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Scalar:
		return "scalar"
	case List:
		return "list"
	case Map:
		return "map"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Node is one value of a configuration file.
type Node struct {
	Kind   Kind
	Value  string  // Scalar only: the scalar's text exactly as a string (YAML 10m is "10m", JSON 42 is "42")
	Items  []Node  // List only
	Fields []Field // Map only, in file order
	Line   int     // 1-based line where the value starts; 0 only for the root of an empty document
	// Shared marks a YAML scalar that is anchored (&a) or inside an
	// anchored value, and so each copy an alias (*a) or a merge key made
	// of it: the same text may be another key's value, a secret's, and
	// must not be quoted in that of a key that is not secret.
	Shared bool
}

// A Field is one key of a map node.
type Field struct {
	Key   string
	Line  int // 1-based line of the key
	Value Node
}

// MaxSize is the largest input Parse accepts, in bytes (1 MiB).
const MaxSize = 1 << 20

// MaxDepth is the deepest nesting Parse accepts. The top-level map is at
// level 1, its values at level 2, and so on.
const MaxDepth = 32

// MaxNodes is the largest number of nodes (values of any kind, including
// the top-level map) a file may produce, counted after alias and merge
// expansion.
const MaxNodes = 100_000

// MaxText is the most text, in bytes (2 MiB), that a file's keys and scalar
// values may add up to, counted after alias and merge expansion. An alias
// copies no bytes in the tree, but every copy is read as a value of its
// own later: a 60 KiB scalar named by 4,000 aliases would be 240 MiB of
// text. A file without aliases stays under MaxText, as no escape sequence
// decodes to more than 1.5 times its length ("\L" is 3 bytes of UTF-8).
const MaxText = 2 * MaxSize

// maxQuotedKey is the number of bytes of a key quoted in an error message.
const maxQuotedKey = 64

// An Error reports a problem with a file; Line is 0 when no line applies.
// It never contains a value from the file.
type Error struct {
	File string // file name given to Parse
	Line int    // 1-based line of the problem, or 0
	Msg  string // description of the problem
}

// Error returns the error as "FILE:LINE: MSG", or "FILE: MSG" when Line is 0.
func (e *Error) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Parse parses data, the contents of the configuration file called name.
// The format is detected from the extension of name: .yaml and .yml are
// YAML, .json is JSON (ignoring case). name is also used in errors.
//
// The returned Node is a Map. On failure Parse returns the zero Node and an
// *Error. The accepted syntax and the limits are described in the package
// documentation.
func Parse(name string, data []byte) (Node, error) {
	ext := filepath.Ext(name)
	var parse func(string, []byte) (Node, error)
	switch strings.ToLower(ext) {
	case ".yaml", ".yml":
		parse = parseYAML
	case ".json":
		parse = parseJSON
	case "":
		return Node{}, &Error{File: name, Msg: "file name has no extension; supported extensions are .yaml, .yml and .json"}
	default:
		return Node{}, &Error{File: name, Msg: fmt.Sprintf("unsupported file extension %s; supported extensions are .yaml, .yml and .json", quoteKey(ext))}
	}
	if len(data) > MaxSize {
		return Node{}, &Error{File: name, Msg: fmt.Sprintf("file is %d bytes, larger than the 1 MiB limit", len(data))}
	}
	return parse(name, data)
}

// quoteKey quotes s for an error message, truncated to maxQuotedKey bytes
// (on a rune boundary) with "..." after the closing quote when truncated.
func quoteKey(s string) string {
	if len(s) <= maxQuotedKey {
		return strconv.Quote(s)
	}
	n := maxQuotedKey
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}

// duplicateKey returns the error for key appearing on line after first.
func duplicateKey(file, key string, line, first int) *Error {
	k := redact.Key(key) // a secret pasted as a key is not quoted
	if key == "<<" {
		k = strconv.Quote(key)
	}
	return &Error{File: file, Line: line, Msg: fmt.Sprintf("duplicate key %s (first on line %d)", k, first)}
}

// tooDeep returns the error for a value nested deeper than MaxDepth.
func tooDeep(file string, line int) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf("values nested too deeply (limit %d levels)", MaxDepth)}
}

// checkText reports the first NUL byte or invalid UTF-8 sequence in data,
// and in YAML mode (yaml true) the first character the YAML parser rejects
// as a control character. It returns the 1-based line of the problem and a
// message, or the number of the last line that has content and an empty
// message when data is fine. Lines are counted as lineCounter counts them,
// plus NEL, LS and PS in YAML mode, as the YAML parser counts them.
func checkText(data []byte, yaml bool) (line int, msg string) {
	const control = "file contains a control character, which YAML does not allow"
	line = 1
	endsWithBreak := false
	for i := 0; i < len(data); {
		endsWithBreak = false
		c := data[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
				line++
				endsWithBreak = true
			case c == '\r':
				if i+1 >= len(data) || data[i+1] != '\n' {
					line++
					endsWithBreak = true
				}
			case c == 0:
				return line, "file contains a NUL byte"
			case yaml && (c < 0x20 && c != '\t' || c == 0x7f):
				return line, control
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line, "file is not valid UTF-8"
		}
		if yaml {
			switch {
			case r == 0x85 || r == 0x2028 || r == 0x2029:
				line++
				endsWithBreak = true
			case r < 0xa0 || r == 0xfffe || r == 0xffff:
				return line, control
			}
		}
		i += size
	}
	if endsWithBreak {
		line--
	}
	return line, ""
}

// A lineCounter converts byte offsets into 1-based line numbers, counting
// LF, CRLF and a lone CR as one line break each. It is fastest when asked
// about increasing offsets.
type lineCounter struct {
	data []byte
	off  int // offset counted up to
	line int // line at off
}

func (lc *lineCounter) at(off int) int {
	if off > len(lc.data) {
		off = len(lc.data)
	}
	if off < lc.off || lc.line == 0 {
		lc.off, lc.line = 0, 1
	}
	for ; lc.off < off; lc.off++ {
		switch lc.data[lc.off] {
		case '\n':
			lc.line++
		case '\r':
			if lc.off+1 >= len(lc.data) || lc.data[lc.off+1] != '\n' {
				lc.line++
			}
		}
	}
	return lc.line
}
