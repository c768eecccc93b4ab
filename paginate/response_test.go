package paginate_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
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
			name: "offset, middle",
			url:  "/v1/items?offset=5&limit=3&tag=x&tag=y", page: paginate.Page{Style: paginate.StyleOffset, Limit: 3, Offset: 5}, rows: rows,
			wantItems: []int{1, 2, 3}, wantMore: true,
			want: paginate.Links{
				Next:  "/v1/items?limit=3&offset=8&tag=x&tag=y",
				Prev:  "/v1/items?limit=3&offset=2&tag=x&tag=y",
				First: "/v1/items?limit=3&offset=0&tag=x&tag=y",
			},
		},
		{
			name: "offset, prev exactly a page",
			url:  "/items?offset=3&limit=3", page: paginate.Page{Style: paginate.StyleOffset, Limit: 3, Offset: 3}, rows: rows[:3],
			wantItems: []int{1, 2, 3},
			want: paginate.Links{
				Prev:  "/items?limit=3&offset=0",
				First: "/items?limit=3&offset=0",
			},
		},
		{
			// Rows 1 and 2 come before this page: the previous page is
			// those two, not rows 0 to 2, which overlap this one.
			name: "offset, prev shorter than a page",
			url:  "/items?offset=2&limit=3", page: paginate.Page{Style: paginate.StyleOffset, Limit: 3, Offset: 2}, rows: rows[:3],
			wantItems: []int{1, 2, 3},
			want: paginate.Links{
				Prev:  "/items?limit=2&offset=0",
				First: "/items?limit=3&offset=0",
			},
		},
		{
			name: "request scheme, host, user and fragment dropped",
			url:  "https://user:pw@evil.example/v1/items?offset=5&limit=3#frag", page: paginate.Page{Style: paginate.StyleOffset, Limit: 3, Offset: 5}, rows: rows,
			wantItems: []int{1, 2, 3}, wantMore: true,
			want: paginate.Links{
				Next:  "/v1/items?limit=3&offset=8",
				Prev:  "/v1/items?limit=3&offset=2",
				First: "/v1/items?limit=3&offset=0",
			},
		},
		{
			name: "empty path",
			url:  "http://evil.example?page=1", page: paginate.Page{Style: paginate.StylePage, Limit: 3}, rows: rows[:1],
			wantItems: []int{1},
			want:      paginate.Links{First: "/?page=1&page_size=3"},
		},
		{
			name: "escaped path kept",
			url:  "/items/a%2Fb%20c/x,y;z", page: paginate.Page{Style: paginate.StylePage, Limit: 3}, rows: rows[:1],
			wantItems: []int{1},
			want:      paginate.Links{First: "/items/a%2Fb%20c/x,y;z?page=1&page_size=3"},
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
			env, links, err := paginate.NewEnvelope(u, tt.page, tt.rows, tokenOf, nil)
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
	env, _, err := paginate.NewEnvelope(&url.URL{Path: "/x"}, paginate.Page{Style: paginate.StyleOffset, Limit: 2}, []string(nil), nil, nil)
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
	env, _, err := paginate.NewEnvelope(&url.URL{}, paginate.Page{Limit: 2}, rows, nil, nil)
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
	cursorPage := paginate.Page{Style: paginate.StyleCursor, Limit: 2}
	tests := []struct {
		name    string
		u       *url.URL
		page    paginate.Page
		rows    []int
		next    func(int) (string, error)
		opts    *paginate.EnvelopeOptions
		wantErr error
	}{
		{name: "zero limit", page: paginate.Page{Style: paginate.StyleOffset}, rows: []int{1, 2}},
		{name: "nil URL", u: nil, page: paginate.Page{Style: paginate.StyleOffset, Limit: 1}, rows: []int{1, 2}},
		{name: "cursor without next", page: cursorPage, rows: []int{1, 2, 3}},
		{name: "cursor without next, last page", page: cursorPage, rows: []int{1}},
		{name: "cursor without next, no rows", page: cursorPage},
		{name: "next fails", page: cursorPage, rows: []int{1, 2, 3}, next: func(int) (string, error) { return "", errNext }, wantErr: errNext},
		// The key of the last row is encoded on the last page too, so
		// that a key Encode refuses fails on the first page fetched.
		{name: "next fails on the last page", page: cursorPage, rows: []int{1}, next: func(int) (string, error) { return "", errNext }, wantErr: errNext},
		{name: "base with query", page: cursorPage, opts: &paginate.EnvelopeOptions{Base: &url.URL{Path: "/api", RawQuery: "a=1"}}},
		{name: "base with fragment", page: cursorPage, opts: &paginate.EnvelopeOptions{Base: &url.URL{Path: "/api", Fragment: "x"}}},
		{name: "base relative path", page: cursorPage, opts: &paginate.EnvelopeOptions{Base: &url.URL{Path: "api"}}},
		{name: "base scheme without host", page: cursorPage, opts: &paginate.EnvelopeOptions{Base: &url.URL{Scheme: "https", Path: "/api"}}},
		{name: "base host without scheme", page: cursorPage, opts: &paginate.EnvelopeOptions{Base: &url.URL{Host: "api.example.com"}}},
		{name: "base opaque", page: cursorPage, opts: &paginate.EnvelopeOptions{Base: &url.URL{Scheme: "mailto", Opaque: "x@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := tt.u
			if u == nil && tt.name != "nil URL" {
				u = &url.URL{Path: "/items"}
			}
			next := tt.next
			if next == nil && !strings.HasPrefix(tt.name, "cursor without next") {
				next = func(int) (string, error) { return "tok", nil }
			}
			_, _, err := paginate.NewEnvelope(u, tt.page, tt.rows, next, tt.opts)
			if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("NewEnvelope() error = %v, want %v", err, tt.wantErr)
			}
			var pe *paginate.ParamError
			if errors.As(err, &pe) {
				t.Errorf("NewEnvelope() error = %v, a *ParamError; want the program's", err)
			}
		})
	}
}

// TestNewEnvelopeNextCalledOnce checks that next is called once, for the
// last item, whether or not there is a next page, and never for an empty
// page.
func TestNewEnvelopeNextCalledOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		rows     []int
		wantLast []int
		wantNext string
	}{
		{name: "more", rows: []int{1, 2, 3}, wantLast: []int{2}, wantNext: "/items?cursor=t2&limit=2"},
		{name: "last page", rows: []int{1, 2}, wantLast: []int{2}},
		{name: "short last page", rows: []int{1}, wantLast: []int{1}},
		{name: "empty", rows: nil, wantLast: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls []int
			next := func(last int) (string, error) {
				calls = append(calls, last)
				return "t" + strconv.Itoa(last), nil
			}
			env, links, err := paginate.NewEnvelope(&url.URL{Path: "/items"}, paginate.Page{Style: paginate.StyleCursor, Limit: 2}, tt.rows, next, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(calls, tt.wantLast) {
				t.Errorf("next called with %v, want %v", calls, tt.wantLast)
			}
			if env.Next != tt.wantNext || links.Next != tt.wantNext {
				t.Errorf("NewEnvelope() next = %q, links.Next = %q, want %q", env.Next, links.Next, tt.wantNext)
			}
		})
	}
}

// TestNewEnvelopeOffsetCap checks that a page Parse made links to no next
// page that Parse would refuse, while HasMore still says that rows follow.
func TestNewEnvelopeOffsetCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		query    string
		limits   paginate.Limits
		wantNext string
	}{
		{name: "offset below cap", query: "offset=980&limit=20", wantNext: "/items?limit=20&offset=1000"},
		{name: "offset, next at cap", query: "offset=990&limit=10", wantNext: "/items?limit=10&offset=1000"},
		{name: "offset, next beyond cap", query: "offset=1000&limit=20"},
		{name: "offset, next one beyond cap", query: "offset=981&limit=20"},
		{name: "page, last allowed", query: "page=21&page_size=50"},
		{name: "page, next is last allowed", query: "page=20&page_size=50", wantNext: "/items?page=21&page_size=50"},
		{name: "no offsets", query: "", limits: paginate.Limits{MaxOffset: -1}},
		{name: "no offsets, offset style", query: "limit=5", limits: paginate.Limits{MaxOffset: -1}},
		{name: "custom cap", query: "offset=10&limit=5", limits: paginate.Limits{MaxOffset: 14}},
		{name: "custom cap reached exactly", query: "offset=9&limit=5", limits: paginate.Limits{MaxOffset: 14}, wantNext: "/items?limit=5&offset=14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := &url.URL{Path: "/items", RawQuery: tt.query}
			p, err := paginate.Parse(u.Query(), tt.limits, nil)
			if err != nil {
				t.Fatal(err)
			}
			env, links, err := paginate.NewEnvelope(u, p, make([]int, p.Limit+1), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if env.Next != tt.wantNext || links.Next != tt.wantNext || !env.HasMore {
				t.Errorf("NewEnvelope(%q) next = %q, links.Next = %q, has_more = %v; want %q, true", tt.query, env.Next, links.Next, env.HasMore, tt.wantNext)
			}
			if env.Next == "" {
				return
			}
			next, err := url.Parse(env.Next)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := paginate.Parse(next.Query(), tt.limits, nil); err != nil {
				t.Errorf("Parse(next %q) error = %v", env.Next, err)
			}
		})
	}
}

// TestNewEnvelopeBase serves requests through http.StripPrefix and raw
// request targets, as a client or a proxy can send them, and checks the
// links: never on another host than the configured one, always on the
// path the client used.
func TestNewEnvelopeBase(t *testing.T) {
	t.Parallel()
	abs, err := url.Parse("https://api.example.com/v1/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		prefix string // mounted with http.StripPrefix(prefix, ...) if not empty
		base   *url.URL
		target string // the request-target of the request line
		want   string // the next link
	}{
		{name: "plain", target: "/items?limit=2", want: "/items?limit=2&offset=2"},
		{name: "strip prefix without base", prefix: "/api", target: "/api/items?limit=2", want: "/items?limit=2&offset=2"},
		{name: "strip prefix with base", prefix: "/api", base: &url.URL{Path: "/api"}, target: "/api/items?limit=2", want: "/api/items?limit=2&offset=2"},
		{name: "base with trailing slash", prefix: "/api", base: &url.URL{Path: "/api/"}, target: "/api/items?limit=2", want: "/api/items?limit=2&offset=2"},
		{name: "absolute base", base: abs, target: "/items?limit=2", want: "https://api.example.com/v1/items?limit=2&offset=2"},
		{name: "absolute-form target", target: "http://evil.example/items?limit=2", want: "/items?limit=2&offset=2"},
		{name: "absolute-form target, absolute base", base: abs, target: "http://evil.example/items?limit=2", want: "https://api.example.com/v1/items?limit=2&offset=2"},
		{name: "protocol-relative path", target: "//evil.example/items?limit=2", want: "/evil.example/items?limit=2&offset=2"},
		{name: "many slashes", target: "////evil.example/items?limit=2", want: "/evil.example/items?limit=2&offset=2"},
		{name: "protocol-relative path, base", base: &url.URL{Path: "/api"}, target: "//evil.example/items?limit=2", want: "/api/evil.example/items?limit=2&offset=2"},
		{name: "strip prefix leaves //", prefix: "/api", target: "/api//evil.example/items?limit=2", want: "/evil.example/items?limit=2&offset=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p, err := paginate.Parse(r.URL.Query(), paginate.Limits{}, nil)
				if err != nil {
					t.Errorf("Parse() error = %v", err)
					return
				}
				env, _, err := paginate.NewEnvelope(r.URL, p, make([]int, p.Limit+1), nil, &paginate.EnvelopeOptions{Base: tt.base})
				if err != nil {
					t.Errorf("NewEnvelope() error = %v", err)
					return
				}
				got = env.Next
			})
			if tt.prefix != "" {
				h = http.StripPrefix(tt.prefix, h)
			}
			r, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + tt.target + " HTTP/1.1\r\nHost: api.example.com\r\n\r\n")))
			if err != nil {
				t.Fatal(err)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want {
				t.Errorf("GET %s: next = %q, want %q", tt.target, got, tt.want)
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
		{name: "reserved characters kept", links: paginate.Links{Next: "https://h:8080/a,b;c=d/e?f=%20g&h=[i]#j!$'()*+@~"},
			want: `<https://h:8080/a,b;c=d/e?f=%20g&h=[i]#j!$'()*+@~>; rel="next"`},
		{name: "injection", links: paginate.Links{Next: `/x?a=>; rel="stylesheet", <https://evil/`},
			want: `</x?a=%3E;%20rel=%22stylesheet%22,%20%3Chttps://evil/>; rel="next"`},
		{name: "controls and non-ASCII", links: paginate.Links{First: "/x\r\nSet-Cookie: a=b\x00\x7f/é\\^`{|}"},
			want: `</x%0D%0ASet-Cookie:%20a=b%00%7F/%C3%A9%5C%5E%60%7B%7C%7D>; rel="first"`},
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
