package bench

import (
	"maps"
	"reflect"
	"strings"
	"testing"
)

// TestAllLoadersAgree checks that every loader produces Want, field by
// field, in both environments: the benchmark must not measure a loader
// that gets the configuration wrong.
func TestAllLoadersAgree(t *testing.T) {
	want := Want()
	for _, e := range envs {
		t.Run("env="+e.name, func(t *testing.T) {
			setEnv(t, SetVars, e.extra)
			for _, l := range Loaders() {
				t.Run("loader="+l.Name, func(t *testing.T) {
					if err := l.Run(); err != nil {
						t.Fatalf("load: %v", err)
					}
					compare(t, "", reflect.ValueOf(l.Result()), reflect.ValueOf(want))
				})
			}
		})
	}
}

func compare(t *testing.T, path string, got, want reflect.Value) {
	t.Helper()
	for i := range want.NumField() {
		name := path + want.Type().Field(i).Name
		g, w := got.Field(i), want.Field(i)
		if w.Kind() == reflect.Struct {
			compare(t, name+".", g, w)
			continue
		}
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			t.Errorf("%s = %#v, want %#v", name, g.Interface(), w.Interface())
		}
	}
}

// TestAllLoadersReject checks that every loader fails on a bad value and on
// an unset required variable, as the hand-written loader does. (A required
// variable set to the empty string is not tested: kelseyhightower/envconfig,
// sethvargo/go-envconfig and cleanenv accept it.)
func TestAllLoadersReject(t *testing.T) {
	cases := []struct {
		name string
		edit func(map[string]string)
	}{
		{"bad-int", func(m map[string]string) { m["PORT"] = "80a" }},
		{"bad-duration", func(m map[string]string) { m["READ_TIMEOUT"] = "5 parsecs" }},
		{"bad-bool", func(m map[string]string) { m["LOG_JSON"] = "maybe" }},
		{"missing-secret", func(m map[string]string) { delete(m, "SECRET_KEY") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := maps.Clone(SetVars)
			c.edit(vars)
			setEnv(t, vars, false)
			for k := range SetVars {
				if _, ok := vars[k]; !ok {
					unset(t, k)
				}
			}
			for _, l := range Loaders() {
				if err := l.Run(); err == nil {
					t.Errorf("%s: no error", l.Name)
				} else if testing.Verbose() {
					t.Logf("%s: %s", l.Name, strings.ReplaceAll(err.Error(), "\n", "; "))
				}
			}
		})
	}
}

// TestAllLoadersAgreeOnDefaults checks that the loaders share their
// defaults: with only the required variables set, each gives what the
// hand-written loader gives.
func TestAllLoadersAgreeOnDefaults(t *testing.T) {
	setEnv(t, map[string]string{"SERVICE_NAME": "orders-api", "SECRET_KEY": SecretKey}, false)
	for k := range SetVars {
		if k != "SERVICE_NAME" && k != "SECRET_KEY" {
			unset(t, k)
		}
	}
	want, err := LoadHandwritten()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Loaders()[1:] {
		t.Run("loader="+l.Name, func(t *testing.T) {
			if err := l.Run(); err != nil {
				t.Fatalf("load: %v", err)
			}
			compare(t, "", reflect.ValueOf(l.Result()), reflect.ValueOf(want))
		})
	}
}
