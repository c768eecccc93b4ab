package paginate

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/prodready/prodready"
)

// Default limits, used where a [Limits] field is zero. DefaultPageSize and
// DefaultMaxPageSize are Base's defaults for PAGE_SIZE and MAX_PAGE_SIZE.
const (
	DefaultPageSize    = 50
	DefaultMaxPageSize = 100
	// DefaultMaxOffset is the largest offset a request may ask for, page
	// style included. Deeper pages make the database read and discard every
	// row before them; use cursors to go further.
	DefaultMaxOffset = 1000
)

// Query parameter names.
const (
	ParamPage     = "page"
	ParamPageSize = "page_size"
	ParamLimit    = "limit"
	ParamOffset   = "offset"
	ParamCursor   = "cursor"
)

// maxInt is the largest number a parameter may hold, whatever the limits:
// larger values are errors, not clamped, so that no arithmetic on them can
// overflow.
const maxInt = math.MaxInt32

// Sentinel errors wrapped by every [*ParamError]; test for them with
// errors.Is.
var (
	// ErrInvalidParam means a page, page_size, limit or offset parameter is
	// malformed, out of range, repeated, or not allowed with another one.
	ErrInvalidParam = errors.New("invalid pagination parameter")
	// ErrInvalidCursor means a cursor is malformed, tampered with, signed
	// with an unknown key, expired, or made for another sort order.
	ErrInvalidCursor = errors.New("invalid cursor")
)

// A ParamError is a client's mistake in one pagination parameter. A handler
// answers it with 400 Bad Request; its message is safe to show, since it
// quotes only the (truncated) value the client sent.
type ParamError struct {
	Param  string // the query parameter: "page", "page_size", "limit", "offset" or "cursor"
	Value  string // the value received, truncated to 32 bytes; empty when the problem is not the value
	Reason string // what is wrong or expected, such as "want an integer from 1 to 100"
	// Err is ErrInvalidParam or ErrInvalidCursor. For a cursor that fails
	// verification it also wraps the signing error, so that
	// errors.Is(err, signing.ErrExpired) tells an expired cursor apart.
	Err error
}

// Error returns "paginate: PARAM: REASON", followed by the value received:
// the message for a log. Answer the client with [ParamError.Message].
func (e *ParamError) Error() string {
	return "paginate: " + e.Message()
}

// Message returns the message without the package prefix, "PARAM: REASON",
// followed by the value received, such as
//
//	limit: want an integer from 1 to 100, got "abc"
//
// It is meant for the client: the body of a 400 response.
func (e *ParamError) Message() string {
	s := e.Param + ": " + e.Reason
	if e.Value != "" {
		s += fmt.Sprintf(", got %q", e.Value)
	}
	return s
}

// Unwrap returns e.Err.
func (e *ParamError) Unwrap() error { return e.Err }

const maxQuoted = 32

func paramErr(param, value, reason string) *ParamError {
	return &ParamError{Param: param, Value: truncate(value), Reason: reason, Err: ErrInvalidParam}
}

// truncate cuts s to at most maxQuoted bytes, at a UTF-8 boundary, marking
// the cut with "...".
func truncate(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// A Style is a way of asking for a page. Styles combine as a set in
// [Limits.Styles].
type Style uint8

const (
	// StylePage is ?page=N&page_size=M, N counting from 1.
	StylePage Style = 1 << iota
	// StyleOffset is ?limit=M&offset=N, N counting from 0.
	StyleOffset
	// StyleCursor is ?cursor=TOKEN&limit=M: keyset pagination, where TOKEN
	// is a signed [Cursor] from the previous page's next link.
	StyleCursor
)

// String returns the style's name: "page", "offset", "cursor", or the names
// of a set joined by '|'.
func (s Style) String() string {
	names := []string{"page", "offset", "cursor"}
	out := ""
	for i, n := range names {
		if s&(1<<i) != 0 {
			if out != "" {
				out += "|"
			}
			out += n
		}
	}
	if rest := s &^ (StylePage | StyleOffset | StyleCursor); rest != 0 || out == "" {
		if out != "" {
			out += "|"
		}
		out += "Style(" + strconv.Itoa(int(rest)) + ")"
	}
	return out
}

// Limits bound what a request may ask for. The zero Limits is usable: every
// zero field takes its default.
type Limits struct {
	// PageSize is the page size when a request names none. If PageSize is
	// 0, DefaultPageSize is used, or MaxPageSize if that is smaller.
	PageSize int
	// MaxPageSize is the largest page size a request may ask for, at
	// most 2^31-2. If MaxPageSize is 0, DefaultMaxPageSize is used.
	MaxPageSize int
	// MaxOffset is the largest number of rows a request may skip, by
	// offset or by page number, at most 2^31-1. If MaxOffset is 0,
	// DefaultMaxOffset is used; if it is negative, no offset is allowed:
	// only the first page of the page and offset styles. NewEnvelope
	// links to no page beyond it: see [Envelope].
	MaxOffset int
	// Strict, if true, makes a page_size or limit above MaxPageSize an
	// error instead of being lowered to MaxPageSize.
	Strict bool
	// Styles are the styles the endpoint accepts. If Styles is 0,
	// StylePage|StyleOffset is used. StyleCursor must be asked for, and
	// needs a *Cursors in Parse.
	Styles Style
}

// LimitsFrom returns the limits that a loaded configuration sets: PAGE_SIZE
// and MAX_PAGE_SIZE. cfg is any struct that embeds prodready.Base, or a Base
// (see [prodready.Settings]); a nil cfg sets nothing. The other fields are
// zero (their defaults).
func LimitsFrom(cfg prodready.Settings) Limits {
	if cfg == nil {
		return Limits{}
	}
	b := cfg.BaseConfig()
	return Limits{PageSize: b.PageSize, MaxPageSize: b.MaxPageSize}
}

// resolve fills in the defaults and checks consistency. Its errors are the
// program's, not the client's.
func (l Limits) resolve() (Limits, error) {
	if l.MaxPageSize == 0 {
		l.MaxPageSize = DefaultMaxPageSize
	}
	if l.PageSize == 0 {
		l.PageSize = min(DefaultPageSize, l.MaxPageSize)
	}
	if l.MaxOffset == 0 {
		l.MaxOffset = DefaultMaxOffset
	}
	if l.MaxOffset < 0 {
		l.MaxOffset = 0
	}
	if l.Styles == 0 {
		l.Styles = StylePage | StyleOffset
	}
	switch {
	case l.MaxPageSize < 1 || l.MaxPageSize > maxInt-1:
		// maxInt-1, so that LimitOffset's Limit+1 fits in 32 bits.
		return l, fmt.Errorf("paginate: Limits.MaxPageSize %d: want 1 to %d", l.MaxPageSize, maxInt-1)
	case l.PageSize < 1 || l.PageSize > l.MaxPageSize:
		return l, fmt.Errorf("paginate: Limits.PageSize %d: want 1 to MaxPageSize (%d)", l.PageSize, l.MaxPageSize)
	case l.MaxOffset > maxInt:
		return l, fmt.Errorf("paginate: Limits.MaxOffset %d: want at most %d", l.MaxOffset, maxInt)
	case l.Styles&^(StylePage|StyleOffset|StyleCursor) != 0:
		return l, fmt.Errorf("paginate: Limits.Styles: unknown style %s", l.Styles)
	}
	return l, nil
}

// A Page is the page a request asks for, as Parse returns it. A Page from
// Parse also remembers the MaxOffset of its Limits, so that NewEnvelope
// links to no page that Parse would refuse; a Page literal has no such
// bound. Compare Pages by their exported fields rather than with ==.
type Page struct {
	// Style is how the request asked, and how the links to other pages
	// ask.
	Style Style
	// Limit is the number of items on the page: at least 1.
	Limit int
	// Offset is the number of items before the page, 0 in cursor style.
	// In page style it is (page-1)*Limit.
	Offset int
	// Cursor holds the sort keys of the last item of the previous page in
	// cursor style; it is nil on the first page and in the other styles.
	Cursor *Cursor

	// offsetCap is 1 + the largest offset the Limits given to Parse
	// allow, so that NewEnvelope links to no page Parse would refuse; 0,
	// in a Page that Parse did not make, means no bound.
	offsetCap int
}

// LimitOffset returns the arguments of a SQL query's LIMIT and OFFSET:
// p.Limit+1 and p.Offset. Note the +1: the limit is one more than the page,
// because the one extra row tells whether a next page exists. Pass the rows
// to [NewEnvelope], which keeps the first p.Limit and drops the extra one;
// if you show the rows yourself, show at most p.Limit. To page a slice in
// memory, use [Slice] with p, not these numbers.
func (p Page) LimitOffset() (limit, offset int) {
	return p.Limit + 1, p.Offset
}

// String returns the page's fields, named, for logs and debugging:
// "style=page limit=20 offset=40", or in cursor style "style=cursor
// limit=20", followed by the cursor's keys ("after=[7 b]") and "desc"
// after the first page.
func (p Page) String() string {
	if p.Style == StyleCursor {
		s := fmt.Sprintf("style=%s limit=%d", p.Style, p.Limit)
		if p.Cursor != nil {
			s += fmt.Sprintf(" after=%v", p.Cursor.Keys)
			if p.Cursor.Desc {
				s += " desc"
			}
		}
		return s
	}
	return fmt.Sprintf("style=%s limit=%d offset=%d", p.Style, p.Limit, p.Offset)
}

// Parse reads the page that the query q asks for, within the limits l.
//
// It accepts, as l.Styles allows, ?page=N&page_size=M, ?limit=M&offset=N and
// ?cursor=TOKEN&limit=M, any of them partly or not at all: an absent size is
// l.PageSize, an absent page 1, an absent offset 0, an absent cursor the first
// page. An empty value counts as absent, also next to a non-empty one
// (?limit=&limit=5 is limit=5); other parameters are ignored. A request that
// names only a limit is in cursor style if l.Styles allows it, else in
// offset style; one that names nothing is in the first of cursor, page and
// offset style that l.Styles allows.
//
// Numbers are decimal digits only. A size above l.MaxPageSize is lowered to
// it, or is an error when l.Strict; a size or number above 2^31-1 is always
// an error, as is an offset (or page) that skips more than l.MaxOffset rows.
// A parameter given two non-empty values, one of a style l.Styles does not
// allow, and a mix of styles (page with offset, cursor with page_size...)
// are errors.
//
// The cursor is verified with c, which must not be nil when l.Styles includes
// StyleCursor; it is never decoded before its signature is checked.
//
// Every client error is a *ParamError naming the parameter and wrapping
// ErrInvalidParam or ErrInvalidCursor, for a 400 response. Inconsistent
// limits give another error, the program's. Parse is safe for concurrent
// use.
func Parse(q url.Values, l Limits, c *Cursors) (Page, error) {
	l, err := l.resolve()
	if err != nil {
		return Page{}, err
	}
	if l.Styles&StyleCursor != 0 && c == nil {
		return Page{}, errors.New("paginate: Limits.Styles includes StyleCursor but Cursors is nil")
	}

	// One value per parameter. Empty means absent, so empty values are
	// dropped before looking for duplicates: ?limit=&limit=5 is limit=5.
	var v [5]string
	names := [5]string{ParamPage, ParamPageSize, ParamLimit, ParamOffset, ParamCursor}
	const (
		iPage = iota
		iPageSize
		iLimit
		iOffset
		iCursor
	)
	for i, name := range names {
		for _, val := range q[name] {
			if val == "" {
				continue
			}
			if v[i] != "" {
				return Page{}, paramErr(name, "", "given more than once")
			}
			v[i] = val
		}
	}
	has := func(i int) bool { return v[i] != "" }

	// The style, from the parameters present.
	var style Style
	switch {
	case has(iCursor):
		style = StyleCursor
	case has(iPage) || has(iPageSize):
		style = StylePage
	case has(iOffset):
		style = StyleOffset
	case has(iLimit):
		style = firstStyle(l.Styles&(StyleCursor|StyleOffset), StyleCursor, StyleOffset)
		if style == 0 {
			return Page{}, paramErr(ParamLimit, "", "not accepted here: use page_size")
		}
	default:
		style = firstStyle(l.Styles, StyleCursor, StylePage, StyleOffset)
	}
	// Parameters of another style than the one chosen, in a fixed order
	// so that the error names the same parameter every time.
	var belongs []int
	sizeIdx, sizeParam := iLimit, ParamLimit
	switch style {
	case StylePage:
		belongs = []int{iPage, iPageSize}
		sizeIdx, sizeParam = iPageSize, ParamPageSize
	case StyleOffset:
		belongs = []int{iOffset, iLimit}
	default:
		belongs = []int{iCursor, iLimit}
	}
	for i := range names {
		if !has(i) || contains(belongs, i) {
			continue
		}
		return Page{}, paramErr(names[i], "", "cannot be combined with "+presentOf(v[:], names[:], belongs))
	}
	if l.Styles&style == 0 {
		return Page{}, paramErr(presentOf(v[:], names[:], belongs), "", "not accepted here: this endpoint pages by "+l.Styles.String())
	}

	p := Page{Style: style, Limit: l.PageSize, offsetCap: l.MaxOffset + 1}
	if s := v[sizeIdx]; s != "" {
		n, ok := atoi(s)
		switch {
		case !ok || n < 1:
			return Page{}, paramErr(sizeParam, s, fmt.Sprintf("want an integer from 1 to %d", l.MaxPageSize))
		case n > l.MaxPageSize && l.Strict:
			return Page{}, paramErr(sizeParam, s, fmt.Sprintf("want an integer from 1 to %d", l.MaxPageSize))
		}
		p.Limit = min(n, l.MaxPageSize)
	}

	switch style {
	case StylePage:
		if s := v[iPage]; s != "" {
			// At most maxInt, which also keeps the +1 from wrapping
			// where int has 32 bits.
			maxPage := min(l.MaxOffset/p.Limit, maxInt-1) + 1
			n, ok := atoi(s)
			if !ok || n < 1 || n > maxPage {
				return Page{}, paramErr(ParamPage, s, fmt.Sprintf("want an integer from 1 to %d (with page_size %d)", maxPage, p.Limit))
			}
			p.Offset = (n - 1) * p.Limit
		}
	case StyleOffset:
		if s := v[iOffset]; s != "" {
			n, ok := atoi(s)
			if !ok || n > l.MaxOffset {
				return Page{}, paramErr(ParamOffset, s, fmt.Sprintf("want an integer from 0 to %d", l.MaxOffset))
			}
			p.Offset = n
		}
	case StyleCursor:
		if s := v[iCursor]; s != "" {
			cur, err := c.Decode(s)
			if err != nil {
				return Page{}, err
			}
			p.Cursor = &cur
		}
	}
	return p, nil
}

func firstStyle(allowed Style, order ...Style) Style {
	for _, s := range order {
		if allowed&s != 0 {
			return s
		}
	}
	return 0
}

func contains(s []int, i int) bool {
	for _, x := range s {
		if x == i {
			return true
		}
	}
	return false
}

// presentOf names the first parameter of the style that the request gave.
func presentOf(v, names []string, belongs []int) string {
	for _, i := range belongs {
		if v[i] != "" {
			return names[i]
		}
	}
	return names[belongs[0]]
}

// atoi parses a non-negative decimal number of at most maxInt, digits only:
// no sign, space, base prefix, exponent or fraction. It counts in uint64
// and stops past maxInt, so no value wraps where int has 32 bits.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
		if n > maxInt {
			return 0, false
		}
	}
	return int(n), true
}
