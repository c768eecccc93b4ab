package prodready_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPackageDocWording: the package doc opened its quick start with "The
// seed's quick path", the project's internal name for its starting code,
// which means nothing to a new user. No doc comment of a user-facing
// package says "seed" in that sense; a random seed (maphash, rand) or the
// fuzz seed corpus is fine.
func TestPackageDocWording(t *testing.T) {
	t.Parallel()
	internal := regexp.MustCompile(`(?i)\bthe seed\b|\bseed's\b`)
	for _, dir := range []string{".", "cache", "paginate", "signing", "cli"} {
		fset := token.NewFileSet()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			path := filepath.Join(dir, name)
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, cg := range f.Comments {
				if m := internal.FindString(cg.Text()); m != "" {
					t.Errorf("%s: comment says %q, internal wording a user cannot know", fset.Position(cg.Pos()), m)
				}
			}
		}
	}
	// The package doc opens by saying what the package is.
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if doc := f.Doc.Text(); !strings.HasPrefix(doc, "Package prodready loads") {
		t.Errorf("package doc opens %.60q, want it to say what the package does", doc)
	}
}
