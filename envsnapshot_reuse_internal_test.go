package prodready

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// reuseConfig is the struct of TestEnvironmentChangesBetweenLoads: a type of
// its own, so that no other test's loads share its learnt listing.
type reuseConfig struct {
	PageSize    int           `env:"PAGE_SIZE" default:"10"`
	CacheTTL    time.Duration `env:"CACHE_TTL" default:"1m"`
	DatabaseURL string        `env:"DATABASE_URL"`
	LogLevel    string        `env:"LOG_LEVEL" default:"info"`
}

// TestEnvironmentChangesBetweenLoads checks that a type loaded again sees
// every change the environment went through since the last load, although
// the scan keeps what it learnt from the last listing (environScan): a
// value changed, a misspelled variable set (its warning appears) or unset
// (it goes), a field's variable set or unset, the order of the listing
// changed. After each change the type is loaded three times (the first
// load after a change learns, the next ones reuse), each compared with a
// load that looks every variable up without the scan. Tests never set
// the process environment, so it runs this test binary again.
func TestEnvironmentChangesBetweenLoads(t *testing.T) {
	if os.Getenv("PRODREADY_REUSE_CHILD") == "1" {
		environmentChanges(t)
		return
	}
	t.Parallel()
	env := []string{"PRODREADY_REUSE_CHILD=1", "PAGE_SIZE=20"}
	for i := range 300 {
		env = append(env, fmt.Sprintf("UNRELATED_VAR_%04d=x", i))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEnvironmentChangesBetweenLoads$", "-test.v")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "every change seen") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// environmentChanges is TestEnvironmentChangesBetweenLoads in the child.
func environmentChanges(t *testing.T) {
	steps := []struct {
		name   string
		change func()
		warned []string // the variables PR-W050 reports after the change
		page   int
	}{
		{"as started", func() {}, nil, 20},
		{"a value changed", func() { os.Setenv("PAGE_SIZE", "30") }, nil, 30},
		{"a misspelled variable set", func() { os.Setenv("DATABASE_URL_FIEL", "/x") }, []string{"DATABASE_URL_FIEL"}, 30},
		{"another one", func() { os.Setenv("PAGESIZE", "1") }, []string{"DATABASE_URL_FIEL", "PAGESIZE"}, 30},
		{"the first unset", func() { os.Unsetenv("DATABASE_URL_FIEL") }, []string{"PAGESIZE"}, 30},
		{"a field's variable set", func() { os.Setenv("CACHE_TTL", "5s") }, []string{"PAGESIZE"}, 30},
		{"a field's variable unset", func() { os.Unsetenv("PAGE_SIZE") }, []string{"PAGESIZE"}, 10},
		{"unset and set again, at the end of the list", func() { os.Unsetenv("PAGESIZE"); os.Setenv("PAGESIZE", "2") }, []string{"PAGESIZE"}, 10},
		{"a variable renamed to its misspelling", func() { os.Unsetenv("CACHE_TTL"); os.Setenv("CACHE_TLL", "5s") }, []string{"CACHE_TLL", "PAGESIZE"}, 10},
		{"everything cleared", func() {
			os.Clearenv()
			os.Setenv("PAGE_SIZE", "40")
		}, nil, 40},
	}
	load := func(silence []string) (reuseConfig, *Report) {
		var c reuseConfig
		rep, err := LoadWithReport(context.Background(), &c, &Options{NoDotEnv: true, Profile: Testing, Silence: silence, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return c, rep
	}
	pe := planFor(reflect.TypeFor[reuseConfig]())
	for _, s := range steps {
		s.change()
		for round := range 3 {
			c, rep := load(nil)
			want, wantRep := load([]string{"PR-W050"})
			var warned []string
			others := slices.DeleteFunc(slices.Clone(rep.Findings), func(f Finding) bool {
				if f.ID == idUnknownVar {
					warned = append(warned, f.Key)
					return true
				}
				return false
			})
			if c != want || c.PageSize != s.page || !reflect.DeepEqual(rep.Vars, wantRep.Vars) || !sameFindings(others, wantRep.Findings) {
				t.Fatalf("%s, load %d: got %+v\n%+v\n%+v\nwant %+v\n%+v\n%+v", s.name, round, c, rep.Vars, rep.Findings, want, wantRep.Vars, wantRep.Findings)
			}
			if !slices.Equal(warned, s.warned) {
				t.Fatalf("%s, load %d: PR-W050 for %q, want %q", s.name, round, warned, s.warned)
			}
		}
		if pe.envScan.Load() == nil {
			t.Fatalf("%s: nothing learnt from the listing after three loads", s.name)
		}
	}
	concurrentLoads(t, load)
	t.Log("every change seen")
}

// concurrentLoads loads from several goroutines while one sets and unsets a
// misspelled variable: each load sees it or not, never a mix (go test
// -race checks the learnt listing's sharing).
func concurrentLoads(t *testing.T, load func([]string) (reuseConfig, *Report)) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				os.Setenv("PAGE_SIZ", "1")
			} else {
				os.Unsetenv("PAGE_SIZ")
			}
		}
	})
	var loads sync.WaitGroup
	for range 4 {
		loads.Go(func() {
			for range 200 {
				c, rep := load(nil)
				if c.PageSize != 40 || len(rep.Findings) > 1 || len(rep.Findings) == 1 && rep.Findings[0].Key != "PAGE_SIZ" {
					t.Errorf("concurrent load: %+v, findings %+v", c, rep.Findings)
					return
				}
			}
		})
	}
	loads.Wait()
	close(stop)
	wg.Wait()
}

// sameFindings reports whether a and b hold the same findings; an empty
// list and nil are the same (whether a report's list is nil depends on the
// loader it came from).
func sameFindings(a, b []Finding) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}
