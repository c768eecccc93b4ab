package prodready_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/prodready/prodready"
)

// DiffFingerprints names exactly the variables that differ: by digest, by
// presence, and keyed digests apart when the keys differ.
func TestDiffFingerprints(t *testing.T) {
	t.Parallel()
	vd := func(key string, vars ...prodready.VarDigest) *prodready.VarDigests {
		return &prodready.VarDigests{Key: key, Vars: vars}
	}
	plain := func(n, d string) prodready.VarDigest { return prodready.VarDigest{Name: n, Digest: d} }
	keyed := func(n, d string) prodready.VarDigest { return prodready.VarDigest{Name: n, Digest: d, Keyed: true} }
	tests := []struct {
		name        string
		a, b        *prodready.VarDigests
		want        []prodready.VarChange
		notCompared []string
	}{
		{name: "identical", a: vd("k1", plain("A", "1"), keyed("S", "2")), b: vd("k1", plain("A", "1"), keyed("S", "2"))},
		{name: "one differs", a: vd("k1", plain("A", "1"), plain("B", "2")), b: vd("k1", plain("A", "1"), plain("B", "3")),
			want: []prodready.VarChange{{"B", prodready.VarDiffers}}},
		{name: "only in one", a: vd("", plain("A", "1"), plain("C", "2")), b: vd("", plain("B", "1"), plain("C", "2")),
			want: []prodready.VarChange{{"A", prodready.VarOnlyInA}, {"B", prodready.VarOnlyInB}}},
		{name: "keyed under one key", a: vd("k1", keyed("S", "1")), b: vd("k1", keyed("S", "2")),
			want: []prodready.VarChange{{"S", prodready.VarDiffers}}},
		{name: "keyed under two keys", a: vd("k1", plain("SECRET_KEY", "k1"), keyed("S", "1")), b: vd("k2", plain("SECRET_KEY", "k2"), keyed("S", "1")),
			want: []prodready.VarChange{{"SECRET_KEY", prodready.VarDiffers}}, notCompared: []string{"S"}},
		{name: "keyed and plain", a: vd("k1", keyed("S", "1")), b: vd("k1", plain("S", "1")),
			want: []prodready.VarChange{{"S", prodready.VarDiffers}}},
		{name: "nil", a: nil, b: vd("", plain("A", "1")), want: []prodready.VarChange{{"A", prodready.VarOnlyInB}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := prodready.DiffFingerprints(tt.a, tt.b)
			want := prodready.FingerprintDiff{Changes: tt.want, NotCompared: tt.notCompared}
			if want.Changes == nil {
				want.Changes = []prodready.VarChange{}
			}
			if want.NotCompared == nil {
				want.NotCompared = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("DiffFingerprints() = %+v, want %+v", got, want)
			}
			if got.Identical() != (len(tt.want)+len(tt.notCompared) == 0) {
				t.Errorf("Identical() = %v", got.Identical())
			}
		})
	}
}

// Two loads that differ in one variable, a secret's included: the diff
// names that variable only.
func TestDiffFingerprintsOfLoads(t *testing.T) {
	t.Parallel()
	base := prodready.MapEnv{"SECRET_KEY": strongKey(t), "DATABASE_URL": "postgres://app:" + canary + "@db/app", "PAGE_SIZE": "40"}
	with := func(k, v string) prodready.MapEnv {
		m := maps.Clone(base)
		m[k] = v
		return m
	}
	ref := varDigests(t, base, nil)
	tests := []struct {
		name, k, v string
		want       []prodready.VarChange
	}{
		{"same", "PAGE_SIZE", "40", []prodready.VarChange{}},
		{"page size", "PAGE_SIZE", "41", []prodready.VarChange{{"PAGE_SIZE", prodready.VarDiffers}}},
		{"database password", "DATABASE_URL", "postgres://app:x" + canary + "@db/app", []prodready.VarChange{{"DATABASE_URL", prodready.VarDiffers}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := prodready.DiffFingerprints(ref, varDigests(t, with(tt.k, tt.v), nil))
			if !reflect.DeepEqual(got.Changes, tt.want) || len(got.NotCompared) != 0 {
				t.Errorf("DiffFingerprints() = %+v, want changes %+v", got, tt.want)
			}
			assertNoCanary(t, canary, "DiffFingerprints", fmt.Sprintf("%v %+v %#v", got, got, got))
		})
	}
}

// Two replicas that differ in PAGE_SIZE: the diff of their digests names
// it, and nothing else.
func ExampleDiffFingerprints() {
	key, err := prodready.GenerateKey(nil, 32) // in a real service: SECRET_KEY from the environment
	if err != nil {
		panic(err)
	}
	digests := func(pageSize string) *prodready.VarDigests {
		var b prodready.Base
		rep, err := prodready.LoadWithReport(context.Background(), &b, &prodready.Options{
			Profile:  prodready.Production,
			Env:      prodready.MapEnv{"SECRET_KEY": key.Reveal(), "PAGE_SIZE": pageSize},
			NoDotEnv: true,
			Logger:   quiet,
		})
		if err != nil {
			panic(err)
		}
		d, err := prodready.FingerprintVars(b, rep)
		if err != nil {
			panic(err)
		}
		return d
	}
	d := prodready.DiffFingerprints(digests("50"), digests("60"))
	for _, c := range d.Changes {
		fmt.Println(c.Name, c.Change)
	}
	fmt.Println(prodready.DiffFingerprints(digests("50"), digests("50")).Identical())
	// Output:
	// PAGE_SIZE differs
	// true
}
