package prodready

import (
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// minSecretCopy is the shortest secret whose copies are redacted: a
// shorter one would cut words out of messages and values that only
// happen to hold it (a development database's password "postgres" is in
// every postgres:// URL). The production rules want keys of 32 bytes and
// more.
const minSecretCopy = 16

// collectSecretTexts records the values of the loaded secrets, so that
// their copies elsewhere are not shown (hideSecretCopies, report): a
// secret copied by hand into a plain variable, or shared with one
// through a YAML alias, is the plain variable's value and the text of
// its errors, and the loader cannot tell which was meant to hold it.
func (l *loader) collectSecretTexts(nv reflect.Value) {
	for i := range l.plan.Fields {
		f := &l.plan.Fields[i]
		fv := nv.FieldByIndex(f.Index)
		switch {
		case l.fields[i].origin.Source == SourceEnvFile && f.Type != secretURLType:
			// Read from a NAME_FILE file: a secret, whatever the type. A
			// SecretURL's secret is its password (below): its host is what
			// messages about it name (PR-W051).
			l.addSecretText(strings.TrimSpace(l.fields[i].raw))
		case holdsSecret(f.Type):
			l.walkSecrets(fv)
		}
	}
	for _, g := range l.pe.grp {
		// A group's elements are structs: their Secret and SecretURL
		// fields are hunted here; an element's plain field read from a
		// NAME_FILE file was added as the element loaded (loadElement).
		l.walkSecrets(nv.FieldByIndex(g.Index))
	}
}

// walkSecrets records the Secret and SecretURL values v holds.
func (l *loader) walkSecrets(v reflect.Value) {
	switch v.Type() {
	case secretType:
		l.addSecretText(v.Interface().(Secret).Reveal())
		return
	case secretURLType:
		if u := v.Interface().(SecretURL).URL(); u != nil && u.User != nil {
			p, _ := u.User.Password()
			l.addSecretText(p)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			l.walkSecrets(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			l.walkSecrets(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			l.walkSecrets(it.Value())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				l.walkSecrets(v.Field(i))
			}
		}
	}
}

func (l *loader) addSecretText(s string) {
	// The generated development key's prefix is no secret, and ordinary
	// text begins so ("prodready-demo"): its random rest is hunted.
	s = strings.TrimPrefix(s, devKeyPrefix)
	if len(s) >= minSecretCopy {
		l.secretTexts = append(l.secretTexts, newSecretText(s))
		l.secretsReady = false
	}
}

// minCutCopy is the shortest start or end of a secret that is hidden
// where a value was cut (see secretForm): a shorter one would hide the
// edge of a value that only happens to begin or end like a secret, so at
// most minCutCopy-1 bytes of a secret can show there.
const minCutCopy = 4

// maxCutCopy bounds the starts and ends looked for: quote shows 64 bytes
// of a value (4 times as many escaped), showPath the last 256 of a path.
const maxCutCopy = 512

// A secretText is a loaded secret's value in the forms a message can hold
// it, longest first: as it is; escaped as %q escapes it (a quote, a
// backslash or a control character is not the secret's text); and
// percent-encoded, as a URL's path or query re-encodes it when the report
// renders a URL holding it (redact.ForURL hunts the same forms).
type secretText struct {
	raw   string
	forms []secretForm
}

// A secretForm is one form of a secret's text, with the places it may be
// cut where a value was: quote shows a value's start, cut after 64 bytes
// ("..." follows), showPath a path's end, cut before its last 256 ("..."
// precedes).
type secretForm struct {
	text string
	// starts and ends are the lengths of the form's starts and ends that
	// end or begin at a character's edge (an escape is one), from
	// minCutCopy to maxCutCopy bytes and short of the whole, increasing.
	starts, ends []int
	holds        [256]bool // the bytes of text
}

func newSecretText(raw string) secretText {
	st := secretText{raw: raw}
	add := func(text string, edges []int) {
		for _, f := range st.forms {
			if f.text == text {
				return
			}
		}
		f := secretForm{text: text}
		for i := 0; i < len(text); i++ {
			f.holds[text[i]] = true
		}
		for _, e := range edges {
			if e >= minCutCopy && e <= maxCutCopy && e < len(text) {
				f.starts = append(f.starts, e)
			}
		}
		for i := len(edges) - 1; i >= 0; i-- {
			if n := len(text) - edges[i]; n >= minCutCopy && n <= maxCutCopy && n < len(text) {
				f.ends = append(f.ends, n)
			}
		}
		st.forms = append(st.forms, f)
	}
	// strconv.Quote escapes each character alone, so the escaped text of
	// raw's start is the escaped text's start, and so for the end.
	var rawEdges, escEdges []int
	var esc, buf []byte
	for i := 0; i < len(raw); {
		_, size := utf8.DecodeRuneInString(raw[i:])
		buf = strconv.AppendQuote(buf[:0], raw[i:i+size])
		esc = append(esc, buf[1:len(buf)-1]...)
		i += size
		rawEdges, escEdges = append(rawEdges, i), append(escEdges, len(esc))
	}
	add(raw, rawEdges)
	add(string(esc), escEdges)
	// A percent-encoded form is ASCII: any byte may be its edge.
	for _, p := range []string{url.PathEscape(raw), url.QueryEscape(raw), (&url.URL{Path: raw}).EscapedPath()} {
		edges := make([]int, len(p))
		for i := range edges {
			edges[i] = i + 1
		}
		add(p, edges)
	}
	slices.SortFunc(st.forms, func(a, b secretForm) int { return len(b.text) - len(a.text) })
	return st
}

// secretGram is the shortest run of a secret's form that is hidden
// wherever it stands, whatever cut it: a decoder, a parser or a redactor
// may quote part of a value in ways no list of forms foresees (a URL's
// path up to a '?' the secret holds, the valid start of a .env key). Only
// a run that mixes two of lower case, upper case and digits is hunted so
// (mixed), as a generated key's runs do: a value read from a NAME_FILE
// file counts as a secret, and a URL's "sslmode=disa" or a host's
// "db.example.c" are ordinary text that PR-W042's message, say, holds.
const secretGram = 12

// mixed reports whether g holds two of lower case, upper case and digits.
func mixed(g string) bool {
	var lower, upper, digit int
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case 'a' <= c && c <= 'z':
			lower = 1
		case 'A' <= c && c <= 'Z':
			upper = 1
		case '0' <= c && c <= '9':
			digit = 1
		}
	}
	return lower+upper+digit >= 2
}

// cutMark is what quote writes after a value it cut; elided what showPath
// writes before a path's end.
const (
	cutMark = `"... (`
	elided  = "..."
)

// hideSecretCopies takes the loaded secrets' values out of the findings'
// messages, hints, errors and origins.
func (l *loader) hideSecretCopies() {
	if len(l.secretTexts) == 0 {
		return
	}
	for i := range l.findings {
		f := &l.findings[i]
		// An origin names a file by its path, which may be a secret
		// pasted into CONFIG_FILE.
		f.Origin.Name = l.withoutSecrets(f.Origin.Name)
		f.Message, f.Hint = l.withoutSecrets(f.Message), l.withoutSecrets(f.Hint)
		if f.Err == nil {
			continue
		}
		if text := l.withoutSecrets(f.Err.Error()); text != f.Err.Error() {
			if ce, ok := f.Err.(*causeError); ok {
				ce.msg = text
			} else {
				f.Err = &causeError{msg: text, kind: f.Err} // still errors.Is the original
			}
		}
	}
}

// withoutSecrets returns s with every loaded secret replaced by Redacted:
// each of its forms whole, longest secret first (a secret may begin
// another); any run of secretGram bytes of a form; its raw text where s percent-encodes it otherwise than Go
// does (a needless or lower-case escape); the start of a form before an
// elision ("...", quote's `"... (`, a redactor's [redacted], which hides
// the rest of a secret holding '#' or '?' in a URL-shaped value), and the
// end of one after "...".
func (l *loader) withoutSecrets(s string) string {
	if len(l.secretTexts) == 0 {
		return s
	}
	if !l.secretsReady {
		slices.SortStableFunc(l.secretTexts, func(a, b secretText) int { return len(b.raw) - len(a.raw) })
		l.secretGrams = make(map[string]struct{})
		for _, st := range l.secretTexts {
			for _, f := range st.forms {
				for i := 0; i+secretGram <= len(f.text); i++ {
					if g := f.text[i : i+secretGram]; mixed(g) {
						l.secretGrams[g] = struct{}{}
					}
				}
			}
		}
		l.secretsReady = true
	}
	for _, st := range l.secretTexts {
		for _, f := range st.forms {
			s = strings.ReplaceAll(s, f.text, Redacted)
		}
	}
	var cut [][2]int // ranges of s to redact, found on s whole
	for i := 0; i+secretGram <= len(s); i++ {
		if _, ok := l.secretGrams[s[i:i+secretGram]]; ok {
			cut = append(cut, [2]int{i, i + secretGram})
		}
	}
	if strings.Contains(s, "%") {
		cut = l.percentCopies(s, cut)
	}
	starts := func(end int) {
		for _, st := range l.secretTexts {
			for i := range st.forms {
				if n := st.forms[i].startBefore(s[:end]); n > 0 {
					cut = append(cut, [2]int{end - n, end})
				}
			}
		}
	}
	for i := 0; ; {
		j := strings.Index(s[i:], elided)
		if j < 0 {
			break
		}
		at := i + j
		if at > 0 && s[at-1] == '.' {
			// Inside a run of dots: its first "..." was looked at, and a
			// value of 64 KiB of dots would cost a look at each.
			i = at + len(elided)
			continue
		}
		starts(at)
		if at > 0 && s[at-1] == '"' {
			starts(at - 1)
			// quote may have cut a [redacted] the redactor left.
			for k := len(Redacted) - 1; k > 0; k-- {
				if strings.HasSuffix(s[:at-1], Redacted[:k]) {
					starts(at - 1 - k)
					break
				}
			}
		}
		rest := at + len(elided)
		if rest < len(s) && s[rest] == '"' {
			rest++
		}
		for _, st := range l.secretTexts {
			for k := range st.forms {
				if n := st.forms[k].endAfter(s[rest:]); n > 0 {
					cut = append(cut, [2]int{rest, rest + n})
				}
			}
		}
		i = at + len(elided)
	}
	for i := 0; ; {
		j := strings.Index(s[i:], Redacted)
		if j < 0 {
			break
		}
		starts(i + j)
		i += j + len(Redacted)
	}
	if len(cut) == 0 {
		return s
	}
	slices.SortFunc(cut, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	last := 0
	for _, r := range cut {
		if r[1] <= last {
			continue // inside a range already redacted
		}
		if r[0] < last {
			r[0] = last
		} else {
			b.WriteString(s[last:r[0]])
			b.WriteString(Redacted)
		}
		last = r[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// percentCopies appends to cut the ranges of s that percent-encode a
// secret's text in a way its forms do not (%48 for H, %2f for /): s is
// decoded, each %XX to its byte, and a secret found there is mapped back.
func (l *loader) percentCopies(s string, cut [][2]int) [][2]int {
	d := make([]byte, 0, len(s))
	at := make([]int, 0, len(s)+1) // at[i]: where d[i] starts in s
	for i := 0; i < len(s); {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			d = append(d, unhex(s[i+1])<<4|unhex(s[i+2]))
			at = append(at, i)
			i += 3
			continue
		}
		d = append(d, s[i])
		at = append(at, i)
		i++
	}
	at = append(at, len(s))
	decoded := string(d)
	for _, st := range l.secretTexts {
		for i := 0; ; {
			j := strings.Index(decoded[i:], st.raw)
			if j < 0 {
				break
			}
			cut = append(cut, [2]int{at[i+j], at[i+j+len(st.raw)]})
			i += j + len(st.raw)
		}
	}
	return cut
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// startBefore returns the length of the longest start of the form that
// head ends with; 0 if none. A head whose last byte the form does not hold
// is passed over at once: a value of 64 KiB of dots against secrets of
// 4 KiB took seconds.
func (f *secretForm) startBefore(head string) int {
	if head == "" || !f.holds[head[len(head)-1]] {
		return 0
	}
	for i := len(f.starts) - 1; i >= 0; i-- {
		if strings.HasSuffix(head, f.text[:f.starts[i]]) {
			return f.starts[i]
		}
	}
	return 0
}

// endAfter returns the length of the longest end of the form that tail
// begins with; 0 if none.
func (f *secretForm) endAfter(tail string) int {
	if tail == "" || !f.holds[tail[0]] {
		return 0
	}
	for i := len(f.ends) - 1; i >= 0; i-- {
		if strings.HasPrefix(tail, f.text[len(f.text)-f.ends[i]:]) {
			return f.ends[i]
		}
	}
	return 0
}

// holdsSecretCopy reports whether s holds a loaded secret's value.
func (l *loader) holdsSecretCopy(s string) bool { return l.withoutSecrets(s) != s }

// asSecretCopy makes v, the report's line of a plain variable whose value
// holds a loaded secret's, a secret's line: its value redacted, and
// Secret set, so that FingerprintVars keys its digest (a plain SHA-256 of
// the value would let anyone who sees the digest test guesses at the
// secret at full speed) and a length class shown for a string field fv.
func asSecretCopy(v *Var, fv reflect.Value) {
	v.Value, v.Secret = Redacted, true
	if fv.IsValid() && fv.Kind() == reflect.String {
		v.Length = lengthClass(fv.Len())
	}
}
