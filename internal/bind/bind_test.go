package bind

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Host string `env:"HOST" default:"localhost"`
	Port int    `env:"PORT"`
}

type embedded struct {
	Shared string `env:"SHARED"`
}

type root struct {
	embedded
	Name   string            `env:"NAME" required:"production, staging" doc:"the name"`
	DB     inner             `prefix:"DB_"`
	Cache  inner             `prefix:"CACHE_"`
	Plain  inner             // no prefix: HOST and PORT in the parent's namespace
	Plain2 inner             // ... again: they clash
	Tags   []string          `env:"TAGS" sep:";"`
	Labels map[string]string `env:"LABELS" sep:";" kvsep:":"`
	Skip   string            `env:"-"`
	NoTag  int
}

func TestBuildNamesAndPaths(t *testing.T) {
	t.Parallel()
	type ok struct {
		embedded
		Name  string            `env:"NAME" required:"production, staging" doc:"the name"`
		DB    inner             `prefix:"DB_"`
		Cache inner             `prefix:"CACHE_"`
		Tags  []string          `env:"TAGS" sep:";"`
		Label map[string]string `env:"LABELS" sep:";" kvsep:":"`
		Skip  string            `env:"-"`
		NoTag int
	}
	p, err := Build(reflect.TypeFor[ok](), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Fields {
		got = append(got, f.Name+"@"+f.Path)
	}
	want := []string{"SHARED@embedded.Shared", "NAME@Name", "DB_HOST@DB.Host", "DB_PORT@DB.Port", "CACHE_HOST@Cache.Host", "CACHE_PORT@Cache.Port", "TAGS@Tags", "LABELS@Label"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	i, _ := p.Lookup("NAME")
	if f := p.Fields[i]; !reflect.DeepEqual(f.RequiredIn, []string{"production", "staging"}) || f.Doc != "the name" {
		t.Errorf("NAME field = %+v", f)
	}
	i, _ = p.Lookup("DB_HOST")
	if f := p.Fields[i]; !f.HasDefault || f.Default != "localhost" {
		t.Errorf("DB_HOST default = %q %v", f.Default, f.HasDefault)
	}
}

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"clashing nested fields", reflect.TypeFor[root](), "already bound"},
		{"not a struct", reflect.TypeFor[int](), "not a struct"},
		{"bad prefix", reflect.TypeFor[struct {
			X inner `prefix:"9X_"`
		}](), "not a valid variable name prefix"},
		{"empty required name", reflect.TypeFor[struct {
			X string `env:"X" required:"a,,b"`
		}](), "empty profile name"},
		{"unsupported element", reflect.TypeFor[struct {
			X []chan int `env:"X"`
		}](), "unsupported type"},
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

func TestSplitList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, sep string
		want    []string
	}{
		{"", ",", nil},
		{"  ", ",", nil},
		{"a", ",", []string{"a"}},
		{" a , b ", ",", []string{"a", "b"}},
		{"a;;b", ";", []string{"a", "", "b"}},
		{"a::b", "::", []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := SplitList(tt.in, tt.sep); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitList(%q, %q) = %q, want %q", tt.in, tt.sep, got, tt.want)
		}
	}
}

func TestDecodeListAndMap(t *testing.T) {
	t.Parallel()
	type cfg struct {
		D []time.Duration `env:"D"`
		M map[string]int  `env:"M"`
		S string          `env:"S"`
	}
	p, err := Build(reflect.TypeFor[cfg](), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var c cfg
	v := reflect.ValueOf(&c).Elem()
	if err := p.Fields[0].DecodeList(v.Field(0), []string{"1s", "2m"}, nil); err != nil || len(c.D) != 2 || c.D[1] != 2*time.Minute {
		t.Errorf("DecodeList = %v, %v", err, c.D)
	}
	if err := p.Fields[0].DecodeList(v.Field(0), []string{"1s", "x"}, nil); err == nil || !strings.Contains(err.Error(), "item 2") {
		t.Errorf("DecodeList bad item error = %v", err)
	}
	if err := p.Fields[1].DecodeMap(v.Field(1), []string{"a", "b"}, []string{"1", "2"}, nil); err != nil || c.M["b"] != 2 {
		t.Errorf("DecodeMap = %v, %v", err, c.M)
	}
	if err := p.Fields[2].DecodeList(v.Field(2), []string{"x"}, nil); err == nil {
		t.Error("DecodeList on a string field succeeded")
	}
	if err := p.Fields[2].DecodeMap(v.Field(2), nil, nil, nil); err == nil {
		t.Error("DecodeMap on a string field succeeded")
	}
}

func TestCustomDecoderPanicsAndWrongTypes(t *testing.T) {
	t.Parallel()
	type cfg struct {
		X int `env:"X"`
	}
	p, err := Build(reflect.TypeFor[cfg](), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var c cfg
	v := reflect.ValueOf(&c).Elem().Field(0)
	tests := []struct {
		name string
		fn   func(string) (any, error)
		want string
	}{
		{"panics", func(string) (any, error) { panic("secret value") }, "panicked"},
		{"wrong type", func(string) (any, error) { return "x", nil }, "returned a string"},
		{"nil", func(string) (any, error) { return nil, nil }, "returned a <nil>"},
	}
	for _, tt := range tests {
		err := p.Fields[0].Decode(v, "1", Custom{reflect.TypeFor[int](): tt.fn})
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret value") {
			t.Errorf("%s: Decode() error = %v, want %q", tt.name, err, tt.want)
		}
	}
}
