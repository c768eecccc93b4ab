package signing_test

import (
	"testing"

	"github.com/prodready/prodready"

	"github.com/prodready/prodready/signing"
)

var benchPayload = []byte(`{"user":42,"exp":1767225600}`)

func BenchmarkSign(b *testing.B) {
	s := mustNew(b, newKey(b), "session", nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sign(benchPayload)
	}
}

func BenchmarkVerify(b *testing.B) {
	s := mustNew(b, newKey(b), "session", &signing.Options{MaxAge: 3600e9})
	token := s.Sign(benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyInvalid measures the cost of a forged token with two
// fallback keys: three HMACs.
func BenchmarkVerifyInvalid(b *testing.B) {
	s := mustNew(b, newKey(b), "session", &signing.Options{Fallbacks: []prodready.Secret{newKey(b), newKey(b)}})
	token := mustNew(b, newKey(b), "session", nil).Sign(benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(token); err == nil {
			b.Fatal("forged token verified")
		}
	}
}

func BenchmarkSignVerify(b *testing.B) {
	s := mustNew(b, newKey(b), "session", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(s.Sign(benchPayload)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAllocs pins the allocations of the hot paths, so that a change that
// adds one is noticed.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not stable under the race detector")
	}
	s := mustNew(t, newKey(t), "session", nil)
	token := s.Sign(benchPayload)
	tests := []struct {
		name string
		f    func()
		max  float64
	}{
		{name: "Sign", f: func() { _ = s.Sign(benchPayload) }, max: 2},
		{name: "Verify", f: func() { _, _ = s.Verify(token) }, max: 3},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: %v allocations, want at most %v", tt.name, got, tt.max)
		} else {
			t.Logf("%s: %v allocations", tt.name, got)
		}
	}
}
