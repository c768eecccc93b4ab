package prodready

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// nearKnown reports, the slow way, whether name lies within two edits of a
// variable name of pe: what the piece index must never deny.
func nearKnown(pe *planEntry, name string) bool {
	for _, names := range pe.byLen {
		for _, k := range names {
			if editDistance(name, k.name, 3) <= 2 {
				return true
			}
		}
	}
	return false
}

// edits returns every name one edit from s (a deletion, an insertion or a
// substitution of a byte of alphabet), and s with two neighbours swapped
// (two edits).
func edits(s, alphabet string) []string {
	var out []string
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			out = append(out, s[:i]+s[i+1:])
		}
		for j := 0; j < len(alphabet); j++ {
			out = append(out, s[:i]+alphabet[j:j+1]+s[i:])
			if i < len(s) {
				out = append(out, s[:i]+alphabet[j:j+1]+s[i+1:])
			}
		}
		if i+1 < len(s) {
			out = append(out, s[:i]+s[i+1:i+2]+s[i:i+1]+s[i+2:])
		}
	}
	return out
}

// TestPieceIndexMissesNoNearName checks the piece index of the misspelling
// scan against the edit distance: every name within two edits of a known
// name of Base (every single edit of each, and a seeded sample of double
// edits) passes it, and it rejects most unrelated names, or it would save
// nothing (names of 7 bytes and less all pass: Base has DEBUG).
func TestPieceIndexMissesNoNearName(t *testing.T) {
	t.Parallel()
	pe := planFor(reflect.TypeFor[Base]())
	if pe.err != nil {
		t.Fatal(pe.err)
	}
	const alphabet = "AEKSZ_09az-"
	rng := rand.New(rand.NewChaCha8([32]byte{14}))
	checked := 0
	for _, names := range pe.byLen {
		for _, k := range names {
			for _, one := range edits(k.name, alphabet) {
				twos := edits(one, alphabet)
				for _, name := range []string{one, twos[rng.IntN(len(twos))]} {
					if len(name) < 5 || !nearKnown(pe, name) {
						continue
					}
					checked++
					if !pe.near.mayBeNear(name) {
						t.Errorf("mayBeNear(%q) = false; it is within two edits of %s", name, k.name)
					}
				}
			}
		}
	}
	rejected, unrelated := 0, 0
	for i := range 2000 {
		b := make([]byte, 5+i%20)
		for j := range b {
			b[j] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"[rng.IntN(37)]
		}
		name := string(b)
		near := nearKnown(pe, name)
		if near && !pe.near.mayBeNear(name) {
			t.Errorf("mayBeNear(%q) = false; it is within two edits of a known name", name)
		}
		if !near {
			unrelated++
			if !pe.near.mayBeNear(name) {
				rejected++
			}
		}
	}
	if rejected < unrelated*3/4 {
		t.Errorf("the index rejected %d of %d random unrelated names, want 75%%", rejected, unrelated)
	}
	t.Logf("%d near names passed; %d of %d unrelated names rejected", checked, rejected, unrelated)
}

// FuzzPieceIndex checks that the piece index never rejects a name within
// two edits of a variable name of Base, whatever bytes it holds.
func FuzzPieceIndex(f *testing.F) {
	for _, s := range []string{"DATABASE_URL_FIEL", "ECRET_KEYS", "xache_urx", "CACHE_T\xffL", "UNRELATED_VAR_0001"} {
		f.Add(s)
	}
	pe := planFor(reflect.TypeFor[Base]())
	f.Fuzz(func(t *testing.T, name string) {
		if len(name) < 5 || len(name) > 64 {
			return
		}
		if nearKnown(pe, name) && !pe.near.mayBeNear(name) {
			t.Errorf("mayBeNear(%q) = false; it is within two edits of a known name", name)
		}
	})
}
