package prodready

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// showPath renders a file path for a message or an origin: as given when
// it is printable UTF-8 text, else quoted with Go's escapes, so that no
// control character reaches a terminal or a log. A path longer than 512
// bytes (128 when quoted) keeps only its end, where the file name is,
// after "..." and with its length.
func showPath(p string) string {
	printable := utf8.ValidString(p) && !strings.ContainsFunc(p, func(r rune) bool { return !unicode.IsPrint(r) })
	limit := 512
	if !printable {
		limit = 128 // a quoted byte may take 4
	}
	s := p
	if len(p) > limit {
		cut := len(p) - limit/2
		for cut < len(p) && !isRuneStart(p[cut]) {
			cut++
		}
		s = p[cut:]
	}
	if !printable {
		s = strconv.Quote(s)
	}
	if len(p) > limit {
		return "..." + s + " (" + strconv.Itoa(len(p)) + "-byte path)"
	}
	return s
}

// hiddenPath stands for a NAME_FILE value that names no file (yet): it may
// be a secret pasted by mistake, so it is shown only when it is plainly a
// path (pathLike), and otherwise by its length.
func hiddenPath(p string) string {
	if pathLike(p) {
		return p
	}
	return "(" + strconv.Itoa(len(p)) + " bytes, not shown)"
}

// pathLike reports whether p is plainly a path and no key: at most 512
// bytes of lower-case letters, digits, '.', '_', '-' and '/', in two
// names or more, with a letter (/run/secrets/api_token, secrets/key). A
// generated key is never so: base64 has upper case, hex no '/'. A
// lower-case passphrase with a '/' between two words pasted into
// NAME_FILE would show. A new user could not tell which mount path the
// service had tried.
func pathLike(p string) bool {
	names := strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	if len(p) > 512 || len(names) < 2 || !strings.ContainsFunc(p, func(r rune) bool { return 'a' <= r && r <= 'z' }) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' || c == '/') {
			return false
		}
	}
	return true
}

// sourceText names an origin in a sentence: "the environment",
// "c.yaml:3", "API_TOKEN_FILE /run/secrets/token".
func sourceText(o Origin) string {
	if o.Source == SourceEnv {
		return "the environment"
	}
	return o.String()
}

// safeKey renders a variable name that came from outside (an override's
// key, an environment variable's name) for a finding: as it is when it is
// a plausible name, else quoted and cut to 64 bytes, so that no control
// character or megabyte-long name reaches a message.
func safeKey(k string) string {
	if len(k) > 128 {
		return quote(k)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '.' || c == '-' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return quote(k)
		}
	}
	return k
}
