package prodready

// The piece index: which names can lie within two edits of a known
// variable name, decided in a few table loads or byte comparisons, so that
// the misspelling scan spends almost nothing on the unrelated variables
// of a large environment.

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
// names of lengths within two of its own.
//
// Every NAME_FILE form ends in _FILE, so their tails would let through
// every SSL_CERT_FILE of the environment. A common suffix does not change
// an edit distance, so a name ending in _FILE is tested, stem first,
// against the plain names alone: its stem near a plain name's is near
// that name's NAME_FILE form, and the name itself may be near a plain name.
//
// The test is necessary, not sufficient: a name that passes still goes
// through the character masks and the edit distance, so the scan reports
// what it did before the index existed.
type pieceIndex struct {
	all   pieceTables // every known name, NAME_FILE forms included
	plain pieceTables // the names without their NAME_FILE forms
}

// pieceTables index the pieces of a set of names.
type pieceTables struct {
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

// add indexes a field's variable name and its NAME_FILE form.
func (x *pieceIndex) add(name, fileName string) {
	x.all.add(name)
	x.all.add(fileName)
	x.plain.add(name)
}

// mayBeNear reports whether name may lie within two edits of a known name.
// It never reports false for one that does. (Names under 7 bytes all
// pass; the scan ignores those under 5.)
func (x *pieceIndex) mayBeNear(name string) bool {
	if stem, ok := cutFileSuffix(name); ok {
		return x.plain.mayBeNear(stem) || x.plain.mayBeNear(name)
	}
	return x.all.mayBeNear(name)
}

// cutFileSuffix returns name without a final _FILE, in any case, and
// whether it had one.
func cutFileSuffix(name string) (string, bool) {
	const suffix = "_FILE"
	n := len(name) - len(suffix)
	if n <= 0 || upper(name[len(name)-1]) != 'E' || !equalUpper(name[n:], suffix) {
		return name, false
	}
	return name[:n], true
}

// add indexes a known name.
func (t *pieceTables) add(k string) {
	n := len(k)
	if n < 6 {
		t.short = max(t.short, n)
		return
	}
	bit := lengthBit(n)
	t.head[pair(k[0], k[1])] |= bit
	t.mid1[pair(k[2], k[3])] |= bit
	if n >= 8 {
		t.mid2[pair(k[4], k[5])] |= bit
	} else {
		t.mid2Any |= bit
	}
	t.tail[pair(k[n-2], k[n-1])] |= bit
}

// mayBeNear is pieceIndex.mayBeNear over these names alone.
func (t *pieceTables) mayBeNear(name string) bool {
	m := len(name)
	if m < 7 || m <= t.short+2 {
		return true
	}
	w := &windows[min(m, len(windows)-1)]
	_ = name[6] // one bounds check for the seven bytes below
	c0, c1, c2, c3 := pairCode[name[0]], pairCode[name[1]], pairCode[name[2]], pairCode[name[3]]
	if (t.head[c0*38+c1]|t.tail[pair(name[m-2], name[m-1])])&w[0] != 0 {
		return true
	}
	// The middle at offset 1 (a byte of the head deleted), 2 or 3 (one
	// inserted); the tail's edit changes the length by -1, 0 or +1 more.
	c4, c5, c6 := pairCode[name[4]], pairCode[name[5]], pairCode[name[6]]
	return t.mid1[c1*38+c2]&(t.mid2[c3*38+c4]|t.mid2Any)&w[1] != 0 ||
		t.mid1[c2*38+c3]&(t.mid2[c4*38+c5]|t.mid2Any)&w[2] != 0 ||
		t.mid1[c3*38+c4]&(t.mid2[c5*38+c6]|t.mid2Any)&w[3] != 0
}

// windows[m] are the lengthBits of the known names a name of m bytes is
// compared with: m-2 to m+2 for the head and tail; for the middle at
// offset 1, 2 and 3, m to m+2, m-1 to m+1 and m-2 to m.
var windows = func() (w [33][4]uint32) {
	b := lengthBit
	for m := 2; m < len(w); m++ {
		w[m] = [4]uint32{b(m-2) | b(m-1) | b(m) | b(m+1) | b(m+2), b(m) | b(m+1) | b(m+2), b(m-1) | b(m) | b(m+1), b(m-2) | b(m-1) | b(m)}
	}
	return w
}()

// piecesNear is the piece index's test (see pieceIndex) for one known name
// k: false means that name is not within two edits of k. It costs a few
// byte comparisons, where the edit distance fills a band of a table.
func piecesNear(name, k string) bool {
	// A common prefix or suffix (_FILE) changes no edit distance.
	for len(name) > 0 && len(k) > 0 && upper(name[0]) == upper(k[0]) {
		name, k = name[1:], k[1:]
	}
	for len(name) > 0 && len(k) > 0 && upper(name[len(name)-1]) == upper(k[len(k)-1]) {
		name, k = name[:len(name)-1], k[:len(k)-1]
	}
	m, n := len(name), len(k)
	if m-n > 2 || n-m > 2 {
		return false
	}
	if n < 6 || m < 7 {
		return true
	}
	if upper(name[0]) == upper(k[0]) && upper(name[1]) == upper(k[1]) ||
		upper(name[m-2]) == upper(k[n-2]) && upper(name[m-1]) == upper(k[n-1]) {
		return true
	}
	mid := k[2:4]
	if n >= 8 {
		mid = k[2:6]
	}
	// The middle at offset 1, 2 or 3 (head edited once: a deletion, a
	// substitution, an insertion), then the tail edited once.
	for off := 1; off <= 3; off++ {
		if d := m - n - (off - 2); d < -1 || d > 1 || off+len(mid) > m {
			continue
		}
		if equalUpper(name[off:off+len(mid)], mid) {
			return true
		}
	}
	return false
}

// equalUpper reports whether a and b, of the same length, are equal as
// editDistance compares bytes.
func equalUpper(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if upper(a[i]) != upper(b[i]) {
			return false
		}
	}
	return true
}
