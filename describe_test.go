package prodready_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	type svc struct {
		prodready.Base
		Token   prodready.Secret `env:"TOKEN" default:"CANARY-describe-default-0123456789" doc:"API token"`
		Workers int              `env:"WORKERS" default:"4" required:"staging" doc:"worker goroutines"`
		Name    string           `env:"NAME" required:"true"`
	}
	staging := prodready.Production.Derive("staging", map[string]string{"WORKERS": "8", "TOKEN": "CANARY-describe-profile"})
	tests := []struct {
		name string
		dst  any
		opts *prodready.Options
		want map[string]prodready.VarDoc // by name; only these are compared
		n    int                         // number of variables
	}{
		{
			name: "Base",
			dst:  &prodready.Base{},
			n:    21,
			want: map[string]prodready.VarDoc{
				"SECRET_KEY": {Name: "SECRET_KEY", Field: "SecretKey", Type: "prodready.Secret", RequiredIn: []string{"production"}, Secret: true,
					Doc: "key that signs sessions, tokens and cursors; at least 32 random bytes (prodready gen-secret)"},
				"DEBUG": {Name: "DEBUG", Field: "Debug", Type: "bool", Default: "false", HasDefault: true,
					ProfileDefaults: []prodready.ProfileDefault{{Profile: "development", Value: "true"}, {Profile: "production", Value: "false"}},
					Doc:             "debugging aids (stack traces, verbose errors); must be false in production"},
				"DATABASE_URL": {Name: "DATABASE_URL", Field: "DatabaseURL", Type: "prodready.SecretURL", Default: "sqlite:app.db", HasDefault: true,
					ProfileDefaults: []prodready.ProfileDefault{{Profile: "testing", Value: "sqlite::memory:"}},
					Doc:             "database URL: sqlite:FILE or postgres://user:password@host:5432/db?sslmode=require"},
			},
		},
		{
			name: "a service's own struct, prefix and profile",
			dst:  svc{}, // a struct value works too
			opts: &prodready.Options{Prefix: "MYAPP_", Profiles: []prodready.Profile{staging}},
			n:    24,
			want: map[string]prodready.VarDoc{
				"MYAPP_TOKEN": {Name: "MYAPP_TOKEN", Field: "Token", Type: "prodready.Secret", Default: prodready.Redacted, HasDefault: true,
					ProfileDefaults: []prodready.ProfileDefault{{Profile: "staging", Value: prodready.Redacted}}, Secret: true, Doc: "API token"},
				"MYAPP_WORKERS": {Name: "MYAPP_WORKERS", Field: "Workers", Type: "int", Default: "4", HasDefault: true, RequiredIn: []string{"staging"},
					ProfileDefaults: []prodready.ProfileDefault{{Profile: "staging", Value: "8"}}, Doc: "worker goroutines"},
				"MYAPP_NAME": {Name: "MYAPP_NAME", Field: "Name", Type: "string", Required: true},
				"MYAPP_CACHE_TTL": {Name: "MYAPP_CACHE_TTL", Field: "Base.CacheTTL", Type: "time.Duration", Default: "5m", HasDefault: true,
					ProfileDefaults: []prodready.ProfileDefault{{Profile: "testing", Value: "1m"}, {Profile: "production", Value: "600s"}},
					Doc:             "how long a cached entry lives"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			docs, err := prodready.Describe(tt.dst, tt.opts)
			if err != nil {
				t.Fatalf("Describe() error = %v", err)
			}
			if len(docs) != tt.n {
				t.Errorf("Describe() returned %d variables, want %d", len(docs), tt.n)
			}
			found := 0
			for _, d := range docs {
				want, ok := tt.want[d.Name]
				if !ok {
					continue
				}
				found++
				if !reflect.DeepEqual(d, want) {
					t.Errorf("Describe()[%s] = %+v, want %+v", d.Name, d, want)
				}
			}
			if found != len(tt.want) {
				t.Errorf("Describe() has %d of the %d variables wanted: %+v", found, len(tt.want), docs)
			}
		})
	}
}

func TestDescribeErrors(t *testing.T) {
	t.Parallel()
	type bad struct {
		A string `env:"A" required:"true" default:"x"`
	}
	tests := []struct {
		name string
		dst  any
	}{
		{"nil", nil},
		{"not a struct", new(int)},
		{"mistaken tags", &bad{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if docs, err := prodready.Describe(tt.dst, nil); err == nil {
				t.Errorf("Describe(%T) = %v, nil; want an error", tt.dst, docs)
			}
		})
	}
}

// TestDescribeDoesNotShareSlices checks that a caller changing a VarDoc
// does not change what the next call returns.
func TestDescribeDoesNotShareSlices(t *testing.T) {
	t.Parallel()
	docs, err := prodready.Describe(&prodready.Base{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range docs {
		for j := range docs[i].RequiredIn {
			docs[i].RequiredIn[j] = "changed"
		}
	}
	again, err := prodready.Describe(&prodready.Base{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range again {
		for _, r := range d.RequiredIn {
			if r == "changed" {
				t.Errorf("Describe()[%s].RequiredIn = %v: a caller's change leaked into the plan", d.Name, d.RequiredIn)
			}
		}
	}
}

// Review finding: env printed the password of a SecretURL default and of a
// profile's URL default.
func TestDescribeRedactsURLDefaults(t *testing.T) {
	t.Parallel()
	const canary = "Canary7fQ2x"
	type cfg struct {
		Upstream prodready.SecretURL `env:"UPSTREAM_URL" default:"postgres://u:Canary7fQ2x@h/db?password=Canary7fQ2x"`
		Mirror   string              `env:"MIRROR" default:"https://u:Canary7fQ2x@mirror.example/"`
		Pool     int                 `env:"POOL" default:"4"`
	}
	staging := prodready.Production.Derive("staging", map[string]string{"UPSTREAM_URL": "postgres://app:Canary7fQ2x@db/app"})
	docs, err := prodready.Describe(&cfg{}, &prodready.Options{Profiles: []prodready.Profile{staging}})
	if err != nil {
		t.Fatalf("Describe() = %v", err)
	}
	out, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), canary) {
		t.Errorf("Describe() shows a URL password: %s", out)
	}
	if !strings.Contains(string(out), "mirror.example") || !strings.Contains(string(out), "@h/db") {
		t.Errorf("Describe() lost the hosts of URL defaults: %s", out)
	}
}

// Review finding: env documented a struct that Load refuses.
func TestDescribeUnsupportedType(t *testing.T) {
	t.Parallel()
	type cfg struct {
		C chan int `env:"C"`
	}
	if _, err := prodready.Describe(&cfg{}, nil); err == nil || !strings.Contains(err.Error(), "unsupported type") {
		t.Errorf("Describe(chan field) = %v, want an unsupported type error", err)
	}
	dec := map[reflect.Type]func(string) (any, error){reflect.TypeFor[chan int](): func(string) (any, error) { return make(chan int), nil }}
	if _, err := prodready.Describe(&cfg{}, &prodready.Options{Decoders: dec}); err != nil {
		t.Errorf("Describe(chan field, decoder registered) = %v, want nil", err)
	}
}
