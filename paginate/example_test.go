package paginate_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/signing"
)

// exampleKey stands for SECRET_KEY; a real one comes from the configuration.
var exampleKey = prodready.NewSecret("example-only-3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f21")

func ExampleParse() {
	limits := paginate.Limits{PageSize: 20, MaxPageSize: 100} // or paginate.LimitsFrom(cfg)
	for _, query := range []string{
		"",
		"page=3&page_size=10",
		"limit=500&offset=40", // the limit is lowered to MaxPageSize
		"page_size=abc",
		"offset=5000",
		"page=2&offset=10",
	} {
		q, _ := url.ParseQuery(query)
		p, err := paginate.Parse(q, limits, nil)
		var pe *paginate.ParamError
		switch {
		case errors.As(err, &pe):
			// A handler answers 400 Bad Request, with pe.Message().
			fmt.Printf("%-22q 400 %s\n", query, pe.Message())
		case err != nil:
			// The program's mistake, such as inconsistent Limits: 500.
			fmt.Printf("%-22q 500\n", query)
		default:
			fmt.Printf("%-22q %s limit=%d offset=%d\n", query, p.Style, p.Limit, p.Offset)
		}
	}
	// Output:
	// ""                     page limit=20 offset=0
	// "page=3&page_size=10"  page limit=10 offset=20
	// "limit=500&offset=40"  offset limit=100 offset=40
	// "page_size=abc"        400 page_size: want an integer from 1 to 100, got "abc"
	// "offset=5000"          400 offset: want an integer from 0 to 1000, got "5000"
	// "page=2&offset=10"     400 offset: cannot be combined with page
}

func ExampleCursors() {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cursors, err := paginate.NewCursors(prodready.Base{SecretKey: exampleKey}, &signing.Options{
		MaxAge: 24 * time.Hour,
		Now:    func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}

	// The sort keys of the last item of a page: its creation time and id.
	ks := paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}, Desc: true}
	token, err := cursors.Encode(ks.After(time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC), int64(9007199254740993)))
	if err != nil {
		panic(err)
	}

	cur, err := cursors.Decode(token)
	fmt.Println(cur.Keys[0], cur.Keys[1], cur.Desc, err)

	// One character changed: refused before anything reads the keys.
	tampered := []byte(token)
	tampered[10] ^= 1
	_, err = cursors.Decode(string(tampered))
	fmt.Println(errors.Is(err, paginate.ErrInvalidCursor), errors.Is(err, signing.ErrInvalidSignature))

	// Two days later the same cursor has expired.
	now = now.Add(48 * time.Hour)
	_, err = cursors.Decode(token)
	fmt.Println(errors.Is(err, paginate.ErrInvalidCursor), errors.Is(err, signing.ErrExpired))
	var pe *paginate.ParamError
	if errors.As(err, &pe) {
		fmt.Println(pe.Param+":", pe.Reason)
	}
	// Output:
	// 2026-11-25 09:30:00 +0000 UTC 9007199254740993 true <nil>
	// true true
	// true true
	// cursor: expired: start again from the first page
}

func ExampleKeyset_Where() {
	ks := paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}}
	// The cursor of the last row of the previous page, as Parse returns it.
	cur := ks.After("2026-11-25", int64(42))

	where, args, _ := ks.Where(&cur)
	fmt.Printf("SELECT * FROM items WHERE %s ORDER BY %s LIMIT ?  %v\n", where, ks.OrderBy(), args)

	// PostgreSQL, after a first argument of its own.
	pg := ks
	pg.Placeholder, pg.FirstArg = paginate.Dollar, 2
	where, args, _ = pg.Where(&cur)
	fmt.Printf("SELECT * FROM items WHERE owner = $1 AND %s ORDER BY %s LIMIT $%d  %v\n", where, pg.OrderBy(), pg.NextArg(&cur), args)

	// The first page has no cursor, and no condition.
	where, args, _ = pg.Where(nil)
	fmt.Printf("%q %v $%d\n", where, args, pg.NextArg(nil))

	// A cursor of another listing, or one not made by After, is the
	// client's mistake.
	other := paginate.Keyset{Name: "users", Columns: []string{"created_at", "id"}}.After("2026-11-25", int64(42))
	_, _, err := ks.Where(&other)
	var pe *paginate.ParamError
	fmt.Println(errors.As(err, &pe), errors.Is(err, paginate.ErrInvalidCursor))
	// Output:
	// SELECT * FROM items WHERE (created_at, id) > (?, ?) ORDER BY created_at ASC, id ASC LIMIT ?  [2026-11-25 42]
	// SELECT * FROM items WHERE owner = $1 AND (created_at, id) > ($2, $3) ORDER BY created_at ASC, id ASC LIMIT $4  [2026-11-25 42]
	// "" [] $2
	// true true
}

func ExampleNewEnvelope() {
	r := httptest.NewRequest("GET", "/items?tag=go&page=2&page_size=2", nil)
	p, err := paginate.Parse(r.URL.Query(), paginate.Limits{}, nil)
	if err != nil {
		panic(err)
	}
	// The query asked for p.Limit+1 rows (LimitOffset) and got them all:
	// there is a next page.
	rows := []string{"c", "d", "e"}
	env, links, err := paginate.NewEnvelope(r.URL, p, rows, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("Link:", links.Header())
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false) // keep & as is in the next URL
	enc.Encode(env)
	// Output:
	// Link: </items?page=3&page_size=2&tag=go>; rel="next", </items?page=1&page_size=2&tag=go>; rel="prev", </items?page=1&page_size=2&tag=go>; rel="first"
	// {"items":["c","d"],"next":"/items?page=3&page_size=2&tag=go","has_more":true}
}

// ExampleEnvelopeOptions shows links of a handler that sees other paths
// than its clients: mounted with http.StripPrefix, or behind a proxy.
func ExampleEnvelopeOptions() {
	list := func(opts *paginate.EnvelopeOptions) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := paginate.Parse(r.URL.Query(), paginate.Limits{PageSize: 2}, nil)
			if err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			_, links, err := paginate.NewEnvelope(r.URL, p, []int{1, 2, 3}, nil, opts)
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			fmt.Println(r.URL.Path, "->", links.Next)
		})
	}

	// The service is mounted under /api: the handler sees /items.
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", list(&paginate.EnvelopeOptions{Base: &url.URL{Path: "/api"}})))
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/items", nil))

	// Absolute links, from the configured public URL, never from the
	// request's Host.
	public, _ := url.Parse("https://api.example.com/v1")
	list(&paginate.EnvelopeOptions{Base: public}).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://evil.example/items", nil))

	// Without a Base, the links are the request's path and query.
	list(nil).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://evil.example/items", nil))
	// Output:
	// /items -> /api/items?page=2&page_size=2
	// /items -> https://api.example.com/v1/items?page=2&page_size=2
	// /items -> /items?page=2&page_size=2
}

// Example shows a list endpoint with keyset pagination over SQLite, and a
// client that follows the next links to the end. The handler is written to
// run on PostgreSQL too: there, the Keyset's Placeholder is paginate.Dollar.
func Example() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:example?mode=memory&cache=shared")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, name TEXT NOT NULL);
		CREATE INDEX items_created_at_id ON items (created_at, id);
		INSERT INTO items VALUES (1, 10, 'a'), (2, 30, 'b'), (3, 20, 'c'), (4, 10, 'd'), (5, 30, 'e');`)
	if err != nil {
		panic(err)
	}

	// Set up once, at startup.
	cursors, err := paginate.NewCursors(prodready.Base{SecretKey: exampleKey}, &signing.Options{MaxAge: 24 * time.Hour})
	if err != nil {
		panic(err)
	}
	limits := paginate.Limits{PageSize: 2, Styles: paginate.StyleCursor}
	ks := paginate.Keyset{
		Name:        "items",
		Columns:     []string{"created_at", "id"}, // fixed by the program; id makes the order total
		Placeholder: paginate.Question,            // paginate.Dollar for PostgreSQL
	}

	type item struct {
		ID        int64  `json:"id"`
		CreatedAt int64  `json:"created_at"`
		Name      string `json:"name"`
	}
	// fail answers a client's mistake with 400 and a message safe to
	// show, and any other error with 500 and no details.
	fail := func(w http.ResponseWriter, err error) {
		var pe *paginate.ParamError
		switch {
		case errors.As(err, &pe):
			http.Error(w, pe.Message(), http.StatusBadRequest)
		default:
			// Log err here: it is the program's or the database's.
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}
	list := func(w http.ResponseWriter, r *http.Request) {
		p, err := paginate.Parse(r.URL.Query(), limits, cursors)
		if err != nil {
			fail(w, err)
			return
		}
		where, args, err := ks.Where(p.Cursor)
		if err != nil {
			fail(w, err)
			return
		}
		query := "SELECT id, created_at, name FROM items"
		if where != "" {
			query += " WHERE " + where
		}
		limitArg := "?"
		if ks.Placeholder == paginate.Dollar {
			limitArg = fmt.Sprintf("$%d", ks.NextArg(p.Cursor))
		}
		query += " ORDER BY " + ks.OrderBy() + " LIMIT " + limitArg
		limit, _ := p.LimitOffset() // p.Limit+1: the extra row tells whether there is more
		rows, err := db.QueryContext(r.Context(), query, append(args, limit)...)
		if err != nil {
			fail(w, err)
			return
		}
		defer rows.Close()
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.ID, &it.CreatedAt, &it.Name); err != nil {
				fail(w, err)
				return
			}
			items = append(items, it)
		}
		if err := rows.Err(); err != nil {
			fail(w, err)
			return
		}
		env, links, err := paginate.NewEnvelope(r.URL, p, items, func(last item) (string, error) {
			return cursors.Encode(ks.After(last.CreatedAt, last.ID)) // in the order of ks.Columns
		}, nil)
		if err != nil {
			fail(w, err)
			return
		}
		if h := links.Header(); h != "" {
			w.Header().Set("Link", h)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(env)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", list)

	// The client.
	next := "/items"
	for next != "" {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", next, nil))
		var env paginate.Envelope[item]
		if err := json.NewDecoder(w.Body).Decode(&env); err != nil {
			panic(err)
		}
		fmt.Println(env.Items, env.HasMore)
		next = env.Next
	}

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/items?cursor=forged", nil))
	fmt.Print(w.Code, " ", w.Body)
	// Output:
	// [{1 10 a} {4 10 d}] true
	// [{3 20 c} {2 30 b}] true
	// [{5 30 e}] false
	// 400 cursor: invalid: tampered with, truncated, or signed with an unknown key, got "forged"
}

// A service passes its own configuration struct, which embeds
// prodready.Base, to LimitsFrom and NewCursors alike.
func ExampleLimitsFrom() {
	type Config struct {
		prodready.Base
		Extra string `env:"EXTRA"`
	}
	var cfg Config
	err := prodready.Load(context.Background(), &cfg, &prodready.Options{
		Profile:  prodready.Testing,
		Env:      prodready.MapEnv{"PAGE_SIZE": "20", "MAX_PAGE_SIZE": "200", "SECRET_KEY": exampleKey.Reveal()},
		NoDotEnv: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	limits := paginate.LimitsFrom(cfg)
	cursors, err := paginate.NewCursors(cfg, &signing.Options{MaxAge: 24 * time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := paginate.ParseParams(paginate.Params{Limit: "500"}, limits, cursors)
	fmt.Println(limits.PageSize, limits.MaxPageSize, p.Limit, err)
	// Output:
	// 20 200 200 <nil>
}
