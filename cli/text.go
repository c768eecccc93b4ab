package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// text returns prose, such as a message or a doc string, on one line for
// a terminal: its runs of white space folded to one space, and quoted only
// if a control character or invalid UTF-8 remains.
func text(s string) string {
	return clean(oneLine(s))
}

// clean returns s for a terminal or a line-based file: as it is when it
// is valid UTF-8 and every character is printable, else Go-quoted, so that
// no string can send control sequences or start a line of its own.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(c rune) bool { return !unicode.IsPrint(c) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// plural returns n and word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// isTerminal is the default Options.IsTerminal: w is an *os.File on a
// character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
