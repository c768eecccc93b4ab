package paginate_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/prodready/prodready/paginate"
)

// TestPageString: fmt.Println(p) of a parsed Page printed {offset 20 40
// <nil> 1001}, positional, the last number an internal bound a user cannot
// place. String names the fields.
func TestPageString(t *testing.T) {
	t.Parallel()
	c := newTestCursors(t)
	tok, err := c.Encode(paginate.Cursor{Keys: []any{int64(7), "b"}, Desc: true})
	if err != nil {
		t.Fatal(err)
	}
	all := paginate.Limits{Styles: paginate.StylePage | paginate.StyleOffset | paginate.StyleCursor}
	tests := []struct {
		query string
		want  string
	}{
		{"page=3&page_size=20", "style=page limit=20 offset=40"},
		{"limit=20&offset=40", "style=offset limit=20 offset=40"},
		{"limit=5", "style=cursor limit=5"},
		{"limit=5&cursor=" + tok, "style=cursor limit=5 after=[7 b] desc"},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		p, err := paginate.Parse(q, all, c)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		for _, verb := range []string{"%s", "%v", "%+v"} {
			if got := fmt.Sprintf(verb, p); got != tt.want {
				t.Errorf("%q: Sprintf(%q) = %s, want %s", tt.query, verb, got, tt.want)
			}
		}
	}
}

func ExamplePage_String() {
	q, _ := url.ParseQuery("page=3&page_size=20")
	p, err := paginate.Parse(q, paginate.Limits{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p)
	// Output:
	// style=page limit=20 offset=40
}
