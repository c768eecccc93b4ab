package paginate_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/paginate"
)

// values is the query that carries the same parameters as p.
func values(p paginate.Params) url.Values {
	q := url.Values{}
	for name, v := range map[string]string{
		paginate.ParamPage: p.Page, paginate.ParamPageSize: p.PageSize,
		paginate.ParamLimit: p.Limit, paginate.ParamOffset: p.Offset, paginate.ParamCursor: p.Cursor,
	} {
		if v != "" {
			q.Set(name, v)
		}
	}
	return q
}

// TestParseParams: a caller without an HTTP request (a CLI, a gRPC or
// queue handler) had to build url.Values to use Parse. ParseParams takes
// the values themselves and answers exactly as Parse does, errors included.
func TestParseParams(t *testing.T) {
	t.Parallel()
	c := newTestCursors(t)
	tok, err := c.Encode(paginate.Cursor{Keys: []any{int64(7)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		params  paginate.Params
		limits  paginate.Limits
		want    paginate.Page
		wantErr string // the parameter a *ParamError names
	}{
		{"nothing", paginate.Params{}, paginate.Limits{}, paginate.Page{Style: paginate.StylePage, Limit: 50}, ""},
		{"page", paginate.Params{Page: "3", PageSize: "10"}, paginate.Limits{}, paginate.Page{Style: paginate.StylePage, Limit: 10, Offset: 20}, ""},
		{"offset", paginate.Params{Limit: "20", Offset: "40"}, paginate.Limits{}, paginate.Page{Style: paginate.StyleOffset, Limit: 20, Offset: 40}, ""},
		{"limit lowered", paginate.Params{Limit: "500"}, paginate.Limits{}, paginate.Page{Style: paginate.StyleOffset, Limit: 100}, ""},
		{"cursor", paginate.Params{Cursor: tok, Limit: "5"}, paginate.Limits{Styles: paginate.StyleCursor}, paginate.Page{Style: paginate.StyleCursor, Limit: 5, Cursor: &paginate.Cursor{Keys: []any{int64(7)}}}, ""},
		{"bad limit", paginate.Params{Limit: "abc"}, paginate.Limits{}, paginate.Page{}, "limit"},
		{"negative offset", paginate.Params{Offset: "-1"}, paginate.Limits{}, paginate.Page{}, "offset"},
		{"offset too deep", paginate.Params{Offset: "5000"}, paginate.Limits{}, paginate.Page{}, "offset"},
		{"mixed styles", paginate.Params{Page: "2", Offset: "10"}, paginate.Limits{}, paginate.Page{}, "offset"},
		{"strict", paginate.Params{PageSize: "101"}, paginate.Limits{Strict: true}, paginate.Page{}, "page_size"},
		{"forged cursor", paginate.Params{Cursor: tok + "x"}, paginate.Limits{Styles: paginate.StyleCursor}, paginate.Page{}, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := paginate.ParseParams(tt.params, tt.limits, c)
			viaQuery, qerr := paginate.Parse(values(tt.params), tt.limits, c)
			if fmt.Sprint(err) != fmt.Sprint(qerr) || !samePage(got, viaQuery) {
				t.Errorf("ParseParams = %+v, %v; Parse of the same query = %+v, %v", got, err, viaQuery, qerr)
			}
			if tt.wantErr != "" {
				var pe *paginate.ParamError
				if !errors.As(err, &pe) || pe.Param != tt.wantErr {
					t.Fatalf("err = %v, want a *ParamError for %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Cursor != nil {
				got.Cursor, tt.want.Cursor = nil, nil // compared with Parse's above
			}
			if !samePage(got, tt.want) {
				t.Errorf("ParseParams = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// FuzzParseParams: ParseParams never panics and answers as Parse does for
// the query holding the same values.
func FuzzParseParams(f *testing.F) {
	c := newTestCursors(f)
	f.Add("", "", "", "", "")
	f.Add("3", "10", "", "", "")
	f.Add("", "", "20", "40", "")
	f.Add("", "", "5", "", "not-a-token")
	f.Add("0", "-1", "+5", "0x10", "")
	f.Fuzz(func(t *testing.T, page, pageSize, limit, offset, cursor string) {
		params := paginate.Params{Page: page, PageSize: pageSize, Limit: limit, Offset: offset, Cursor: cursor}
		limits := paginate.Limits{Styles: paginate.StylePage | paginate.StyleOffset | paginate.StyleCursor}
		got, err := paginate.ParseParams(params, limits, c)
		want, werr := paginate.Parse(values(params), limits, c)
		if fmt.Sprint(err) != fmt.Sprint(werr) || !samePage(got, want) {
			t.Fatalf("ParseParams(%+v) = %+v, %v; Parse = %+v, %v", params, got, err, want, werr)
		}
	})
}

func newTestCursors(tb testing.TB) *paginate.Cursors {
	c, err := paginate.NewCursors(prodready.Base{SecretKey: randomKey(tb)}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// A command-line tool, or any caller without an HTTP request, parses the
// values it has with ParseParams, under the same rules and errors as Parse.
func ExampleParseParams() {
	limits := paginate.Limits{PageSize: 20, MaxPageSize: 100}
	for _, params := range []paginate.Params{
		{},
		{Page: "2", PageSize: "25"},
		{Limit: "abc"},
	} {
		p, err := paginate.ParseParams(params, limits, nil)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: limit %d offset %d\n", p.Style, p.Limit, p.Offset)
	}
	// Output:
	// page: limit 20 offset 0
	// page: limit 25 offset 25
	// paginate: limit: want an integer from 1 to 100, got "abc"
}
