package paginate_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/prodready/prodready/paginate"
)

func TestNewEnvelope(t *testing.T) {
	t.Parallel()
	rows := []int{1, 2, 3, 4}
	tokenOf := func(last int) (string, error) { return "tok" + string(rune('0'+last)), nil }
	tests := []struct {
		name      string
		url       string
		page      paginate.Page
		rows      []int
		wantItems []int
		want      paginate.Links
		wantMore  bool
	}{
		{
			name: "page, first, more",
			url:  "/items?q=a+b&page=1", page: paginate.Page{Style: paginate.StylePage, Limit: 3}, rows: rows,
			wantItems: []int{1, 2, 3}, wantMore: true,
			want: paginate.Links{
				Next:  "/items?page=2&page_size=3&q=a+b",
				First: "/items?page=1&page_size=3&q=a+b",
			},
		},
		{
			name: "page, middle",
			url:  "/items?page=3&page_size=3", page: paginate.Page{Style: paginate.StylePage, Limit: 3, Offset: 6}, rows: rows,
			wantItems: []int{1, 2, 3}, wantMore: true,
			want: paginate.Links{
				Next:  "/items?page=4&page_size=3",
				Prev:  "/items?page=2&page_size=3",
				First: "/items?page=1&page_size=3",
			},
		},
		{
			name: "page, last",
			url:  "/items?page=3&page_size=3", page: paginate.Page{Style: paginate.StylePage, Limit: 3, Offset: 6}, rows: rows[:2],
			wantItems: []int{1, 2},
			want: paginate.Links{
				Prev:  "/items?page=2&page_size=3",
				First: "/items?page=1&page_size=3",
			},
		},
		{
			name: "offset, middle, absolute",
			url:  "https://api.example.com/v1/items?offset=5&limit=3&tag=x&tag=y#frag", page: paginate.Page{Style: paginate.StyleOffset, Limit: 3, Offset: 5}, rows: rows,
			wantItems: []int{1, 2, 3}, wantMore: true,
			want: paginate.Links{
				Next:  "https://api.example.com/v1/items?limit=3&offset=8&tag=x&tag=y",
				Prev:  "https://api.example.com/v1/items?limit=3&offset=2&tag=x&tag=y",
				First: "https://api.example.com/v1/items?limit=3&offset=0&tag=x&tag=y",
			},
		},
		{
			name: "offset, prev clipped at 0",
			url:  "/items?offset=1&limit=3", page: paginate.Page{Style: paginate.StyleOffset, Limit: 3, Offset: 1}, rows: rows[:3],
			wantItems: []int{1, 2, 3},
			want: paginate.Links{
				Prev:  "/items?limit=3&offset=0",
				First: "/items?limit=3&offset=0",
			},
		},
		{
			name: "cursor, more",
			url:  "/items?cursor=old&sort=-created", page: paginate.Page{Style: paginate.StyleCursor, Limit: 3}, rows: rows,
			wantItems: []int{1, 2, 3}, wantMore: true,
			want: paginate.Links{
				Next:  "/items?cursor=tok3&limit=3&sort=-created",
				First: "/items?limit=3&sort=-created",
			},
		},
		{
			name: "cursor, end",
			url:  "/items?cursor=old", page: paginate.Page{Style: paginate.StyleCursor, Limit: 3}, rows: rows[:3],
			wantItems: []int{1, 2, 3},
			want:      paginate.Links{First: "/items?limit=3"},
		},
		{
			name: "escaping",
			url:  "/search?q=%3E%3C%22%2C%3B&page=2", page: paginate.Page{Style: paginate.StylePage, Limit: 1, Offset: 1}, rows: rows,
			wantItems: []int{1}, wantMore: true,
			want: paginate.Links{
				Next:  "/search?page=3&page_size=1&q=%3E%3C%22%2C%3B",
				Prev:  "/search?page=1&page_size=1&q=%3E%3C%22%2C%3B",
				First: "/search?page=1&page_size=1&q=%3E%3C%22%2C%3B",
			},
		},
		{
			name: "no rows",
			url:  "/items", page: paginate.Page{Style: paginate.StylePage, Limit: 3}, rows: nil,
			wantItems: []int{},
			want:      paginate.Links{First: "/items?page=1&page_size=3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			env, links, err := paginate.NewEnvelope(u, tt.page, tt.rows, tokenOf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(env.Items, tt.wantItems) || env.HasMore != tt.wantMore || env.Next != tt.want.Next {
				t.Errorf("NewEnvelope() = %+v, want items %v, has_more %v, next %q", env, tt.wantItems, tt.wantMore, tt.want.Next)
			}
			if links != tt.want {
				t.Errorf("NewEnvelope() links = %+v\nwant %+v", links, tt.want)
			}
			if u.String() != tt.url {
				t.Errorf("NewEnvelope() changed its URL to %q", u)
			}
		})
	}
}

func TestNewEnvelopeJSON(t *testing.T) {
	t.Parallel()
	env, _, err := paginate.NewEnvelope(&url.URL{Path: "/x"}, paginate.Page{Style: paginate.StyleOffset, Limit: 2}, []string(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"items":[],"next":"","has_more":false}`; got != want {
		t.Errorf("json.Marshal(envelope) = %s, want %s", got, want)
	}
}

func TestNewEnvelopeItemsCapped(t *testing.T) {
	t.Parallel()
	rows := []int{1, 2, 3}
	env, _, err := paginate.NewEnvelope(&url.URL{}, paginate.Page{Limit: 2}, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(env.Items, 9)
	if rows[2] != 3 {
		t.Error("appending to Items overwrote the extra row of the caller's slice")
	}
}

func TestNewEnvelopeErrors(t *testing.T) {
	t.Parallel()
	errNext := errors.New("encode failed")
	tests := []struct {
		name    string
		page    paginate.Page
		next    func(int) (string, error)
		wantErr error
	}{
		{name: "zero limit", page: paginate.Page{Style: paginate.StyleOffset}},
		{name: "cursor without next", page: paginate.Page{Style: paginate.StyleCursor, Limit: 1}},
		{name: "next fails", page: paginate.Page{Style: paginate.StyleCursor, Limit: 1}, next: func(int) (string, error) { return "", errNext }, wantErr: errNext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := paginate.NewEnvelope(&url.URL{}, tt.page, []int{1, 2}, tt.next)
			if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("NewEnvelope() error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestLinksHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		links paginate.Links
		want  string
	}{
		{name: "none", want: ""},
		{name: "all", links: paginate.Links{Next: "/n", Prev: "/p", First: "/f"}, want: `</n>; rel="next", </p>; rel="prev", </f>; rel="first"`},
		{name: "first only", links: paginate.Links{First: "/f?a=1&b=2"}, want: `</f?a=1&b=2>; rel="first"`},
		{name: "next and first", links: paginate.Links{Next: "/n", First: "/f"}, want: `</n>; rel="next", </f>; rel="first"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.links.Header(); got != tt.want {
				t.Errorf("Header() = %q, want %q", got, tt.want)
			}
		})
	}
}
