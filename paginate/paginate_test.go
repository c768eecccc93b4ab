package paginate_test

import (
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"math"
	"net/netip"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/signing"
)

// randomKey returns a fresh 256-bit key.
func randomKey(tb testing.TB) prodready.Secret {
	tb.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return prodready.NewSecret(hex.EncodeToString(b))
}

func newCursors(tb testing.TB, opts *signing.Options) *paginate.Cursors {
	tb.Helper()
	c, err := paginate.NewCursors(prodready.Base{SecretKey: randomKey(tb)}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func encode(tb testing.TB, c *paginate.Cursors, cur paginate.Cursor) string {
	tb.Helper()
	tok, err := c.Encode(cur)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func TestParse(t *testing.T) {
	t.Parallel()
	cursors := newCursors(t, nil)
	tok := encode(t, cursors, paginate.Cursor{Keys: []any{int64(42), "x"}, Desc: true})
	all := paginate.StylePage | paginate.StyleOffset | paginate.StyleCursor
	def := paginate.Limits{PageSize: 20, MaxPageSize: 100, MaxOffset: 1000}

	tests := []struct {
		name      string
		query     string
		limits    paginate.Limits
		want      paginate.Page
		wantErr   error
		wantParam string
	}{
		// Defaults and styles.
		{name: "empty", query: "", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20}},
		{name: "zero limits", query: "", limits: paginate.Limits{}, want: paginate.Page{Style: paginate.StylePage, Limit: 50}},
		{name: "zero page size below max", query: "", limits: paginate.Limits{MaxPageSize: 10}, want: paginate.Page{Style: paginate.StylePage, Limit: 10}},
		{name: "page", query: "page=3&page_size=10", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 10, Offset: 20}},
		{name: "page only", query: "page=2", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20, Offset: 20}},
		{name: "page size only", query: "page_size=5", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 5}},
		{name: "offset", query: "limit=10&offset=35", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 10, Offset: 35}},
		{name: "offset only", query: "offset=7", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 20, Offset: 7}},
		{name: "limit only", query: "limit=7", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 7}},
		{name: "limit only, cursor endpoint", query: "limit=7", limits: paginate.Limits{Styles: paginate.StyleCursor}, want: paginate.Page{Style: paginate.StyleCursor, Limit: 7}},
		{name: "nothing, cursor endpoint", query: "", limits: paginate.Limits{Styles: all}, want: paginate.Page{Style: paginate.StyleCursor, Limit: 50}},
		{name: "nothing, offset endpoint", query: "", limits: paginate.Limits{Styles: paginate.StyleOffset}, want: paginate.Page{Style: paginate.StyleOffset, Limit: 50}},
		{name: "cursor", query: "cursor=" + tok + "&limit=3", limits: paginate.Limits{Styles: paginate.StyleCursor},
			want: paginate.Page{Style: paginate.StyleCursor, Limit: 3, Cursor: &paginate.Cursor{Keys: []any{int64(42), "x"}, Desc: true}}},
		{name: "empty values are absent", query: "page=&page_size=&limit=&offset=&cursor=", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20}},
		{name: "other parameters ignored", query: "q=shoes&sort=-price&page=2", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20, Offset: 20}},
		{name: "leading zeros", query: "page_size=007", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 7}},

		// Clamping and bounds.
		{name: "size clamped", query: "page_size=500", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 100}},
		{name: "limit clamped", query: "limit=101", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 100}},
		{name: "size at max, strict", query: "limit=100", limits: paginate.Limits{MaxPageSize: 100, Strict: true}, want: paginate.Page{Style: paginate.StyleOffset, Limit: 100}},
		{name: "size above max, strict", query: "limit=101", limits: paginate.Limits{MaxPageSize: 100, Strict: true}, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "page size above max, strict", query: "page_size=101", limits: paginate.Limits{Strict: true}, wantErr: paginate.ErrInvalidParam, wantParam: "page_size"},
		{name: "size above int32, not clamped", query: "limit=2147483648", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "size far above int64", query: "page_size=99999999999999999999999", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page_size"},
		{name: "size int32 max clamped", query: "limit=2147483647", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 100}},
		{name: "size zero", query: "page_size=0", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page_size"},
		{name: "limit zero", query: "limit=0", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "offset at max", query: "offset=1000", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 20, Offset: 1000}},
		{name: "offset above max", query: "offset=1001", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset default max", query: "offset=1001", limits: paginate.Limits{}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset with larger max", query: "offset=5000", limits: paginate.Limits{MaxOffset: 10000}, want: paginate.Page{Style: paginate.StyleOffset, Limit: 50, Offset: 5000}},
		{name: "no offsets allowed", query: "offset=1", limits: paginate.Limits{MaxOffset: -1}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "no offsets, first page", query: "page=1", limits: paginate.Limits{MaxOffset: -1}, want: paginate.Page{Style: paginate.StylePage, Limit: 50}},
		{name: "no offsets, second page", query: "page=2", limits: paginate.Limits{MaxOffset: -1}, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "last page within max offset", query: "page=51&page_size=20", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20, Offset: 1000}},
		{name: "page beyond max offset", query: "page=52&page_size=20", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "page times size overflows", query: "page=2147483647&page_size=100", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "page above int32", query: "page=4294967297", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "page zero", query: "page=0", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},

		// Around 2^31 and 2^32, where a 32-bit int wraps: errors, never
		// small or negative numbers. Run with GOARCH=386 too.
		{name: "offset 2^31-1, large max", query: "offset=2147483647", limits: paginate.Limits{MaxOffset: 2147483647}, want: paginate.Page{Style: paginate.StyleOffset, Limit: 50, Offset: 2147483647}},
		{name: "offset 2^31", query: "offset=2147483648", limits: paginate.Limits{MaxOffset: 2147483647}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset 2^32-1", query: "offset=4294967295", limits: paginate.Limits{MaxOffset: 2147483647}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset 2^32", query: "offset=4294967296", limits: paginate.Limits{MaxOffset: 2147483647}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset 2^32+1", query: "offset=4294967297", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset 2^32+1000", query: "offset=4294968296", limits: paginate.Limits{MaxOffset: 2147483647}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "offset 9999999999", query: "offset=9999999999", limits: paginate.Limits{MaxOffset: 2147483647}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "limit 2^32+1", query: "limit=4294967297", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "page size 2^32+5", query: "page_size=4294967301", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page_size"},
		{name: "page 2^32+2", query: "page=4294967298&page_size=10", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "page 2^31+1", query: "page=2147483649", limits: paginate.Limits{MaxOffset: 2147483647, PageSize: 1, MaxPageSize: 1}, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "page 2^31-1, page size 1", query: "page=2147483647&page_size=1", limits: paginate.Limits{MaxOffset: 2147483647}, want: paginate.Page{Style: paginate.StylePage, Limit: 1, Offset: 2147483646}},
		{name: "page 2^31, page size 1", query: "page=2147483648&page_size=1", limits: paginate.Limits{MaxOffset: 2147483647}, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "many leading zeros", query: "limit=000000000000000000005", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 5}},

		// Malformed numbers.
		{name: "not a number", query: "page_size=abc", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page_size"},
		{name: "negative offset", query: "offset=-1", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "negative page", query: "page=-2", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "plus sign", query: "limit=%2B5", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "space", query: "limit=+5", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "fraction", query: "limit=5.0", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "exponent", query: "offset=1e3", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "hex", query: "page=0x10", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "unicode digit", query: "page=%D9%A3", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "NUL", query: "offset=1%00", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},

		// Duplicates and mixes.
		{name: "duplicate limit", query: "limit=1&limit=2", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "duplicate page, first empty", query: "page=&page=2", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20, Offset: 20}},
		{name: "duplicate limit, first empty", query: "limit=&limit=5", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 5}},
		{name: "duplicate limit, second empty", query: "limit=5&limit=", limits: def, want: paginate.Page{Style: paginate.StyleOffset, Limit: 5}},
		{name: "duplicate, all empty", query: "limit=&limit=&offset=", limits: def, want: paginate.Page{Style: paginate.StylePage, Limit: 20}},
		{name: "duplicate limit around empty", query: "limit=5&limit=&limit=6", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "duplicate limit, same value", query: "limit=5&limit=5", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "duplicate cursor", query: "cursor=" + tok + "&cursor=" + tok, limits: paginate.Limits{Styles: all}, wantErr: paginate.ErrInvalidParam, wantParam: "cursor"},
		{name: "page and offset", query: "page=2&offset=10", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "page and limit", query: "page=2&limit=10", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "page size and limit", query: "page_size=2&limit=10", limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},
		{name: "cursor and offset", query: "cursor=" + tok + "&offset=10", limits: paginate.Limits{Styles: all}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "cursor and page", query: "cursor=" + tok + "&page=2", limits: paginate.Limits{Styles: all}, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "cursor and page size", query: "cursor=" + tok + "&page_size=2", limits: paginate.Limits{Styles: all}, wantErr: paginate.ErrInvalidParam, wantParam: "page_size"},

		// Styles the endpoint does not accept.
		{name: "cursor not accepted", query: "cursor=" + tok, limits: def, wantErr: paginate.ErrInvalidParam, wantParam: "cursor"},
		{name: "page not accepted", query: "page=2", limits: paginate.Limits{Styles: paginate.StyleCursor}, wantErr: paginate.ErrInvalidParam, wantParam: "page"},
		{name: "offset not accepted", query: "offset=2", limits: paginate.Limits{Styles: paginate.StylePage}, wantErr: paginate.ErrInvalidParam, wantParam: "offset"},
		{name: "limit not accepted", query: "limit=2", limits: paginate.Limits{Styles: paginate.StylePage}, wantErr: paginate.ErrInvalidParam, wantParam: "limit"},

		// Cursors.
		{name: "tampered cursor", query: "cursor=" + tamper(tok), limits: paginate.Limits{Styles: paginate.StyleCursor}, wantErr: paginate.ErrInvalidCursor, wantParam: "cursor"},
		{name: "garbage cursor", query: "cursor=abc", limits: paginate.Limits{Styles: paginate.StyleCursor}, wantErr: paginate.ErrInvalidCursor, wantParam: "cursor"},
		{name: "long cursor", query: "cursor=" + strings.Repeat("a", paginate.MaxCursorLen+1), limits: paginate.Limits{Styles: paginate.StyleCursor}, wantErr: paginate.ErrInvalidCursor, wantParam: "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := paginate.Parse(q, tt.limits, cursors)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.query, err, tt.wantErr)
				}
				var pe *paginate.ParamError
				if !errors.As(err, &pe) {
					t.Fatalf("Parse(%q) error = %T, want *ParamError", tt.query, err)
				}
				if pe.Param != tt.wantParam {
					t.Errorf("Parse(%q) error names %q, want %q (%v)", tt.query, pe.Param, tt.wantParam, err)
				}
				if !strings.Contains(err.Error(), tt.wantParam+": ") {
					t.Errorf("Parse(%q) error %q does not name %q", tt.query, err, tt.wantParam)
				}
				if len(pe.Value) > 35 {
					t.Errorf("Parse(%q) error quotes %d bytes of value", tt.query, len(pe.Value))
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.query, err)
			}
			if !samePage(got, tt.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.query, got, tt.want)
			}
		})
	}
}

// samePage reports whether a and b ask for the same page: their exported
// fields are equal.
func samePage(a, b paginate.Page) bool {
	return a.Style == b.Style && a.Limit == b.Limit && a.Offset == b.Offset && reflect.DeepEqual(a.Cursor, b.Cursor)
}

func TestParseMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  string
	}{
		{"page_size=abc", `paginate: page_size: want an integer from 1 to 100, got "abc"`},
		{"offset=-1", `paginate: offset: want an integer from 0 to 1000, got "-1"`},
		{"limit=1&limit=2", `paginate: limit: given more than once`},
		{"page=2&offset=3", `paginate: offset: cannot be combined with page`},
		{"page_size=a" + strings.Repeat("é", 20), `paginate: page_size: want an integer from 1 to 100, got "a` + strings.Repeat("é", 15) + `..."`},
		{"limit=" + strings.Repeat("9", 40), `paginate: limit: want an integer from 1 to 100, got "` + strings.Repeat("9", 32) + `..."`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			q, _ := url.ParseQuery(tt.query)
			_, err := paginate.Parse(q, paginate.Limits{}, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse(%q) error = %v, want %s", tt.query, err, tt.want)
			}
			// Message, for the client, is the same without the prefix.
			var pe *paginate.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %v, want a *ParamError", tt.query, err)
			}
			if got, want := pe.Message(), strings.TrimPrefix(tt.want, "paginate: "); got != want {
				t.Errorf("Parse(%q) Message() = %s, want %s", tt.query, got, want)
			}
		})
	}
}

func TestParseBadLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		limits  paginate.Limits
		cursors bool
		only64  bool // the limits fit in int only where it has 64 bits
	}{
		{name: "page size above max", limits: paginate.Limits{PageSize: 200, MaxPageSize: 100}},
		{name: "negative page size", limits: paginate.Limits{PageSize: -1}},
		{name: "negative max page size", limits: paginate.Limits{MaxPageSize: -1}},
		{name: "max offset above 2^31-1", limits: paginate.Limits{MaxOffset: math.MaxInt}, only64: true},
		{name: "max page size 2^31-1", limits: paginate.Limits{MaxPageSize: 1<<31 - 1, PageSize: 10}},
		{name: "unknown style", limits: paginate.Limits{Styles: 1 << 5}},
		{name: "cursor style without cursors", limits: paginate.Limits{Styles: paginate.StyleCursor}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.only64 && strconv.IntSize < 64 {
				t.Skip("int has 32 bits")
			}
			_, err := paginate.Parse(url.Values{}, tt.limits, nil)
			if err == nil {
				t.Fatal("Parse() error = nil, want an error")
			}
			var pe *paginate.ParamError
			if errors.As(err, &pe) {
				t.Errorf("Parse() error = %v, a *ParamError; want the program's error", err)
			}
		})
	}
}

// TestLimitsFrom checks that LimitsFrom takes PAGE_SIZE and MAX_PAGE_SIZE
// from any configuration that embeds prodready.Base, as a value or a
// pointer.
func TestLimitsFrom(t *testing.T) {
	t.Parallel()
	type config struct {
		prodready.Base
		Extra string
	}
	b := prodready.Base{PageSize: 25, MaxPageSize: 250}
	want := paginate.Limits{PageSize: 25, MaxPageSize: 250}
	tests := []struct {
		name string
		cfg  prodready.Settings
		want paginate.Limits
	}{
		{"Base", b, want},
		{"*Base", &b, want},
		{"struct embedding Base", config{Base: b}, want},
		{"pointer to it", &config{Base: b}, want},
		{"nil", nil, paginate.Limits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := paginate.LimitsFrom(tt.cfg); got != tt.want {
				t.Errorf("LimitsFrom() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLimitOffset(t *testing.T) {
	t.Parallel()
	limit, offset := paginate.Page{Limit: 20, Offset: 40}.LimitOffset()
	if limit != 21 || offset != 40 {
		t.Errorf("LimitOffset() = %d, %d, want 21, 40", limit, offset)
	}
}

func TestStyleString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    paginate.Style
		want string
	}{
		{paginate.StylePage, "page"},
		{paginate.StyleOffset | paginate.StyleCursor, "offset|cursor"},
		{0, "Style(0)"},
		{paginate.StylePage | 1<<6, "page|Style(64)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Style(%d).String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// tamper changes one character in the middle of a token.
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCursors(t, nil)
	loc := time.FixedZone("", -7*3600)
	tests := []struct {
		name string
		in   paginate.Cursor
		want paginate.Cursor
	}{
		{name: "int64 beyond 2^53", in: paginate.Cursor{Keys: []any{int64(1<<62 + 1), int64(-1 << 63)}}, want: paginate.Cursor{Keys: []any{int64(1<<62 + 1), int64(-1 << 63)}}},
		{name: "signed ints widen", in: paginate.Cursor{Keys: []any{1, int8(-2), int16(3), int32(4)}},
			want: paginate.Cursor{Keys: []any{int64(1), int64(-2), int64(3), int64(4)}}},
		{name: "unsigned ints widen", in: paginate.Cursor{Keys: []any{uint(5), uint8(6), uint16(7), uint32(8), uint64(1<<63 - 1)}},
			want: paginate.Cursor{Keys: []any{int64(5), int64(6), int64(7), int64(8), int64(1<<63 - 1)}}},
		{name: "strings and bytes", in: paginate.Cursor{Keys: []any{"", "héllo\x00", []byte{0, 255}}, Desc: true}, want: paginate.Cursor{Keys: []any{"", "héllo\x00", []byte{0, 255}}, Desc: true}},
		{name: "floats and bools", in: paginate.Cursor{Keys: []any{1.5, float32(0.25), true, false}}, want: paginate.Cursor{Keys: []any{1.5, 0.25, true, false}}},
		{name: "UTC time", in: paginate.Cursor{Keys: []any{time.Date(2026, 11, 26, 1, 2, 3, 123456789, time.UTC)}}, want: paginate.Cursor{Keys: []any{time.Date(2026, 11, 26, 1, 2, 3, 123456789, time.UTC)}}},
		{name: "zoned time", in: paginate.Cursor{Keys: []any{time.Date(1969, 7, 20, 20, 17, 40, 1, loc)}}, want: paginate.Cursor{Keys: []any{time.Date(1969, 7, 20, 20, 17, 40, 1, loc)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := c.Encode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Decode(tok)
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(Encode(%v)) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// TestCursorTimeZone checks that a decoded time prints as the encoded one
// did, zone abbreviation included: modernc.org/sqlite binds t.String().
func TestCursorTimeZone(t *testing.T) {
	t.Parallel()
	c := newCursors(t, nil)
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tests := []struct {
		name string
		in   time.Time
		want string // in.String()
	}{
		{name: "UTC", in: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), want: "2026-01-15 12:00:00 +0000 UTC"},
		{name: "New York, winter", in: time.Date(2026, 1, 15, 12, 0, 0, 5, load("America/New_York")), want: "2026-01-15 12:00:00.000000005 -0500 EST"},
		{name: "New York, summer", in: time.Date(2026, 7, 15, 12, 0, 0, 0, load("America/New_York")), want: "2026-07-15 12:00:00 -0400 EDT"},
		{name: "London, winter", in: time.Date(2026, 1, 15, 12, 0, 0, 0, load("Europe/London")), want: "2026-01-15 12:00:00 +0000 GMT"},
		{name: "London, summer", in: time.Date(2026, 7, 15, 12, 0, 0, 0, load("Europe/London")), want: "2026-07-15 12:00:00 +0100 BST"},
		{name: "numeric abbreviation", in: time.Date(2026, 1, 15, 12, 0, 0, 0, load("America/Sao_Paulo")), want: "2026-01-15 12:00:00 -0300 -03"},
		{name: "unnamed zone", in: time.Date(2026, 1, 15, 12, 0, 0, 0, time.FixedZone("", 3600)), want: "2026-01-15 12:00:00 +0100 +0100"},
		{name: "unnamed zero offset", in: time.Date(2026, 1, 15, 12, 0, 0, 0, time.FixedZone("", 0)), want: "2026-01-15 12:00:00 +0000 +0000"},
		{name: "UTC name, other offset", in: time.Date(2026, 1, 15, 12, 0, 0, 0, time.FixedZone("UTC", 3600)), want: "2026-01-15 12:00:00 +0100 UTC"},
		{name: "longest name", in: time.Date(2026, 1, 15, 12, 0, 0, 0, time.FixedZone(strings.Repeat("Z", 32), 60)), want: "2026-01-15 12:00:00 +0001 " + strings.Repeat("Z", 32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.String(); got != tt.want {
				t.Fatalf("input prints %q, want %q", got, tt.want)
			}
			cur, err := c.Decode(encode(t, c, paginate.Cursor{Keys: []any{tt.in}}))
			if err != nil {
				t.Fatal(err)
			}
			out := cur.Keys[0].(time.Time)
			if got := out.String(); got != tt.want || !out.Equal(tt.in) {
				t.Errorf("Decode(Encode(%s)) = %s, want the same", tt.want, got)
			}
		})
	}
}

type (
	textKey   struct{ s string }
	badText   struct{}
	valuerKey struct{ v driver.Value }
	badValuer struct{}
	ptrValuer struct{ n int64 }
	itemID    int64
	label     string
	score     float32
	flag      bool
	blob      []byte
	uuidKey   [16]byte // a UUID type without a Value method
	nullable  struct{ ok bool }
)

func (k textKey) MarshalText() ([]byte, error)    { return []byte("text:" + k.s), nil }
func (badText) MarshalText() ([]byte, error)      { return nil, errors.New("no text") }
func (k valuerKey) Value() (driver.Value, error)  { return k.v, nil }
func (badValuer) Value() (driver.Value, error)    { return nil, errors.New("no value") }
func (k *ptrValuer) Value() (driver.Value, error) { return k.n, nil }
func (k nullable) MarshalText() ([]byte, error)   { return []byte("never used"), nil }
func (k nullable) Value() (driver.Value, error) {
	if !k.ok {
		return nil, nil
	}
	return "set", nil
}

// TestCursorKeyTypes checks the types Encode reduces to the ones Decode
// returns, the way database/sql binds them.
func TestCursorKeyTypes(t *testing.T) {
	t.Parallel()
	c := newCursors(t, nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	u := [16]byte{0xf4, 0x7a, 0xc1, 0x0b, 15: 0x01}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{name: "[16]byte", in: u, want: u},
		{name: "named [16]byte", in: uuidKey(u), want: u},
		{name: "named int64", in: itemID(-7), want: int64(-7)},
		{name: "named string", in: label("x"), want: "x"},
		{name: "named float32", in: score(0.5), want: 0.5},
		{name: "named bool", in: flag(true), want: true},
		{name: "named []byte", in: blob{1, 2}, want: []byte{1, 2}},
		{name: "sql.NullInt64", in: sql.NullInt64{Int64: 42, Valid: true}, want: int64(42)},
		{name: "sql.NullString", in: sql.NullString{String: "s", Valid: true}, want: "s"},
		{name: "sql.NullTime", in: sql.NullTime{Time: at, Valid: true}, want: at},
		{name: "Valuer, string like uuid.UUID", in: valuerKey{"f47ac10b-58cc-4372-a567-0e02b2c3d479"}, want: "f47ac10b-58cc-4372-a567-0e02b2c3d479"},
		{name: "Valuer, bytes", in: valuerKey{[]byte{9}}, want: []byte{9}},
		{name: "Valuer, float", in: valuerKey{2.5}, want: 2.5},
		{name: "Valuer, bool", in: valuerKey{false}, want: false},
		{name: "pointer Valuer", in: &ptrValuer{n: 3}, want: int64(3)},
		{name: "Valuer before TextMarshaler", in: nullable{ok: true}, want: "set"},
		{name: "TextMarshaler", in: textKey{"a"}, want: "text:a"},
		{name: "netip.Addr", in: netip.MustParseAddr("192.0.2.1"), want: "192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := c.Encode(paginate.Cursor{Keys: []any{tt.in}})
			if err != nil {
				t.Fatalf("Encode(%#v) error = %v", tt.in, err)
			}
			got, err := c.Decode(tok)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Keys, []any{tt.want}) {
				t.Errorf("Decode(Encode(%#v)) = %#v, want %#v", tt.in, got.Keys[0], tt.want)
			}
		})
	}
}

func TestCursorLocalTime(t *testing.T) {
	t.Parallel()
	c := newCursors(t, nil)
	in := time.Date(2026, 3, 29, 1, 30, 0, 0, time.FixedZone("CET", 3600)).Round(0)
	got, err := c.Decode(encode(t, c, paginate.Cursor{Keys: []any{in}}))
	if err != nil {
		t.Fatal(err)
	}
	out := got.Keys[0].(time.Time)
	if !out.Equal(in) {
		t.Errorf("Decode() = %v, want %v", out, in)
	}
	if _, off := out.Zone(); off != 3600 {
		t.Errorf("Decode() offset = %d, want 3600", off)
	}
}

func TestCursorEncodeErrors(t *testing.T) {
	t.Parallel()
	c := newCursors(t, nil)
	tests := []struct {
		name string
		keys []any
		want string // in the message
	}{
		{name: "no keys", keys: nil},
		{name: "too many keys", keys: []any{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{name: "nil", keys: []any{nil}},
		{name: "struct", keys: []any{struct{}{}}},
		{name: "pointer", keys: []any{new(int)}},
		{name: "NaN", keys: []any{int64(1), nanValue()}, want: "key 1: float NaN"},
		{name: "named NaN", keys: []any{score(nanValue())}, want: "NaN"},
		{name: "infinity", keys: []any{math.Inf(-1)}, want: "-Inf"},
		{name: "uint64 above int64", keys: []any{uint64(1 << 63)}},
		{name: "named uint64 above int64", keys: []any{uintKey(1 << 63)}},
		{name: "too long", keys: []any{strings.Repeat("x", paginate.MaxCursorLen)}},
		{name: "zone offset of a day", keys: []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 86400))}, want: "offset"},
		{name: "zone offset of -25h", keys: []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -25*3600))}, want: "offset"},
		{name: "zone name too long", keys: []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone(strings.Repeat("Z", 33), 0))}, want: "zone name"},
		{name: "zone name with space", keys: []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("Central European", 3600))}, want: "zone name"},
		{name: "zone name not ASCII", keys: []any{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("MÉZ", 3600))}, want: "zone name"},
		{name: "Valuer NULL", keys: []any{sql.NullInt64{}}, want: "NULL"},
		{name: "Valuer NULL before TextMarshaler", keys: []any{nullable{}}, want: "NULL"},
		{name: "nil pointer Valuer", keys: []any{(*ptrValuer)(nil)}, want: "NULL"},
		{name: "Valuer error", keys: []any{badValuer{}}, want: "no value"},
		{name: "Valuer of another type", keys: []any{valuerKey{int32(1)}}, want: "int32"},
		{name: "Valuer NaN", keys: []any{valuerKey{nanValue()}}, want: "NaN"},
		{name: "TextMarshaler error", keys: []any{badText{}}, want: "no text"},
		{name: "array of another length", keys: []any{[8]byte{}}, want: "unsupported"},
		{name: "slice of ints", keys: []any{[]int{1}}, want: "unsupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := c.Encode(paginate.Cursor{Keys: tt.keys})
			if err == nil {
				t.Fatalf("Encode(%v) = %q, want an error", tt.keys, tok)
			}
			// The message is for the programmer: it names the problem.
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Encode(%v) error = %q, want it to mention %q", tt.keys, err, tt.want)
			}
		})
	}
}

type uintKey uint64

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestCursorDecodeErrors(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	key := randomKey(t)
	clock := func(d time.Duration) func() time.Time { return func() time.Time { return now.Add(d) } }
	mk := func(key prodready.Secret, opts *signing.Options, fallbacks ...prodready.Secret) *paginate.Cursors {
		c, err := paginate.NewCursors(prodready.Base{SecretKey: key, SecretKeyFallbacks: fallbacks}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	signer := mk(key, &signing.Options{Now: clock(0)})
	valid := encode(t, signer, paginate.Cursor{Keys: []any{int64(7)}})
	other, err := signing.New(key, "session", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A valid signature over bytes that are no cursor.
	cursorSigner, err := signing.New(key, paginate.Purpose, nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		c         *paginate.Cursors
		token     string
		wantSign  error
		wantValid bool
	}{
		{name: "valid", c: mk(key, nil), token: valid, wantValid: true},
		{name: "valid with digest", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 2, 0, 0, 0, 9, 1, 'i', 14}), wantValid: true},
		{name: "within max age", c: mk(key, &signing.Options{MaxAge: time.Hour, Now: clock(time.Hour - time.Millisecond)}), token: valid, wantValid: true},
		{name: "expired", c: mk(key, &signing.Options{MaxAge: time.Hour, Now: clock(time.Hour + time.Second)}), token: valid, wantSign: signing.ErrExpired},
		{name: "old key in fallbacks", c: mk(randomKey(t), nil, key), token: valid, wantValid: true},
		{name: "unknown key", c: mk(randomKey(t), nil), token: valid, wantSign: signing.ErrInvalidSignature},
		{name: "tampered", c: mk(key, nil), token: tamper(valid), wantSign: signing.ErrInvalidSignature},
		{name: "truncated", c: mk(key, nil), token: valid[:len(valid)-1], wantSign: signing.ErrInvalidSignature},
		{name: "empty", c: mk(key, nil), token: "", wantSign: signing.ErrInvalidSignature},
		{name: "other purpose", c: mk(key, nil), token: other.Sign([]byte{1, 0, 1, 'i', 14}), wantSign: signing.ErrInvalidSignature},
		{name: "signed garbage", c: mk(key, nil), token: cursorSigner.Sign([]byte("not a cursor"))},
		{name: "signed non-canonical varint", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 'i', 0x80, 0x00})},
		{name: "signed trailing bytes", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 'i', 14, 0})},
		{name: "signed unknown flag", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 4, 1, 'i', 14})},
		{name: "signed zero digest", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 2, 0, 0, 0, 0, 1, 'i', 14})},
		{name: "signed short digest", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 2, 0, 1})},
		{name: "signed no keys", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 0})},
		{name: "signed too many keys", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 9, 'i', 1, 'i', 1, 'i', 1, 'i', 1, 'i', 1, 'i', 1, 'i', 1, 'i', 1, 'i', 1})},
		{name: "signed missing key", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 2, 'i', 14})},
		{name: "signed unknown type", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 'z', 14})},
		{name: "signed bad bool", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 'o', 2})},
		{name: "signed time offset of a day", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 't', 0, 0, 0x80, 0xc6, 0x0a})},
		{name: "signed NaN", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 'f', 0x7f, 0xf8, 0, 0, 0, 0, 0, 1})},
		{name: "signed huge string length", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 's', 0xff, 0xff, 0xff, 0xff, 0x0f})},
		{name: "signed nanoseconds overflow", c: mk(key, nil), token: cursorSigner.Sign([]byte{1, 0, 1, 't', 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0})},
		{name: "too long", c: mk(key, nil), token: strings.Repeat("A", paginate.MaxCursorLen+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.c.Decode(tt.token)
			if tt.wantValid {
				if err != nil || len(got.Keys) != 1 || got.Keys[0] != int64(7) {
					t.Fatalf("Decode() = %v, %v; want [7], nil", got, err)
				}
				return
			}
			if !errors.Is(err, paginate.ErrInvalidCursor) {
				t.Fatalf("Decode() error = %v, want ErrInvalidCursor", err)
			}
			var pe *paginate.ParamError
			if !errors.As(err, &pe) || pe.Param != "cursor" {
				t.Errorf("Decode() error = %v, want a *ParamError for cursor", err)
			}
			if tt.wantSign != nil && !errors.Is(err, tt.wantSign) {
				t.Errorf("Decode() error = %v, want it to wrap %v", err, tt.wantSign)
			}
			if len(got.Keys) != 0 {
				t.Errorf("Decode() = %v on error, want the zero Cursor", got)
			}
		})
	}
}

func TestNewCursorsError(t *testing.T) {
	t.Parallel()
	if _, err := paginate.NewCursors(prodready.Base{}, nil); err == nil {
		t.Error("NewCursors(no SECRET_KEY) error = nil, want an error")
	}
	if _, err := paginate.NewCursors(nil, nil); err == nil {
		t.Error("NewCursors(nil) error = nil, want an error")
	}
}

// TestEveryLoadableMaxPageSizeIsUsable checks that the configuration's
// bound on MAX_PAGE_SIZE (PR-E022) is paginate's: a value above it loaded
// and then failed every list request as a program error, a 500 in the
// reference service (an outside review, round six).
func TestEveryLoadableMaxPageSizeIsUsable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		max   string
		loads bool
	}{
		{"1", true},
		{"2147483646", true},
		{"2147483647", false},
		{"9223372036854775807", false},
	} {
		t.Run(tt.max, func(t *testing.T) {
			t.Parallel()
			var cfg prodready.Base
			err := prodready.Load(t.Context(), &cfg, &prodready.Options{
				Profile:  prodready.Testing,
				Env:      prodready.MapEnv{"PAGE_SIZE": "1", "MAX_PAGE_SIZE": tt.max},
				NoDotEnv: true,
			})
			if !tt.loads {
				if !errors.Is(err, prodready.ErrInvalid) || !strings.Contains(err.Error(), "MAX_PAGE_SIZE") {
					t.Fatalf("Load(MAX_PAGE_SIZE=%s) error = %v, want it refused", tt.max, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(MAX_PAGE_SIZE=%s): %v", tt.max, err)
			}
			q := url.Values{"limit": {tt.max}}
			p, err := paginate.Parse(q, paginate.LimitsFrom(cfg), nil)
			if err != nil {
				t.Fatalf("Parse(limit=%s) with the loaded limits: %v", tt.max, err)
			}
			if p.Limit != cfg.MaxPageSize {
				t.Errorf("Parse(limit=%s).Limit = %d, want %d", tt.max, p.Limit, cfg.MaxPageSize)
			}
		})
	}
}
