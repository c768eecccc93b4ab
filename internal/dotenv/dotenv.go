package dotenv

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// An Entry is one assignment read from a .env file.
type Entry struct {
	Key   string
	Value string
	Line  int // 1-based line where the assignment starts
}

// MaxSize is the largest input Parse accepts (1 MiB).
const MaxSize = 1 << 20

// maxQuotedKey is the number of bytes of a key quoted in an error message.
const maxQuotedKey = 64

// A SyntaxError reports a malformed line. It never contains a value.
type SyntaxError struct {
	File string // file name given to Parse
	Line int    // 1-based line of the error, or 0 if it concerns the whole file
	Msg  string // description of the problem
}

// Error returns the error as "FILE:LINE: MSG", or "FILE: MSG" when Line is 0.
func (e *SyntaxError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Parse parses data in .env syntax. name is the file name used in errors.
// It returns the assignments in file order, or the first *SyntaxError found.
// The syntax is described in the package documentation.
func Parse(name string, data []byte) ([]Entry, error) {
	if len(data) > MaxSize {
		return nil, &SyntaxError{File: name, Msg: fmt.Sprintf("file is %d bytes, larger than the 1 MiB limit", len(data))}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &parser{file: name, data: string(data), seen: make(map[string]int)}
	return p.parse()
}

type parser struct {
	file    string
	data    string
	pos     int // offset of the next unread line in data
	line    int // number of the line last returned by next
	seen    map[string]int
	entries []Entry
}

func (p *parser) errorf(line int, format string, args ...any) *SyntaxError {
	return &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next physical line without its line terminator.
// ok is false at the end of the input.
func (p *parser) next() (line string, ok bool, err error) {
	if p.pos >= len(p.data) {
		return "", false, nil
	}
	rest := p.data[p.pos:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		line = rest[:i]
		p.pos += i + 1
	} else {
		line = rest
		p.pos = len(p.data)
	}
	p.line++
	line = strings.TrimSuffix(line, "\r")
	if strings.IndexByte(line, 0) >= 0 {
		return "", false, p.errorf(p.line, "file contains a NUL byte")
	}
	if strings.IndexByte(line, '\r') >= 0 {
		return "", false, p.errorf(p.line, "carriage return not followed by line feed")
	}
	return line, true, nil
}

func (p *parser) parse() ([]Entry, error) {
	for {
		line, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return p.entries, nil
		}
		if err := p.parseLine(line); err != nil {
			return nil, err
		}
	}
}

// parseLine parses the line that was just read by next, reading more
// lines if it starts a multi-line double-quoted value.
func (p *parser) parseLine(line string) error {
	start := p.line
	s := trimLeftBlank(line)
	if s == "" || s[0] == '#' {
		return nil
	}
	if rest, ok := strings.CutPrefix(s, "export"); ok && rest != "" && isBlank(rest[0]) {
		s = trimLeftBlank(rest)
	}
	eq := strings.IndexByte(s, '=')
	if eq < 0 {
		// Do not quote anything: the line may be a stray secret.
		return p.errorf(start, "missing = in assignment")
	}
	key := trimRightBlank(s[:eq])
	if !utf8.ValidString(key) {
		return p.errorf(start, "invalid UTF-8 in key")
	}
	if !validKey(key) {
		// Quote only the valid start of the key: a line such as
		// "SECRET_KEY: s3cret=" makes the whole secret the "key".
		n := 0
		for n < len(key) && (key[n] == '_' || key[n] >= 'A' && key[n] <= 'Z' || key[n] >= 'a' && key[n] <= 'z' || n > 0 && (key[n] == '.' || key[n] >= '0' && key[n] <= '9')) {
			n++
		}
		if n == 0 {
			return p.errorf(start, "invalid key: a key starts with a letter or _ and has only letters, digits, _ and . (KEY=value)")
		}
		return p.errorf(start, "invalid key starting %s: a key has only letters, digits, _ and . (KEY=value)", quoteKey(key[:n]))
	}
	if first, dup := p.seen[key]; dup {
		return p.errorf(start, "duplicate key %s (first set on line %d)", quoteKey(key), first)
	}

	rest := s[eq+1:]
	v := trimLeftBlank(rest)
	var value string
	switch {
	case v != "" && v[0] == '\'':
		end := strings.IndexByte(v[1:], '\'')
		if end < 0 {
			return p.errorf(start, "unterminated single-quoted value for key %s", quoteKey(key))
		}
		value = v[1 : 1+end]
		if !trailingOK(v[2+end:]) {
			return p.errorf(p.line, "unexpected characters after closing quote of key %s", quoteKey(key))
		}
	case v != "" && v[0] == '"':
		var after string
		var err error
		value, after, err = p.doubleQuoted(key, v[1:], start)
		if err != nil {
			return err
		}
		if !trailingOK(after) {
			return p.errorf(p.line, "unexpected characters after closing quote of key %s", quoteKey(key))
		}
	default:
		end := len(rest)
		for i := 1; i < len(rest); i++ {
			if rest[i] == '#' && isBlank(rest[i-1]) {
				end = i
				break
			}
		}
		value = trimBlank(rest[:end])
	}
	if !utf8.ValidString(value) {
		return p.errorf(start, "invalid UTF-8 in value of key %s", quoteKey(key))
	}
	p.seen[key] = start
	p.entries = append(p.entries, Entry{Key: strings.Clone(key), Value: strings.Clone(value), Line: start})
	return nil
}

// doubleQuoted decodes a double-quoted value. s is the rest of the current
// line after the opening quote, start the line of the opening quote. It
// returns the value and what follows the closing quote on its line.
func (p *parser) doubleQuoted(key, s string, start int) (value, after string, err error) {
	var b strings.Builder
	for {
		for i := 0; i < len(s); {
			switch c := s[i]; c {
			case '"':
				return b.String(), s[i+1:], nil
			case '\\':
				if i+1 == len(s) {
					return "", "", p.errorf(p.line, "unknown escape sequence (backslash at end of line) in value of key %s", quoteKey(key))
				}
				switch s[i+1] {
				case 'n':
					b.WriteByte('\n')
				case 'r':
					b.WriteByte('\r')
				case 't':
					b.WriteByte('\t')
				case '"', '\\', '$':
					b.WriteByte(s[i+1])
				default:
					// Do not quote the escaped character: it is part of the value.
					return "", "", p.errorf(p.line, "unknown escape sequence in value of key %s", quoteKey(key))
				}
				i += 2
			default:
				j := strings.IndexAny(s[i:], "\"\\")
				if j < 0 {
					j = len(s) - i
				}
				b.WriteString(s[i : i+j])
				i += j
			}
		}
		line, ok, err := p.next()
		if err != nil {
			return "", "", err
		}
		if !ok {
			return "", "", p.errorf(start, "unterminated double-quoted value for key %s", quoteKey(key))
		}
		b.WriteByte('\n')
		s = line
	}
}

// validKey reports whether key is a valid .env key: [A-Za-z_][A-Za-z0-9_.]*.
func validKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && (c == '.' || '0' <= c && c <= '9'):
		default:
			return false
		}
	}
	return true
}

// trailingOK reports whether s, the text after a closing quote, is empty,
// blanks, or blanks followed by a comment.
func trailingOK(s string) bool {
	t := trimLeftBlank(s)
	return t == "" || (t[0] == '#' && len(t) < len(s))
}

// quoteKey quotes a key for an error message. A key longer than
// maxQuotedKey bytes is cut at a rune boundary and marked with "…",
// which cannot occur in a valid key.
func quoteKey(key string) string {
	if len(key) > maxQuotedKey {
		n := maxQuotedKey
		for n > 0 && !utf8.RuneStart(key[n]) {
			n--
		}
		key = key[:n] + "…"
	}
	return fmt.Sprintf("%q", key)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimLeftBlank(s string) string { return strings.TrimLeft(s, " \t") }

func trimRightBlank(s string) string { return strings.TrimRight(s, " \t") }

func trimBlank(s string) string { return strings.Trim(s, " \t") }
