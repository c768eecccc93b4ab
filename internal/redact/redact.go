// Package redact renders URLs, driver DSNs and error text with their
// credentials hidden. It is the one redactor of the module: SecretURL, the
// loader's report and messages, the CLI, the cache backends and the
// reference service all call it.
//
// # The rule: deny by default
//
// In a URL, what is shown is the scheme, the host (and port), the path, the
// user name when it looks like a name, and the values of the query
// parameters on a short allow-list of harmless names (see [Allowed]).
// Everything else is replaced by [Mark]:
//
//   - the user-info password, and the user name too when it is not
//     name-like or, without a password, looks like a token
//     (https://TOKEN@host);
//   - the value of every query parameter not on the allow-list, whether
//     parameters are separated by '&' or ';'; a parameter whose name is not
//     name-like (escaped, '+'-prefixed, holding control bytes) is hidden
//     whole, name included, and so is a part without '=';
//   - a non-empty fragment, a path holding '@', and an opaque part that
//     is not a plain path (sqlite:app.db and sqlite::memory: show);
//   - for text that does not parse as a URL, everything after the scheme
//     and a clean host: the raw text is never echoed.
//
// In free text (an error from a driver), [Text] does the same for every
// scheme://... it finds, and also hides the values of key=value pairs whose
// key names a credential (password=, secret=, token=, key=, sig=...; the
// key/value DSN form "host=db user=app password=..."), the query of a
// path such as /v1?sig=..., a driver DSN's user:password@ prefix and a
// "Bearer <token>".
//
// The functions are safe for concurrent use.
package redact

import (
	"net/url"
	"strings"
)

// Mark replaces every hidden part.
const Mark = "[redacted]"

// allowed are the query parameters whose values are shown: connection
// settings of libpq/pgx, go-redis and the like that never carry a
// credential. Anything else is hidden. addr, host and master_set name
// hosts and a sentinel group; user and dbname are as visible as in the
// user info and path; application_name and client_name are labels.
var allowed = map[string]bool{
	"sslmode":              true,
	"connect_timeout":      true,
	"application_name":     true,
	"target_session_attrs": true,
	"pool_max_conns":       true,
	"pool_min_conns":       true,
	"dial_timeout":         true,
	"read_timeout":         true,
	"write_timeout":        true,
	"timeout":              true,
	"db":                   true,
	"protocol":             true,
	"client_name":          true,
	"addr":                 true,
	"master_set":           true,
	"skip_verify":          true, // rueidis: a boolean, and worth seeing
	"client_cache":         true, // rueidis: client_cache=0
	"user":                 true,
	"dbname":               true,
	"host":                 true,
	"port":                 true,
	"pool_size":            true,
	"max_retries":          true,
	"charset":              true,
	"parsetime":            true,
	"loc":                  true,
}

// AllowList returns the names of the query parameters whose values are
// shown, for documentation.
func AllowList() []string {
	names := make([]string, 0, len(allowed))
	for n := range allowed {
		names = append(names, n)
	}
	return names
}

// Allowed reports whether the value of the query parameter named name (as
// written in the URL, percent-escaped or not) may be shown. The name is
// unescaped until it no longer changes and lower-cased; it must then be
// exactly an allowed name. Anything else (a '+' or a space around it, a
// control byte, a NUL) makes it not allowed: deny by default.
func Allowed(name string) bool {
	n := unescapeAll(name)
	return allowed[strings.ToLower(n)]
}

// unescapeAll percent-decodes s, '+' as space, until it stops changing (at
// most a few rounds), so "%2570assword" is "password".
func unescapeAll(s string) string {
	for range 4 {
		u, err := url.QueryUnescape(s)
		if err != nil || u == s {
			return s
		}
		s = u
	}
	return s
}

// nameLike reports whether s, as written, is a plausible name: 1 to max
// bytes of letters, digits, '_', '.' and '-'.
func nameLike(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '.' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// maxName is the longest query parameter or user name shown.
const maxName = 32

// Query returns the raw query q with every value hidden but those of
// allowed parameters; '&' and ';' both separate parameters and are kept.
// hidden says whether anything was hidden.
func Query(q string) (out string, hidden bool) {
	if q == "" {
		return "", false
	}
	var b strings.Builder
	for q != "" {
		i := strings.IndexAny(q, "&;")
		part, sep := q, ""
		if i >= 0 {
			part, sep, q = q[:i], q[i:i+1], q[i+1:]
		} else {
			q = ""
		}
		name, value, hasValue := strings.Cut(part, "=")
		switch {
		case part == "":
		case hasValue && Allowed(name) && !strings.Contains(unescapeAll(value), "@"):
			// An allowed value with an '@' may be a URL with user info.
			b.WriteString(part)
		case hasValue && nameLike(name, maxName):
			b.WriteString(name + "=" + Mark)
			hidden = true
		default:
			b.WriteString(Mark)
			hidden = true
		}
		b.WriteString(sep)
	}
	return b.String(), hidden
}

// URL renders u with its credentials hidden; hidden says whether anything
// was. u is not modified.
func URL(u *url.URL) (s string, hidden bool) {
	if u == nil {
		return "", false
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme)
		b.WriteByte(':')
	}
	if u.Opaque != "" {
		if !pathLike(u.Opaque) && u.Opaque != ":memory:" {
			b.WriteString(Mark)
			hidden = true
		} else {
			b.WriteString(u.Opaque)
		}
	} else {
		if u.Scheme != "" || u.Host != "" || u.User != nil {
			if u.OmitHost && u.Host == "" && u.User == nil {
				// scheme:/path
			} else {
				b.WriteString("//")
			}
		}
		if u.User != nil {
			user := u.User.Username()
			_, hasPass := u.User.Password()
			switch {
			case user == "":
			case !userShown(u.User):
				b.WriteString(Mark)
				hidden = true
			default:
				b.WriteString(user)
			}
			if hasPass {
				b.WriteString(":" + Mark)
				hidden = true
			}
			b.WriteByte('@')
		}
		b.WriteString(hostText(u.Host))
		p := u.EscapedPath()
		if strings.ContainsRune(u.Path, '@') {
			// "postgres://admin@srv/pw@db/app": a password in the path.
			b.WriteString("/" + Mark)
			hidden = true
		} else {
			b.WriteString(p)
		}
	}
	if u.ForceQuery || u.RawQuery != "" {
		q, h := Query(u.RawQuery)
		b.WriteString("?" + q)
		hidden = hidden || h
	}
	if u.Fragment != "" {
		b.WriteString("#" + Mark)
		hidden = true
	}
	return b.String(), hidden
}

// pathLike reports whether an opaque part is a plain file name or path,
// shown as it is (sqlite:app.db): letters, digits, '_', '.', '-', '/'.
func pathLike(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '/' && !nameLike(s[i:i+1], 1) {
			return false
		}
	}
	return true
}

// userShown reports whether the user name of u may be shown: it is
// name-like and, without a password, does not look like a token.
func userShown(u *url.Userinfo) bool {
	user := u.Username()
	_, hasPass := u.Password()
	return nameLike(user, maxName) && (hasPass || !tokenLike(user))
}

// hostText returns host as written when it holds only the characters of a
// host, port or IP literal (and commas for a host list), else Mark.
func hostText(host string) string {
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']' || c == ',' || c == '%' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return Mark
		}
	}
	return host
}

// tokenLike reports whether a user name given without a password looks
// like a credential: 16 bytes or more mixing letters and digits, as API
// tokens do (https://ghp_...@github.com).
func tokenLike(s string) bool {
	if len(s) < 16 {
		return false
	}
	var letter, digit bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter = letter || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digit = digit || '0' <= c && c <= '9'
	}
	return letter && digit
}

// String renders raw, a URL given as text, with its credentials hidden.
// Text that does not parse as a URL is never echoed: what follows its
// scheme and host is hidden. hidden says whether anything was.
func String(raw string) (s string, hidden bool) {
	if raw == "" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err == nil && !atOutsideUserInfo(raw, u) {
		return URL(u)
	}
	return unparsed(raw), true
}

// atOutsideUserInfo reports whether raw has an '@' that url.Parse did not
// take as the end of the user info: "postgres://app:p#ss@db/app" parses
// with the password in the host and fragment.
func atOutsideUserInfo(raw string, u *url.URL) bool {
	if !strings.ContainsRune(raw, '@') {
		return false
	}
	rest, hier := strings.CutPrefix(raw[len(u.Scheme):], "://")
	return hier && u.User == nil && strings.Contains(rest, "@")
}

// unparsed renders text that is not a usable URL: its scheme, and its host
// when that is clean and no '@' follows, then Mark.
func unparsed(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !schemeLike(scheme) {
		if s, _, ok := strings.Cut(raw, ":"); ok && schemeLike(s) {
			return s + ":" + Mark
		}
		return Mark
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		// "app:1#pw@db/app" is user app with a password holding '#' at
		// host db, or host app:1 with a fragment: no reading is sure,
		// and the one that shows "db" would show a fragment's secret
		// in "db:1#x@SECRET". Keep what both readings show, a
		// name-like user (or host) before ':', and hide the rest.
		if user, _, pass := strings.Cut(rest[:i], ":"); pass && nameLike(user, maxName) {
			return scheme + "://" + user + ":" + Mark + "@" + Mark
		}
		return scheme + "://" + Mark
	}
	{
		host := rest
		if i := strings.IndexAny(rest, "/?#;"); i >= 0 {
			host = rest[:i]
		}
		if host != "" && hostText(host) == host {
			if host == rest {
				// The host itself is what failed to parse (a bad
				// port): it may be a password.
				return scheme + "://" + Mark
			}
			return scheme + "://" + host + "/" + Mark
		}
	}
	return scheme + "://" + Mark
}

// schemeLike reports whether s is a URL scheme: a letter, then letters,
// digits, '+', '-' or '.', at most 32 bytes.
func schemeLike(s string) bool {
	if s == "" || len(s) > 32 || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c == '+' || c == '-' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
