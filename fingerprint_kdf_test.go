package prodready

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"
	"testing/fstest"
)

// TestLoadDerivesNoFingerprintKey: the fingerprint's key derivation, which
// costs 64 MiB and a good part of a second by design, runs only when a
// fingerprint is asked for, never in Load (the Trust issue: the
// fingerprint must be a slow oracle for the key, and start-up stays fast).
// Not parallel: it counts the derivations of the whole process.
func TestLoadDerivesNoFingerprintKey(t *testing.T) {
	key, err := GenerateKey(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := fingerprintKDFCalls.Load()
	for _, p := range []Profile{Development, Production} {
		var b Base
		o := &Options{
			Profile:     p,
			Env:         MapEnv{"SECRET_KEY": key.Reveal(), "SECRET_KEY_FALLBACKS": mustKey(t) + "," + mustKey(t)},
			FS:          fstest.MapFS{},
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
			MemoryLimit: func() (int64, error) { return 1 << 30, nil },
		}
		if _, err := LoadWithReport(context.Background(), &b, o); err != nil {
			t.Fatalf("LoadWithReport(%s) error = %v", p.Name(), err)
		}
	}
	if n := fingerprintKDFCalls.Load() - before; n != 0 {
		t.Fatalf("Load derived the fingerprint key %d times, want 0", n)
	}
	var b Base
	b.SecretKey = key
	if _, err := Fingerprint(b); err != nil {
		t.Fatal(err)
	}
	if n := fingerprintKDFCalls.Load() - before; n != 1 {
		t.Errorf("Fingerprint derived its key %d times, want 1", n)
	}
}

func mustKey(t *testing.T) string {
	t.Helper()
	k, err := GenerateKey(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k.Reveal()
}

// TestFingerprintKeyIsArgon2id pins the derivation: a fingerprint must
// be the same in every process and every version that derives it the same
// way, or replicas of two releases would disagree. The vector is
// argon2id(t=3, m=64 MiB, p=1, salt "prodready fingerprint v2") of a
// fixed key, as golang.org/x/crypto/argon2 computed it when the
// parameters were chosen.
func TestFingerprintKeyIsArgon2id(t *testing.T) {
	t.Parallel()
	k := []byte("a fixed test key, not a real one, 32+ bytes long")
	got := deriveFingerprintKey(k)
	if again := fingerprintKey(k); !bytes.Equal(got, again) {
		t.Fatalf("fingerprintKey() = %x, deriveFingerprintKey() = %x, want equal", again, got)
	}
	const want = "0d16605d12c80598549be066e1c95f594db8c55541c6fc39666908c93a550ca3"
	if hex.EncodeToString(got) != want {
		t.Errorf("deriveFingerprintKey() = %x, want %s", got, want)
	}
}

// BenchmarkFingerprintKey measures one derivation: what each guess at
// SECRET_KEY costs an attacker who holds a fingerprint.
func BenchmarkFingerprintKey(b *testing.B) {
	k := []byte("a fixed test key, not a real one, 32+ bytes long")
	b.ReportAllocs()
	for b.Loop() {
		deriveFingerprintKey(k)
	}
}
