package prodready

import (
	"fmt"
	"math/bits"
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
	report := func(name string, origin Origin) {
		bare := strings.TrimPrefix(name, l.o.Prefix)
		if l.isKnown(bare) {
			return
		}
		suggestion := closest(bare, l.pe)
		if l.o.Prefix == "" && suggestion == "" {
			return
		}
		msg := fmt.Sprintf("%s is set but is not a variable of this service", name)
		hint := "remove it, or check its spelling"
		if suggestion != "" {
			msg = fmt.Sprintf("%s is set but unknown; did you mean %s%s?", name, l.o.Prefix, suggestion)
			hint = "rename it to " + l.o.Prefix + suggestion
		}
		l.add(Finding{ID: idUnknownVar, Severity: SeverityWarning, Key: name, Origin: origin, Message: msg, Hint: hint})
	}
	if ne, ok := l.env.(NamedEnvironment); ok {
		for _, name := range ne.Names() {
			if l.o.Prefix != "" && !strings.HasPrefix(name, l.o.Prefix) {
				continue
			}
			report(name, Origin{Source: SourceEnv, Var: name})
		}
	}
	for _, name := range sortedKeys(l.dotenv) {
		if l.o.Prefix != "" && !strings.HasPrefix(name, l.o.Prefix) {
			continue
		}
		report(name, Origin{Source: SourceDotEnv, Name: l.dotEnvName(), Line: l.dotenv[name].line})
	}
}

// isKnown reports whether the unprefixed name is a variable of the struct,
// its _FILE form, or one the loader reads itself.
func (l *loader) isKnown(name string) bool {
	if _, ok := l.plan.Lookup(name); ok {
		return true
	}
	if _, ok := l.pe.fileOf[name]; ok {
		return true
	}
	return name == "APP_ENV" || name == "CONFIG_FILE"
}

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
	if len(name) < 5 || len(name) > 64 {
		return ""
	}
	mask := charMask(name)
	best, bestD := "", 3
	for n := len(name) - 2; n <= len(name)+2; n++ {
		for _, cand := range pe.byLen[n] {
			// Each edit adds or removes at most two characters from the set
			// of characters used: a cheap test before the real distance.
			if bits.OnesCount64(mask^cand.mask) > 4 {
				continue
			}
			if d := editDistance(name, cand.name, bestD); d < bestD {
				best, bestD = cand.name, d
			}
		}
	}
	return best
}

func charMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
			fallthrough
		case c >= 'A' && c <= 'Z':
			m |= 1 << (c - 'A')
		case c >= '0' && c <= '9':
			m |= 1 << (26 + c - '0')
		default:
			m |= 1 << 63
		}
	}
	return m
}

// editDistance returns the Levenshtein distance of a and b (both at most 64
// bytes, compared case-insensitively), or limit when it is limit or more.
func editDistance(a, b string, limit int) int {
	var prev, cur [65]int
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
		prev = cur
	}
	return min(prev[len(b)], limit)
}

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
