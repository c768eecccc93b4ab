package main

import (
	"fmt"
	"unicode"
)

// invisible reports whether c has no place in an item's name: a Unicode
// format character (category Cf: the bidirectional controls U+202A-U+202E
// and U+2066-U+2069, the marks U+200E, U+200F and U+061C, the zero-width
// U+200B-U+200D, U+2060 and U+FEFF, the soft hyphen, tags...), a control
// (Cc: C0, DEL, C1), or a line or paragraph separator (U+2028, U+2029).
// They show nothing, or reorder what follows: "invoice\u202etxt.exe"
// shows as "invoiceexe.txt", and two names that look alike can differ.
//
// The zero-width joiner goes too, and with it the emoji sequences built on
// it (a family shows as its members); names are labels, not messages.
func invisible(c rune) bool {
	return unicode.In(c, unicode.Cf, unicode.Cc, unicode.Zl, unicode.Zp)
}

// nameProblem returns why name, valid UTF-8, is refused, or "": the first
// invisible character, by code point and byte offset (the name is not a
// secret, but the character itself would not show in the message).
func nameProblem(name string) string {
	for i, c := range name {
		if invisible(c) {
			kind := "an invisible format character (Unicode category Cf)"
			switch {
			case unicode.Is(unicode.Cc, c):
				kind = "a control character"
			case unicode.In(c, unicode.Zl, unicode.Zp):
				kind = "a line or paragraph separator"
			}
			return fmt.Sprintf("name: holds U+%04X, %s, at byte %d; names are visible text only", c, kind, i)
		}
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

// escapeProblem returns why the JSON text raw is refused for its escapes,
// or "": the message names the offset of a lone surrogate escape, never
// the text around it (the body of POST /login is a secret).
func escapeProblem(raw []byte) string {
	if at := loneSurrogate(raw); at >= 0 {
		return fmt.Sprintf("lone UTF-16 surrogate escape at byte %d: \\uD800 to \\uDFFF must come as a high-low pair", at)
	}
	return ""
}
