package redact

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRedact plants a canary as a credential (password, query value of a
// name not on the allow-list, fragment) in a URL built around fuzzed text
// and checks that no rendering shows it.
func FuzzRedact(f *testing.F) {
	f.Add("postgres://app:", "@db/app?sslmode=require;", "password=", "")
	f.Add("redis://", "@cache:6379/0?", "X-Amz-Signature=", "&db=1")
	f.Add("https://h/p?a=1", "#", "", "")
	f.Add("host=db user=app ", "", "password=", " dbname=x")
	f.Add("x://", "%", "+password=", "")
	f.Fuzz(func(t *testing.T, before, mid, name, after string) {
		const c = "Zq7CaNaRy7qZ"
		for _, in := range []string{
			before + c + mid + name + after,
			before + mid + name + c + after,
			"postgres://u:" + url.PathEscape(before+c) + "@db/app?" + url.QueryEscape(name) + "=" + c + ";" + after,
			"postgres://db/app?" + name + "=" + c + "&" + after,
			"postgres://db/app#" + mid + c,
		} {
			if !credentialSpot(in, c) {
				continue
			}
			if got, _ := String(in); strings.Contains(got, c) {
				t.Fatalf("String(%q) = %q: leaks the canary", in, got)
			}
			if got := ForURL(in).String("msg " + in); strings.Contains(got, c) {
				t.Fatalf("ForURL(%q).String = %q: leaks the canary", in, got)
			}
			if got := Text(Text(in)); got != Text(in) {
				t.Fatalf("Text is not idempotent on %q: %q then %q", in, Text(in), got)
			}
		}
	})
}

// credentialSpot reports whether url.Parse puts c in a place the redactor
// must hide (the user info, a value of a parameter not allowed, the
// fragment), or rejects the text; a canary in the host or the path of a
// well-formed URL is meant to show.
func credentialSpot(in, c string) bool {
	u, err := url.Parse(in)
	if err != nil {
		return false // unparseable text keeps its scheme and host
	}
	if u.User != nil {
		if p, _ := u.User.Password(); strings.Contains(p, c) {
			return true
		}
	}
	if strings.Contains(u.Fragment, c) {
		return true
	}
	if u.Opaque == "" && u.Host != "" && !strings.Contains(u.Host, c) && !strings.Contains(u.Path, c) && !strings.Contains(u.User.String(), c) {
		for _, part := range strings.FieldsFunc(u.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
			n, v, _ := strings.Cut(part, "=")
			if !Allowed(n) && strings.Contains(v, c) && !strings.Contains(n, c) {
				return true
			}
		}
	}
	return false
}
