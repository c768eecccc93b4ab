package prodready

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/trustelem/zxcvbn/adjacency"
	"github.com/trustelem/zxcvbn/frequency"
)

// The pattern matchers of the key estimator (keystrength.go): each finds
// the patterns of one kind in a text and reports them with their cost.

// dictionary holds zxcvbn's frequency lists (passwords, English words from
// Wikipedia and from television and films, first names, surnames) as one
// sorted list, each word with its best rank across the lists.
type dictionary struct {
	words  []string // sorted
	rank   []int32  // rank[i] is the rank of words[i], from 1
	maxLen int
}

// words loads the dictionary on first use: about 94,000 words, a few
// megabytes, which a process that never judges a key does not pay for.
var words = sync.OnceValue(func() *dictionary {
	best := make(map[string]int32, 100_000)
	for _, list := range frequency.FrequencyLists {
		for r, w := range list {
			if old, ok := best[w]; !ok || int32(r+1) < old {
				best[w] = int32(r + 1)
			}
		}
	}
	d := &dictionary{words: make([]string, 0, len(best))}
	for w := range best {
		d.words = append(d.words, w)
		d.maxLen = max(d.maxLen, len(w))
	}
	slices.Sort(d.words)
	d.rank = make([]int32, len(d.words))
	for i, w := range d.words {
		d.rank[i] = best[w]
	}
	return d
})

// scan calls found for each word of d at the start of t[i:], with its end
// and rank, narrowing the range of words that share the prefix read so
// far one byte at a time, so that a random key costs a few binary
// searches per position rather than a lookup per substring.
func (d *dictionary) scan(t []byte, i int, found func(j int, rank int32)) {
	lo, hi := 0, len(d.words)
	for j := i + 1; j <= len(t) && j-i <= d.maxLen; j++ {
		depth, c := j-i-1, t[j-1]
		// Within [lo, hi) every word starts with t[i:j-1]; a word that
		// ends there sorts before those that go on.
		lo += sort.Search(hi-lo, func(x int) bool { w := d.words[lo+x]; return len(w) > depth && w[depth] >= c })
		hi = lo + sort.Search(hi-lo, func(x int) bool { w := d.words[lo+x]; return len(w) > depth && w[depth] > c })
		if lo == hi {
			return
		}
		if len(d.words[lo]) == j-i && j-i >= 3 {
			found(j, d.rank[lo])
		}
	}
}

// l33t maps characters people put in place of letters to the letters; the
// two tables differ where a character stands for two letters.
var l33t = [2][256]byte{}

// init fills the l33t tables from their compact source: pairs of a
// substitute and the letter it stands for.
func init() {
	for t, subs := range [2]string{"4a@a8b(c{c[c<c3e6g9g1i!i|i0o$s5s7t+t%x2z", "4a@a8b(c{c[c<c3e6g9g1l!i|l0o$s5s7l+t%x2z"} {
		for i := 0; i+1 < len(subs); i += 2 {
			l33t[t][subs[i]] = subs[i+1]
		}
	}
}

// wordMatches finds the words of the dictionary in s, in any case, spelt
// backwards or in l33t, of three letters or more.
func wordMatches(s string, add func(keyMatch)) {
	d := words()
	n := len(s)
	low := []byte(s)
	for i, c := range low {
		if c >= 'A' && c <= 'Z' {
			low[i] = c + 'a' - 'A'
		}
	}
	rev := make([]byte, n)
	for i, c := range low {
		rev[n-1-i] = c
	}
	subs := make([]int, n+1) // subs[j]-subs[i]: l33t characters in s[i:j]
	var leet [2][]byte
	for t := range leet {
		leet[t] = make([]byte, n)
		for i, c := range low {
			if r := l33t[t][c]; r != 0 {
				c = r
			}
			leet[t][i] = c
		}
	}
	for i, c := range low {
		subs[i+1] = subs[i]
		if l33t[0][c] != 0 {
			subs[i+1]++
		}
	}
	for i := range n {
		d.scan(low, i, func(j int, r int32) {
			add(keyMatch{i: i, j: j, bits: math.Log2(float64(r)) + caseBits(s[i:j]), kind: kindWord})
		})
		d.scan(rev, i, func(j int, r int32) {
			// rev[i:j] is s[n-j:n-i] backwards.
			add(keyMatch{i: n - j, j: n - i, bits: math.Log2(float64(r)) + caseBits(s[n-j:n-i]) + 1, kind: kindWord})
		})
		for t := range leet {
			d.scan(leet[t], i, func(j int, r int32) {
				if k := subs[j] - subs[i]; k > 0 {
					add(keyMatch{i: i, j: j, bits: math.Log2(float64(r)) + caseBits(s[i:j]) + float64(k), kind: kindWord})
				}
			})
		}
	}
}

// caseBits is what the capitals of a word add to its cost, as zxcvbn
// counts it: nothing for lower case; one bit for all capitals or a
// capital first or last letter; else log2 of the ways to place them.
func caseBits(w string) float64 {
	upper, lower := 0, 0
	for i := range len(w) {
		switch c := w[i]; {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		}
	}
	isUpper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	switch {
	case upper == 0:
		return 0
	case lower == 0, upper == 1 && (isUpper(w[0]) || isUpper(w[len(w)-1])):
		return 1
	}
	ways := 0.0
	for i := 1; i <= min(upper, lower); i++ {
		ways += binomial(upper+lower, i)
	}
	return math.Log2(ways)
}

// binomial is n choose k, as a float64: the counts of ways can exceed
// an int's range.
func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// sequenceMatches finds runs of three or more characters a constant step
// apart (abcd, 9753, ACEG), costing the start, the length and the
// direction.
func sequenceMatches(s string, add func(keyMatch)) {
	n := len(s)
	for i := 0; i+2 < n; {
		d := int(s[i+1]) - int(s[i])
		j := i + 1
		for j < n && int(s[j])-int(s[j-1]) == d {
			j++
		}
		if d != 0 && d >= -5 && d <= 5 && j-i >= 3 {
			start := 26.0
			switch c := s[i]; {
			case strings.IndexByte("aAzZ019", c) >= 0:
				start = 4
			case c >= '0' && c <= '9':
				start = 10
			case !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
				start = 32
			}
			bits := math.Log2(start) + math.Log2(float64(j-i))
			if d < 0 {
				bits++
			}
			add(keyMatch{i: i, j: j, bits: bits, kind: kindSequence})
		}
		i = j - 1
	}
}

// A keyboard is an adjacency graph of zxcvbn's: for each key, the
// characters next to it in each direction.
type keyboard struct {
	dir    [256][256]int8 // direction+1 from one character to the next; 0: not adjacent
	starts float64        // how many characters a walk may start on
	degree float64        // average number of neighbours
}

var keyboards = sync.OnceValue(func() []*keyboard {
	var out []*keyboard
	for _, name := range []string{"qwerty", "dvorak", "keypad"} {
		g := adjacency.Graphs[name]
		if g == nil {
			continue
		}
		kb := &keyboard{starts: float64(len(g.Graph)), degree: g.AverageDegree}
		for from, nbrs := range g.Graph {
			for d, chars := range nbrs {
				for i := range len(chars) {
					kb.dir[from[0]][chars[i]] = int8(d + 1)
				}
			}
		}
		out = append(out, kb)
	}
	return out
})

// walkMatches finds runs of three or more characters next to each other
// on a keyboard (qwerty, dvorak, a keypad), costing the start, the turns
// and the length, as zxcvbn's spatial matcher does.
func walkMatches(s string, add func(keyMatch)) {
	n := len(s)
	for _, kb := range keyboards() {
		for i := 0; i+2 < n; {
			j, turns, last := i+1, 0, int8(0)
			for j < n {
				d := kb.dir[s[j-1]][s[j]]
				if d == 0 {
					break
				}
				if d != last {
					turns++
					last = d
				}
				j++
			}
			if j-i >= 3 {
				add(keyMatch{i: i, j: j, bits: math.Log2(kb.starts) + float64(turns)*math.Log2(kb.degree) + math.Log2(float64(j-i)), kind: kindWalk})
			}
			i = j
		}
	}
}

// yearMatches finds years from 1900 to 2099, which cost log2(100).
func yearMatches(s string, add func(keyMatch)) {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i+4 <= len(s); i++ {
		if (s[i:i+2] == "19" || s[i:i+2] == "20") && isDigit(s[i+2]) && isDigit(s[i+3]) {
			add(keyMatch{i: i, j: i + 4, bits: math.Log2(100), kind: kindYear})
		}
	}
}

// separatorMatches finds punctuation or a space already used earlier in
// s: the words of a passphrase share their separator, which costs one bit
// after its first use.
func separatorMatches(s string, add func(keyMatch)) {
	var seen [128]bool
	for i := range len(s) {
		c := s[i]
		if c >= 0x7f || c < ' ' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			continue
		}
		if seen[c] {
			add(keyMatch{i: i, j: i + 1, bits: 1, kind: kindSeparator})
		}
		seen[c] = true
	}
}
