package prodready_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

// listedEnv is a MapEnv seen only as a NamedEnvironment, so that the scan's
// path for environments that list their own names is tested too.
type listedEnv struct{ prodready.MapEnv }

// unrelatedVars returns n variables that misspell no variable of Base.
func unrelatedVars(n int) prodready.MapEnv {
	env := prodready.MapEnv{}
	for i := range n {
		env[fmt.Sprintf("UNRELATED_VAR_%04d", i)] = "value of some other service"
	}
	return env
}

// TestMisspellingScan checks which variables the misspelling scan (PR-W050)
// reports without Options.Prefix, and what it suggests: names within two
// edits of a known name (or of its NAME_FILE form), however the edits fall,
// whatever else the environment holds. TestMisspelledFileForm (check_test.go)
// keeps the case that first went unnoticed.
func TestMisspellingScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   prodready.MapEnv
		extra int               // unrelated variables added to env
		want  map[string]string // reported variable -> suggested name
	}{
		{"file form with a transposition", prodready.MapEnv{"DATABASE_URL_FIEL": "/run/secrets/db"}, 0, map[string]string{"DATABASE_URL_FIEL": "DATABASE_URL_FILE"}},
		{"transposition", prodready.MapEnv{"DATABSAE_URL": "x"}, 0, map[string]string{"DATABSAE_URL": "DATABASE_URL"}},
		{"transposition of the first letters", prodready.MapEnv{"ESCRET_KEY": "x"}, 0, map[string]string{"ESCRET_KEY": "SECRET_KEY"}},
		{"transposition of the last letters", prodready.MapEnv{"CACHE_TLT": "x"}, 0, map[string]string{"CACHE_TLT": "CACHE_TTL"}},
		{"missing letter", prodready.MapEnv{"PAGE_SZE": "5"}, 0, map[string]string{"PAGE_SZE": "PAGE_SIZE"}},
		{"missing last letter", prodready.MapEnv{"DATABASE_UR": "x"}, 0, map[string]string{"DATABASE_UR": "DATABASE_URL"}},
		{"missing underscore", prodready.MapEnv{"CACHENAMESPACE": "x"}, 0, map[string]string{"CACHENAMESPACE": "CACHE_NAMESPACE"}},
		{"extra suffix", prodready.MapEnv{"PAGE_SIZES": "5"}, 0, map[string]string{"PAGE_SIZES": "PAGE_SIZE"}},
		{"extra prefix", prodready.MapEnv{"XLOG_LEVEL": "debug"}, 0, map[string]string{"XLOG_LEVEL": "LOG_LEVEL"}},
		{"both ends edited", prodready.MapEnv{"ECRET_KEYS": "x"}, 0, map[string]string{"ECRET_KEYS": "SECRET_KEY"}},
		{"both ends substituted", prodready.MapEnv{"XACHE_URX": "x"}, 0, map[string]string{"XACHE_URX": "CACHE_URL"}},
		{"lower case", prodready.MapEnv{"page_size": "5"}, 0, map[string]string{"page_size": "PAGE_SIZE"}},
		{"short name", prodready.MapEnv{"DEBG": "1", "DEBUGG": "1"}, 0, map[string]string{"DEBUGG": "DEBUG"}},
		{"three edits", prodready.MapEnv{"PAEG_SZIE": "5", "SERCET_KYE": "x"}, 0, nil},
		{"known names", prodready.MapEnv{"PAGE_SIZE": "5", "SECRET_KEY_FILE": "", "APP_ENV": "testing"}, 0, nil},
		{"a misspelling among 500 unrelated variables", prodready.MapEnv{"CACHE_TLL": "1s"}, 500, map[string]string{"CACHE_TLL": "CACHE_TTL"}},
		{"500 unrelated variables", nil, 500, nil},
	}
	for _, tt := range tests {
		env := unrelatedVars(tt.extra)
		maps.Copy(env, tt.env)
		for _, e := range []struct {
			kind string
			env  prodready.Environment
		}{{"MapEnv", env}, {"NamedEnvironment", listedEnv{env}}} {
			t.Run(tt.name+"/"+e.kind, func(t *testing.T) {
				t.Parallel()
				o := opts(nil, nil)
				o.Env = e.env
				var b prodready.Base
				rep, err := prodready.LoadWithReport(ctx, &b, o)
				if err != nil {
					t.Fatalf("Load() error = %v", err)
				}
				got := map[string]string{}
				for _, f := range rep.Findings {
					if f.ID != "PR-W050" {
						continue
					}
					suggested, ok := strings.CutPrefix(f.Hint, "rename it to ")
					if !ok {
						t.Errorf("finding %+v suggests no name", f)
					}
					got[f.Key] = suggested
				}
				if !maps.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("reported = %v, want %v", got, tt.want)
				}
			})
		}
	}
}

// TestMisspellingScanOrder checks that the scan reports in the same order
// however the environment lists its names.
func TestMisspellingScanOrder(t *testing.T) {
	t.Parallel()
	env := unrelatedVars(50)
	maps.Copy(env, prodready.MapEnv{"PAGE_SZE": "5", "CACHE_TLL": "1s", "DATABSAE_URL": "x"})
	var first []string
	for range 5 {
		var b prodready.Base
		rep, err := prodready.LoadWithReport(ctx, &b, opts(env, nil))
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, f := range rep.Findings {
			if f.ID == "PR-W050" {
				keys = append(keys, f.Key)
			}
		}
		if first == nil {
			first = keys
			if want := []string{"CACHE_TLL", "DATABSAE_URL", "PAGE_SZE"}; !slices.Equal(keys, want) {
				t.Fatalf("reported %v, want %v", keys, want)
			}
		} else if !slices.Equal(keys, first) {
			t.Errorf("reported %v, then %v", first, keys)
		}
	}
}

// namesEnv is a NamedEnvironment whose Names returns a list built once, so
// that BenchmarkMisspellingScan times the scan, not the listing.
type namesEnv struct {
	prodready.MapEnv
	names []string
}

func (e namesEnv) Names() []string { return e.names }

// BenchmarkMisspellingScan loads Base beside 0, 500 and 5,000 unrelated
// variables, with the misspelling scan on and off: the difference is the
// scan's cost, and ns/unrelated-var its cost per unrelated variable, which
// the piece index keeps to a few table loads.
func BenchmarkMisspellingScan(b *testing.B) {
	for _, n := range []int{0, 500, 5000} {
		for _, scan := range []bool{true, false} {
			b.Run(fmt.Sprintf("unrelated=%d/scan=%t", n, scan), func(b *testing.B) {
				env := unrelatedVars(n)
				maps.Copy(env, prodready.MapEnv{"SECRET_KEY": strongKey(b), "PAGE_SIZE": "20", "DATABASE_URL": "postgres://db/app", "CACHE_TTL": "1m"})
				o := opts(nil, nil)
				o.Env = namesEnv{env, slices.Collect(maps.Keys(env))}
				if !scan {
					o.Silence = []string{"PR-W050"}
				}
				var c prodready.Base
				if err := prodready.Load(ctx, &c, o); err != nil {
					b.Fatal(err)
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
}
