package prodready_test

import (
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/prodready/prodready"
)

// BenchmarkLoadGroups measures Load of a list group and a map group of n
// elements each, every element field set in the environment, beside 500
// unrelated variables that the misspelling scan and the group scan read.
func BenchmarkLoadGroups(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run("elements="+strconv.Itoa(n), func(b *testing.B) {
			env := prodready.MapEnv{}
			for i := range n {
				k := strconv.Itoa(i)
				env["UPSTREAM_"+k+"_HOST"] = "h" + k
				env["UPSTREAM_"+k+"_PORT"] = "80"
				env["UPSTREAM_"+k+"_WEIGHTS"] = "1,2"
				env["POOL_K"+k+"_HOST"] = "p" + k
			}
			for i := range 500 {
				env["OTHER_VARIABLE_"+strconv.Itoa(i)] = "x"
			}
			o := &prodready.Options{Env: env, NoDotEnv: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			var c groupConfig
			if err := prodready.Load(ctx, &c, o); err != nil || len(c.Upstreams) != n || len(c.Pools) != n {
				b.Fatalf("Load() = %d, %d elements, %v", len(c.Upstreams), len(c.Pools), err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := prodready.Load(ctx, &c, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
