package prodready_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// A finding's Key is printed before its Message (the CLI's check table, the
// log line), so a message that starts by naming the variable again reads
// "SECRET_KEY SECRET_KEY_FILE names a file..." (Trust issue). The message
// says what is wrong; the key and the origin say which variable and file.
func TestFindingMessagesDoNotRepeatTheVariable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := filepath.Join(dir, "key")
	if err := os.WriteFile(open, []byte(strongKey(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	profile := filepath.Join(dir, "profile")
	if err := os.WriteFile(profile, []byte("nosuchprofile"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  prodready.MapEnv
		id   string
		key  string
	}{
		{"world-readable secret file", prodready.MapEnv{"SECRET_KEY_FILE": open}, "PR-W044", "SECRET_KEY"},
		{"APP_ENV_FILE with an unknown profile", prodready.MapEnv{"APP_ENV_FILE": profile}, "PR-E002", "APP_ENV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, fstest.MapFS{})
			o.FS = nil // the real file system: only there are modes checked
			o.NoDotEnv = true
			var b prodready.Base
			rep, _ := prodready.LoadWithReport(ctx, &b, o)
			if !hasFinding(rep, tt.id, tt.key) {
				t.Fatalf("no %s finding for %s in %+v", tt.id, tt.key, rep)
			}
			for _, f := range rep.Findings {
				if f.ID == tt.id && f.Key == tt.key && strings.Contains(f.Message, tt.key) {
					t.Errorf("%s message = %q, repeats the key %s", f.ID, f.Message, tt.key)
				}
			}
		})
	}
}
