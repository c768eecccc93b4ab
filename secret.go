package prodready

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/prodready/prodready/internal/bind"
	"github.com/prodready/prodready/internal/redact"
)

// Redacted is what every rendering of a [Secret] prints.
const Redacted = "[redacted]"

// A Secret is a string that must never be shown: a signing key, a password,
// an API token. Every rendering of it — String, GoString, fmt's verbs
// (%v, %+v, %#v, %s, %q, %x...), JSON, text marshalling and slog — prints
// [Redacted]. [Secret.Reveal] is the only way to read the value.
//
// The zero Secret is unset. A Secret is immutable and safe to copy and to
// share between goroutines. The value sits behind a *string: a Secret in an
// unexported struct field, which fmt prints by reflection without calling
// its methods, shows up as an address under every verb. (A pointer to a
// struct would not do: fmt's "%!s(...)" path prints what it points to.)
type Secret struct{ p *string }

// NewSecret returns a Secret holding s. An empty s gives the unset Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{&s}
}

// Reveal returns the secret value. Call it only where the value is used, such
// as when deriving a key or opening a connection, never to print it.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsSet reports whether the secret has a non-empty value.
func (s Secret) IsSet() bool { return s.p != nil && *s.p != "" }

// Len returns the length of the secret in bytes.
func (s Secret) Len() int { return len(s.Reveal()) }

// Equal reports whether s and t hold the same value, in time that does not
// depend on where they differ.
func (s Secret) Equal(t Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(t.Reveal())) == 1
}

// String returns [Redacted].
func (s Secret) String() string { return Redacted }

// GoString returns a Go-syntax placeholder that holds no part of the value.
func (s Secret) GoString() string { return `prodready.Secret("` + Redacted + `")` }

// Format implements [fmt.Formatter] so that every verb and flag prints
// [Redacted]: %q quotes it and %#v prints [Secret.GoString].
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	case verb == 'q':
		io.WriteString(f, `"`+Redacted+`"`)
	default:
		io.WriteString(f, Redacted)
	}
}

// MarshalJSON returns the JSON string "[redacted]".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns [Redacted].
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// UnmarshalText sets the secret to a copy of text. It is how the loader
// fills Secret fields, and it lets a Secret be a flag.TextVar.
func (s *Secret) UnmarshalText(text []byte) error {
	*s = NewSecret(string(text))
	return nil
}

// LogValue implements [slog.LogValuer]: loggers print [Redacted].
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// A SecretURL is a URL that may carry a password, such as DATABASE_URL or
// CACHE_URL. It renders everywhere with the password replaced by
// [Redacted] (postgres://app:[redacted]@db:5432/app), so the host and
// database stay visible to operators while the credential does not.
// [SecretURL.Reveal] returns the URL with its password.
//
// The password is redacted, and so is the value of every query parameter
// whose name is not on a short allow-list of harmless settings (sslmode,
// connect_timeout, dial_timeout...; docs/SECURITY.md lists them), whether
// '&' or ';' separates them, and the fragment. A user name that looks like
// a token (https://TOKEN@host) is redacted too. Special characters in
// the user name and password must be percent-encoded: a URL with an '@'
// outside its user info is refused, since it would parse with the password
// in the host, path or fragment, and so is a driver's DSN that is not a URL
// (user:password@tcp(host)/db).
//
// The zero SecretURL is unset. A SecretURL is immutable and safe to copy and
// to share between goroutines.
type SecretURL struct {
	raw      *string // as given; behind a pointer for the reason given at Secret
	redacted string  // the URL with its password replaced
	scheme   string  // lower case
	password bool    // whether the URL carries a password
}

// ParseSecretURL parses s as a URL. The error never quotes s.
func ParseSecretURL(s string) (SecretURL, error) {
	if s == "" {
		return SecretURL{}, nil
	}
	u, err := url.Parse(s)
	if err == nil {
		err = bind.CheckPort(u)
	}
	if err != nil {
		return SecretURL{}, fmt.Errorf("want a URL such as scheme://user:password@host:port/path (%s)", bind.URLErrorKind(err))
	}
	rest, hier := strings.CutPrefix(s[len(u.Scheme):], "://")
	if hier && u.User == nil && strings.Contains(rest, "@") ||
		strings.ContainsRune(u.Path, '@') || strings.ContainsRune(u.Fragment, '@') {
		// "postgres://app:p#ss@db/app" parses as host "app:p" and
		// fragment "ss@db/app", "postgres://admin@srv/pw@db/app" with
		// "pw@db" in the path: the password would print unredacted.
		return SecretURL{}, fmt.Errorf("the URL has an '@' that is not the end of its user info: percent-encode '@', '/', '?' and '#' in the user name and password (%%40, %%2F, %%3F, %%23)")
	}
	if strings.ContainsRune(u.Opaque, '@') {
		// "app:pw@tcp(db:3306)/app", a driver DSN, parses as scheme "app".
		return SecretURL{}, fmt.Errorf("want a URL such as mysql://user:password@host:3306/db, not a driver's DSN (user:password@tcp(host)/db)")
	}
	if u.Scheme == "" || u.Opaque != "" && strings.Trim(u.Opaque, "0123456789") == "" {
		// "db.example.com:5432" parses as scheme "db.example.com".
		return SecretURL{}, fmt.Errorf("want a URL with a scheme, such as postgres://host/db or redis://host:6379")
	}
	redacted, pass := redactURL(u)
	return SecretURL{raw: &s, redacted: redacted, scheme: strings.ToLower(u.Scheme), password: pass}, nil
}

// redactURL returns u rendered by internal/redact, the module's one
// redactor, and whether it hid anything: the password, a token-like user
// name, every query value but those of a short allow-list, the fragment.
func redactURL(u *url.URL) (string, bool) { return redact.URL(u) }

// Reveal returns the URL as it was given, password included.
func (s SecretURL) Reveal() string {
	if s.raw == nil {
		return ""
	}
	return *s.raw
}

// IsSet reports whether the URL has a value.
func (s SecretURL) IsSet() bool { return s.raw != nil }

// URL returns a newly parsed URL, password included, or nil when s is
// unset.
func (s SecretURL) URL() *url.URL {
	if s.raw == nil {
		return nil
	}
	u, err := url.Parse(*s.raw)
	if err != nil {
		return nil // unreachable: the text parsed when s was made
	}
	return u
}

// Scheme returns the URL's scheme in lower case, or "" when s is unset.
func (s SecretURL) Scheme() string { return s.scheme }

// HasPassword reports whether the URL carries a credential its renderings
// hide: a password in its user info, a token-like user name, a query value
// off the allow-list (password=...) or a fragment.
func (s SecretURL) HasPassword() bool { return s.password }

// String returns the URL with its password replaced by [Redacted].
func (s SecretURL) String() string { return s.redacted }

// GoString returns a Go-syntax form of the redacted URL.
func (s SecretURL) GoString() string { return fmt.Sprintf("prodready.SecretURL(%q)", s.String()) }

// Format implements [fmt.Formatter]: every verb prints the redacted URL.
func (s SecretURL) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", s.String())
	default:
		io.WriteString(f, s.String())
	}
}

// MarshalJSON returns the redacted URL as a JSON string.
func (s SecretURL) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "%q", s.String()), nil }

// MarshalText returns the redacted URL.
func (s SecretURL) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses text as a URL; see [ParseSecretURL].
func (s *SecretURL) UnmarshalText(text []byte) error {
	u, err := ParseSecretURL(string(text))
	if err != nil {
		return err
	}
	*s = u
	return nil
}

// LogValue implements [slog.LogValuer]: loggers print the redacted URL.
func (s SecretURL) LogValue() slog.Value { return slog.StringValue(s.String()) }

// GenerateKey returns a new random key of n bytes from crypto/rand, encoded
// as unpadded base64url, that passes [CheckKeyStrength]. n below
// [MinKeyBytes] is raised to it. If r is nil, crypto/rand is used.
func GenerateKey(r io.Reader, n int) (Secret, error) {
	if n < MinKeyBytes {
		n = MinKeyBytes
	}
	if r == nil {
		r = rand.Reader
	}
	buf := make([]byte, n)
	for range 16 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return Secret{}, fmt.Errorf("read random bytes: %w", err)
		}
		k := base64.RawURLEncoding.EncodeToString(buf)
		if len(keyWeaknesses(k)) == 0 {
			return NewSecret(k), nil
		}
	}
	return Secret{}, fmt.Errorf("random source gave 16 weak keys in a row; it is not random")
}

// devKey generates the random SECRET_KEY of a development profile. Its
// prefix marks it, so that the key-strength check refuses it should it
// ever be copied into a hardened profile's environment.
func devKey(r io.Reader) (Secret, error) {
	k, err := GenerateKey(r, 32)
	if err != nil {
		return Secret{}, err
	}
	return NewSecret(devKeyPrefix + k.Reveal()), nil
}
