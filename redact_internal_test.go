package prodready

import (
	"testing"

	"github.com/prodready/prodready/internal/redact"
)

func TestRedactURLPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://u:pw@h/db", "postgres://u:[redacted]@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"redis://:pw@h:6379/0", "redis://:[redacted]@h:6379/0"},
		// Ambiguous: a password holding '#', or host app:1 and a
		// fragment; internal/redact hides all but the name both show.
		{"postgres://app:1#pw@db/app", "postgres://app:[redacted]@[redacted]"},
		{"x postgres://a:b@h and redis://:c@r", "x postgres://a:[redacted]@h and redis://:[redacted]@r"},
		{"app:hunter2@tcp(db:3306)/app", "app:[redacted]@tcp(db:3306)/app"},
		{"postgres://h/db?user=app&password=pw&sslmode=require", "postgres://h/db?user=app&password=[redacted]&sslmode=require"},
		{"https://h/?Token=abc", "https://h/?Token=[redacted]"},
		{"no url here: just text", "no url here: just text"},
		{"12:30", "12:30"},
		{"user@example.com", "user@example.com"},
	}
	for _, tt := range tests {
		if got := redactURLPasswords(tt.in); got != tt.want {
			t.Errorf("redactURLPasswords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Redacted and internal/redact's Mark are one placeholder: the CLI
// recognizes what was hidden by it.
func TestRedactedIsTheRedactorsMark(t *testing.T) {
	t.Parallel()
	if Redacted != redact.Mark {
		t.Errorf("Redacted = %q, redact.Mark = %q: want one placeholder", Redacted, redact.Mark)
	}
}
