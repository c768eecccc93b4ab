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
