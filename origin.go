package prodready

import (
	"fmt"
	"strconv"
)

// A Source is the kind of place a value came from.
type Source uint8

// Sources, lowest precedence first.
const (
	SourceNone      Source = iota // no value: the field keeps its zero value
	SourceDefault                 // the field's default tag
	SourceProfile                 // a profile's default
	SourceFile                    // a configuration file (YAML or JSON)
	SourceDotEnv                  // a .env file
	SourceEnv                     // the process environment
	SourceEnvFile                 // a file named by the NAME_FILE variable
	SourceOverride                // Options.Overrides
	SourceGenerated               // generated at load time (the development key)
)

var sourceNames = [...]string{"unset", "default", "profile", "file", "dotenv", "env", "env_file", "override", "generated"}

// String returns the source's short name: unset, default, profile, file,
// dotenv, env, env_file, override or generated.
func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "Source(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText returns [Source.String].
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// An Origin says where a value came from.
type Origin struct {
	Source Source `json:"source"`
	// Name is the profile for SourceProfile, the file's path for
	// SourceFile, SourceDotEnv and SourceEnvFile, and what generated the
	// value for SourceGenerated.
	Name string `json:"name,omitempty"`
	// Var is the variable that was read: NAME for SourceEnv, NAME_FILE for
	// SourceEnvFile.
	Var string `json:"var,omitempty"`
	// Line is the 1-based line in a file, or 0.
	Line int `json:"line,omitempty"`
}

// String describes the origin the way the CLI prints it: "default",
// "profile production", "config.yaml:12", ".env:3", "env",
// "SECRET_KEY_FILE /run/secrets/key", "override", "generated".
func (o Origin) String() string {
	switch o.Source {
	case SourceProfile:
		return "profile " + o.Name
	case SourceFile, SourceDotEnv:
		if o.Line > 0 {
			return fmt.Sprintf("%s:%d", o.Name, o.Line)
		}
		return o.Name
	case SourceEnvFile:
		if o.Name == "" {
			return o.Var
		}
		return o.Var + " " + o.Name
	case SourceGenerated:
		if o.Name != "" {
			return "generated (" + o.Name + ")"
		}
	}
	return o.Source.String()
}

// A Report describes a load: the profile, every variable with its effective
// value and origin, and every finding of the checks. [LoadWithReport]
// returns it, even when loading fails, so that tools can show both.
type Report struct {
	Profile  string    `json:"profile"`
	Vars     []Var     `json:"vars"`
	Findings []Finding `json:"findings"`
}

// A Var is one variable of a loaded configuration.
type Var struct {
	Name   string `json:"name"`             // variable name, prefix included
	Field  string `json:"field"`            // Go field path
	Type   string `json:"type"`             // Go type
	Value  string `json:"value"`            // effective value; Redacted for secrets, URL passwords removed
	Secret bool   `json:"secret"`           // whether the value is a secret
	Set    bool   `json:"set"`              // whether the value is non-empty
	Length string `json:"length,omitempty"` // for a set secret: "short (<32 bytes)", "32-63 bytes" or "64+ bytes"
	Origin Origin `json:"origin"`
	Doc    string `json:"doc,omitempty"`
}

// Var returns the variable called name, and whether there is one.
func (r *Report) Var(name string) (Var, bool) {
	for _, v := range r.Vars {
		if v.Name == name {
			return v, true
		}
	}
	return Var{}, false
}

// Errors returns the findings of error severity.
func (r *Report) Errors() []Finding { return r.bySeverity(SeverityError) }

// Warnings returns the findings of warning severity.
func (r *Report) Warnings() []Finding { return r.bySeverity(SeverityWarning) }

// bySeverity returns the findings of severity s, in the report's order.
func (r *Report) bySeverity(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// lengthClass describes a secret's length for the report in broad
// classes only: the exact length would tell an attacker something.
func lengthClass(n int) string {
	switch {
	case n == 0:
		return ""
	case n < MinKeyBytes:
		return "short (<32 bytes)"
	case n < 64:
		return "32-63 bytes"
	}
	return "64+ bytes"
}
