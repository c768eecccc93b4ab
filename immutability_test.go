package prodready_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prodready/prodready"
)

func TestLoadLeavesDstOnError(t *testing.T) {
	t.Parallel()
	b := prodready.Base{PageSize: 7, AppEnv: "before"}
	err := prodready.Load(ctx, &b, opts(prodready.MapEnv{"PAGE_SIZE": "x", "DEBUG": "true"}, nil))
	if err == nil {
		t.Fatal("Load() succeeded")
	}
	if b.PageSize != 7 || b.AppEnv != "before" || b.Debug {
		t.Errorf("Load() changed dst on error: %+v", b)
	}
}

func TestLoadedConfigSharesNothing(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Tags   []string          `env:"TAGS"`
		Labels map[string]string `env:"LABELS"`
	}
	env := prodready.MapEnv{"TAGS": "a,b", "LABELS": "k=v"}
	overrides := map[string]string{"TAGS": "x,y"}
	o := opts(env, nil)
	o.Overrides = overrides
	var c1, c2 cfg
	if err := prodready.Load(ctx, &c1, o); err != nil {
		t.Fatal(err)
	}
	if err := prodready.Load(ctx, &c2, o); err != nil {
		t.Fatal(err)
	}
	c1.Tags[0] = "changed"
	c1.Labels["k"] = "changed"
	overrides["TAGS"] = "z"
	if c2.Tags[0] != "x" || c2.Labels["k"] != "v" {
		t.Errorf("two loads share memory: %+v", c2)
	}
	if o.Overrides["TAGS"] != "z" || o.Profile != (prodready.Profile{}) {
		t.Error("Load wrote to the caller's Options")
	}
	// Profiles copy their defaults.
	defs := map[string]string{"PAGE_SIZE": "3"}
	p := prodready.Development.Derive("local", defs)
	defs["PAGE_SIZE"] = "4"
	if v, _, _ := p.Default("PAGE_SIZE"); v != "3" {
		t.Errorf("Derive kept the caller's map: PAGE_SIZE default %q", v)
	}
}

func TestBadStructs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dst  any
		want string
	}{
		{"nil", nil, "non-nil pointer to a struct"},
		{"non-pointer", struct{}{}, "non-nil pointer"},
		{"pointer to int", new(int), "non-nil pointer to a struct"},
		{"nil pointer", (*prodready.Base)(nil), "non-nil pointer"},
		{"bad env name", &struct {
			A string `env:"A-B"`
		}{}, "not a valid variable name"},
		{"required and default", &struct {
			A string `env:"A" required:"true" default:"x"`
		}{}, "contradict"},
		{"duplicate name", &struct {
			A string `env:"A"`
			B string `env:"A"`
		}{}, "already bound"},
		{"unsupported type", &struct {
			C chan int `env:"C"`
		}{}, "unsupported type chan int"},
		{"empty sep", &struct {
			A []string `env:"A" sep:""`
		}{}, "sep tag is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := prodready.Load(ctx, tt.dst, opts(nil, nil))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() error = %v, want it to contain %q", err, tt.want)
			}
			var le *prodready.LoadError
			if errors.As(err, &le) {
				t.Errorf("a programming error came back as a LoadError: %v", err)
			}
		})
	}
}

func TestConcurrentLoads(t *testing.T) {
	t.Parallel()
	type cfg struct {
		prodready.Base
		N int `env:"N"`
	}
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			var c cfg
			err := prodready.Load(ctx, &c, opts(prodready.MapEnv{"N": strings.Repeat("1", i%9+1)}, nil))
			if err == nil && c.N == 0 {
				err = errors.New("N not loaded")
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestLoadHonoursDoneContext(t *testing.T) {
	t.Parallel()
	c, cancel := context.WithCancel(ctx)
	cancel()
	var b prodready.Base
	if err := prodready.Load(c, &b, opts(nil, nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("Load() with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestMemoryLimitReadOncePerLoad(t *testing.T) {
	t.Parallel()
	var c struct {
		A prodready.MemorySize `env:"A"`
		B prodready.MemorySize `env:"B"`
		C prodready.MemorySize `env:"C"`
	}
	calls := 0
	o := opts(prodready.MapEnv{"A": "10%", "B": "50%", "C": "1MiB"}, nil)
	o.MemoryLimit = func() (int64, error) { calls++; return 1000, nil }
	if err := prodready.Load(ctx, &c, o); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || c.A.Bytes != 100 || c.B.Bytes != 500 || c.C.Bytes != 1<<20 {
		t.Errorf("MemoryLimit called %d times, sizes %d %d %d; want 1 call, 100 500 %d", calls, c.A.Bytes, c.B.Bytes, c.C.Bytes, 1<<20)
	}
}

// TestBaseConfigIsACopy checks that the packages given a configuration as
// a prodready.Settings cannot change it through BaseConfig.
func TestBaseConfigIsACopy(t *testing.T) {
	t.Parallel()
	type config struct {
		prodready.Base
		Extra string
	}
	var cfg config
	err := prodready.Load(ctx, &cfg, opts(prodready.MapEnv{"PAGE_SIZE": "7", "SECRET_KEY_FALLBACKS": "old-key-of-enough-length-for-the-test-1"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []prodready.Settings{cfg, &cfg} {
		b := s.BaseConfig()
		b.PageSize = 9
		b.SecretKeyFallbacks[0] = prodready.NewSecret("changed")
	}
	if cfg.PageSize != 7 || cfg.SecretKeyFallbacks[0].Reveal() != "old-key-of-enough-length-for-the-test-1" {
		t.Errorf("a change to BaseConfig() reached the configuration: PAGE_SIZE %d, fallback changed %v",
			cfg.PageSize, cfg.SecretKeyFallbacks[0].Reveal() != "old-key-of-enough-length-for-the-test-1")
	}
}
