package prodready

import "testing"

// FingerprintVars, like Fingerprint, derives the key once per SECRET_KEY
// in a process, whatever the number of secrets and of calls.
// Not parallel: it counts the derivations of the whole process.
func TestFingerprintVarsDerivesTheKeyOnce(t *testing.T) {
	key, err := GenerateKey(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b Base
	b.SecretKey = key
	b.SecretKeyFallbacks = []Secret{NewSecret(mustKey(t))}
	before := fingerprintKDFCalls.Load()
	for range 3 {
		if _, err := FingerprintVars(b, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := fingerprintKDFCalls.Load() - before; n != 1 {
		t.Errorf("three FingerprintVars with one key derived it %d times, want 1", n)
	}
}
