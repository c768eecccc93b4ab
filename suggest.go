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
// per type (pieces.go), so an unrelated variable costs a length test and a
// few table loads; only the names the index lets through meet closest.
// With the process environment, snapshotEnv has listed it already and kept
// those names.
func (l *loader) scanUnknown() {
	if slicesContainsFold(l.o.Silence, idUnknownVar) {
		return
	}
	start := len(l.findings)
	// Without a prefix only near misses are reported, so a name whose length
	// is more than two from every known name's is skipped before any lookup.
	lo, hi := l.pe.scanLengths()
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
		if l.snapped { // snapshotEnv kept the names to look at
			for _, name := range l.scanNames {
				n := len(l.findings)
				check(name, envOrigin(name))
				if len(l.findings) > n {
					l.learnReported(name)
				}
			}
			l.publishLearnt()
			break
		}
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

// scanLengths are the shortest and longest names the scan looks at
// without a prefix: a name two bytes shorter than every known name, or
// longer, is no near miss, and one under 5 bytes is never reported.
func (pe *planEntry) scanLengths() (lo, hi int) {
	return max(5, pe.minLen-2), pe.maxLen + 2
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
			if !maskNear(mask, cand.mask) || !piecesNear(name, cand.name) { // cheap tests before the real distance
				continue
			}
			if d := editDistance(name, cand.name, bestD); d < bestD {
				best, bestD = cand.name, d
			}
		}
	}
	return best
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
// Only the band of cells within limit-1 of the diagonal is computed: a
// cell further out costs at least limit, and so does every path through
// it, so the distances below limit come out the same as the full table's.
func editDistance(a, b string, limit int) int {
	if len(a) > 64 || len(b) > 64 || limit <= 0 {
		return limit
	}
	if len(a)-len(b) >= limit || len(b)-len(a) >= limit {
		return limit
	}
	k := limit - 1 // the band's half-width
	var rows [2][66]int
	prev, cur := &rows[0], &rows[1]
	for j := 0; j <= len(b); j++ {
		prev[j] = limit
		if j <= k {
			prev[j] = j
		}
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-k), min(len(b), i+k)
		cur[lo-1] = limit // out of the band, unless it is column 0
		if lo == 1 && i <= k {
			cur[0] = i
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if upper(a[i-1]) == upper(b[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		cur[hi+1] = limit // the next row's cell above-right is out of the band
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
