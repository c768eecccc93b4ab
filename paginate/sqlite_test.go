package paginate_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones of TestSQLiteTimeKeys, wherever the tests run

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/signing"
	_ "modernc.org/sqlite"
)

const (
	sqliteRows     = 10_000
	sqliteKeySpace = 2_000 // created_at values: about 5 rows share each
	insertBatch    = 20    // rows inserted while each page is read
)

type item struct {
	ID        int64
	CreatedAt int64
}

// openDB returns a file database in WAL mode, so that a reader and a writer
// work at once, holding sqliteRows rows whose created_at repeats and whose id
// does not follow created_at.
func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	dsn := "file:" + filepath.Join(tb.TempDir(), "items.db") +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(4)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE items (
		id INTEGER PRIMARY KEY,
		created_at INTEGER NOT NULL,
		name TEXT NOT NULL
	);
	CREATE INDEX items_created_at_id ON items (created_at, id);`); err != nil {
		tb.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range sqliteRows {
		if _, err := tx.ExecContext(ctx, "INSERT INTO items (id, created_at, name) VALUES (?, ?, ?)",
			i+1, r.Int64N(sqliteKeySpace), fmt.Sprintf("item %d", i+1)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return db
}

// listItems is the handler's work for one request: parse, query, envelope.
func listItems(ctx context.Context, db *sql.DB, cursors *paginate.Cursors, u *url.URL, desc bool) (paginate.Envelope[item], error) {
	p, err := paginate.Parse(u.Query(), paginate.Limits{Styles: paginate.StyleCursor}, cursors)
	if err != nil {
		return paginate.Envelope[item]{}, err
	}
	ks := paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}, Desc: desc}
	where, args, err := ks.Where(p.Cursor)
	if err != nil {
		return paginate.Envelope[item]{}, err
	}
	query := "SELECT id, created_at FROM items"
	if where != "" {
		query += " WHERE " + where
	}
	query += " ORDER BY " + ks.OrderBy() + " LIMIT ?"
	limit, _ := p.LimitOffset()
	rows, err := db.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return paginate.Envelope[item]{}, err
	}
	defer rows.Close()
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.ID, &it.CreatedAt); err != nil {
			return paginate.Envelope[item]{}, err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return paginate.Envelope[item]{}, err
	}
	env, _, err := paginate.NewEnvelope(u, p, items, func(last item) (string, error) {
		return cursors.Encode(ks.After(last.CreatedAt, last.ID))
	}, nil)
	return env, err
}

// TestSQLiteKeysetConcurrentInserts pages through a table with signed
// cursors, as a client following the next links, while another goroutine
// inserts rows before, among and after the rows already seen. Every row
// present at the start must be visited exactly once, and no row twice.
func TestSQLiteKeysetConcurrentInserts(t *testing.T) {
	t.Parallel()
	for _, desc := range []bool{false, true} {
		t.Run(fmt.Sprintf("desc=%v", desc), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openDB(t)
			cursors := newCursors(t, &signing.Options{MaxAge: 3600e9})

			// The writer inserts a batch of rows, signals, and starts
			// the next batch while the reader queries its page: one
			// batch per page, each running concurrently with a query.
			stop := make(chan struct{})
			batches := make(chan struct{})
			writerDone := make(chan struct{})
			var (
				wg       sync.WaitGroup
				inserted int
				werr     error
			)
			wg.Go(func() {
				defer close(writerDone)
				r := rand.New(rand.NewPCG(3, 4))
				next := int64(sqliteRows + 1)
				for {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						werr = err
						return
					}
					for range insertBatch {
						// Keys before, among and after the original
						// ones.
						key := r.Int64N(sqliteKeySpace+400) - 200
						if _, err := tx.ExecContext(ctx, "INSERT INTO items (id, created_at, name) VALUES (?, ?, 'new')", next, key); err != nil {
							tx.Rollback()
							werr = err
							return
						}
						next++
					}
					if err := tx.Commit(); err != nil {
						werr = err
						return
					}
					inserted += insertBatch
					select {
					case <-stop:
						return
					case batches <- struct{}{}:
					}
				}
			})

			seen := make(map[int64]int)
			var (
				pages   int
				last    *item
				newSeen int
			)
			link := "/items?limit=100&sort=created_at"
			for {
				select {
				case <-batches:
				case <-writerDone:
					t.Fatalf("writer stopped: %v", werr)
				}
				u, err := url.Parse(link)
				if err != nil {
					t.Fatal(err)
				}
				env, err := listItems(ctx, db, cursors, u, desc)
				if err != nil {
					close(stop)
					wg.Wait()
					t.Fatalf("page %d (%s): %v", pages+1, link, err)
				}
				pages++
				for _, it := range env.Items {
					seen[it.ID]++
					if it.ID > sqliteRows {
						newSeen++
					}
					if last != nil && !inOrder(*last, it, desc) {
						t.Errorf("page %d: %+v after %+v, out of order", pages, it, *last)
					}
					last = &it
				}
				if !env.HasMore {
					if env.Next != "" {
						t.Errorf("last page: next = %q, want empty", env.Next)
					}
					break
				}
				link = env.Next
			}
			close(stop)
			wg.Wait()
			if werr != nil {
				t.Fatalf("writer: %v", werr)
			}

			for id := int64(1); id <= sqliteRows; id++ {
				if seen[id] != 1 {
					t.Errorf("original row %d visited %d times, want 1", id, seen[id])
				}
			}
			for id, n := range seen {
				if n > 1 {
					t.Errorf("row %d visited %d times", id, n)
				}
			}
			if inserted < pages {
				t.Errorf("%d rows inserted during %d pages; want inserts between every page", inserted, pages)
			}
			t.Logf("desc=%v: %d original rows, %d pages of 100, %d rows inserted concurrently, %d of them visited",
				desc, sqliteRows, pages, inserted, newSeen)
		})
	}
}

func inOrder(a, b item, desc bool) bool {
	if desc {
		a, b = b, a
	}
	return a.CreatedAt < b.CreatedAt || a.CreatedAt == b.CreatedAt && a.ID < b.ID
}

// TestSQLiteOffset pages through the table by page number with LIMIT and
// OFFSET arguments.
func TestSQLiteOffset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t)
	limits := paginate.Limits{MaxPageSize: 500, MaxOffset: sqliteRows}
	seen := make(map[int64]int)
	link := "/items?page_size=500"
	pages := 0
	for link != "" {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		p, err := paginate.Parse(u.Query(), limits, nil)
		if err != nil {
			t.Fatalf("page %d (%s): %v", pages+1, link, err)
		}
		limit, offset := p.LimitOffset()
		rows, err := db.QueryContext(ctx, "SELECT id FROM items ORDER BY created_at, id LIMIT ? OFFSET ?", limit, offset)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		env, _, err := paginate.NewEnvelope(u, p, ids, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range env.Items {
			seen[id]++
		}
		pages++
		link = env.Next
	}
	if len(seen) != sqliteRows || pages != sqliteRows/500 {
		t.Errorf("visited %d rows in %d pages, want %d in %d", len(seen), pages, sqliteRows, sqliteRows/500)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("row %d visited %d times", id, n)
		}
	}
}

// TestSQLiteBadCursor shows that a cursor that is tampered with, expired,
// or made for another order is refused before any query: the handler gets
// no database at all.
func TestSQLiteBadCursor(t *testing.T) {
	t.Parallel()
	now := time.Now()
	key := randomKey(t)
	old, err := paginate.NewCursors(prodready.Base{SecretKey: key}, &signing.Options{Now: func() time.Time { return now.Add(-2 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	cursors, err := paginate.NewCursors(prodready.Base{SecretKey: key}, &signing.Options{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	items := paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}}
	valid := encode(t, cursors, items.After(int64(1), int64(2)))
	tests := []struct {
		name  string
		token string
	}{
		{name: "tampered", token: tamper(valid)},
		{name: "expired", token: encode(t, old, items.After(int64(1), int64(2)))},
		{name: "other order", token: encode(t, cursors, paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}, Desc: true}.After(int64(1), int64(2)))},
		{name: "other columns", token: encode(t, cursors, paginate.Keyset{Name: "items", Columns: []string{"name"}}.After("x"))},
		{name: "other listing, same columns", token: encode(t, cursors, paginate.Keyset{Name: "users", Columns: []string{"created_at", "id"}}.After(int64(1), int64(2)))},
		{name: "not made by After", token: encode(t, cursors, paginate.Cursor{Keys: []any{int64(1), int64(2)}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := &url.URL{Path: "/items", RawQuery: url.Values{"cursor": {tt.token}}.Encode()}
			// A nil *sql.DB panics if it is queried.
			_, err := listItems(context.Background(), nil, cursors, u, false)
			var pe *paginate.ParamError
			if !errors.Is(err, paginate.ErrInvalidCursor) || !errors.As(err, &pe) || pe.Param != "cursor" {
				t.Fatalf("listItems() error = %v, want a *ParamError for cursor", err)
			}
		})
	}
}

// TestSQLiteTimeKeys pages by a time column, through cursors that carry
// time.Time keys, with timestamps that share seconds and differ in
// nanoseconds, in UTC and in named zones. modernc.org/sqlite stores and binds
// a time as its String(), zone abbreviation included, so the decoded key must
// print as the stored one did, or the comparison repeats or skips rows.
func TestSQLiteTimeKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		zone string // for time.LoadLocation; "" for UTC
	}{
		{name: "UTC"},
		{name: "New York, EST", zone: "America/New_York"},
		{name: "London, GMT", zone: "Europe/London"},
		{name: "Kolkata, IST", zone: "Asia/Kolkata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := time.UTC
			if tt.zone != "" {
				var err error
				if loc, err = time.LoadLocation(tt.zone); err != nil {
					t.Fatal(err) // time/tzdata is linked in
				}
			}
			testSQLiteTimeKeys(t, loc)
		})
	}
}

func testSQLiteTimeKeys(t *testing.T, loc *time.Location) {
	ctx := context.Background()
	dsn := "file:" + filepath.Join(t.TempDir(), "times.db")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE events (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 15, 12, 0, 0, 0, loc)
	const n = 50
	for i := range n {
		at := base.Add(time.Duration(i%7) * time.Second).Add(time.Duration(i%3) * 123456789)
		if _, err := db.ExecContext(ctx, "INSERT INTO events (id, at) VALUES (?, ?)", i+1, at); err != nil {
			t.Fatal(err)
		}
	}
	cursors := newCursors(t, nil)
	ks := paginate.Keyset{Name: "events", Columns: []string{"at", "id"}}
	seen := map[int64]int{}
	link := "/events?limit=4"
	for pages := 0; link != ""; pages++ {
		if pages > n {
			t.Fatalf("more than %d pages: the cursor does not advance", n)
		}
		u, _ := url.Parse(link)
		p, err := paginate.Parse(u.Query(), paginate.Limits{Styles: paginate.StyleCursor}, cursors)
		if err != nil {
			t.Fatal(err)
		}
		where, args, err := ks.Where(p.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		q := "SELECT id, at FROM events"
		if where != "" {
			q += " WHERE " + where
		}
		limit, _ := p.LimitOffset()
		rows, err := db.QueryContext(ctx, q+" ORDER BY "+ks.OrderBy()+" LIMIT ?", append(args, limit)...)
		if err != nil {
			t.Fatal(err)
		}
		type event struct {
			id int64
			at time.Time
		}
		var evs []event
		for rows.Next() {
			var e event
			if err := rows.Scan(&e.id, &e.at); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		env, _, err := paginate.NewEnvelope(u, p, evs, func(last event) (string, error) {
			return cursors.Encode(ks.After(last.at, last.id))
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range env.Items {
			seen[e.id]++
		}
		link = env.Next
	}
	if len(seen) != n {
		t.Errorf("visited %d rows, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("row %d visited %d times", id, c)
		}
	}
}
