package prodready

import (
	"errors"
	"fmt"
	"strings"

	"github.com/prodready/prodready/internal/redact"
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

// message is the error without the "prodready: " prefix, so that
// LoadError can list several under one prefix.
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

// Error is the message for people, without the sentinel's text.
func (e *causeError) Error() string { return e.msg }

// Unwrap gives errors.Is both the sentinel (ErrInvalid...) and the
// underlying error, such as fs.ErrNotExist.
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

// isRuneStart reports whether b starts a UTF-8 sequence: a cut made
// there leaves no broken character behind.
func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// redactURLPasswords hides the credentials in v with internal/redact, the
// module's one redactor: the password, the query values off its allow-list
// and the fragment of anything shaped like scheme://..., even when v is not
// a valid URL (then all past the host), the values of key=value pairs
// naming a credential (password=...) and a driver DSN's user:password@.
func redactURLPasswords(v string) string { return redact.Text(v) }
