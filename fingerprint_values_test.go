package prodready_test

import (
	"net/url"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// TestFingerprintWithoutKeyHidesSecrets checks that without a SECRET_KEY
// secrets enter the fingerprint only as set or unset, and that with one the
// secrets inside maps, pointers and slices count.
//
// Found in the first review of the loader (commit c5dbfb1, tests formerly
// in review_test.go): a keyless fingerprint let a secret be guessed.
func TestFingerprintWithoutKeyHidesSecrets(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Token prodready.Secret            `env:"TOKEN"`
		Map   map[string]prodready.Secret `env:"MAP"`
	}
	fp := func(tok string) string {
		var c cfg
		prodready.MustLoad(ctx, &c, opts(prodready.MapEnv{"TOKEN": tok, "MAP": "a=" + tok}, nil))
		s, err := prodready.Fingerprint(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if fp("hunter2") != fp("another") {
		t.Error("without a SECRET_KEY, a secret's value changes the fingerprint: it could be guessed")
	}
	type keyed struct {
		Key  prodready.Secret            `env:"SECRET_KEY"`
		Map  map[string]prodready.Secret `env:"MAP"`
		PTok *prodready.Secret           `env:"PTOK"`
		URLs []prodready.SecretURL       `env:"URLS"`
	}
	kfp := func(tok string) string {
		var c keyed
		prodready.MustLoad(ctx, &c, opts(prodready.MapEnv{"SECRET_KEY": "k", "MAP": "a=" + tok, "PTOK": tok, "URLS": "redis://:" + tok + "@h:1"}, nil))
		s, _ := prodready.Fingerprint(c)
		return s
	}
	if kfp("one") == kfp("two") {
		t.Error("with a key, secrets inside maps, pointers and slices do not enter the fingerprint")
	}
}

// TestFingerprintIsUnambiguous checks that lists and maps enter the
// fingerprint item by item, a URL's password counts, and map order does
// not.
//
// Found in the second review of the loader (commit d8a6708, tests formerly
// in review_test.go): ["a,b"] and ["a", "b"] had one fingerprint.
func TestFingerprintIsUnambiguous(t *testing.T) {
	t.Parallel()
	type cfg struct {
		SecretKey prodready.Secret  `env:"SECRET_KEY"`
		Hosts     []string          `env:"HOSTS"`
		U         *url.URL          `env:"U"`
		M         map[string]string `env:"M"`
	}
	fp := func(env prodready.MapEnv, fsys fstest.MapFS, files []string) string {
		o := opts(env, fsys)
		o.ConfigFiles = files
		var c cfg
		prodready.MustLoad(ctx, &c, o)
		s, _ := prodready.Fingerprint(c)
		return s
	}
	files := fstest.MapFS{"c.json": {Data: []byte(`{"hosts": ["a,b"]}`)}}
	a := fp(prodready.MapEnv{"SECRET_KEY": "k"}, files, []string{"c.json"})
	b := fp(prodready.MapEnv{"SECRET_KEY": "k", "HOSTS": "a,b"}, nil, nil)
	if a == b {
		t.Error(`["a,b"] and ["a", "b"] have the same fingerprint`)
	}
	c := fp(prodready.MapEnv{"SECRET_KEY": "k", "U": "https://u:pw1@h/"}, nil, nil)
	d := fp(prodready.MapEnv{"SECRET_KEY": "k", "U": "https://u:pw2@h/"}, nil, nil)
	if c == d {
		t.Error("a URL's password change does not change the fingerprint")
	}
	e := fp(prodready.MapEnv{"SECRET_KEY": "k", "M": "a=1,b=2"}, nil, nil)
	for range 20 {
		if fp(prodready.MapEnv{"SECRET_KEY": "k", "M": "b=2,a=1"}, nil, nil) != e {
			t.Fatal("map order changes the fingerprint")
		}
	}
}
