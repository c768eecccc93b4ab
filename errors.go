package prodready

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Sentinel errors that [Load] wraps; test for them with errors.Is.
var (
	// ErrMissing means a required variable has no value.
	ErrMissing = errors.New("required value not set")
	// ErrInvalid means a value could not be decoded or breaks a rule.
	ErrInvalid = errors.New("invalid value")
	// ErrWeakSecret means a signing key breaks a strength rule; see
	// [CheckKeyStrength].
	ErrWeakSecret = errors.New("weak secret")
	// ErrUnknownProfile means APP_ENV or an option names no known profile.
	ErrUnknownProfile = errors.New("unknown profile")
)

// A FieldError is one problem with one configuration variable. [Load]
// returns every FieldError it finds at once, joined in a [*LoadError].
//
// Its message names the variable, says what is wrong and where the value came
// from, and how to fix it; it quotes a non-secret value (truncated to 64
// bytes, with any URL password removed) and never a secret one.
type FieldError struct {
	Field  string // Go field path, such as "Base.SecretKey"; empty for a problem not tied to a field
	Key    string // variable name, such as "SECRET_KEY"
	Check  string // ID of the check that found it, such as "PR-E001"
	Origin Origin // where the offending value came from
	Hint   string // how to fix it
	Err    error  // the cause; wraps ErrMissing, ErrInvalid, ErrWeakSecret or ErrUnknownProfile
}

// Error returns the message, prefixed with "prodready: ".
func (e *FieldError) Error() string { return "prodready: " + e.message() }

func (e *FieldError) message() string {
	var b strings.Builder
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// A LoadError is what [Load] returns when the configuration has errors: every
// problem found, so that one run lists them all. errors.Is and errors.As see
// through it to each [*FieldError] and its sentinel.
type LoadError struct {
	Profile string        // the active profile
	Errors  []*FieldError // at least one
}

// Error lists every problem, one per line after the first when there are
// several.
func (e *LoadError) Error() string {
	if len(e.Errors) == 1 {
		return e.Errors[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "prodready: %d configuration errors (profile %s):", len(e.Errors), e.Profile)
	for _, fe := range e.Errors {
		b.WriteString("\n\t")
		b.WriteString(fe.message())
	}
	return b.String()
}

// Unwrap returns the field errors.
func (e *LoadError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		errs[i] = fe
	}
	return errs
}

// causeError is a FieldError's cause: a message for people and a sentinel
// (and optionally an underlying error) for errors.Is.
type causeError struct {
	msg  string
	kind error
	err  error
}

func (e *causeError) Error() string { return e.msg }

func (e *causeError) Unwrap() []error {
	if e.err != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.kind}
}

// quote renders a non-secret value for a message: quoted, with any URL
// password removed, and truncated to 64 bytes.
func quote(v string) string {
	v = redactURLPasswords(v)
	const max = 64
	if len(v) > max {
		cut := max
		for cut > 0 && !isRuneStart(v[cut]) {
			cut--
		}
		return fmt.Sprintf("%q... (%d bytes)", v[:cut], len(v))
	}
	return fmt.Sprintf("%q", v)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Patterns of credentials outside a URL's user info: query parameters
// (?password=...) and a driver DSN's user:password@ prefix.
var (
	secretParamPattern = regexp.MustCompile(`(?i)([?&;](?:password|passwd|pwd|pass|sslpassword|secret|token|access_token|auth_token|api_key|apikey|x-amz-security-token)=)[^&#\s"']*`)
	dsnPattern         = regexp.MustCompile(`(^|[\s"'=,;(])([^\s:/@"'=,;(]+):([^\s@"'/][^\s@"']*)@`)
)

// redactURLPasswords removes the password of anything in v shaped like
// scheme://user:password@host, even when v is not a valid URL: the user
// info runs from "://" to the last '@' before white space, whatever it
// holds, since an unescaped '/', '?' or '#' in a password is common. It
// also removes credentials in query parameters (?password=...) and in a
// driver DSN's user:password@ prefix.
func redactURLPasswords(v string) string {
	if strings.ContainsRune(v, '@') {
		v = dsnPattern.ReplaceAllString(v, "${1}${2}:"+Redacted+"@")
	}
	if strings.ContainsRune(v, '=') {
		v = secretParamPattern.ReplaceAllString(v, "${1}"+Redacted)
	}
	return redactUserInfo(v)
}

func redactUserInfo(v string) string {
	var b strings.Builder
	for {
		j := strings.Index(v, "://")
		if j < 0 {
			b.WriteString(v)
			return b.String()
		}
		start := j + 3
		end := start
		for end < len(v) && !strings.ContainsRune(" \t\r\n\"'", rune(v[end])) {
			end++
		}
		b.WriteString(v[:start])
		seg := v[start:end]
		if at := strings.LastIndexByte(seg, '@'); at >= 0 {
			if colon := strings.IndexByte(seg[:at], ':'); colon >= 0 {
				seg = seg[:colon+1] + Redacted + seg[at:]
			}
		}
		b.WriteString(seg)
		v = v[end:]
	}
}
