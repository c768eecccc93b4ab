package prodready

import (
	"cmp"
	"fmt"
	"math/bits"
	"os"
	"slices"
	"strings"
)

// scanUnknown reports variables of the environment and the .env file that
// the struct does not know: with a prefix, every unknown variable that
// carries it; without one, those that look like a misspelling of a known
// name (an edit distance of at most 2). The known names are indexed once
// per type, by length, so a variable is compared only with names of nearly
// its length.
func (l *loader) scanUnknown() {
	if slicesContainsFold(l.o.Silence, idUnknownVar) {
		return
	}
	start := len(l.findings)
	// Without a prefix only near misses are reported, so a name whose length
	// is more than two from every known name's is skipped before any lookup.
	lo, hi := max(5, l.pe.minLen-2), l.pe.maxLen+2
	check := func(name string, origin func() Origin) {
		bare := name
		if l.o.Prefix != "" {
			if !strings.HasPrefix(name, l.o.Prefix) {
				return
			}
			bare = name[len(l.o.Prefix):]
		}
		// A group's element variables are known by their shape; a name in
		// a group's namespace that fits no element field is checked
		// against the element's names.
		gi, _, _, element := l.pe.elementOf(bare)
		if element {
			return
		}
		var misspelt string // an element variable with a misspelt group prefix
		if gi < 0 && len(l.pe.grp) > 0 {
			misspelt = l.pe.misspeltGroup(bare)
		}
		if l.o.Prefix == "" && gi < 0 && misspelt == "" && (len(name) < lo || len(name) > hi || !l.pe.near.mayBeNear(name)) {
			// Too long, too short, or shares no piece with a known name:
			// nothing to suggest, so no lookup needed.
			return
		}
		if _, ok := l.pe.known[bare]; ok {
			return
		}
		if l.o.Prefix == "" && gi < 0 && misspelt == "" && !l.pe.nearAny(len(name), charMask(name)) {
			// No known name uses nearly the same characters.
			return
		}
		suggestion := closest(bare, l.pe)
		if s := cmp.Or(misspelt, l.pe.elementSuggestion(bare)); s != "" {
			suggestion = s
		}
		if l.o.Prefix == "" && suggestion == "" {
			return
		}
		msg := "set but not a variable of this service"
		hint := "remove it, or check its spelling"
		if suggestion != "" {
			msg = fmt.Sprintf("set but unknown; did you mean %s%s?", l.o.Prefix, suggestion)
			hint = "rename it to " + l.o.Prefix + suggestion
		}
		o := origin()
		if o.Var != "" {
			o.Var = safeKey(o.Var)
		}
		l.add(Finding{ID: idUnknownVar, Severity: SeverityWarning, Key: safeKey(name), Origin: o, Message: msg, Hint: hint})
	}
	envOrigin := func(name string) func() Origin {
		return func() Origin { return Origin{Source: SourceEnv, Var: name} }
	}
	// Without a prefix or groups, most names of a large environment are
	// rejected here, by length and the piece index, before check.
	quick := l.o.Prefix == "" && len(l.pe.grp) == 0
	switch env := l.env.(type) {
	case MapEnv:
		for name := range env {
			if !quick || len(name) >= lo && len(name) <= hi && l.pe.near.mayBeNear(name) {
				check(name, envOrigin(name))
			}
		}
	case processEnv:
		for _, kv := range os.Environ() {
			if quick && len(kv) <= lo {
				continue
			}
			if i := strings.IndexByte(kv, '='); i > 0 && (!quick || i >= lo && i <= hi && l.pe.near.mayBeNear(kv[:i])) {
				check(kv[:i], envOrigin(kv[:i]))
			}
		}
	case NamedEnvironment:
		for _, name := range env.Names() {
			if !quick || len(name) >= lo && len(name) <= hi && l.pe.near.mayBeNear(name) {
				check(name, envOrigin(name))
			}
		}
	}
	for name, d := range l.dotenv {
		check(name, func() Origin { return Origin{Source: SourceDotEnv, Name: l.dotEnvName(), Line: d.line} })
	}
	// Environments list names in no particular order.
	slices.SortStableFunc(l.findings[start:], func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), cmp.Compare(a.Origin.Source, b.Origin.Source))
	})
}

// slicesContainsFold reports whether list holds s in any case, ignoring
// surrounding white space: Options.Silence takes IDs as people type them.
func slicesContainsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

// closest returns the known variable name nearest to name, within an edit
// distance of 2, or "". Names shorter than 5 bytes are not matched: at that
// length two edits make anything look alike.
func closest(name string, pe *planEntry) string {
	if len(name) < 5 || len(name) > 64 || len(name) < pe.minLen-2 || len(name) > pe.maxLen+2 {
		return ""
	}
	mask := charMask(name)
	best, bestD := "", 3
	for n := max(len(name)-2, 0); n <= len(name)+2 && n < len(pe.byLen); n++ {
		for _, cand := range pe.byLen[n] {
			if len(cand.name) > 64 {
				continue
			}
			if !maskNear(mask, cand.mask) { // a cheap test before the real distance
				continue
			}
			if d := editDistance(name, cand.name, bestD); d < bestD {
				best, bestD = cand.name, d
			}
		}
	}
	return best
}

// nearAny reports whether some known name within two bytes of n in length
// could be within two edits of a name using the characters in mask.
func (pe *planEntry) nearAny(n int, mask uint64) bool {
	for l := max(n-2, 0); l <= n+2 && l < len(pe.byLen); l++ {
		for _, k := range pe.byLen[l] {
			if maskNear(mask, k.mask) {
				return true
			}
		}
	}
	return false
}

// maskNear reports whether two names using the character sets a and b
// could be within two edits: each edit adds at most one character to a
// name's set and removes at most one, so each set has at most two
// characters the other lacks.
func maskNear(a, b uint64) bool {
	return bits.OnesCount64(a&^b) <= 2 && bits.OnesCount64(b&^a) <= 2
}

// charBits maps a byte to its bit in a charMask: letters (either case) and
// digits have their own, everything else shares bit 63.
var charBits = func() (t [256]uint64) {
	for c := range 256 {
		switch {
		case c >= 'a' && c <= 'z':
			t[c] = 1 << (c - 'a')
		case c >= 'A' && c <= 'Z':
			t[c] = 1 << (c - 'A')
		case c >= '0' && c <= '9':
			t[c] = 1 << (26 + c - '0')
		default:
			t[c] = 1 << 63
		}
	}
	return t
}()

// charMask returns the set of characters s uses, case-insensitively.
func charMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		m |= charBits[s[i]]
	}
	return m
}

// editDistance returns the Levenshtein distance of a and b (both at most 64
// bytes, compared case-insensitively), or limit when it is limit or more.
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 {
		return limit
	}
	var rows [2][65]int
	prev, cur := &rows[0], &rows[1]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if upper(a[i-1]) == upper(b[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}

// upper is an ASCII-only ToUpper for one byte, for the edit distance:
// variable names are ASCII.
func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// knownName is a variable name with its charMask, for the misspelling scan.
type knownName struct {
	name string
	mask uint64
}

// pieceIndex finds, in constant time, the names that may lie within two
// edits of a known name, so that the scan's cost per unrelated variable is
// a few table loads, however many names the struct has.
//
// It rests on the pigeonhole principle. Cut a known name K of n >= 8
// bytes into three disjoint pieces: its first two bytes (the head), the
// next four (the middle) and its last two (the tail). Two edits leave one
// piece untouched (an insertion belongs to the piece of the byte it
// precedes, one at the end to the tail). So a name within two edits of K
// starts with K's head, or ends with its tail, or (head and tail edited
// once each) holds K's middle at offset 1, 2 or 3, and is then m-n+1,
// m-n or m-n-1 bytes longer than K, for those offsets. Names of 6 and 7
// bytes have a middle of two bytes. Each piece is looked up by its
// case-folded pairs of bytes, and each entry says which lengths of known
// names have that pair there, so a name is compared only with the known
// names of lengths within two of its own. The test is necessary, not
// sufficient: a name that passes still goes through the character masks
// and the edit distance, so the scan reports what it did before.
type pieceIndex struct {
	// pair -> lengthBit of the known names with that pair there.
	head, mid1, mid2, tail [pairs]uint32
	// mid2Any has the lengthBit of the names of 6 and 7 bytes, whose
	// middle is only mid1.
	mid2Any uint32
	// short is the longest known name too short to cut (under 6 bytes);
	// names up to two bytes longer skip the index.
	short int
}

// pairs is the number of case-folded byte pairs: pairCode has 38 codes.
const pairs = 38 * 38

// pairCode folds a byte for the piece index, as editDistance compares
// bytes: A-Z and a-z share codes 1-26, digits are 27-36, '_' is 37, and
// every other byte is 0, so two different such bytes may pass the index
// (and are then told apart by the edit distance).
var pairCode = func() (t [256]uint16) {
	for c := range 256 {
		switch {
		case c >= 'a' && c <= 'z':
			t[c] = uint16(c-'a') + 1
		case c >= 'A' && c <= 'Z':
			t[c] = uint16(c-'A') + 1
		case c >= '0' && c <= '9':
			t[c] = uint16(c-'0') + 27
		case c == '_':
			t[c] = 37
		}
	}
	return t
}()

// pair is the index entry of the bytes a, b.
func pair(a, b byte) uint16 { return pairCode[a]*38 + pairCode[b] }

// lengthBit is the bit of a name length in an entry; lengths of 31 bytes
// and more share bit 31.
func lengthBit(n int) uint32 { return 1 << min(n, 31) }

// add indexes a known name.
func (x *pieceIndex) add(k string) {
	n := len(k)
	if n < 6 {
		x.short = max(x.short, n)
		return
	}
	bit := lengthBit(n)
	x.head[pair(k[0], k[1])] |= bit
	x.mid1[pair(k[2], k[3])] |= bit
	if n >= 8 {
		x.mid2[pair(k[4], k[5])] |= bit
	} else {
		x.mid2Any |= bit
	}
	x.tail[pair(k[n-2], k[n-1])] |= bit
}

// mayBeNear reports whether name may lie within two edits of a known name.
// It never reports false for one that does. (Names under 7 bytes all
// pass; the scan ignores those under 5.)
func (x *pieceIndex) mayBeNear(name string) bool {
	m := len(name)
	if m < 7 || m <= x.short+2 {
		return true
	}
	b := lengthBit
	if (x.head[pair(name[0], name[1])]|x.tail[pair(name[m-2], name[m-1])])&(b(m-2)|b(m-1)|b(m)|b(m+1)|b(m+2)) != 0 {
		return true
	}
	// The middle at offset 1 (a byte of the head deleted), 2 or 3 (one
	// inserted); the tail's edit changes the length by -1, 0 or +1 more.
	return x.mid1[pair(name[1], name[2])]&(x.mid2[pair(name[3], name[4])]|x.mid2Any)&(b(m)|b(m+1)|b(m+2)) != 0 ||
		x.mid1[pair(name[2], name[3])]&(x.mid2[pair(name[4], name[5])]|x.mid2Any)&(b(m-1)|b(m)|b(m+1)) != 0 ||
		x.mid1[pair(name[3], name[4])]&(x.mid2[pair(name[5], name[6])]|x.mid2Any)&(b(m-2)|b(m-1)|b(m)) != 0
}
