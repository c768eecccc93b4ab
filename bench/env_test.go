package bench

import (
	"fmt"
	"os"
	"testing"
)

// ExtraVars is the number of unrelated variables of the env=large variant.
const ExtraVars = 500

// setEnv sets SetVars, unsets DefaultedVars and, with extra, adds
// ExtraVars unrelated variables to the process environment, and restores
// the environment when tb ends.
func setEnv(tb testing.TB, vars map[string]string, extra bool) {
	tb.Helper()
	set := func(k, v string) {
		old, had := os.LookupEnv(k)
		if err := os.Setenv(k, v); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { restore(k, old, had) })
	}
	for k, v := range vars {
		set(k, v)
	}
	for _, k := range DefaultedVars {
		unset(tb, k)
	}
	if extra {
		for i := range ExtraVars {
			set(fmt.Sprintf("UNRELATED_VAR_%04d", i), fmt.Sprintf("value-%d-of-some-other-service", i))
		}
	}
}

// unset removes k from the environment until tb ends.
func unset(tb testing.TB, k string) {
	old, had := os.LookupEnv(k)
	os.Unsetenv(k)
	tb.Cleanup(func() { restore(k, old, had) })
}

func restore(k, old string, had bool) {
	if had {
		os.Setenv(k, old)
	} else {
		os.Unsetenv(k)
	}
}

// envs are the two environments of the benchmark and the tests.
var envs = []struct {
	name  string
	extra bool
}{
	{"small", false},
	{"large", true},
}
