package prodready_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// TestPublishedKeysAreRefused checks that no key printed in this module's
// documentation passes the strength rules: the README, docs/, the example
// services and the Example functions. A key on a public page is no secret,
// and whoever copies it into production must be stopped. A new user found
// the Examples' key accepted by prodready check under production.
func TestPublishedKeysAreRefused(t *testing.T) {
	t.Parallel()
	// A key-like token (32 characters or more of base64, base64url or hex)
	// on a line that names a key, a secret or a token.
	token := regexp.MustCompile(`[A-Za-z0-9+/_=-]{32,}`)
	named := regexp.MustCompile(`(?i)key|secret|token`)
	assignment := regexp.MustCompile(`^[A-Z][A-Z0-9_]*=`)
	published := func(path string) bool {
		switch {
		case strings.HasSuffix(path, ".md"):
			return true
		case strings.HasSuffix(path, "_test.go"), strings.HasSuffix(path, "doc.go"):
			return true // a test file's Example functions only (below)
		case strings.HasPrefix(filepath.ToSlash(path), "examples/") && strings.HasSuffix(path, ".go"):
			return true
		}
		return false
	}
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || path == "bench") {
			return filepath.SkipDir
		}
		if d.IsDir() || !published(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		inExample := false
		for n, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "func ") {
				inExample = strings.HasPrefix(line, "func Example")
			}
			if strings.HasSuffix(path, "_test.go") && !inExample || !named.MatchString(line) {
				continue
			}
			for _, k := range token.FindAllString(line, -1) {
				k = assignment.ReplaceAllString(k, "") // NAME=value
				if len(strings.Trim(k, "-_=/+")) < 32 || strings.HasPrefix(k, "/") {
					continue // a rule of dashes, a short value, a path
				}
				found++
				if prodready.CheckKeyStrength(prodready.NewSecret(k)) == nil {
					t.Errorf("%s:%d: the published key %s passes the strength rules; add it to publishedKeys", path, n+1, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("no key-like token found in the documentation: the scan is broken")
	}
}

// TestPublishedKeyReason checks the reason given for a published key:
// the Examples' key until round seven, which passed every other rule.
func TestPublishedKeyReason(t *testing.T) {
	t.Parallel()
	err := prodready.CheckKeyStrength(prodready.NewSecret("hF3k9Qz7Lp2Xv8Rt5Wn1Yb6Mc4Jd0Gs-Ua_Ek"))
	if err == nil || !strings.Contains(err.Error(), "is an example key published in documentation") || strings.Contains(err.Error(), "hF3k") {
		t.Errorf("CheckKeyStrength(the old Examples' key) = %v; want the reason, and no part of the key", err)
	}
}
