package prodready_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// The outside attack ("Trust" issue): a configuration file's unknown key
// was quoted in full, so a secret pasted as a key ("sk_live_...: 1", or a
// token on a line of its own) was printed in "unknown key "<secret>"". A
// key is now quoted only when it looks like a name.
func TestConfigFileKeyErrorsNeverQuoteASecret(t *testing.T) {
	t.Parallel()
	secretKeys := map[string]string{
		"stripe-style token":  "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
		"base64url token":     "CANARYx" + strongKey(t),
		"hex token":           "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"long name-like text": strings.Repeat("abcdefgh_", 9),
		"with punctuation":    "p@ss:w0rd!",
	}
	for name, key := range secretKeys {
		for _, file := range []string{
			"c.yaml\x00" + key + ": 1\n",
			"c.yaml\x00page_size: 5\n" + key + ":\n  x: 1\n",
			"c.json\x00{\"" + key + "\": 1}",
			"c.yaml\x00" + key + ": 1\n" + key + ": 2\n", // a duplicate key
		} {
			fname, data, _ := strings.Cut(file, "\x00")
			t.Run(name+" "+fname, func(t *testing.T) {
				t.Parallel()
				err := loadFile(t, fname, data)
				if err == nil {
					t.Fatal("Load error = nil, want the unknown key reported")
				}
				out := fmt.Sprintf("%v %+v %#v", err, err, err)
				if strings.Contains(out, key) || strings.Contains(out, key[:min(16, len(key))]) {
					t.Errorf("Load error quotes the key: %s", out)
				}
				if !strings.Contains(err.Error(), "bytes") {
					t.Errorf("Load error = %q, want the key described by its length", err)
				}
			})
		}
	}
	// A name is quoted, with a suggestion.
	err := loadFile(t, "c.yaml", "page_sise: 5\n")
	if err == nil || !strings.Contains(err.Error(), `"page_sise"`) || !strings.Contains(err.Error(), "PAGE_SIZE") {
		t.Errorf("Load error = %v, want the misspelled key quoted and PAGE_SIZE suggested", err)
	}
}

// The outside attack: with "secret_key: &a S" and "log_level: *a", S was
// printed in LOG_LEVEL's error: an anchor's value reached another
// variable's message. A value that is anchored, or under an anchor, is
// never quoted: an alias elsewhere may give it to a secret.
func TestConfigFileAliasValueNeverQuoted(t *testing.T) {
	t.Parallel()
	s := "CANARYa" + strongKey(t)
	tests := map[string]string{
		"secret anchored, level aliases":     "secret_key: &a " + s + "\nlog_level: *a\n",
		"level anchored, secret aliases":     "log_level: &a " + s + "\nsecret_key: *a\n",
		"number aliases a secret":            "secret_key: &a " + s + "\npage_size: *a\n",
		"anchored map merged":                "base: &b {secret_key: " + s + ", log_level: " + s + "}\n",
		"merge of an anchored map":           "x: &b\n  k: " + s + "\ncache: {<<: *b, ttl: *b}\n",
		"anchored list item, scalar aliases": "secret_key_fallbacks: [&k " + s + "]\nlog_level: *k\n",
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := loadFile(t, "c.yaml", data)
			if err == nil {
				t.Fatal("Load error = nil, want one")
			}
			out := fmt.Sprintf("%v %+v %#v", err, err, err)
			if strings.Contains(out, s[:20]) { // a value of more than 64 bytes is quoted cut

				t.Errorf("Load error quotes the anchored value: %s", out)
			}
		})
	}
	// Without an anchor, a bad level is quoted, as before.
	err := loadFile(t, "c.yaml", "log_level: loud\n")
	if err == nil || !strings.Contains(err.Error(), `"loud"`) {
		t.Errorf("Load error = %v, want the bad level quoted", err)
	}
}

func loadFile(t *testing.T, name, data string) error {
	t.Helper()
	var c prodready.Base
	return prodready.Load(context.Background(), &c, &prodready.Options{
		Env: prodready.MapEnv{}, FS: fstest.MapFS{name: {Data: []byte(data)}}, ConfigFiles: []string{name},
	})
}

// TestOneVariableOncePerFile checks that a config file setting one
// variable twice under two spellings is refused.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): this was silently accepted.
func TestOneVariableOncePerFile(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		"page_size: 10\nPAGE_SIZE: 20\n",
		"page_size: 10\npage-size: 20\n",
		"cache_ttl: 1m\ncache:\n  ttl: 2m\n",
	} {
		files := fstest.MapFS{"c.yaml": {Data: []byte(data)}}
		o := opts(nil, files)
		o.ConfigFiles = []string{"c.yaml"}
		var b prodready.Base
		if err := prodready.Load(ctx, &b, o); err == nil || !strings.Contains(err.Error(), "is set twice in c.yaml") {
			t.Errorf("Load(%q) = %v, want the repeat refused", data, err)
		}
	}
	files := fstest.MapFS{"c.json": {Data: []byte(`{"page_size": 1, "PAGE_SIZE": 2}`)}}
	o := opts(nil, files)
	o.ConfigFiles = []string{"c.json"}
	var b prodready.Base
	if err := prodready.Load(ctx, &b, o); err == nil || !strings.Contains(err.Error(), "set twice") {
		t.Errorf("JSON: Load() = %v", err)
	}
}
