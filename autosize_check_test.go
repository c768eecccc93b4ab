package prodready_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/prodready/prodready"
)

// TestAutosizeChecks covers the CACHE_AUTOSIZE checks, PR-E046 with and
// without a memory limit (Options.MemoryLimit stands for the container's),
// and the combinations where autosize applies and nothing is reported.
func TestAutosizeChecks(t *testing.T) {
	t.Parallel()
	noLimit := func() (int64, error) { return 0, errors.New("no cgroup limit") }
	tests := []struct {
		name    string
		env     prodready.MapEnv
		limit   func() (int64, error) // nil: opts' 1 GiB
		wantIDs []string
		wantKey string
	}{
		{"off: nothing", prodready.MapEnv{}, noLimit, nil, ""},
		{"no budget", prodready.MapEnv{"CACHE_AUTOSIZE": "true"}, noLimit, []string{"PR-E046"}, "CACHE_AUTOSIZE"},
		{"CACHE_MAX_MEMORY is the budget", prodready.MapEnv{"CACHE_AUTOSIZE": "true", "CACHE_MAX_MEMORY": "256MiB"}, noLimit, nil, ""},
		{"a container limit gives the budget", prodready.MapEnv{"CACHE_AUTOSIZE": "true"}, nil, nil, ""},
		{"a percentage that cannot resolve is PR-E002's alone", prodready.MapEnv{"CACHE_AUTOSIZE": "true", "CACHE_MAX_MEMORY": "10%"}, noLimit, []string{"PR-E002"}, "CACHE_MAX_MEMORY"},
		{"explicit CACHE_MAX_SIZE is ignored by autosize", prodready.MapEnv{"CACHE_AUTOSIZE": "true", "CACHE_MAX_SIZE": "100"}, nil, []string{"PR-E047"}, "CACHE_MAX_SIZE"},
		{"memcached backend", prodready.MapEnv{"CACHE_AUTOSIZE": "1", "CACHE_BACKEND": "memcached", "CACHE_URL": "memcached://h:11211"}, noLimit, []string{"PR-E047"}, "CACHE_AUTOSIZE"},
		{"margin above 50 points", prodready.MapEnv{"CACHE_AUTOSIZE": "true", "CACHE_AUTOSIZE_MARGIN": "51"}, nil, []string{"PR-E048"}, "CACHE_AUTOSIZE_MARGIN"},
		{"margin zero is allowed", prodready.MapEnv{"CACHE_AUTOSIZE": "true", "CACHE_AUTOSIZE_MARGIN": "0"}, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := opts(tt.env, nil)
			if tt.limit != nil {
				o.MemoryLimit = tt.limit
			}
			var b checkConfig
			rep, err := prodready.LoadWithReport(context.Background(), &b, o)
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.ID)
			}
			for _, id := range tt.wantIDs {
				if !hasFinding(rep, id, tt.wantKey) {
					t.Errorf("findings = %v, want %s on %s", got, id, tt.wantKey)
				}
			}
			for _, id := range []string{"PR-E046", "PR-E047", "PR-E048"} {
				if hasFinding(rep, id, "") && !slices.Contains(tt.wantIDs, id) {
					t.Errorf("findings = %v, want no %s", got, id)
				}
			}
			if len(tt.wantIDs) > 0 && !errors.Is(err, prodready.ErrInvalid) {
				t.Errorf("Load() error = %v, want ErrInvalid", err)
			}
			if len(tt.wantIDs) == 0 && err != nil {
				t.Errorf("Load() error = %v, want none", err)
			}
		})
	}
}

// PR-E046 can be silenced like any check outside the production rules.
func TestAutosizeBudgetSilenced(t *testing.T) {
	t.Parallel()
	o := opts(prodready.MapEnv{"CACHE_AUTOSIZE": "true"}, nil)
	o.MemoryLimit = func() (int64, error) { return 0, errors.New("none") }
	o.Silence = []string{"PR-E046"}
	var b checkConfig
	rep, err := prodready.LoadWithReport(context.Background(), &b, o)
	if err != nil || hasFinding(rep, "PR-E046", "") {
		t.Errorf("Load() = %v with findings %+v, want PR-E046 silenced", err, rep.Findings)
	}
}

// The production profile keeps its 4096 entries with autosize off, and
// CacheConfig carries autosize and its margin (in points) when it is on;
// the profile's CACHE_MAX_SIZE, a default, does not count as set.
func TestAutosizeCacheConfig(t *testing.T) {
	t.Parallel()
	key := "Zq3v9Xk2Lw8Rt5Yp1Hn6Bm4Cj7Df0Gs2Ve9Ua3Ko8Ix5Wr"
	base := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": key, "DATABASE_URL": "postgres://db/app?sslmode=verify-full"}
	var off checkConfig
	if err := prodready.Load(context.Background(), &off, opts(base, nil)); err != nil {
		t.Fatal(err)
	}
	if c := off.CacheConfig(); c.Autosize || c.MaxSize != 4096 || c.TTL.Seconds() != 600 {
		t.Errorf("production CacheConfig() = %+v, want 4096 entries, 600s, no autosize", c)
	}
	on := prodready.MapEnv{"CACHE_AUTOSIZE": "true", "CACHE_AUTOSIZE_MARGIN": "1.5"}
	for k, v := range base {
		on[k] = v
	}
	var b checkConfig
	if err := prodready.Load(context.Background(), &b, opts(on, nil)); err != nil {
		t.Fatalf("production with autosize and a container limit: %v", err)
	}
	if c := b.CacheConfig(); !c.Autosize || c.AutosizeMargin != 1.5 {
		t.Errorf("CacheConfig() = %+v, want autosize with a margin of 1.5 points", c)
	}
}
