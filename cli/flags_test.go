package cli_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/prodready/prodready/cli"
)

// TestFlagErrorsOneLine checks that a flag error is one line, with no
// control character, whatever the flag's name holds.
//
// From the second review of the CLI (commit 7baa561): a flag error could
// span lines, as the flag package echoes a flag's name unquoted.
func TestFlagErrorsOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantMsg string
	}{
		{"line feed in a flag name", []string{"check", "--a\nINJECTED"}, "prodready check: flag provided but not defined: -a INJECTED"},
		{"line feed, print", []string{"print", "-x\n\nprodready: all good"}, "prodready print: flag provided but not defined: -x prodready: all good"},
		{"escape in a flag name", []string{"env", "--\x1b[2Jx"}, `\x1b[2Jx`},
		{"bad value", []string{"gen-secret", "--bytes", "1\n2"}, `invalid value "1\n2" for flag -bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, nil, nil, tt.args...)
			if res.code != 2 || !isUsage(res.err) {
				t.Fatalf("Run(%q) = %v (exit code %d), want a *UsageError", tt.args, res.err, res.code)
			}
			msg := res.err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("Run(%q) error = %q, want one line", tt.args, msg)
			}
			if c, ok := rawControl(msg); ok {
				t.Errorf("Run(%q) error = %q holds the control %q", tt.args, msg, c)
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("Run(%q) error = %q, want it to contain %q", tt.args, msg, tt.wantMsg)
			}
			var ue *cli.UsageError
			if errors.As(res.err, &ue) && errors.Unwrap(ue.Err) == nil {
				t.Errorf("Run(%q) error does not unwrap to the flag package's", tt.args)
			}
		})
	}
}
