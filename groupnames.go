package prodready

import "strings"

// The names of groups' element variables: how a variable name splits into
// a group, a key and an element field, and what a near miss suggests.

// elementOf splits a variable name (without Options.Prefix) that lies in a
// group's namespace: gi is the group (-1 for none), and ok says that the
// name ends in one of the element's variable names after a non-empty key.
func (pe *planEntry) elementOf(bare string) (gi int, key, field string, ok bool) {
	for gi, g := range pe.grp {
		rest, in := strings.CutPrefix(bare, g.Prefix)
		if !in {
			continue
		}
		for _, n := range g.names {
			if len(rest) > len(n)+1 && rest[len(rest)-len(n)-1] == '_' && strings.HasSuffix(rest, n) {
				return gi, rest[:len(rest)-len(n)-1], n, true
			}
		}
		return gi, "", "", false
	}
	return -1, "", "", false
}

// elementSuggestion suggests the element variable that bare, a name in a
// group's namespace that ends in no element field, misspells: the key and
// the closest element name, or "".
func (pe *planEntry) elementSuggestion(bare string) string {
	gi, _, _, ok := pe.elementOf(bare)
	if gi < 0 || ok {
		return ""
	}
	g := pe.grp[gi]
	rest := bare[len(g.Prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] != '_' || i == 0 {
			continue
		}
		// Element names are often short (HOST, PORT), below closest's
		// 5 bytes: the nearest within two edits (a transposition) wins.
		part := rest[i+1:]
		best, bestD := "", 3
		for _, n := range g.names {
			if d := editDistance(part, n, bestD); d < bestD {
				best, bestD = n, d
			}
		}
		if best != "" {
			return g.Prefix + rest[:i+1] + best
		}
	}
	return ""
}

// misspeltGroup suggests the element variable that bare, a name outside
// every group's namespace, misspells in its group prefix (UPSTRAEM_0_HOST:
// UPSTREAM_0_HOST), or "". A prefix shorter than 5 bytes may differ by
// one edit, a longer one by two.
func (pe *planEntry) misspeltGroup(bare string) string {
	for _, g := range pe.grp {
		for _, n := range g.names {
			if len(bare) <= len(n)+1 || bare[len(bare)-len(n)-1] != '_' || !strings.HasSuffix(bare, n) {
				continue
			}
			head := bare[:len(bare)-len(n)-1]
			for i := 1; i+1 < len(head); i++ {
				if head[i] != '_' {
					continue
				}
				pfx, key := head[:i+1], head[i+1:]
				if !g.IsMap() && strings.Trim(key, "0123456789") != "" {
					continue
				}
				limit := 2
				if len(g.Prefix) >= 5 {
					limit = 3
				}
				if editDistance(pfx, g.Prefix, limit) < limit {
					return g.Prefix + key + "_" + n
				}
			}
		}
	}
	return ""
}

// validKey reports whether k can be a map group's key: it becomes part of
// variable names shown in messages and the report.
func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '-' || c == '.' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
