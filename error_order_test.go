package prodready_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

type orderConfig struct {
	prodready.Base
	Workers  int               `env:"WORKERS"`
	Ratio    float64           `env:"RATIO"`
	Timeout  string            `env:"TIMEOUT" required:"true"`
	Weights  map[string]int    `env:"WEIGHTS"`
	Hosts    []int             `env:"HOSTS"`
	Labels   map[string]string `env:"LABELS"`
	APIToken prodready.Secret  `env:"API_TOKEN" required:"production"`
	Backends []struct {
		Host string `env:"HOST" required:"true"`
		Port int    `env:"PORT"`
	} `prefix:"BACKEND_"`
}

// mapCheck reports one finding per entry of a Go map, in the map's order,
// which changes from run to run: a service's check may well do so.
var mapCheck = prodready.Check{ID: "SVC-E001", Severity: prodready.SeverityError, Run: func(context.Context, *prodready.CheckInput) []prodready.Finding {
	var out []prodready.Finding
	for k := range map[string]bool{"QUEUE_A": true, "QUEUE_B": true, "QUEUE_C": true, "QUEUE_D": true, "QUEUE_E": true} {
		out = append(out, prodready.Finding{Key: k, Message: "queue not reachable"})
	}
	return out
}}

// The errors of one load came out in an order that changed from run to run
// (Trust issue): they must come sorted by variable name, every time.
func TestLoadErrorOrderIsStable(t *testing.T) {
	t.Parallel()
	env := prodready.MapEnv{
		"APP_ENV":        "production",
		"DEBUG":          "maybe",
		"WORKERS":        "0x1F",
		"RATIO":          "half",
		"WEIGHTS":        "a=1,b=x,c=y",
		"HOSTS":          "1,two",
		"PAGE_SIZE":      "-3",
		"SECRET_KEY":     "short",
		"CACHE_TTL":      "10",
		"BACKEND_0_PORT": "x",
		"BACKEND_2_HOST": "h",
	}
	fsys := fstest.MapFS{"c.yaml": {Data: []byte("labels:\n  a: b\nlog_level: loud\n")}}
	var first string
	for i := range 50 {
		var c orderConfig
		o := opts(env, fsys)
		o.ConfigFiles = []string{"c.yaml"}
		o.Checks = []prodready.Check{mapCheck}
		o.Overrides = map[string]string{"WORKRS": "1", "ZETA": "1", "ALPHA": "2"}
		rep, err := prodready.LoadWithReport(ctx, &c, o)
		if !slices.IsSortedFunc(rep.Findings, func(a, b prodready.Finding) int { return strings.Compare(a.Key, b.Key) }) {
			t.Fatalf("report findings not sorted by key: %+v", rep.Findings)
		}
		if err == nil {
			t.Fatal("Load() = nil, want errors")
		}
		fes := fieldErrors(t, err)
		if len(fes) < 5 {
			t.Fatalf("Load() gave %d errors, want at least 5: %v", len(fes), err)
		}
		keys := make([]string, len(fes))
		for j, fe := range fes {
			keys[j] = fe.Key
		}
		if !slices.IsSorted(keys) {
			t.Fatalf("error keys = %v, want them sorted", keys)
		}
		if i == 0 {
			first = err.Error()
			continue
		}
		if got := err.Error(); got != first {
			t.Fatalf("run %d: Load() error =\n%s\nwant the same as run 0:\n%s", i, got, first)
		}
	}
	if !strings.Contains(first, "WORKERS") {
		t.Errorf("Load() error = %s, want WORKERS among them", first)
	}
}
