package redact

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var (
	// credentialPair is a key=value pair whose key names a credential, as
	// in a key/value DSN (host=db user=app password=...) or a query
	// outside a URL. The value runs to white space, '&' or ';', or is
	// quoted.
	credentialPair = regexp.MustCompile(`(?i)((?:^|[^A-Za-z0-9_.%+-])[A-Za-z0-9_.%+-]*(?:pass|pwd|secret|token|key|sig|auth|cred|bearer|session|sas|cookie|private|pw)[A-Za-z0-9_.%+-]*\s*=\s*)('(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|[^\s&;'"]*)`)
	// pathQuery is the query of a path or word outside a URL: /v1?sig=...
	pathQuery = regexp.MustCompile(`([^\s?])\?([^\s"'#?]*=[^\s"'#]*)`)
	// dsnUserInfo is a driver DSN's user:password@ prefix.
	dsnUserInfo = regexp.MustCompile(`(^|[\s"'=,;(])([^\s:/@"'=,;(]+):([^\s@"'/][^\s@"']*)@`)
	// bearer is an HTTP authorization value.
	bearer = regexp.MustCompile(`(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{8,}`)
)

// urlEnd are the bytes that end a URL in free text.
const urlEnd = " \t\r\n\"'<>`"

// placeholder stands for Mark while text that holds Mark is parsed as a
// URL, so that text redacted once redacts to itself: a URL parser refuses
// "[" in a user name.
const placeholder = "zzredactedzz"

// Text returns s with every credential it can recognize hidden: each
// scheme://... in it rendered as [String] renders it, the values of
// key=value pairs whose key names a credential, the query of a path
// outside a URL, a driver DSN's user:password@ and a Bearer token. Text
// redacted once redacts to itself.
func Text(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	for {
		j := strings.Index(s, "://")
		if j < 0 {
			b.WriteString(plain(s))
			return b.String()
		}
		start := j
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		for start < j && !isLetter(s[start]) {
			start++
		}
		end := j + 3
		for end < len(s) && !strings.ContainsRune(urlEnd, rune(s[end])) {
			end++
		}
		if !strings.ContainsAny(s[start:end], "?#") {
			// Punctuation after a URL ("dial redis://h:6379, then",
			// "DATABASE_URL postgres://db/app: refused") is the
			// sentence's. Not after a query or fragment, whose last
			// byte may be a credential's.
			for end > j+3 && strings.IndexByte(",.:;)", s[end-1]) >= 0 {
				end--
			}
		}
		if start == j {
			// No scheme: "://" alone; hide what follows it all the same.
			b.WriteString(plain(s[:j]) + "://")
			if end > j+3 {
				b.WriteString(Mark)
			}
		} else {
			b.WriteString(plain(s[:start]))
			b.WriteString(textURL(s[start:end]))
		}
		s = s[end:]
	}
}

// textURL renders a URL found in text, which may already hold Mark.
func textURL(raw string) string {
	if !strings.Contains(raw, Mark) {
		out, _ := String(raw)
		return out
	}
	out, _ := String(strings.ReplaceAll(raw, Mark, placeholder))
	return strings.ReplaceAll(out, placeholder, Mark)
}

// plain redacts text that holds no scheme://.
func plain(s string) string {
	if strings.ContainsRune(s, '@') {
		s = dsnUserInfo.ReplaceAllString(s, "${1}${2}:"+Mark+"@")
	}
	if strings.ContainsRune(s, '=') {
		s = pathQuery.ReplaceAllStringFunc(s, func(m string) string {
			sub := pathQuery.FindStringSubmatch(m)
			q, _ := Query(sub[2])
			return sub[1] + "?" + q
		})
		s = credentialPair.ReplaceAllStringFunc(s, func(m string) string {
			sub := credentialPair.FindStringSubmatch(m)
			if sub[2] == "" || sub[2] == Mark {
				return m
			}
			return sub[1] + Mark
		})
	}
	return bearer.ReplaceAllStringFunc(s, func(m string) string {
		sub := bearer.FindStringSubmatch(m)
		if strings.HasPrefix(m[len(sub[1])+len(sub[2]):], Mark) {
			return m
		}
		return sub[1] + sub[2] + Mark
	})
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// minSecret is the shortest known secret a Scrubber removes wherever it
// appears: a shorter one would match inside ordinary words and garble the
// message ("su[redacted]ort" for "pp"). Within a URL or a DSN, Text still
// hides it.
const minSecret = 4

// A Scrubber removes from text the credentials of one URL wherever they
// appear (the URL itself, its password, user name, hidden query values and
// fragment, raw, unescaped and escaped), then applies [Text]. The zero
// Scrubber applies Text only. A Scrubber is immutable and safe for
// concurrent use.
type Scrubber struct {
	r *strings.Replacer
}

// ForURL returns a Scrubber for the URL raw.
func ForURL(raw string) Scrubber {
	if raw == "" {
		return Scrubber{}
	}
	rendered, _ := String(raw)
	var secrets []string
	add := func(v string) {
		for _, f := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			if len(f) >= minSecret && !strings.Contains(rendered, f) {
				secrets = append(secrets, f)
			}
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Unusable as a URL: all of it past the scheme is secret.
		if _, rest, ok := strings.Cut(raw, ":"); ok {
			add(strings.TrimPrefix(rest, "//"))
		}
	} else {
		if u.User != nil {
			if pw, ok := u.User.Password(); ok {
				add(pw)
			}
			if name := u.User.Username(); !userShown(u.User) {
				add(name)
			}
		}
		for _, part := range strings.FieldsFunc(u.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
			name, value, _ := strings.Cut(part, "=")
			if !Allowed(name) {
				add(value)
				add(unescapeAll(value))
				add(part)
			}
		}
		add(u.Fragment)
		add(u.EscapedFragment())
		add(u.Opaque)
	}
	// The whole URL first, then the longest secrets: a secret inside
	// another is replaced as part of it.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := []string{raw, rendered}
	for _, s := range slices.Compact(secrets) {
		pairs = append(pairs, s, Mark)
	}
	return Scrubber{r: strings.NewReplacer(pairs...)}
}

// String returns s with the URL's credentials and everything [Text] hides
// removed.
func (sc Scrubber) String(s string) string {
	if sc.r != nil {
		s = sc.r.Replace(s)
	}
	return Text(s)
}

// Error returns err with its text passed through [Scrubber.String]; it
// still unwraps to err, for errors.Is and errors.As. An error whose text
// holds nothing to hide is returned as it is; nil gives nil.
func (sc Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	out := sc.String(msg)
	if out == msg {
		return err
	}
	return &redactedError{msg: out, err: err}
}

// Error returns err with its text passed through [Text]; see
// [Scrubber.Error].
func Error(err error) error { return Scrubber{}.Error(err) }

// redactedError is an error whose text had credentials removed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Marked reports whether s holds Mark where this package puts it: in a
// URL's user info, as a query value or parameter, a fragment, a path or
// host, or a key=value pair. A value that merely holds the text elsewhere
// is not marked.
func Marked(s string) bool {
	for _, p := range []string{":" + Mark + "@", Mark + "@", "=" + Mark, "?" + Mark, "&" + Mark, ";" + Mark, "#" + Mark, "/" + Mark, ":" + Mark} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
