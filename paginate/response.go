package paginate

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// An Envelope is the JSON body of a list response:
//
//	{"items": [...], "next": "/items?cursor=...&limit=20", "has_more": true}
//
// Next is the URL of the next page, empty when HasMore is false.
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
		b.WriteString(x.url)
		b.WriteString(`>; rel="`)
		b.WriteString(x.rel)
		b.WriteByte('"')
	}
	return b.String()
}

// NewEnvelope makes the response for the page p of the listing at u from rows,
// the result of its query: p.Limit+1 rows at most, as LimitOffset asks for.
// The first p.Limit rows are the items; one more means there is a next page.
//
// In cursor style, next gives the token of the cursor after the last item,
// usually
//
//	func(it Item) (string, error) { return cursors.Encode(ks.After(it.CreatedAt, it.ID)) }
//
// It is called only when there is a next page, and may be nil in the other
// styles. Its error is returned as is.
//
// The links are u with the pagination parameters replaced and the others
// kept: pass r.URL for links relative to the host (what most clients
// need), or an absolute URL for absolute links. The page size is always
// written, so that a change of PAGE_SIZE does not shift the pages of a
// client walking through them.
func NewEnvelope[T any](u *url.URL, p Page, rows []T, next func(last T) (string, error)) (Envelope[T], Links, error) {
	if p.Limit < 1 {
		return Envelope[T]{}, Links{}, errors.New("paginate: NewEnvelope: Page.Limit is below 1")
	}
	items, more := rows, len(rows) > p.Limit
	if more {
		items = rows[:p.Limit:p.Limit]
	}
	if items == nil {
		items = []T{}
	}
	env := Envelope[T]{Items: items, HasMore: more}
	var l Links
	switch p.Style {
	case StyleCursor:
		l.First = pageURL(u, ParamLimit, p.Limit)
		if more {
			if next == nil {
				return Envelope[T]{}, Links{}, errors.New("paginate: NewEnvelope: cursor style needs a next function")
			}
			tok, err := next(items[len(items)-1])
			if err != nil {
				return Envelope[T]{}, Links{}, err
			}
			l.Next = pageURL(u, ParamLimit, p.Limit, ParamCursor, tok)
		}
	case StylePage:
		n := p.Offset/p.Limit + 1
		l.First = pageURL(u, ParamPage, 1, ParamPageSize, p.Limit)
		if n > 1 {
			l.Prev = pageURL(u, ParamPage, n-1, ParamPageSize, p.Limit)
		}
		if more {
			l.Next = pageURL(u, ParamPage, n+1, ParamPageSize, p.Limit)
		}
	default:
		l.First = pageURL(u, ParamLimit, p.Limit, ParamOffset, 0)
		if p.Offset > 0 {
			l.Prev = pageURL(u, ParamLimit, p.Limit, ParamOffset, max(0, p.Offset-p.Limit))
		}
		if more {
			l.Next = pageURL(u, ParamLimit, p.Limit, ParamOffset, p.Offset+p.Limit)
		}
	}
	env.Next = l.Next
	return env, l, nil
}

// pageURL returns u with the pagination parameters replaced by kv, pairs of
// a name and a string or int value.
func pageURL(u *url.URL, kv ...any) string {
	q := u.Query()
	for _, name := range [...]string{ParamPage, ParamPageSize, ParamLimit, ParamOffset, ParamCursor} {
		delete(q, name)
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
	v := *u
	v.RawQuery = q.Encode()
	v.ForceQuery = false
	v.Fragment, v.RawFragment = "", ""
	return v.String()
}
