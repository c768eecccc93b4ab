package cfgfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

const msgJSONSyntax = "invalid JSON syntax"

func parseJSON(name string, data []byte) (Node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if line, msg := checkText(data, false); msg != "" {
		return Node{}, &Error{File: name, Line: line, Msg: msg}
	}
	lines := &lineCounter{data: data}
	start := skipJSONSpace(data, 0)
	if start == len(data) {
		return Node{}, &Error{File: name, Msg: "file is empty; a JSON configuration file must hold an object"}
	}
	if !json.Valid(data) {
		return Node{}, jsonSyntaxError(name, data, lines)
	}
	if data[start] != '{' {
		what := "a number"
		switch data[start] {
		case '[':
			what = "an array"
		case '"':
			what = "a string"
		case 't', 'f':
			what = "a boolean"
		case 'n':
			what = "null"
		}
		return Node{}, &Error{File: name, Line: lines.at(start), Msg: "top level must be an object, not " + what}
	}
	p := &jsonParser{file: name, data: data, lines: lines, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	tok, line, err := p.next()
	if err != nil {
		return Node{}, err
	}
	return p.value(tok, line, 1)
}

// skipJSONSpace returns the offset of the first byte at or after off that
// is not JSON white space.
func skipJSONSpace(data []byte, off int) int {
	for off < len(data) && isJSONSpace(data[off]) {
		off++
	}
	return off
}

// isJSONSpace reports whether c is JSON white space.
func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// jsonSyntaxError describes why data, which is not valid JSON, is invalid.
// encoding/json's message is not used, as it quotes a character of the
// input.
func jsonSyntaxError(file string, data []byte, lines *lineCounter) *Error {
	var se *json.SyntaxError
	if err := json.Unmarshal(data, new(json.RawMessage)); !errors.As(err, &se) {
		return &Error{File: file, Msg: msgJSONSyntax}
	}
	if se.Offset >= int64(len(data)) {
		// Report the end on the line of the last non-space byte.
		end := len(data) - 1
		for end > 0 && isJSONSpace(data[end]) {
			end--
		}
		return &Error{File: file, Line: lines.at(end), Msg: msgJSONSyntax + ": unexpected end of file"}
	}
	off := int(se.Offset) - 1 // Offset counts the offending byte
	if off < 0 {
		off = 0
	}
	if strings.HasSuffix(se.Error(), "exceeded max depth") {
		// encoding/json stops at 10,000 levels, before MaxDepth is
		// checked: say why, as for any file nested too deeply.
		return tooDeep(file, lines.at(off))
	}
	return &Error{File: file, Line: lines.at(off), Msg: msgJSONSyntax}
}

// A jsonParser builds a Node tree from the tokens of a valid JSON text.
type jsonParser struct {
	file  string
	data  []byte
	lines *lineCounter
	dec   *json.Decoder
	nodes int
}

func (p *jsonParser) errorf(line int, format string, args ...any) *Error {
	return &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token and the line where it starts.
func (p *jsonParser) next() (json.Token, int, error) {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		if c := p.data[off]; !isJSONSpace(c) && c != ',' && c != ':' {
			break
		}
		off++
	}
	line := p.lines.at(off)
	tok, err := p.dec.Token()
	if err != nil {
		// Not expected: the input was checked with json.Valid.
		return nil, line, p.errorf(line, msgJSONSyntax)
	}
	return tok, line, nil
}

// value converts the value starting with tok, on line, at depth (the top
// level is 1).
func (p *jsonParser) value(tok json.Token, line, depth int) (Node, error) {
	if depth > MaxDepth {
		return Node{}, tooDeep(p.file, line)
	}
	p.nodes++
	if p.nodes > MaxNodes {
		return Node{}, p.errorf(0, "too many values (limit %d)", MaxNodes)
	}
	switch t := tok.(type) {
	case nil:
		return Node{Kind: Null, Line: line}, nil
	case bool:
		v := "false"
		if t {
			v = "true"
		}
		return Node{Kind: Scalar, Value: v, Line: line}, nil
	case json.Number:
		return Node{Kind: Scalar, Value: string(t), Line: line}, nil
	case string:
		return Node{Kind: Scalar, Value: t, Line: line}, nil
	case json.Delim:
		switch t {
		case '[':
			var items []Node
			for p.dec.More() {
				tok, l, err := p.next()
				if err != nil {
					return Node{}, err
				}
				v, err := p.value(tok, l, depth+1)
				if err != nil {
					return Node{}, err
				}
				items = append(items, v)
			}
			if err := p.end(']'); err != nil {
				return Node{}, err
			}
			return Node{Kind: List, Items: items, Line: line}, nil
		case '{':
			var fields []Field
			seen := make(map[string]int)
			for p.dec.More() {
				tok, kl, err := p.next()
				if err != nil {
					return Node{}, err
				}
				key, ok := tok.(string)
				if !ok {
					return Node{}, p.errorf(kl, msgJSONSyntax)
				}
				if first, dup := seen[key]; dup {
					return Node{}, duplicateKey(p.file, key, kl, first)
				}
				seen[key] = kl
				tok, vl, err := p.next()
				if err != nil {
					return Node{}, err
				}
				v, err := p.value(tok, vl, depth+1)
				if err != nil {
					return Node{}, err
				}
				fields = append(fields, Field{Key: key, Line: kl, Value: v})
			}
			if err := p.end('}'); err != nil {
				return Node{}, err
			}
			return Node{Kind: Map, Fields: fields, Line: line}, nil
		}
	}
	return Node{}, p.errorf(line, msgJSONSyntax)
}

// end consumes the closing delimiter d.
func (p *jsonParser) end(d json.Delim) error {
	tok, line, err := p.next()
	if err != nil {
		return err
	}
	if tok != d {
		return p.errorf(line, msgJSONSyntax)
	}
	return nil
}
