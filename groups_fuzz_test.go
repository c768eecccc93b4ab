package prodready_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// FuzzGroupVariables feeds arbitrary variable names and values, from the
// environment and from a config file, to a struct with list and map
// groups. Load must never panic, must fail only with a LoadError wrapping
// a sentinel, and must never quote an element's secret.
func FuzzGroupVariables(f *testing.F) {
	for _, s := range [][3]string{
		{"UPSTREAM_1_HOST", "b", ""},
		{"UPSTREAM_X_HOST", "a", ""},
		{"UPSTREAM_01_PORT", "1", ""},
		{"UPSTREAM__HOST", "a", ""},
		{"UPSTREAM_0_TOKEN", "CANARY-fuzz-token-value", ""},
		{"POOL__HOST", "a", ""},
		{"POOL_eu_HOST", "a", "pool:\n  EU:\n    host: b\n"},
		{"POOL_A_B_TOKEN_FILE", "t", "upstream:\n  - host: a\n  - [1]\n"},
		{"UPSTREAM_99999999999999999999_HOST", "a", "upstream: {a: 1}\n"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, name, value, file string) {
		o := opts(prodready.MapEnv{name: value, "UPSTREAM_0_HOST": "a"}, fstest.MapFS{"c.yaml": {Data: []byte(file)}, "t": {Data: []byte(value)}})
		o.ConfigFiles = []string{"c.yaml"}
		var c groupConfig
		err := prodready.Load(ctx, &c, o)
		if err == nil {
			return
		}
		var le *prodready.LoadError
		if !errors.As(err, &le) || !(errors.Is(err, prodready.ErrInvalid) || errors.Is(err, prodready.ErrMissing)) {
			t.Fatalf("Load(%q=%q) error = %v (%T), want a LoadError with a sentinel", name, value, err, err)
		}
		if strings.HasSuffix(name, "_TOKEN") && len(value) >= 8 && !strings.Contains(name, value) && !strings.Contains(file, value) && strings.Contains(err.Error(), value) {
			t.Fatalf("Load(%s=%q) error quotes the secret: %v", name, value, err)
		}
	})
}
