package prodready_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// required:"prod" (a profile name that exists nowhere) was silently ignored,
// while required:"prodution" was caught (Trust issue): only names within two
// edits of a known profile were refused, and "prod" is six edits from
// "production". Any name that is neither built in nor among the service's
// profiles is now a programming error at load, with a suggestion.
func TestRequiredNamesUnknownProfile(t *testing.T) {
	t.Parallel()
	staging := prodready.Production.Derive("staging", nil)
	type prod struct {
		A string `env:"A" required:"prod"`
	}
	type misspelt struct {
		A string `env:"A" required:"prodution"`
	}
	type unknown struct {
		A string `env:"A" required:"qa"`
	}
	type stag struct {
		A string `env:"A" required:"production,staging"`
	}
	tests := []struct {
		name     string
		dst      any
		profiles []prodready.Profile
		want     string // "" for no error
	}{
		{"abbreviation", &prod{}, nil, `A: required:"prod" names no profile (built-in or in Options.Profiles); did you mean production?`},
		{"misspelling", &misspelt{}, nil, `required:"prodution" names no profile (built-in or in Options.Profiles); did you mean production?`},
		{"no near name", &unknown{}, nil, `required:"qa" names no profile (built-in or in Options.Profiles); register it with Options.Profiles`},
		{"custom profile not registered", &stag{}, nil, `required:"staging" names no profile`},
		{"custom profile registered", &stag{}, []prodready.Profile{staging}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(nil, nil)
			o.Profiles = tt.profiles
			err := prodready.Load(ctx, tt.dst, o)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load() error = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load() error = %v, want it to contain %q", err, tt.want)
			}
			var le *prodready.LoadError
			if errors.As(err, &le) {
				t.Errorf("Load() error is a *LoadError; want a programming error, not bad input")
			}
		})
	}
}

// TestRequiredInMisspelledProfile checks that a required tag misspelling a
// known profile is refused, and that profile names are case-insensitive.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): such a requirement silently never applied.
func TestRequiredInMisspelledProfile(t *testing.T) {
	t.Parallel()
	var c struct {
		A string `env:"A" required:"prodution"`
		B string `env:"B" required:"Production"`
		C string `env:"C" required:"staging"` // registered below; an unknown one is refused (TestRequiredNamesUnknownProfile)
	}
	o0 := opts(nil, nil)
	o0.Profiles = []prodready.Profile{prodready.Production.Derive("staging", nil)}
	err := prodready.Load(ctx, &c, o0)
	if err == nil || !strings.Contains(err.Error(), `required:"prodution" names no profile (built-in or in Options.Profiles); did you mean production?`) {
		t.Errorf("Load() = %v", err)
	}
	var d struct {
		B string `env:"B" required:"Production"`
	}
	o := opts(nil, nil)
	o.Profile = prodready.Production
	if err := prodready.Load(ctx, &d, o); !errors.Is(err, prodready.ErrMissing) {
		t.Errorf(`required:"Production" under production: Load() = %v, want B missing`, err)
	}
}
