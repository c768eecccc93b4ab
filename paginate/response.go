package paginate

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// An Envelope is the JSON body of a list response:
//
//	{"items": [...], "next": "/items?cursor=...&limit=20", "has_more": true}
//
// Next is the URL of the next page, or "" (never null) when there is none.
// It is a relative reference, the path and query of the next page, unless
// [EnvelopeOptions.Base] gives an absolute base.
//
// HasMore reports that rows follow this page. In the page and offset styles
// it can be true while Next is "": the next page would start beyond
// [Limits.MaxOffset], which Parse refuses. A listing that must be read to
// its end pages by cursor, whose cost does not grow with depth.
type Envelope[T any] struct {
	Items   []T    `json:"items"` // never null: NewEnvelope makes an empty page []
	Next    string `json:"next"`
	HasMore bool   `json:"has_more"`
}

// Links are the URLs of the pages around the current one, for the RFC 8288
// Link header; an empty field means there is no such page. Prev is set only
// in the page and offset styles: cursors go forward only.
type Links struct {
	Next  string // the page after this one
	Prev  string // the page before this one
	First string // the first page
}

// Header returns the value of a Link header (RFC 8288) with a link for each
// non-empty field, in the order next, prev, first:
//
//	</items?cursor=...&limit=20>; rel="next", </items?limit=20>; rel="first"
//
// It returns "" when every field is empty; do not send the header then.
// Each URL is written as a URI reference: bytes that may not appear in one,
// such as '<', '>', '"', space, controls and non-ASCII bytes, are
// percent-encoded, so that a field set by hand cannot end its link early or
// add another.
func (l Links) Header() string {
	var b strings.Builder
	for _, x := range [...]struct{ url, rel string }{{l.Next, "next"}, {l.Prev, "prev"}, {l.First, "first"}} {
		if x.url == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('<')
		writeURIRef(&b, x.url)
		b.WriteString(`>; rel="`)
		b.WriteString(x.rel)
		b.WriteByte('"')
	}
	return b.String()
}

// writeURIRef writes s, percent-encoding every byte outside the characters
// of an RFC 3986 URI reference: unreserved, reserved and '%'.
func writeURIRef(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// EnvelopeOptions are options for [NewEnvelope]. A nil *EnvelopeOptions is
// the zero value.
type EnvelopeOptions struct {
	// Base is where the program is reached from outside, when that is not
	// the root of the host that the request came to: an absolute URL
	// ("https://api.example.com/v1") for absolute links, or a path
	// ("/api") for relative links under it. Links are Base followed by the
	// request's path and query, so that a handler mounted with
	// http.StripPrefix("/api", h), or behind a proxy that removes a prefix,
	// links to the path the client used. Base comes from the program's
	// configuration, never from the request. Its query and fragment must
	// be empty.
	//
	// If Base is nil, links are relative references: the request's path
	// and query, resolved by the client against the URL it requested.
	Base *url.URL
}

// NewEnvelope makes the response for the page p of the listing requested as
// u from rows, the result of its query: p.Limit+1 rows at most, as
// LimitOffset asks for. The first p.Limit rows are the items; one more means
// there is a next page.
//
// In cursor style, next returns the token of the cursor after the last item,
// usually
//
//	func(last Item) (string, error) { return cursors.Encode(ks.After(last.CreatedAt, last.ID)) }
//
// It is called for the last item of every non-empty page, so that a key that
// Encode refuses is an error on the first page a test asks for, and its token
// is used only when there is a next page. It must not be nil in cursor style
// and may be nil in the others; its error is returned as is.
//
// The links keep only the path and the query of u, normally r.URL: its
// scheme, host, user and fragment, which a client can choose, are dropped,
// and a path that starts with "//" is written with one slash, so that no
// link leaves the site. In the query, the pagination parameters are replaced
// and the others kept. opts.Base, if set, comes in front. The page size is
// always written, so that a change of PAGE_SIZE does not shift the pages of a
// client walking through them.
//
// In the page and offset styles, Prev is the exact page before this one
// (with a smaller limit when this page starts at an offset below p.Limit),
// and Next is empty when the next page would start beyond the MaxOffset that
// Parse enforced, although HasMore is true; see [Envelope].
//
// A nil u, a p.Limit below 1 and an invalid opts.Base are errors of the
// program.
func NewEnvelope[T any](u *url.URL, p Page, rows []T, next func(last T) (string, error), opts *EnvelopeOptions) (Envelope[T], Links, error) {
	var o EnvelopeOptions
	if opts != nil {
		o = *opts
	}
	if u == nil {
		return Envelope[T]{}, Links{}, errors.New("paginate: NewEnvelope: nil URL")
	}
	if p.Limit < 1 {
		return Envelope[T]{}, Links{}, errors.New("paginate: NewEnvelope: Page.Limit is below 1")
	}
	if p.Style == StyleCursor && next == nil {
		return Envelope[T]{}, Links{}, errors.New("paginate: NewEnvelope: cursor style needs a next function")
	}
	lb, err := newLinkBase(u, o.Base)
	if err != nil {
		return Envelope[T]{}, Links{}, err
	}
	items, more := rows, len(rows) > p.Limit
	if more {
		items = rows[:p.Limit:p.Limit]
	}
	if items == nil {
		items = []T{}
	}
	env := Envelope[T]{Items: items, HasMore: more}
	// Offsets in int64, so that Offset+Limit cannot wrap where int has 32
	// bits.
	off, limit := int64(p.Offset), int64(p.Limit)
	nextOK := more && (p.offsetCap == 0 || off+limit < int64(p.offsetCap))
	var l Links
	switch p.Style {
	case StyleCursor:
		l.First = lb.link(ParamLimit, p.Limit)
		if len(items) > 0 {
			tok, err := next(items[len(items)-1])
			if err != nil {
				return Envelope[T]{}, Links{}, err
			}
			if more {
				l.Next = lb.link(ParamLimit, p.Limit, ParamCursor, tok)
			}
		}
	case StylePage:
		n := p.Offset/p.Limit + 1
		l.First = lb.link(ParamPage, 1, ParamPageSize, p.Limit)
		if n > 1 {
			l.Prev = lb.link(ParamPage, n-1, ParamPageSize, p.Limit)
		}
		if nextOK {
			l.Next = lb.link(ParamPage, n+1, ParamPageSize, p.Limit)
		}
	default:
		l.First = lb.link(ParamLimit, p.Limit, ParamOffset, 0)
		switch {
		case p.Offset >= p.Limit:
			l.Prev = lb.link(ParamLimit, p.Limit, ParamOffset, p.Offset-p.Limit)
		case p.Offset > 0:
			// The rows before this page are fewer than a page.
			l.Prev = lb.link(ParamLimit, p.Offset, ParamOffset, 0)
		}
		if nextOK {
			l.Next = lb.link(ParamLimit, p.Limit, ParamOffset, p.Offset+p.Limit)
		}
	}
	env.Next = l.Next
	return env, l, nil
}

// A linkBase makes the links of one response.
type linkBase struct {
	prefix string     // scheme and host of an absolute base, and its escaped path
	path   string     // the request's escaped path, starting with one '/'
	query  url.Values // the request's query without the pagination parameters
}

func newLinkBase(u, base *url.URL) (linkBase, error) {
	var lb linkBase
	if base != nil {
		switch {
		case base.Opaque != "" || base.Scheme != "" && base.Host == "" || base.Host != "" && base.Scheme == "":
			return lb, fmt.Errorf("paginate: EnvelopeOptions.Base %q: want an absolute URL with a host, or a path", base.Redacted())
		case base.RawQuery != "" || base.ForceQuery || base.Fragment != "":
			return lb, fmt.Errorf("paginate: EnvelopeOptions.Base %q: want no query or fragment", base.Redacted())
		case base.Path != "" && base.Path[0] != '/':
			return lb, fmt.Errorf("paginate: EnvelopeOptions.Base %q: want a path that starts with /", base.Redacted())
		}
		if base.Host != "" {
			lb.prefix = (&url.URL{Scheme: base.Scheme, Host: base.Host}).String()
		}
		lb.prefix += strings.TrimRight(base.EscapedPath(), "/")
	}
	lb.path = "/" + strings.TrimLeft(u.EscapedPath(), "/")
	lb.query = u.Query()
	for _, name := range [...]string{ParamPage, ParamPageSize, ParamLimit, ParamOffset, ParamCursor} {
		delete(lb.query, name)
	}
	return lb, nil
}

// link returns the URL with the pagination parameters kv, pairs of a name
// and a string or int value.
func (lb linkBase) link(kv ...any) string {
	q := make(url.Values, len(lb.query)+len(kv)/2)
	for k, v := range lb.query {
		q[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		switch v := kv[i+1].(type) {
		case int:
			q.Set(name, strconv.Itoa(v))
		case string:
			q.Set(name, v)
		}
	}
	return lb.prefix + lb.path + "?" + q.Encode()
}
