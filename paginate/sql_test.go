package paginate_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/prodready/prodready/paginate"
)

func TestKeysetWhere(t *testing.T) {
	t.Parallel()
	// after returns the cursor that ks made, as the previous page would
	// have: Where accepts no other.
	after := func(ks paginate.Keyset, keys ...any) *paginate.Cursor {
		cur := ks.After(keys...)
		return &cur
	}
	two := []any{int64(5), int64(9)}
	tests := []struct {
		name      string
		ks        paginate.Keyset
		cur       *paginate.Cursor
		want      string
		wantArgs  []any
		wantOrder string
		wantErr   error // nil: success; errAny: any error of the program
	}{
		{name: "first page", ks: paginate.Keyset{Columns: []string{"id"}}, cur: nil, want: "", wantOrder: "id ASC"},
		{name: "one column", ks: paginate.Keyset{Columns: []string{"id"}}, cur: after(paginate.Keyset{Columns: []string{"id"}}, int64(3)),
			want: "id > ?", wantArgs: []any{int64(3)}, wantOrder: "id ASC"},
		{name: "two columns", ks: paginate.Keyset{Columns: []string{"created_at", "id"}}, cur: after(paginate.Keyset{Columns: []string{"created_at", "id"}}, two...),
			want: "(created_at, id) > (?, ?)", wantArgs: two, wantOrder: "created_at ASC, id ASC"},
		{name: "descending", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Desc: true}, cur: after(paginate.Keyset{Columns: []string{"created_at", "id"}, Desc: true}, two...),
			want: "(created_at, id) < (?, ?)", wantArgs: two, wantOrder: "created_at DESC, id DESC"},
		{name: "dollar", ks: paginate.Keyset{Columns: []string{"items.created_at", "items.id"}, Placeholder: paginate.Dollar}, cur: after(paginate.Keyset{Columns: []string{"items.created_at", "items.id"}}, two...),
			want: "(items.created_at, items.id) > ($1, $2)", wantArgs: two, wantOrder: "items.created_at ASC, items.id ASC"},
		{name: "dollar from 3", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Placeholder: paginate.Dollar, FirstArg: 3}, cur: after(paginate.Keyset{Columns: []string{"created_at", "id"}}, two...),
			want: "(created_at, id) > ($3, $4)", wantArgs: two, wantOrder: "created_at ASC, id ASC"},
		{name: "question ignores first arg", ks: paginate.Keyset{Columns: []string{"id"}, FirstArg: 3}, cur: after(paginate.Keyset{Columns: []string{"id"}}, "a"),
			want: "id > ?", wantArgs: []any{"a"}, wantOrder: "id ASC"},
		{name: "named", ks: paginate.Keyset{Name: "items", Columns: []string{"id"}}, cur: after(paginate.Keyset{Name: "items", Columns: []string{"id"}}, int64(3)),
			want: "id > ?", wantArgs: []any{int64(3)}, wantOrder: "id ASC"},
		{name: "direction mismatch", ks: paginate.Keyset{Columns: []string{"created_at", "id"}}, cur: after(paginate.Keyset{Columns: []string{"created_at", "id"}, Desc: true}, two...),
			wantErr: paginate.ErrInvalidCursor, wantOrder: "created_at ASC, id ASC"},
		{name: "key count mismatch", ks: paginate.Keyset{Columns: []string{"id"}}, cur: after(paginate.Keyset{Columns: []string{"id"}}, two...), wantErr: paginate.ErrInvalidCursor, wantOrder: "id ASC"},
		{name: "other name", ks: paginate.Keyset{Name: "users", Columns: []string{"id"}}, cur: after(paginate.Keyset{Name: "items", Columns: []string{"id"}}, int64(3)),
			wantErr: paginate.ErrInvalidCursor, wantOrder: "id ASC"},
		{name: "name added", ks: paginate.Keyset{Name: "items", Columns: []string{"id"}}, cur: after(paginate.Keyset{Columns: []string{"id"}}, int64(3)),
			wantErr: paginate.ErrInvalidCursor, wantOrder: "id ASC"},
		{name: "literal cursor", ks: paginate.Keyset{Columns: []string{"id"}}, cur: &paginate.Cursor{Keys: []any{int64(3)}}, wantErr: paginate.ErrInvalidCursor, wantOrder: "id ASC"},
		{name: "literal cursor, descending", ks: paginate.Keyset{Columns: []string{"id"}, Desc: true}, cur: &paginate.Cursor{Keys: []any{int64(3)}, Desc: true}, wantErr: paginate.ErrInvalidCursor, wantOrder: "id DESC"},
		{name: "no columns", ks: paginate.Keyset{}, wantErr: errAny},
		{name: "injection", ks: paginate.Keyset{Columns: []string{"id; DROP TABLE items"}}, wantErr: errAny},
		{name: "quoted", ks: paginate.Keyset{Columns: []string{`"id"`}}, wantErr: errAny},
		{name: "leading digit", ks: paginate.Keyset{Columns: []string{"1id"}}, wantErr: errAny},
		{name: "empty column", ks: paginate.Keyset{Columns: []string{""}}, wantErr: errAny},
		{name: "three parts", ks: paginate.Keyset{Columns: []string{"a.b.c"}}, wantErr: errAny},
		{name: "trailing dot", ks: paginate.Keyset{Columns: []string{"a."}}, wantErr: errAny},
		{name: "expression", ks: paginate.Keyset{Columns: []string{"lower(name)"}}, wantErr: errAny},
		{name: "unknown placeholder", ks: paginate.Keyset{Columns: []string{"id"}, Placeholder: 7}, wantErr: errAny},
		{name: "negative first arg", ks: paginate.Keyset{Columns: []string{"id"}, FirstArg: -1}, wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, args, err := tt.ks.Where(tt.cur)
			if order := tt.ks.OrderBy(); order != tt.wantOrder {
				t.Errorf("OrderBy() = %q, want %q", order, tt.wantOrder)
			}
			switch {
			case tt.wantErr == errAny:
				var pe *paginate.ParamError
				if err == nil || errors.As(err, &pe) {
					t.Fatalf("Where() error = %v, want the program's error", err)
				}
				return
			case tt.wantErr != nil:
				var pe *paginate.ParamError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &pe) || pe.Param != "cursor" {
					t.Fatalf("Where() error = %v, want a *ParamError for cursor wrapping %v", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("Where() error = %v", err)
			}
			if got != tt.want || !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("Where() = %q, %v, want %q, %v", got, args, tt.want, tt.wantArgs)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestKeysetWhereCopiesKeys(t *testing.T) {
	t.Parallel()
	ks := paginate.Keyset{Columns: []string{"id"}}
	cur := ks.After(int64(1))
	_, args, err := ks.Where(&cur)
	if err != nil {
		t.Fatal(err)
	}
	args[0] = "changed"
	if cur.Keys[0] != int64(1) {
		t.Error("Where() returned the cursor's own slice")
	}
}

func TestKeysetAfter(t *testing.T) {
	t.Parallel()
	ks := paginate.Keyset{Name: "things", Columns: []string{"a", "b"}, Desc: true}
	got := ks.After(int64(1), "x")
	if !reflect.DeepEqual(got.Keys, []any{int64(1), "x"}) || !got.Desc {
		t.Errorf("After() = %v, want keys [1 x], descending", got)
	}

	// The cursor remembers its columns, through a token too.
	c := newCursors(t, nil)
	decoded, err := c.Decode(encode(t, c, got))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ks      paginate.Keyset
		wantErr bool
	}{
		{name: "same keyset", ks: ks},
		{name: "same columns, other placeholders", ks: paginate.Keyset{Name: "things", Columns: []string{"a", "b"}, Desc: true, Placeholder: paginate.Dollar, FirstArg: 4}},
		{name: "other columns", ks: paginate.Keyset{Name: "things", Columns: []string{"a", "c"}, Desc: true}, wantErr: true},
		{name: "columns swapped", ks: paginate.Keyset{Name: "things", Columns: []string{"b", "a"}, Desc: true}, wantErr: true},
		{name: "joined differently", ks: paginate.Keyset{Name: "things", Columns: []string{"a_", "b"}, Desc: true}, wantErr: true},
		{name: "name and column joined differently", ks: paginate.Keyset{Name: "thingsa", Columns: []string{"b"}, Desc: true}, wantErr: true},
		{name: "other direction", ks: paginate.Keyset{Name: "things", Columns: []string{"a", "b"}}, wantErr: true},
		{name: "other name", ks: paginate.Keyset{Name: "others", Columns: []string{"a", "b"}, Desc: true}, wantErr: true},
		{name: "no name", ks: paginate.Keyset{Columns: []string{"a", "b"}, Desc: true}, wantErr: true},
	}
	for _, tt := range tests {
		for _, cur := range []paginate.Cursor{got, decoded} {
			_, _, err := tt.ks.Where(&cur)
			if tt.wantErr != (err != nil) {
				t.Errorf("%s: Where() error = %v, want error %v", tt.name, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, paginate.ErrInvalidCursor) {
				t.Errorf("%s: Where() error = %v, want ErrInvalidCursor", tt.name, err)
			}
		}
	}
}

func TestKeysetNextArg(t *testing.T) {
	t.Parallel()
	two := paginate.Keyset{Columns: []string{"created_at", "id"}}.After(int64(5), int64(9))
	tests := []struct {
		name string
		ks   paginate.Keyset
		cur  *paginate.Cursor
		want int
	}{
		{name: "first page", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Placeholder: paginate.Dollar}, want: 1},
		{name: "first page, after one", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Placeholder: paginate.Dollar, FirstArg: 2}, want: 2},
		{name: "two keys", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Placeholder: paginate.Dollar}, cur: &two, want: 3},
		{name: "two keys, after one", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Placeholder: paginate.Dollar, FirstArg: 2}, cur: &two, want: 4},
		{name: "question counts too", ks: paginate.Keyset{Columns: []string{"created_at", "id"}}, cur: &two, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.ks.NextArg(tt.cur); got != tt.want {
				t.Errorf("NextArg() = %d, want %d", got, tt.want)
			}
			// The number follows the last placeholder Where wrote.
			where, args, err := tt.ks.Where(tt.cur)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ks.Placeholder == paginate.Dollar && len(args) > 0 && !strings.HasSuffix(where, "$"+strconv.Itoa(tt.want-1)+")") {
				t.Errorf("Where() = %q, want its last placeholder $%d", where, tt.want-1)
			}
		})
	}
}
