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
		if i%2 == 0 { // as SSL_CERT_FILE: every NAME_FILE form has that tail
			name += "_FILE"
		}
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
	for _, s := range []string{"DATABASE_URL_FIEL", "ECRET_KEYS", "xache_urx", "CACHE_T\xffL", "UNRELATED_VAR_0001", "SSL_CERT_FILE", "CACHE_URL_file"} {
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

// fullDistance is the Levenshtein distance over the whole table, as
// editDistance computed it before it kept to a band.
func fullDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if upper(a[i-1]) == upper(b[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestEditDistanceBand checks the banded edit distance against the full
// table, and piecesNear against both, on seeded random names and their
// edits, for every limit the package uses.
func TestEditDistanceBand(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewChaCha8([32]byte{3}))
	word := func() string {
		b := make([]byte, rng.IntN(22))
		for j := range b {
			b[j] = "ABCab_1"[rng.IntN(7)]
		}
		return string(b)
	}
	for range 3000 {
		a := word()
		bs := append(edits(a, "Ab_"), word(), a)
		for _, b := range []string{bs[rng.IntN(len(bs))], bs[rng.IntN(len(bs))]} {
			if rng.IntN(2) == 0 {
				more := edits(b, "bA")
				b = more[rng.IntN(len(more))]
			}
			full := fullDistance(a, b)
			for limit := 1; limit <= 4; limit++ {
				if got, want := editDistance(a, b, limit), min(full, limit); got != want {
					t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", a, b, limit, got, want)
				}
			}
			if full <= 2 && len(a) >= 5 && !piecesNear(a, b) {
				t.Fatalf("piecesNear(%q, %q) = false; their distance is %d", a, b, full)
			}
		}
	}
}
