package prodready

import (
	"context"
	"fmt"
	"strings"
)

// A Severity ranks a finding. Errors make [Load] fail; warnings and infos
// are reported and logged. The zero Severity is unset: a finding left
// without one takes its check's.
type Severity int8

// Severities, least severe first.
const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityError
)

// String returns "info", "warning" or "error", and "unset" for the zero
// Severity.
func (s Severity) String() string {
	switch s {
	case 0:
		return "unset"
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int8(s))
}

// MarshalText returns [Severity.String].
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText accepts info, warning (or warn) and error.
func (s *Severity) UnmarshalText(b []byte) error {
	switch strings.ToLower(strings.TrimSpace(string(b))) {
	case "info":
		*s = SeverityInfo
	case "warning", "warn":
		*s = SeverityWarning
	case "error":
		*s = SeverityError
	default:
		return fmt.Errorf("want info, warning or error")
	}
	return nil
}

// A Finding is one result of a check.
type Finding struct {
	ID       string   `json:"id"`              // the check's stable ID, such as "PR-E010"
	Severity Severity `json:"severity"`        // how bad it is
	Key      string   `json:"key,omitempty"`   // the variable concerned, if any
	Field    string   `json:"field,omitempty"` // its Go field path, if any
	Message  string   `json:"message"`         // what is wrong; never holds a secret
	Hint     string   `json:"hint,omitempty"`  // how to fix it
	Origin   Origin   `json:"origin,omitzero"` // where the offending value came from
	Err      error    `json:"-"`               // for errors: the cause, wrapping a sentinel such as ErrWeakSecret
}

// A Check inspects a loaded configuration. Built-in checks are listed by
// [BuiltinChecks]; a service adds its own with [Options.Checks], and
// silences any by ID with [Options.Silence].
type Check struct {
	ID       string   // stable identifier, such as "PR-E010" or "MYAPP-W001"
	Severity Severity // the severity of its findings, unless a finding sets another
	Title    string   // one line saying what it looks for
	// Run returns the check's findings; a Finding's ID and Severity are
	// filled from the Check when empty (a Check without a Severity gives
	// warnings). It must not change the config.
	Run func(ctx context.Context, in *CheckInput) []Finding
}

// A CheckInput is what a check sees of a load.
type CheckInput struct {
	Profile Profile
	// Config points to a copy of the loaded struct; read it, never write
	// it (its slices and maps are shared with the loaded value).
	Config any
	// Base is the Base embedded in Config, or nil when it has none.
	Base *Base
	// Prefix is Options.Prefix.
	Prefix string
	l      *loader
}

// state is what the loader learned about the variable name (prefix
// included), for Origin and IsSet; false for a name that is not a field
// of the struct, or lacks the prefix.
func (in *CheckInput) state(name string) (fieldState, bool) {
	if !strings.HasPrefix(name, in.Prefix) {
		return fieldState{}, false
	}
	i, ok := in.l.plan.Lookup(name[len(in.Prefix):])
	if !ok {
		return fieldState{}, false
	}
	return in.l.fields[i], true
}

// Origin returns where the variable name (prefix included) got its value.
func (in *CheckInput) Origin(name string) Origin {
	st, _ := in.state(name)
	return st.origin
}

// IsSet reports whether the variable name (prefix included) was given a
// value by any source other than a default.
func (in *CheckInput) IsSet(name string) bool {
	st, _ := in.state(name)
	return st.set
}
