package prodready_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// varDigests loads env in production and digests it variable by variable.
func varDigests(t *testing.T, env prodready.MapEnv, fsys fstest.MapFS) *prodready.VarDigests {
	t.Helper()
	o := opts(env, fsys)
	o.Profile = prodready.Production
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, o)
	if err != nil {
		t.Fatalf("LoadWithReport() error = %v", err)
	}
	d, err := prodready.FingerprintVars(&b, rep)
	if err != nil {
		t.Fatalf("FingerprintVars() error = %v", err)
	}
	fp, err := prodready.FingerprintReport(b, rep)
	if err != nil {
		t.Fatal(err)
	}
	if d.Fingerprint != fp {
		t.Errorf("FingerprintVars().Fingerprint = %s, FingerprintReport() = %s", d.Fingerprint, fp)
	}
	if len(d.Vars) != len(rep.Vars) {
		t.Errorf("%d digests for %d variables", len(d.Vars), len(rep.Vars))
	}
	return d
}

// differing lists the variables whose digests differ, as prodready diff
// does: keyed digests under different keys do not compare.
func differing(a, b *prodready.VarDigests) []string {
	am, bm := map[string]prodready.VarDigest{}, map[string]prodready.VarDigest{}
	for _, v := range a.Vars {
		am[v.Name] = v
	}
	for _, v := range b.Vars {
		bm[v.Name] = v
	}
	var out []string
	for _, n := range slices.Sorted(maps.Keys(am)) {
		x, y := am[n], bm[n]
		if x.Keyed && y.Keyed && a.Key != b.Key {
			continue
		}
		if x != y {
			out = append(out, n)
		}
	}
	return out
}

func TestFingerprintVarsNamesTheVariableThatDiffers(t *testing.T) {
	t.Parallel()
	key := strongKey(t)
	base := prodready.MapEnv{"SECRET_KEY": key, "DATABASE_URL": "postgres://app:" + canary + "@db/app", "PAGE_SIZE": "40"}
	with := func(k, v string) prodready.MapEnv {
		m := maps.Clone(base)
		m[k] = v
		return m
	}
	ref := varDigests(t, base, nil)
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, v := range ref.Vars {
		if !hex16.MatchString(v.Digest) {
			t.Errorf("%s digest = %q, want 16 hex digits", v.Name, v.Digest)
		}
	}
	if again := varDigests(t, base, nil); !slices.Equal(again.Vars, ref.Vars) || again.Key != ref.Key {
		t.Errorf("same configuration, different digests:\n%v\n%v", ref, again)
	}
	tests := []struct {
		name, k, v string
		want       []string
	}{
		{"page size", "PAGE_SIZE", "41", []string{"PAGE_SIZE"}},
		{"database password only", "DATABASE_URL", "postgres://app:other-" + canary + "@db/app", []string{"DATABASE_URL"}},
		{"key only", "SECRET_KEY", strongKey(t), []string{"SECRET_KEY"}},
		{"ttl", "CACHE_TTL", "11m", []string{"CACHE_TTL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := differing(ref, varDigests(t, with(tt.k, tt.v), nil))
			if !slices.Equal(got, tt.want) {
				t.Errorf("differing = %v, want %v", got, tt.want)
			}
		})
	}
}

// The digests of a secret reveal nothing of it: not its bytes, not a
// plain hash of it, in any encoding, and a plain value read through
// NAME_FILE is digested as a secret.
func TestFingerprintVarsHideSecrets(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"run/db": {Data: []byte("postgres://app:" + canary + "@db/app\n")}}
	for _, env := range []prodready.MapEnv{
		{"SECRET_KEY": canary + "-and-more-Kq7", "DATABASE_URL": "postgres://app:" + canary + "@db/app"},
		{"SECRET_KEY": strongKey(t), "DATABASE_URL_FILE": "run/db"},
		{"SECRET_KEY": strongKey(t), "SECRET_KEY_FALLBACKS": canary + "-fallback-Zx8"},
	} {
		d := varDigests(t, env, fsys)
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		text := string(out) + fmt.Sprintf("%v %+v %#v", d, d, d)
		for _, s := range []string{canary, env["SECRET_KEY"], "postgres://app:" + canary + "@db/app"} {
			if s == "" {
				continue
			}
			assertNoCanary(t, s, "FingerprintVars", text)
			sum := sha256.Sum256([]byte(s))
			for _, enc := range []string{hex.EncodeToString(sum[:]), hex.EncodeToString(sum[:8]), hex.EncodeToString(sum[:16])} {
				if regexp.MustCompile(enc[:16]).MatchString(text) {
					t.Errorf("FingerprintVars holds a plain SHA-256 of a secret: %s", text)
				}
			}
		}
		for _, v := range d.Vars {
			if v.Name == "DATABASE_URL" && env["SECRET_KEY"] != "" && !v.Keyed {
				t.Errorf("DATABASE_URL digest is not keyed")
			}
		}
	}
}

// FingerprintVars names the variables as the Report does, with the prefix.
func TestFingerprintVarsPrefix(t *testing.T) {
	t.Parallel()
	o := opts(prodready.MapEnv{"APP_PAGE_SIZE": "7"}, nil)
	o.Prefix = "APP_"
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, o)
	if err != nil {
		t.Fatal(err)
	}
	with, err := prodready.FingerprintVars(b, rep)
	if err != nil {
		t.Fatal(err)
	}
	without, err := prodready.FingerprintVars(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range rep.Vars {
		names = append(names, v.Name)
	}
	slices.Sort(names)
	var got []string
	for i, v := range with.Vars {
		got = append(got, v.Name)
		if "APP_"+without.Vars[i].Name != v.Name {
			t.Errorf("without the report: %s, with it: %s", without.Vars[i].Name, v.Name)
		}
	}
	if !slices.Equal(got, names) {
		t.Errorf("names = %v, want the report's %v", got, names)
	}
	if _, err := prodready.FingerprintVars(42, nil); err == nil {
		t.Error("FingerprintVars(42) succeeded")
	}
}

// Two replicas whose configurations differ in PAGE_SIZE only: their
// fingerprints differ, and their digests say where.
func ExampleFingerprintVars() {
	key, err := prodready.GenerateKey(nil, 32) // in a real service: SECRET_KEY from the environment
	if err != nil {
		panic(err)
	}
	load := func(pageSize string) prodready.VarDigests {
		var b prodready.Base
		rep, _ := prodready.LoadWithReport(ctx, &b, &prodready.Options{
			Profile:  prodready.Production,
			Env:      prodready.MapEnv{"SECRET_KEY": key.Reveal(), "PAGE_SIZE": pageSize},
			NoDotEnv: true,
			Logger:   quiet,
		})
		d, _ := prodready.FingerprintVars(b, rep)
		return *d
	}
	a, b := load("50"), load("60")
	fmt.Println(a.Fingerprint == b.Fingerprint)
	for i := range a.Vars {
		if a.Vars[i] != b.Vars[i] {
			fmt.Println(a.Vars[i].Name)
		}
	}
	// Output:
	// false
	// PAGE_SIZE
}

// BenchmarkFingerprintVars is the cost of a report once the key is
// derived (the derivation is BenchmarkFingerprintKey's).
func BenchmarkFingerprintVars(b *testing.B) {
	o := opts(prodready.MapEnv{"SECRET_KEY": strongKey(b), "DATABASE_URL": "postgres://app:pw@db/app"}, nil)
	var cfg prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &cfg, o)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := prodready.FingerprintVars(cfg, rep); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := prodready.FingerprintVars(cfg, rep); err != nil {
			b.Fatal(err)
		}
	}
}

// The fingerprint of a fixed configuration, computed before FingerprintVars
// reorganised its code: replicas of releases before and after must agree.
// A release that adds a Base variable changes it (every variable enters,
// set or not): the CACHE_TLS_* variables did, from
// f76f963e5fc45abd156366a3b059dc9c.
func TestFingerprintIsPinned(t *testing.T) {
	t.Parallel()
	env := prodready.MapEnv{"SECRET_KEY": "k7Qp2xV9mR4tW8zL1nB6cF3hJ5sD0gYe-longenough-key-xx", "DATABASE_URL": "postgres://app:pw@db/app", "PAGE_SIZE": "40"}
	var b prodready.Base
	rep, err := prodready.LoadWithReport(ctx, &b, opts(env, nil))
	if err != nil {
		t.Fatal(err)
	}
	// Adding a variable to Base changes it (CACHE_TLS_* and
	// CACHE_AUTOSIZE* and CACHE_ESTIMATES did).
	const want = "6878f75c3f2381d07c477f4581cede41"
	if got, _ := prodready.FingerprintReport(b, rep); got != want {
		t.Errorf("FingerprintReport() = %s, want %s", got, want)
	}
	if d, _ := prodready.FingerprintVars(b, rep); d.Fingerprint != want {
		t.Errorf("FingerprintVars().Fingerprint = %s, want %s", d.Fingerprint, want)
	}
}
