package paginate_test

import (
	"fmt"
	"math"
	"net/url"
	"reflect"
	"testing"

	"github.com/prodready/prodready/paginate"
)

// TestSlice: a new user paged an in-memory list with
// items[offset:offset+limit], using LimitOffset's limit (one more than the
// page) and an offset past the end, and the handler panicked. Slice pages a
// slice without panicking, whatever the Page holds.
func TestSlice(t *testing.T) {
	t.Parallel()
	items := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	tests := []struct {
		name     string
		items    []int
		p        paginate.Page
		want     []int
		wantMore bool
	}{
		{"first page", items, paginate.Page{Limit: 3}, []int{0, 1, 2}, true},
		{"middle", items, paginate.Page{Limit: 3, Offset: 3}, []int{3, 4, 5}, true},
		{"ends exactly", items, paginate.Page{Limit: 5, Offset: 5}, []int{5, 6, 7, 8, 9}, false},
		{"last partial", items, paginate.Page{Limit: 3, Offset: 9}, []int{9}, false},
		{"one before the end", items, paginate.Page{Limit: 1, Offset: 8}, []int{8}, true},
		{"offset at the end", items, paginate.Page{Limit: 3, Offset: 10}, []int{}, false},
		{"offset past the end", items, paginate.Page{Limit: 3, Offset: 1000}, []int{}, false},
		{"whole list", items, paginate.Page{Limit: 10}, items, false},
		{"huge limit", items, paginate.Page{Limit: math.MaxInt}, items, false},
		{"huge limit and offset", items, paginate.Page{Limit: math.MaxInt, Offset: math.MaxInt}, []int{}, false},
		{"huge limit, offset 1", items, paginate.Page{Limit: math.MaxInt, Offset: 1}, items[1:], false},
		{"negative offset counts as 0", items, paginate.Page{Limit: 2, Offset: -5}, []int{0, 1}, true},
		{"min int offset", items, paginate.Page{Limit: 2, Offset: math.MinInt}, []int{0, 1}, true},
		{"zero limit: empty page, more follow", items, paginate.Page{Offset: 4}, []int{}, true},
		{"negative limit", items, paginate.Page{Limit: math.MinInt}, []int{}, true},
		{"zero limit at the end", items, paginate.Page{Offset: 10}, []int{}, false},
		{"nil items", nil, paginate.Page{Limit: 3}, []int{}, false},
		{"empty items", []int{}, paginate.Page{Limit: 3, Offset: 3}, []int{}, false},
		{"cursor style pages from the start", items, paginate.Page{Style: paginate.StyleCursor, Limit: 4}, []int{0, 1, 2, 3}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, more := paginate.Slice(tt.items, tt.p)
			if got == nil {
				t.Errorf("Slice returned nil; want an empty slice, which encodes as [] in JSON")
			}
			if !reflect.DeepEqual(got, tt.want) || more != tt.wantMore {
				t.Errorf("Slice(%d items, Limit %d, Offset %d) = %v, %v; want %v, %v",
					len(tt.items), tt.p.Limit, tt.p.Offset, got, more, tt.want, tt.wantMore)
			}
		})
	}
}

// TestSliceDoesNotAlias: appending to the page must not overwrite the
// item after it in the caller's list.
func TestSliceDoesNotAlias(t *testing.T) {
	t.Parallel()
	items := []string{"a", "b", "c"}
	page, _ := paginate.Slice(items, paginate.Page{Limit: 1})
	_ = append(page, "x")
	if items[1] != "b" {
		t.Errorf("appending to the page changed the list: %q", items)
	}
}

// TestSliceParsed: Slice takes the Page that Parse returns, as is.
func TestSliceParsed(t *testing.T) {
	t.Parallel()
	items := make([]int, 25)
	for i := range items {
		items[i] = i
	}
	for _, tt := range []struct {
		query    string
		first    int
		n        int
		wantMore bool
	}{
		{"", 0, 10, true},
		{"page=3&page_size=10", 20, 5, false},
		{"limit=7&offset=14", 14, 7, true},
		{"offset=1000", 0, 0, false},
	} {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		p, err := paginate.Parse(q, paginate.Limits{PageSize: 10, MaxOffset: 1000}, nil)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		page, more := paginate.Slice(items, p)
		if len(page) != tt.n || (tt.n > 0 && page[0] != tt.first) || more != tt.wantMore {
			t.Errorf("%q: Slice gave %v, %v; want %d items from %d, more %v", tt.query, page, more, tt.n, tt.first, tt.wantMore)
		}
	}
}

// FuzzSlice: Slice never panics, and its page is the run of the list that
// starts at the offset (0 if negative) and holds at most Limit items, with
// hasMore true exactly when items follow it.
func FuzzSlice(f *testing.F) {
	f.Add(10, 3, 0)
	f.Add(10, 3, 9)
	f.Add(10, 11, 10)
	f.Add(0, 1, 0)
	f.Add(5, math.MaxInt, math.MaxInt)
	f.Add(5, math.MinInt, math.MinInt)
	f.Fuzz(func(t *testing.T, n, limit, offset int) {
		n = max(0, min(n, 1<<12))
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		page, more := paginate.Slice(items, paginate.Page{Limit: limit, Offset: offset})
		if page == nil {
			t.Fatal("nil page")
		}
		start := max(offset, 0)
		if len(page) > max(limit, 0) {
			t.Fatalf("%d items, more than Limit %d", len(page), limit)
		}
		for i, v := range page {
			if v != start+i {
				t.Fatalf("page[%d] = %d, want %d", i, v, start+i)
			}
		}
		if wantMore := start < n && n-start > len(page); more != wantMore {
			t.Fatalf("n %d, limit %d, offset %d: hasMore %v, want %v", n, limit, offset, more, wantMore)
		}
	})
}

// A handler that lists an in-memory collection pages it with Slice, which
// takes the Page from Parse as it is: no LimitOffset, whose limit is one
// more than the page, and no slicing that panics past the end.
func ExampleSlice() {
	colors := []string{"red", "orange", "yellow", "green", "blue", "indigo", "violet"}
	for _, query := range []string{"page_size=3", "page=3&page_size=3", "limit=3&offset=40"} {
		q, _ := url.ParseQuery(query)
		p, err := paginate.Parse(q, paginate.Limits{}, nil)
		if err != nil {
			fmt.Println(err)
			continue
		}
		page, more := paginate.Slice(colors, p)
		fmt.Printf("%s: %q has_more=%v\n", query, page, more)
	}
	// Output:
	// page_size=3: ["red" "orange" "yellow"] has_more=true
	// page=3&page_size=3: ["violet"] has_more=false
	// limit=3&offset=40: [] has_more=false
}
