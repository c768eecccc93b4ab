package prodready_test

import (
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// TestMaxMemoryReplacesADefaultMaxSize checks which bounds CacheConfig
// carries: a CACHE_MAX_MEMORY bounds the cache alone unless a source above
// the defaults set CACHE_MAX_SIZE too, as CACHE_AUTOSIZE's budget does. A
// new user set CACHE_MAX_MEMORY=64MiB under the production profile and got
// a cache of 4,096 entries, the profile's default count, while the docs
// said the cache is bounded by entries or by memory.
func TestMaxMemoryReplacesADefaultMaxSize(t *testing.T) {
	t.Parallel()
	prod := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": strongKey(t), "DATABASE_URL": "postgres://db/app?sslmode=verify-full"}
	tests := []struct {
		name           string
		env            prodready.MapEnv
		files          fstest.MapFS
		conf           []string
		wantSize       int
		wantMemory     int64
		withProduction bool
	}{
		{"production's count alone", nil, nil, nil, 4096, 0, true},
		{"production with a memory bound", prodready.MapEnv{"CACHE_MAX_MEMORY": "64MiB"}, nil, nil, 0, 64 << 20, true},
		{"production with both", prodready.MapEnv{"CACHE_MAX_MEMORY": "64MiB", "CACHE_MAX_SIZE": "100"}, nil, nil, 100, 64 << 20, true},
		{"development with a share of the limit", prodready.MapEnv{"CACHE_MAX_MEMORY": "10%"}, nil, nil, 0, (1 << 30) / 10, false},
		{"a count from a config file", prodready.MapEnv{"CACHE_MAX_MEMORY": "1MiB"}, fstest.MapFS{"c.yaml": {Data: []byte("cache_max_size: 50\n")}}, []string{"c.yaml"}, 50, 1 << 20, false},
		{"development's count alone", nil, nil, nil, 1024, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{}
			if tt.withProduction {
				for k, v := range prod {
					env[k] = v
				}
			}
			for k, v := range tt.env {
				env[k] = v
			}
			o := opts(env, tt.files)
			o.ConfigFiles = tt.conf
			var b prodready.Base
			if err := prodready.Load(t.Context(), &b, o); err != nil {
				t.Fatal(err)
			}
			if c := b.CacheConfig(); c.MaxSize != tt.wantSize || c.MaxMemory != tt.wantMemory {
				t.Errorf("CacheConfig() bounds: %d entries, %d bytes; want %d, %d", c.MaxSize, c.MaxMemory, tt.wantSize, tt.wantMemory)
			}
		})
	}
}

// TestFingerprintSeesTheCacheBound checks that two replicas whose caches
// are bounded differently fingerprint differently: one bounded by memory
// alone (CACHE_MAX_SIZE only the profile's default), one by memory and
// the same count set explicitly. An outside review found them equal, as
// the fingerprint saw only values, where the bound now depends on where
// CACHE_MAX_SIZE came from.
func TestFingerprintSeesTheCacheBound(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	load := func(extra prodready.MapEnv) (prodready.Base, *prodready.Report) {
		env := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": key, "DATABASE_URL": "postgres://db/app?sslmode=verify-full", "CACHE_MAX_MEMORY": "64MiB"}
		for k, v := range extra {
			env[k] = v
		}
		var b prodready.Base
		rep, err := prodready.LoadWithReport(t.Context(), &b, opts(env, nil))
		if err != nil {
			t.Fatal(err)
		}
		return b, rep
	}
	a, ra := load(nil)
	b, rb := load(prodready.MapEnv{"CACHE_MAX_SIZE": "4096"})
	if a.CacheConfig().MaxSize == b.CacheConfig().MaxSize {
		t.Fatalf("both bounds %d entries: the test needs two", a.CacheConfig().MaxSize)
	}
	fa, _ := prodready.Fingerprint(a)
	fb, _ := prodready.Fingerprint(b)
	if fa == fb {
		t.Errorf("Fingerprint = %s for a cache bounded by memory alone and one by 4,096 entries too", fa)
	}
	da, _ := prodready.FingerprintVars(a, ra)
	db, _ := prodready.FingerprintVars(b, rb)
	if d := prodready.DiffFingerprints(da, db); len(d.Changes) != 1 || d.Changes[0].Name != "CACHE_MAX_SIZE" {
		t.Errorf("DiffFingerprints = %+v, want CACHE_MAX_SIZE alone", d.Changes)
	}
}

// baseAlias embeds Base under an unexported name, as a service may.
type baseAlias = prodready.Base

// TestFingerprintFindsBaseAnywhere checks the cache bound's line for Base
// embedded under an unexported alias and two levels down: the second
// review of round seven found the first panicking in Fingerprint and the
// second fingerprinting a memory-only bound and an explicit count alike.
func TestFingerprintFindsBaseAnywhere(t *testing.T) {
	t.Parallel()
	type aliased struct {
		baseAlias
		Workers int `env:"WORKERS"`
	}
	type inner struct{ prodready.Base }
	type outer struct{ inner }
	key := strongKey(t)
	env := func(extra prodready.MapEnv) prodready.MapEnv {
		e := prodready.MapEnv{"SECRET_KEY": key, "CACHE_MAX_MEMORY": "64MiB"}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	fingerprint := func(dst any, extra prodready.MapEnv) string {
		if err := prodready.Load(t.Context(), dst, opts(env(extra), nil)); err != nil {
			t.Fatal(err)
		}
		fp, err := prodready.Fingerprint(dst)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	var a1, a2 aliased
	if fingerprint(&a1, nil) == fingerprint(&a2, prodready.MapEnv{"CACHE_MAX_SIZE": "1024"}) {
		t.Error("Base under an alias: a memory-only bound and an explicit count fingerprint alike")
	}
	var o1, o2 outer
	if fingerprint(&o1, nil) == fingerprint(&o2, prodready.MapEnv{"CACHE_MAX_SIZE": "1024"}) {
		t.Error("Base two levels down: a memory-only bound and an explicit count fingerprint alike")
	}
}
