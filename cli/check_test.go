package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// TestSilenceFindingIDs checks that --silence accepts what the library
// silences: a check's own finding IDs, in any case, and refuses, as bad
// usage, the IDs that cannot be silenced.
//
// From the second review of the CLI (commit 7baa561): --silence refused
// the finding IDs a service's checks emit and accepted IDs that cannot be
// silenced.
func TestSilenceFindingIDs(t *testing.T) {
	t.Parallel()
	own := prodready.Check{ID: "MYAPP", Severity: prodready.SeverityWarning, Title: "own",
		Run: func(context.Context, *prodready.CheckInput) []prodready.Finding {
			return []prodready.Finding{{ID: "MYAPP-W001", Message: "first"}, {ID: "MYAPP-W002", Message: "second"}}
		}}
	tests := []struct {
		name     string
		silence  string
		wantCode int
		wantMsg  string   // in the error
		notWant  []string // in the output
	}{
		{"one finding of a check", "MYAPP-W001,PR-W001", 1, "1 finding at or above", []string{"MYAPP-W001"}},
		{"every finding of a check", "MYAPP-W001,MYAPP-W002,PR-W001", 0, "", []string{"MYAPP-W001", "MYAPP-W002"}},
		{"lower case", "myapp-w001,myapp-w002,pr-w001", 0, "", []string{"MYAPP-W001", "MYAPP-W002"}},
		{"the check ID", "MYAPP", 1, "", nil},
		{"another prefix", "OTHER-W001", 2, "--silence: unknown check ID OTHER-W001 (run 'prodready check --format json' for the IDs of the findings)", nil},
		{"close to a known ID", "PR-I04O", 2, "(the closest known ID is PR-I040)", nil},
		{"a loader error", "PR-E009", 2, "--silence: PR-E009 cannot be silenced", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := runOpts(nil, nil)
			o.Load.Checks = []prodready.Check{own}
			res := runWith(t, o, &prodready.Base{}, "check", "--silence", tt.silence)
			if res.code != tt.wantCode {
				t.Fatalf("check --silence %s: exit code %d, want %d; err = %v\n%s", tt.silence, res.code, tt.wantCode, res.err, res.stdout)
			}
			if (tt.wantCode == 2) != isUsage(res.err) {
				t.Errorf("check --silence %s: error %v (%T), want a *UsageError exactly when the exit code is 2", tt.silence, res.err, res.err)
			}
			if tt.wantMsg != "" && (res.err == nil || !strings.Contains(res.err.Error(), tt.wantMsg)) {
				t.Errorf("check --silence %s: error %v, want it to contain %q", tt.silence, res.err, tt.wantMsg)
			}
			if tt.wantCode == 2 && strings.Contains(res.err.Error(), "closest") != strings.Contains(tt.wantMsg, "closest") {
				t.Errorf("check --silence %s: error %v: a closest ID exactly within edit distance 2", tt.silence, res.err)
			}
			for _, s := range tt.notWant {
				if strings.Contains(res.stdout, s) {
					t.Errorf("check --silence %s still lists %s:\n%s", tt.silence, s, res.stdout)
				}
			}
		})
	}
}
