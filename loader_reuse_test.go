package prodready_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/prodready/prodready"
)

// TestLoadsShareNothing checks that a load sees nothing of an earlier one
// of the same type (loaders are reused per type): not its findings, not its
// values or origins, not its misspellings, also with loads running at once.
func TestLoadsShareNothing(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Port  int    `env:"PORT" default:"80"`
		Name  string `env:"NAME"`
		Token string `env:"TOKEN_VALUE"`
	}
	bad := prodready.MapEnv{"PORT": "x", "NAME": "bad", "TOKEN_VALEU": "t"}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			good := prodready.MapEnv{"NAME": fmt.Sprint("good-", i)}
			var c cfg
			if _, err := prodready.LoadWithReport(ctx, &c, opts(bad, nil)); err == nil {
				t.Error("Load(bad) error = nil")
			}
			rep, err := prodready.LoadWithReport(ctx, &c, opts(good, nil))
			if err != nil {
				t.Errorf("Load(good) error = %v", err)
				return
			}
			if c.Port != 80 || c.Name != fmt.Sprint("good-", i) || len(rep.Findings) != 0 {
				t.Errorf("Load(good) = %+v, findings %+v; want port 80, name good-%d, no findings", c, rep.Findings, i)
			}
			if v, _ := rep.Var("PORT"); v.Origin.Source != prodready.SourceDefault {
				t.Errorf("PORT origin = %v, want default", v.Origin)
			}
		}()
	}
	wg.Wait()
	// A service's own check keeps its input; its loader is not reused.
	var kept *prodready.CheckInput
	o := opts(prodready.MapEnv{"NAME": "first"}, nil)
	o.Checks = []prodready.Check{{ID: "X-W1", Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
		kept = in
		return nil
	}}}
	var c cfg
	prodready.MustLoad(ctx, &c, o)
	prodready.MustLoad(ctx, &c, opts(prodready.MapEnv{"PORT": "9"}, nil))
	if got := kept.Origin("NAME"); got.Source != prodready.SourceEnv {
		t.Errorf("kept CheckInput's Origin(NAME) = %v, want env", got)
	}
}
