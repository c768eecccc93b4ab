package prodready_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/prodready/prodready"
)

// TestFindingString: fmt.Println(f) of a report's finding printed the
// positional struct, {PR-W041 warning DATABASE_URL DatabaseURL ...}, with
// the fields run together and the Err field's internals at the end. String
// prints one line in the words of the library's logs.
func TestFindingString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    prodready.Finding
		want string
	}{
		{"full", prodready.Finding{ID: "PR-W041", Severity: prodready.SeverityWarning, Key: "DATABASE_URL", Field: "DatabaseURL",
			Message: "no TLS", Hint: "add sslmode=require", Origin: prodready.Origin{Source: prodready.SourceEnv}, Err: errors.New("cause")},
			"PR-W041 warning: DATABASE_URL: no TLS (hint: add sslmode=require)"},
		{"no variable, no hint", prodready.Finding{ID: "PR-I001", Severity: prodready.SeverityInfo, Message: "profile development"},
			"PR-I001 info: profile development"},
		{"error", prodready.Finding{ID: "PR-E010", Severity: prodready.SeverityError, Key: "SECRET_KEY", Message: "required in production, not set"},
			"PR-E010 error: SECRET_KEY: required in production, not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, verb := range []string{"%s", "%v", "%+v"} {
				if got := fmt.Sprintf(verb, tt.f); got != tt.want {
					t.Errorf("Sprintf(%q)\n got %s\nwant %s", verb, got, tt.want)
				}
			}
		})
	}
}

func ExampleFinding_String() {
	f := prodready.Finding{ID: "PR-W041", Severity: prodready.SeverityWarning, Key: "DATABASE_URL",
		Message: "connection is not encrypted", Hint: "add sslmode=require"}
	fmt.Println(f)
	// Output:
	// PR-W041 warning: DATABASE_URL: connection is not encrypted (hint: add sslmode=require)
}
