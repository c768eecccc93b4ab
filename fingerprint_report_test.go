package prodready_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/prodready/prodready"
)

// A plain string read through NAME_FILE is a secret: FingerprintReport must
// not let its value be guessed from the digest (a dictionary against a plain
// hash recovered it before).
func TestFingerprintReportHidesFileValues(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Host     string `env:"DB_HOST" default:"db"`
		Password string `env:"DB_PASSWORD"`
	}
	fsys := fstest.MapFS{
		"run/a": {Data: []byte("hunter2\n")},
		"run/b": {Data: []byte("hunter3\n")},
	}
	load := func(t *testing.T, env prodready.MapEnv) (cfg, *prodready.Report) {
		t.Helper()
		var c cfg
		rep, err := prodready.LoadWithReport(context.Background(), &c, opts(env, fsys))
		if err != nil {
			t.Fatalf("LoadWithReport() = %v", err)
		}
		return c, rep
	}
	fp := func(t *testing.T, c cfg, rep *prodready.Report) string {
		t.Helper()
		s, err := prodready.FingerprintReport(c, rep)
		if err != nil {
			t.Fatalf("FingerprintReport() = %v", err)
		}
		return s
	}
	ca, ra := load(t, prodready.MapEnv{"DB_PASSWORD_FILE": "run/a"})
	cb, rb := load(t, prodready.MapEnv{"DB_PASSWORD_FILE": "run/b"})
	cp, rp := load(t, prodready.MapEnv{"DB_PASSWORD": "hunter2"})

	// Without a SECRET_KEY a secret enters as "set": the two files agree.
	if a, b := fp(t, ca, ra), fp(t, cb, rb); a != b {
		t.Errorf("FingerprintReport differs between two file values without a key (%s, %s): the value entered the digest", a, b)
	}
	// The same value from the environment is plain and enters as itself.
	plain, err := prodready.Fingerprint(cp)
	if err != nil {
		t.Fatal(err)
	}
	if got := fp(t, cp, rp); got != plain {
		t.Errorf("FingerprintReport(env value) = %s, want Fingerprint's %s", got, plain)
	}
	if got := fp(t, ca, ra); got == plain {
		t.Errorf("FingerprintReport(file value) = %s equals the plain digest of the same value", got)
	}
	// A nil report is Fingerprint.
	if got, _ := prodready.FingerprintReport(ca, nil); got != plain {
		t.Errorf("FingerprintReport(cfg, nil) = %s, want Fingerprint's %s", got, plain)
	}
}

// With a SECRET_KEY, a file value enters as a keyed hash: values still
// differ, but not as their plain digests do.
func TestFingerprintReportKeyed(t *testing.T) {
	t.Parallel()
	type cfg struct {
		prodready.Base
		Password string `env:"DB_PASSWORD"`
	}
	key := strongKey(t)
	fsys := fstest.MapFS{"run/a": {Data: []byte("hunter2")}, "run/b": {Data: []byte("hunter3")}}
	digest := func(env prodready.MapEnv) string {
		env["SECRET_KEY"] = key
		var c cfg
		rep, err := prodready.LoadWithReport(context.Background(), &c, opts(env, fsys))
		if err != nil {
			t.Fatalf("LoadWithReport() = %v", err)
		}
		s, err := prodready.FingerprintReport(&c, rep)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := digest(prodready.MapEnv{"DB_PASSWORD_FILE": "run/a"}), digest(prodready.MapEnv{"DB_PASSWORD_FILE": "run/b"})
	p := digest(prodready.MapEnv{"DB_PASSWORD": "hunter2"})
	if a == b {
		t.Errorf("keyed FingerprintReport equal for different file values: %s", a)
	}
	if a == p {
		t.Errorf("keyed FingerprintReport of a file value equals the plain one: %s", a)
	}
}
