package prodready

import (
	"maps"
	"slices"
)

// A VarChangeKind says how a variable differs between two fingerprints.
// Its values are the words "prodready diff --json" prints.
type VarChangeKind string

const (
	// VarDiffers means that both fingerprints have the variable, with
	// different digests.
	VarDiffers VarChangeKind = "differs"
	// VarOnlyInA means that only the first fingerprint has the variable.
	VarOnlyInA VarChangeKind = "only_in_a"
	// VarOnlyInB means that only the second fingerprint has the variable.
	VarOnlyInB VarChangeKind = "only_in_b"
)

// A VarChange is a variable that differs between two fingerprints.
type VarChange struct {
	Name   string
	Change VarChangeKind
}

// A FingerprintDiff is what [DiffFingerprints] found.
type FingerprintDiff struct {
	// Changes are the variables that differ, sorted by name; never nil.
	Changes []VarChange
	// NotCompared are the variables that hold a secret in both
	// fingerprints, made under different SECRET_KEYs: their keyed digests
	// cannot say whether the secrets are equal. Sorted; never nil. When it
	// is not empty, Changes holds SECRET_KEY.
	NotCompared []string
}

// Identical reports whether the diff found nothing: no variable differs
// and every one could be compared.
func (d FingerprintDiff) Identical() bool {
	return len(d.Changes) == 0 && len(d.NotCompared) == 0
}

// DiffFingerprints compares two configurations' digests, as
// [FingerprintVars] returns them (on two replicas, or read back from the
// reports "prodready fingerprint --json" saves), and lists the variables
// whose digests differ or that only one of them has, and nothing else. It
// never sees a value: the digests are all it compares. "prodready diff"
// and the reference service's GET /debug/fleet are built on it.
func DiffFingerprints(a, b *VarDigests) FingerprintDiff {
	av, bv := digestsByName(a), digestsByName(b)
	names := slices.Sorted(maps.Keys(av))
	for n := range bv {
		if _, ok := av[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	d := FingerprintDiff{Changes: []VarChange{}, NotCompared: []string{}}
	for _, n := range names {
		x, inA := av[n]
		y, inB := bv[n]
		switch {
		case !inB:
			d.Changes = append(d.Changes, VarChange{n, VarOnlyInA})
		case !inA:
			d.Changes = append(d.Changes, VarChange{n, VarOnlyInB})
		case x.Keyed && y.Keyed && a.Key != b.Key:
			d.NotCompared = append(d.NotCompared, n)
		case x != y:
			d.Changes = append(d.Changes, VarChange{n, VarDiffers})
		}
	}
	return d
}

// digestsByName indexes d's digests by variable name; a nil d has none.
func digestsByName(d *VarDigests) map[string]VarDigest {
	m := make(map[string]VarDigest)
	if d == nil {
		return m
	}
	for _, v := range d.Vars {
		m[v.Name] = v
	}
	return m
}
