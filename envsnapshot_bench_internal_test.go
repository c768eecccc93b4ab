//go:build linux || darwin

package prodready

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"github.com/prodready/prodready/internal/cputime"
)

// BenchmarkLoadListing loads Base from the process environment, with 500
// unrelated variables added, in the three states of a type's learnt
// listing (envsnapshot.go): "first", a type's first load, which learns
// nothing (what a service that loads once pays); "relearn", a load after
// the names changed, which learns again; "reuse", a load with the names
// unchanged. bench/ compares the last with the other loaders. Besides
// ns/op, it reports cpu-ns/op (user + system CPU time per load, garbage
// collection included), steadier on a shared machine.
func BenchmarkLoadListing(b *testing.B) {
	for i := range 500 {
		b.Setenv(fmt.Sprintf("UNRELATED_VAR_%04d", i), "value-of-some-other-service")
	}
	b.Setenv("SECRET_KEY", "q7Vx2LmN9pR4tZ8wK3bH6jF1sD5gA0cY-uE_oI2nM8vB4xQz")
	o := &Options{Profile: Testing, NoDotEnv: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	pe := planFor(reflect.TypeFor[Base]())
	for _, state := range []string{"first", "relearn", "reuse"} {
		b.Run("state="+state, func(b *testing.B) {
			var c Base
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for b.Loop() {
				switch state {
				case "first":
					pe.envScan.Store(nil)
					pe.snapshots.Store(0)
				case "relearn":
					pe.envScan.Store(nil)
				}
				if err := Load(context.Background(), &c, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
