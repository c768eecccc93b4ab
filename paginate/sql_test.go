package paginate_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/prodready/prodready/paginate"
)

func TestKeysetWhere(t *testing.T) {
	t.Parallel()
	two := &paginate.Cursor{Keys: []any{int64(5), int64(9)}}
	twoDesc := &paginate.Cursor{Keys: []any{int64(5), int64(9)}, Desc: true}
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
		{name: "one column", ks: paginate.Keyset{Columns: []string{"id"}}, cur: &paginate.Cursor{Keys: []any{int64(3)}},
			want: "id > ?", wantArgs: []any{int64(3)}, wantOrder: "id ASC"},
		{name: "two columns", ks: paginate.Keyset{Columns: []string{"created_at", "id"}}, cur: two,
			want: "(created_at, id) > (?, ?)", wantArgs: []any{int64(5), int64(9)}, wantOrder: "created_at ASC, id ASC"},
		{name: "descending", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Desc: true}, cur: twoDesc,
			want: "(created_at, id) < (?, ?)", wantArgs: []any{int64(5), int64(9)}, wantOrder: "created_at DESC, id DESC"},
		{name: "dollar", ks: paginate.Keyset{Columns: []string{"items.created_at", "items.id"}, Placeholder: paginate.Dollar}, cur: two,
			want: "(items.created_at, items.id) > ($1, $2)", wantArgs: []any{int64(5), int64(9)}, wantOrder: "items.created_at ASC, items.id ASC"},
		{name: "dollar from 3", ks: paginate.Keyset{Columns: []string{"created_at", "id"}, Placeholder: paginate.Dollar, FirstArg: 3}, cur: two,
			want: "(created_at, id) > ($3, $4)", wantArgs: []any{int64(5), int64(9)}, wantOrder: "created_at ASC, id ASC"},
		{name: "question ignores first arg", ks: paginate.Keyset{Columns: []string{"id"}, FirstArg: 3}, cur: &paginate.Cursor{Keys: []any{"a"}},
			want: "id > ?", wantArgs: []any{"a"}, wantOrder: "id ASC"},
		{name: "direction mismatch", ks: paginate.Keyset{Columns: []string{"created_at", "id"}}, cur: twoDesc, wantErr: paginate.ErrInvalidCursor, wantOrder: "created_at ASC, id ASC"},
		{name: "key count mismatch", ks: paginate.Keyset{Columns: []string{"id"}}, cur: two, wantErr: paginate.ErrInvalidCursor, wantOrder: "id ASC"},
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
	cur := &paginate.Cursor{Keys: []any{int64(1)}}
	_, args, err := paginate.Keyset{Columns: []string{"id"}}.Where(cur)
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
	ks := paginate.Keyset{Columns: []string{"a", "b"}, Desc: true}
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
		{name: "same columns, other placeholders", ks: paginate.Keyset{Columns: []string{"a", "b"}, Desc: true, Placeholder: paginate.Dollar}},
		{name: "other columns", ks: paginate.Keyset{Columns: []string{"a", "c"}, Desc: true}, wantErr: true},
		{name: "columns swapped", ks: paginate.Keyset{Columns: []string{"b", "a"}, Desc: true}, wantErr: true},
		{name: "joined differently", ks: paginate.Keyset{Columns: []string{"a_", "b"}, Desc: true}, wantErr: true},
		{name: "other direction", ks: paginate.Keyset{Columns: []string{"a", "b"}}, wantErr: true},
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
