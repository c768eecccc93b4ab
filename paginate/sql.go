package paginate

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// A Placeholder is the bind-parameter syntax of a database driver.
type Placeholder uint8

const (
	// Question is "?", for SQLite and MySQL.
	Question Placeholder = iota
	// Dollar is "$1", "$2"..., for PostgreSQL (pgx, lib/pq).
	Dollar
)

// A Keyset describes the order of a keyset-paginated query, so that the
// query can start after a cursor:
//
//	ks := paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}, Desc: true}
//	where, args, err := ks.Where(p.Cursor) // "(created_at, id) < (?, ?)", or "" on the first page
//	// err: a *ParamError (400) or the program's (500), as for Parse
//	query := "SELECT id, created_at, name FROM items"
//	if where != "" {
//		query += " WHERE " + where
//	}
//	query += " ORDER BY " + ks.OrderBy() + " LIMIT ?"
//	limit, _ := p.LimitOffset()
//	rows, err := db.QueryContext(ctx, query, append(args, limit)...)
//
// and, once the rows are read, the cursor of the last one, for the next page:
//
//	tok, err := cursors.Encode(ks.After(last.CreatedAt, last.ID))
//
// With PostgreSQL's numbered placeholders, [Keyset.NextArg] numbers the
// LIMIT argument: fmt.Sprintf(" LIMIT $%d", ks.NextArg(p.Cursor)).
//
// The columns together must identify a row: end them with a unique column,
// such as the primary key, as a tie-breaker, or rows sharing a key would be
// skipped or repeated. They must be NOT NULL (a NULL never compares), and an
// index on them, in this order, makes every page as cheap as the first.
// Values always travel as arguments, never in the SQL text.
//
// Columns come from the program, never from the request: the check that
// they are plain identifiers keeps out injection, not reserved words or
// columns the client should not sort by. An endpoint that lets the client
// choose the order (?sort=) maps each allowed value to a Keyset of its own,
// with a switch or a map, and answers 400 for any other.
//
// The keys of the last row travel to the client in the cursor token, which
// is signed but not encrypted: anyone holding it can read them. Sort by
// columns the client may see. A token is at most [MaxCursorLen] bytes, about
// 700 bytes of keys: long text columns do not make good sort keys.
//
// The condition is a row-value comparison, which SQLite (3.15 and later),
// PostgreSQL and MySQL 8 support and can answer from the index.
//
// A Keyset is a plain value, safe for concurrent use.
type Keyset struct {
	// Name names the listing, such as "items", so that a cursor made for
	// another listing sorted by the same columns is refused. If Name is
	// empty, listings are told apart by their columns and direction only.
	Name string
	// Columns are the sort columns, most significant first: SQL
	// identifiers, optionally qualified by a table name ("items.id").
	// Quoted identifiers are not supported.
	Columns []string
	// Desc sorts every column in descending order; otherwise ascending.
	Desc bool
	// Placeholder is the syntax of the arguments. The zero value is
	// Question.
	Placeholder Placeholder
	// FirstArg is the number of the first argument Where writes with
	// Dollar, for a query that has arguments before it. If FirstArg is 0,
	// 1 is used. Question ignores it.
	FirstArg int
}

// Where returns the condition that selects the rows after cur, and its
// arguments, the cursor's keys. For a nil cur (the first page) it returns ""
// and no arguments.
//
// A cursor that [Keyset.After] did not make for this keyset — for another
// name, other columns or the other direction, or a Cursor literal — is a
// *ParamError for "cursor" wrapping ErrInvalidCursor: the client sent the
// cursor of another listing or order. An invalid Keyset is an error of the
// program.
//
// Where cannot tell keys given to After in the wrong order: it does not know
// the columns' types. A test that follows a next link catches that mistake.
func (k Keyset) Where(cur *Cursor) (string, []any, error) {
	if err := k.check(); err != nil {
		return "", nil, err
	}
	if cur == nil {
		return "", nil, nil
	}
	if len(cur.Keys) != len(k.Columns) || cur.Desc != k.Desc || cur.order == 0 || cur.order != k.digest() {
		return "", nil, &ParamError{Param: ParamCursor, Reason: "made for another listing or sort order", Err: ErrInvalidCursor}
	}
	op := " > "
	if k.Desc {
		op = " < "
	}
	var b strings.Builder
	n := k.firstArg()
	ph := func(i int) {
		if k.Placeholder == Dollar {
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n + i))
		} else {
			b.WriteByte('?')
		}
	}
	if len(k.Columns) == 1 {
		b.WriteString(k.Columns[0])
		b.WriteString(op)
		ph(0)
	} else {
		b.WriteByte('(')
		b.WriteString(strings.Join(k.Columns, ", "))
		b.WriteByte(')')
		b.WriteString(op)
		b.WriteByte('(')
		for i := range k.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			ph(i)
		}
		b.WriteByte(')')
	}
	args := make([]any, len(cur.Keys))
	copy(args, cur.Keys)
	return b.String(), args, nil
}

// OrderBy returns the ORDER BY list, such as "created_at DESC, id DESC". It
// returns "" when the keyset is invalid; Where reports why.
func (k Keyset) OrderBy() string {
	if k.check() != nil {
		return ""
	}
	dir := " ASC"
	if k.Desc {
		dir = " DESC"
	}
	return strings.Join(k.Columns, dir+", ") + dir
}

// NextArg returns the number of the first argument after those of
// k.Where(cur): k.FirstArg (or 1) plus the number of cur's keys, or plus 0
// for a nil cur. With Dollar it numbers the LIMIT that follows the
// condition:
//
//	query += fmt.Sprintf(" ORDER BY %s LIMIT $%d", ks.OrderBy(), ks.NextArg(p.Cursor))
func (k Keyset) NextArg(cur *Cursor) int {
	n := k.firstArg()
	if cur != nil {
		n += len(cur.Keys)
	}
	return n
}

func (k Keyset) firstArg() int {
	if k.FirstArg == 0 {
		return 1
	}
	return k.FirstArg
}

// After returns the cursor of the row whose sort keys are keys, given in the
// order of k.Columns: the position the next page starts after. The cursor
// remembers a digest of k.Name and k.Columns, so that Where refuses it for
// another keyset. After checks nothing; Encode checks the keys.
func (k Keyset) After(keys ...any) Cursor {
	return Cursor{Keys: keys, Desc: k.Desc, order: k.digest()}
}

// digest returns a nonzero checksum of the name and the column names.
func (k Keyset) digest() uint32 {
	h := crc32.NewIEEE()
	h.Write([]byte(k.Name))
	h.Write([]byte{0})
	for _, c := range k.Columns {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	return max(h.Sum32(), 1)
}

func (k Keyset) check() error {
	if len(k.Columns) == 0 || len(k.Columns) > MaxCursorKeys {
		return fmt.Errorf("paginate: Keyset has %d columns: want 1 to %d", len(k.Columns), MaxCursorKeys)
	}
	for _, c := range k.Columns {
		if !isIdent(c) {
			return fmt.Errorf("paginate: Keyset column %q is not a SQL identifier", c)
		}
	}
	if k.Placeholder > Dollar {
		return fmt.Errorf("paginate: unknown Placeholder %d", k.Placeholder)
	}
	if k.FirstArg < 0 {
		return fmt.Errorf("paginate: Keyset.FirstArg %d is negative", k.FirstArg)
	}
	return nil
}

// isIdent reports whether s is an unquoted SQL identifier of ASCII letters,
// digits and '_' not starting with a digit, optionally qualified by one such
// name and a dot.
func isIdent(s string) bool {
	if len(s) > 128 {
		return false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || p[0] >= '0' && p[0] <= '9' {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}
