package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// readJSON decodes the request's body, one JSON object of at most limit
// bytes with no unknown field, into dst, a pointer to a struct, or answers
// 4xx. The body must be valid UTF-8 (encoding/json would silently replace
// bad bytes with U+FFFD), with no lone surrogate escape (\ud800, which it
// replaces likewise), the Content-Type application/json with no
// charset but utf-8, and the object's names must be dst's JSON names
// exactly: once each, in their case (encoding/json matches "NAME" to
// "name" and keeps the last of duplicates), with no invisible format
// character. Messages name the field at fault, never a value: the body of
// POST /login is a secret.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) bool {
	if !jsonContentType(w, r) {
		return false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, codePayloadTooLarge, fmt.Sprintf("body: larger than %d bytes", limit), nil)
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: could not be read", nil)
		return false
	case !utf8.Valid(raw):
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: not valid UTF-8", nil)
		return false
	}
	if msg := escapeProblem(raw); msg != "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: "+msg, nil)
		return false
	}
	if msg := checkNames(raw, jsonNames(dst)); msg != "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: "+msg, nil)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		// One value, then nothing but white space.
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return true
	}
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &te) && te.Field != "":
		invalidParam(w, te.Field, te.Field+": want a JSON "+te.Type.Kind().String()+", got "+te.Value)
	case errors.As(err, &se):
		writeError(w, http.StatusBadRequest, codeBadRequest, fmt.Sprintf("body: invalid JSON at byte %d", se.Offset), nil)
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: empty, want a JSON object", nil)
	default:
		// Unknown fields ("json: unknown field \"x\""), trailing data,
		// truncated JSON.
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: "+bodyReason(err), nil)
	}
	return false
}

// jsonContentType answers 415 unless the request's Content-Type is
// application/json, with no charset parameter or utf-8 (RFC 8259: JSON
// between systems is UTF-8).
func jsonContentType(w http.ResponseWriter, r *http.Request) bool {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Content-Type: want application/json", nil)
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMedia,
			"Content-Type: charset "+quote(cs)+": want utf-8 or none", nil)
		return false
	}
	return true
}

// escapeProblem returns why the JSON text raw is refused for its escapes,
// or "": the message names the offset of a lone surrogate escape, never
// the text around it (the body of POST /login is a secret).
func escapeProblem(raw []byte) string {
	if at := loneSurrogate(raw); at >= 0 {
		return fmt.Sprintf("lone UTF-16 surrogate escape at byte %d: \\uD800 to \\uDFFF must come as a high-low pair", at)
	}
	return ""
}

// loneSurrogate returns the offset in raw, a JSON text, of the first
// \uXXXX escape inside a string that encodes a UTF-16 surrogate (U+D800 to
// U+DFFF) and is not half of a pair (a high one directly followed by an
// escaped low one), or -1. encoding/json decodes such an escape to U+FFFD
// without a word, so that "\ud800" and "\udfff" would both store as the
// same replacement character. Anything that is not valid JSON is left to
// the decoder, which says where.
func loneSurrogate(raw []byte) int {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			r, ok := unicodeEscape(raw, i)
			if !ok {
				i++ // \" \\ \n...: skip the escaped byte
				continue
			}
			switch {
			case 0xD800 <= r && r <= 0xDBFF:
				if lo, ok := unicodeEscape(raw, i+6); ok && 0xDC00 <= lo && lo <= 0xDFFF {
					i += 11
					continue
				}
				return i
			case 0xDC00 <= r && r <= 0xDFFF:
				return i
			}
			i += 5
		}
	}
	return -1
}

// unicodeEscape decodes the escape \uXXXX at raw[i:], if there is one.
func unicodeEscape(raw []byte, i int) (rune, bool) {
	if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, h := range raw[i+2 : i+6] {
		switch {
		case '0' <= h && h <= '9':
			r = r<<4 | rune(h-'0')
		case 'a' <= h && h <= 'f':
			r = r<<4 | rune(h-'a'+10)
		case 'A' <= h && h <= 'F':
			r = r<<4 | rune(h-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// jsonNames returns the JSON names of the fields of the struct that dst
// points to.
func jsonNames(dst any) []string {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	return names
}

// checkNames returns why the names of the JSON object raw are refused, or
// "": a name given twice, a name that is not one of names, in another case
// or not at all, or a name holding a Unicode format
// character (category Cf: U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO
// WIDTH SPACE...), which would make "name" and "na\u200bme" look alike
// in a log.
func checkNames(raw []byte, names []string) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "" // not an object: the decoder says what is wrong
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "" // invalid JSON: the decoder says where
		}
		name, _ := tok.(string)
		if strings.ContainsFunc(name, func(c rune) bool { return unicode.Is(unicode.Cf, c) }) {
			return "field name " + strconv.QuoteToASCII(name) + " holds an invisible format character"
		}
		if seen[name] {
			return "field " + quote(name) + " given twice"
		}
		seen[name] = true
		if !slices.Contains(names, name) {
			for _, n := range names {
				if strings.EqualFold(n, name) {
					return "field " + quote(name) + ": want " + quote(n) + " (names are case-sensitive)"
				}
			}
			return "unknown field " + quote(name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return ""
		}
	}
	return ""
}

// bodyReason is a short reason for a decoding error, the unknown field's
// name at most.
func bodyReason(err error) string {
	msg := err.Error()
	const unknown = "json: unknown field "
	switch {
	case len(msg) > len(unknown) && msg[:len(unknown)] == unknown:
		name, qerr := strconv.Unquote(msg[len(unknown):])
		if qerr != nil {
			return "unknown field"
		}
		return "unknown field " + quote(name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	case msg == "trailing data":
		return "more than one JSON value"
	}
	return "not a JSON object of the expected form"
}
