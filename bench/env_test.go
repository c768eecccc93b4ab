package bench

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// ExtraVars is the number of unrelated variables of the env=large variant.
const ExtraVars = 500

// setEnv sets SetVars, unsets DefaultedVars and, with extra, adds
// ExtraVars unrelated variables to the process environment, and restores
// the environment when tb ends.
//
// It rebuilds the environment with os.Clearenv rather than setting and
// unsetting variables one by one: os.Unsetenv leaves an empty slot behind
// in the runtime's list, and setting the variable again adds a new one,
// so each run of a benchmark grew the list by 520 slots that every
// os.Environ call walked and copied (after five runs, 2,700 slots for 550
// variables). No process's environment looks like that; the loaders that
// list the environment (prodready's misspelling scan, caarlos0-env, koanf)
// paid for slots left by earlier runs.
func setEnv(tb testing.TB, vars map[string]string, extra bool) {
	tb.Helper()
	saved := os.Environ()
	tb.Cleanup(func() { replaceEnv(tb, saved) })
	env := make([]string, 0, len(saved)+len(vars)+ExtraVars)
	for _, kv := range saved {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[k]; !ok && !slices.Contains(DefaultedVars, k) {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	if extra {
		for i := range ExtraVars {
			env = append(env, fmt.Sprintf("UNRELATED_VAR_%04d=value-%d-of-some-other-service", i, i))
		}
	}
	replaceEnv(tb, env)
}

// replaceEnv makes env, a list of NAME=value, the process environment.
func replaceEnv(tb testing.TB, env []string) {
	tb.Helper()
	os.Clearenv()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if err := os.Setenv(k, v); err != nil {
			tb.Fatal(err)
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
