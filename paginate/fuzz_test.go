package paginate_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/signing"
)

// FuzzParseCursor feeds Decode arbitrary tokens, and arbitrary payloads
// under a valid signature (the only way past the MAC to the decoder). It
// checks that Decode never panics and fails only with a *ParamError for
// "cursor"; that a payload it accepts is canonical: encoding the cursor again
// gives the same payload; and that changing any single byte of a valid token
// makes it invalid.
func FuzzParseCursor(f *testing.F) {
	key := randomKey(f)
	c, err := paginate.NewCursors(prodready.Base{SecretKey: key}, nil)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := signing.New(key, paginate.Purpose, nil)
	if err != nil {
		f.Fatal(err)
	}
	seed := func(cur paginate.Cursor) []byte {
		tok, err := c.Encode(cur)
		if err != nil {
			f.Fatal(err)
		}
		payload, err := signer.Verify(tok)
		if err != nil {
			f.Fatal(err)
		}
		return payload
	}
	f.Add("", []byte{}, uint16(0), byte(0))
	f.Add("v1.AQAB.AAAAAAAAAAA.AAAA", []byte{1, 0, 1, 'i', 14}, uint16(3), byte('x'))
	f.Add("not a cursor", seed(paginate.Cursor{Keys: []any{int64(1<<62 + 3), "héllo"}, Desc: true}), uint16(10), byte('A'))
	f.Add("v1...", seed(paginate.Cursor{Keys: []any{time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", -3600)), 1.5, true, []byte{0}}}), uint16(70), byte('-'))
	f.Add("v1.AQID", seed(paginate.Keyset{Columns: []string{"created_at", "id"}}.After(int64(-5), uint32(7))), uint16(5), byte('0'))
	f.Add("v1.", seed(paginate.Keyset{Name: "items", Columns: []string{"at", "uuid"}}.After(time.Date(2026, 7, 1, 0, 0, 0, 0, time.FixedZone("EDT", -4*3600)), [16]byte{1, 2})), uint16(9), byte('a'))
	f.Add("", seed(paginate.Cursor{Keys: []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("GMT", 0)), time.Unix(5, 0).UTC()}}), uint16(20), byte(0))
	f.Add("%%%", []byte{1, 0, 1, 't', 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0}, uint16(1), byte('.'))
	f.Add("v1.AQAB", []byte{1, 1, 8, 'o', 1, 'o', 0, 's', 0, 'b', 0, 'f', 0, 0, 0, 0, 0, 0, 0, 0, 'i', 1, 'i', 2, 'i', 3}, uint16(0), byte('v'))

	f.Fuzz(func(t *testing.T, token string, payload []byte, pos uint16, x byte) {
		checkErr := func(what string, err error) {
			var pe *paginate.ParamError
			if !errors.Is(err, paginate.ErrInvalidCursor) || !errors.As(err, &pe) || pe.Param != "cursor" {
				t.Fatalf("%s: error = %v, want a *ParamError for cursor wrapping ErrInvalidCursor", what, err)
			}
		}
		// Arbitrary tokens.
		if _, err := c.Decode(token); err != nil {
			checkErr("Decode(token)", err)
		}

		// Arbitrary payloads behind a valid signature.
		tok := signer.Sign(payload)
		cur, err := c.Decode(tok)
		if err != nil {
			checkErr("Decode(Sign(payload))", err)
			return
		}
		again, err := c.Encode(cur)
		if err != nil {
			t.Fatalf("Encode(%v) error = %v, for a cursor Decode accepted", cur, err)
		}
		p2, err := signer.Verify(again)
		if err != nil {
			t.Fatal(err)
		}
		if string(p2) != string(payload) {
			t.Fatalf("payload %x decodes to %v, which encodes as %x", payload, cur, p2)
		}
		cur2, err := c.Decode(again)
		if err != nil || !reflect.DeepEqual(cur, cur2) {
			t.Fatalf("Decode(Encode(%v)) = %v, %v", cur, cur2, err)
		}

		// Any single-byte change of a valid token is refused.
		b := []byte(tok)
		i := int(pos) % len(b)
		if b[i] == x {
			return
		}
		b[i] = x
		if got, err := c.Decode(string(b)); err == nil {
			t.Fatalf("Decode(%q), token %q with byte %d changed to %q, = %v, want an error", b, tok, i, x, got)
		} else {
			checkErr("Decode(tampered)", err)
		}
	})
}

// FuzzParse feeds Parse arbitrary query strings under three sets of limits.
// It checks that Parse never panics, that every error is a *ParamError,
// that a page it returns lies within the limits, and that the next link of a
// page parses to the following page.
func FuzzParse(f *testing.F) {
	c, err := paginate.NewCursors(prodready.Base{SecretKey: randomKey(f)}, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, q := range []string{
		"", "page=2&page_size=10", "limit=10&offset=20", "limit=1&limit=2", "page=0", "offset=-1",
		"page_size=99999999999", "cursor=abc&limit=5", "page=2&offset=3", "limit=%2B1", "page=51&page_size=20",
		"page=&limit=", "q=x;y&page=2", "offset=1000&limit=100", "offset=990&limit=10", "page=21&page_size=50",
		"limit=&limit=5", "limit=5&limit=", "offset=2147483648", "limit=4294967297",
	} {
		f.Add(q, uint8(0))
		f.Add(q, uint8(1))
		f.Add(q, uint8(2))
	}
	limitSets := []paginate.Limits{
		{},
		{PageSize: 20, MaxPageSize: 100, MaxOffset: 1000, Strict: true},
		{PageSize: 1, MaxPageSize: 7, MaxOffset: -1, Styles: paginate.StyleOffset | paginate.StyleCursor},
	}
	f.Fuzz(func(t *testing.T, query string, which uint8) {
		l := limitSets[int(which)%len(limitSets)]
		q, _ := url.ParseQuery(query)
		p, err := paginate.Parse(q, l, c)
		if err != nil {
			var pe *paginate.ParamError
			if !errors.As(err, &pe) || !errors.Is(err, paginate.ErrInvalidParam) && !errors.Is(err, paginate.ErrInvalidCursor) {
				t.Fatalf("Parse(%q) error = %v, want a *ParamError", query, err)
			}
			if len(pe.Value) > 35 {
				t.Fatalf("Parse(%q) error quotes %d bytes", query, len(pe.Value))
			}
			return
		}
		maxPage, maxOffset := l.MaxPageSize, l.MaxOffset
		if maxPage == 0 {
			maxPage = paginate.DefaultMaxPageSize
		}
		if maxOffset == 0 {
			maxOffset = paginate.DefaultMaxOffset
		}
		maxOffset = max(maxOffset, 0)
		if p.Limit < 1 || p.Limit > maxPage || p.Offset < 0 || p.Offset > maxOffset {
			t.Fatalf("Parse(%q) = %+v, outside %+v", query, p, l)
		}
		if p.Style == paginate.StyleCursor {
			return // the cursor path is FuzzParseCursor's
		}
		u := &url.URL{Path: "/items", RawQuery: query}
		env, links, err := paginate.NewEnvelope(u, p, make([]int, p.Limit+1), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !env.HasMore || env.Next != links.Next {
			t.Fatalf("NewEnvelope(%+v) = has_more %v, next %q; want true, %q", p, env.HasMore, env.Next, links.Next)
		}
		if p.Offset+p.Limit > maxOffset {
			// The next page is beyond the limit: no link to a 400.
			if links.Next != "" {
				t.Fatalf("NewEnvelope(%+v) next = %q, beyond MaxOffset %d; want none", p, links.Next, maxOffset)
			}
			return
		}
		next, err := url.Parse(links.Next)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := paginate.Parse(next.Query(), l, c)
		if err != nil {
			t.Fatalf("Parse(next link %q of %q) error = %v", links.Next, query, err)
		}
		if p2.Style != p.Style || p2.Limit != p.Limit || p2.Offset != p.Offset+p.Limit || p2.Cursor != nil {
			t.Fatalf("Parse(next link %q of %q) = %+v, want %s limit %d offset %d", links.Next, query, p2, p.Style, p.Limit, p.Offset+p.Limit)
		}
	})
}
