package bind

import (
	"reflect"
	"strings"
	"testing"
)

type upstream struct {
	Host string `env:"HOST"`
	Port int    `env:"PORT" default:"80"`
}

// A []Struct or map[string]Struct field with a prefix tag was silently
// skipped (Trust issue): Build records it as a Group, or refuses it.
func TestBuildGroups(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Name  string              `env:"NAME"`
		Ups   []upstream          `prefix:"UPSTREAM_" doc:"the upstreams"`
		Named map[string]upstream `prefix:"POOL_"`
		Outer struct {
			Inner []upstream `prefix:"IN_"`
		} `prefix:"OUT_"`
	}
	p, err := Build(reflect.TypeFor[cfg](), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range p.Groups {
		got = append(got, g.Prefix+"@"+g.Path+"@"+g.Elem.Name())
	}
	want := []string{"UPSTREAM_@Ups@upstream", "POOL_@Named@upstream", "OUT_IN_@Outer.Inner@upstream"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups = %v, want %v", got, want)
	}
	if p.Groups[0].IsMap() || !p.Groups[1].IsMap() || p.Groups[0].Doc != "the upstreams" {
		t.Errorf("groups = %+v", p.Groups)
	}
}

func TestBuildRejectsGroups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"pointer elements", reflect.TypeFor[struct {
			X []*upstream `prefix:"X_"`
		}](), "a group's elements must be structs"},
		{"int map keys", reflect.TypeFor[struct {
			X map[int]upstream `prefix:"X_"`
		}](), "string keys"},
		{"prefix without underscore", reflect.TypeFor[struct {
			X []upstream `prefix:"X"`
		}](), `must end in "_"`},
		{"empty prefix", reflect.TypeFor[struct {
			X []upstream `prefix:""`
		}](), `must end in "_"`},
		{"default on a group", reflect.TypeFor[struct {
			X []upstream `prefix:"X_" default:"a"`
		}](), "default tag"},
		{"required on a group", reflect.TypeFor[struct {
			X []upstream `prefix:"X_" required:"true"`
		}](), "required tag"},
		{"env and prefix", reflect.TypeFor[struct {
			X []upstream `env:"X" prefix:"X_"`
		}](), "both env and prefix"},
		{"prefix on a scalar", reflect.TypeFor[struct {
			X string `prefix:"X_"`
		}](), "prefix tag on a string"},
		{"prefix on a plain slice", reflect.TypeFor[struct {
			X []string `prefix:"X_"`
		}](), "prefix tag on a []string"},
		{"overlapping prefixes", reflect.TypeFor[struct {
			X []upstream          `prefix:"UP_"`
			Y map[string]upstream `prefix:"UP_STREAM_"`
		}](), "overlap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Build(tt.typ, Config{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build() error = %v, want %q", err, tt.want)
			}
		})
	}
}
