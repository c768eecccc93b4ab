package prodready

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKeyEstimateRandomMargin estimates 2,000 keys of each usual generator,
// drawn from a seeded ChaCha8 stream so that the test gives the same
// verdict every run, and wants each well above the bar: 50 bits for text
// keys, 16 for 32 raw bytes (whose estimate, 32 times log2 of the number
// of distinct bytes, is at most 160 bits): a random key is refused by
// accident only if the estimator finds patterns worth that much more than
// it ever did in these 12,000 keys.
func TestKeyEstimateRandomMargin(t *testing.T) {
	t.Parallel()
	n := 2000
	if testing.Short() {
		n = 200
	}
	const django = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"
	gens := []struct {
		name   string
		margin float64
		gen    func(r *rand.ChaCha8) string
	}{
		{"GenerateKey", 50, func(r *rand.ChaCha8) string {
			k, err := GenerateKey(r, 0)
			if err != nil {
				panic(err)
			}
			return k.Reveal()
		}},
		{"hex 32", 50, func(r *rand.ChaCha8) string { return hex.EncodeToString(read(r, 32)) }},
		{"base64 32", 50, func(r *rand.ChaCha8) string { return base64.StdEncoding.EncodeToString(read(r, 32)) }},
		{"token_urlsafe 32", 50, func(r *rand.ChaCha8) string { return base64.RawURLEncoding.EncodeToString(read(r, 32)) }},
		{"django", 50, func(r *rand.ChaCha8) string {
			b := make([]byte, 50)
			rng := rand.New(r)
			for i := range b {
				b[i] = django[rng.IntN(len(django))]
			}
			return string(b)
		}},
		{"raw 32", 16, func(r *rand.ChaCha8) string { return string(read(r, 32)) }},
	}
	for i, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			var seed [32]byte
			copy(seed[:], fmt.Sprintf("prodready key estimate seed %d", i))
			r := rand.NewChaCha8(seed)
			lo, sum := math.Inf(1), 0.0
			for range n {
				e := estimateKey(g.gen(r))
				lo = min(lo, e.bits)
				sum += e.bits
			}
			t.Logf("%s, %d keys: lowest estimate %.1f bits, mean %.1f", g.name, n, lo, sum/float64(n))
			if lo < MinKeyBits+g.margin {
				t.Errorf("lowest estimate of %d random keys = %.1f bits, want at least %.0f", n, lo, MinKeyBits+g.margin)
			}
		})
	}
}

func read(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

// TestKeyEstimatePatterns pins what the estimator makes of each kind of
// pattern, so that a change of the model shows.
func TestKeyEstimatePatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key     string
		maxBits float64
		kind    string
	}{
		{"the quick brown fox jumps over the lazy dog", 100, "dictionary words"},
		{"abcdefghijklmnopqrstuvwxyz012345", 20, "sequences"},
		{"correct horse battery staple 2024", 70, "years"},
		{"Summer2024!Summer2024!Summer2024!x", 40, "repeats"},
		{"qwertyuiop[]asdfghjkl;'zxcvbnm,./1234567890-=", 60, "keyboard walks"},
		{"blue-river-green-mountain-happy-dog", 90, "repeated separators"},
		{"\x00\x01\x02\x03\x01\x00\x03\x02\x01\x02\x00\x03\x02\x01\x03\x00\x01\x03\x00\x02\x03\x00\x02\x01\x00\x02\x01\x03\x02\x03\x01\x00", 70, "byte values"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.20q", tt.key), func(t *testing.T) {
			t.Parallel()
			e := estimateKey(tt.key)
			if e.bits > tt.maxBits {
				t.Errorf("estimate = %.1f bits, want at most %.0f", e.bits, tt.maxBits)
			}
			found := fmt.Sprint(e.found)
			if !contains(found, tt.kind) {
				t.Errorf("estimate found %s, want %q among them", found, tt.kind)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
