// Package paginate turns a list request's query parameters into a bounded
// page, and a page of rows into a response with links to the next one. It
// exists so that no handler hand-rolls limit and offset parsing or cursor
// encoding: an unbounded limit, an offset that scans a whole table, and a
// cursor a client can forge are the classic bugs of both.
//
//	limits := paginate.LimitsFrom(cfg) // PAGE_SIZE, MAX_PAGE_SIZE
//	p, err := paginate.Parse(r.URL.Query(), limits, nil)
//	var pe *paginate.ParamError
//	switch {
//	case errors.As(err, &pe):
//		http.Error(w, pe.Message(), http.StatusBadRequest)
//		return
//	case err != nil:
//		http.Error(w, "internal error", http.StatusInternalServerError)
//		return
//	}
//	limit, offset := p.LimitOffset() // p.Limit+1 rows, to learn whether there is more
//	rows, err := db.QueryContext(ctx, "SELECT ... ORDER BY id LIMIT ? OFFSET ?", limit, offset)
//	... // scan, then check rows.Err(); there may be p.Limit+1 items
//	env, links, err := paginate.NewEnvelope(r.URL, p, items, nil, nil)
//	if h := links.Header(); h != "" {
//		w.Header().Set("Link", h)
//	}
//	json.NewEncoder(w).Encode(env)
//
// The package's Example is a complete handler with cursors over SQLite,
// written to run on PostgreSQL too.
//
// A list held in memory needs no LIMIT: [Slice] cuts the page out of it,
// and never panics, whatever the offset:
//
//	page, hasMore := paginate.Slice(items, p)
//
// A caller without an HTTP request (a command-line tool, a gRPC or queue
// handler) gives the values it has to [ParseParams], which answers as Parse
// does:
//
//	p, err := paginate.ParseParams(paginate.Params{Limit: "20", Offset: "40"}, limits, nil)
//
// # Styles
//
// [Parse] reads three styles of request, each a [Style]:
//
//	?page=3&page_size=20     StylePage: page counts from 1
//	?limit=20&offset=40      StyleOffset: offset counts from 0
//	?cursor=TOKEN&limit=20   StyleCursor: keyset pagination after a signed cursor
//
// [Limits.Styles] says which ones an endpoint accepts; page and offset by
// default, which both become [Page.Limit] and [Page.Offset]. Cursors are
// opt-in. Any parameter may be left out: the first page and the default
// size apply. A request that names only a limit is in cursor style if the
// endpoint accepts it, else in offset style; one that names nothing is in
// the first of cursor, page and offset style that the endpoint accepts.
//
// These are errors, each naming a parameter:
//
//	?page_size=abc         not a decimal number (signs, spaces, "1e3", "0x10" too)
//	?limit=0               a size below 1
//	?limit=1000            above MaxPageSize, only with Limits.Strict (else lowered to it)
//	?offset=-1             negative
//	?offset=5000           beyond MaxOffset (page too: (page-1)*page_size)
//	?limit=99999999999     above 2^31-1, whatever Strict says
//	?limit=1&limit=2       a parameter given twice
//	?page=2&offset=10      two styles mixed; also cursor with page or offset
//	?cursor=...            a style the endpoint does not accept
//
// An empty value (?limit=) counts as absent, as an empty variable does for
// the configuration loader, even next to another value: ?limit=&limit=5 is
// ?limit=5. Other parameters, such as filters, are ignored.
//
// # Limits
//
// [Limits] holds the default page size (PAGE_SIZE), the largest one a client
// may ask for (MAX_PAGE_SIZE) and the largest offset, DefaultMaxOffset (1000)
// unless set: a database answers OFFSET n by reading and discarding n rows,
// so deep offsets are a cheap way to make it work hard. [LimitsFrom] takes
// the first two from a loaded [prodready.Base]. Past the largest offset, the
// page and offset styles end: the response still says has_more, but has no
// next link, since Parse would refuse it. Listings that must go deeper use
// cursors, whose cost does not grow with depth.
//
// # Cursors
//
// A [Cursor] holds the sort keys of the last item of a page and the sort
// direction. [Cursors] turns it into an opaque, URL-safe token signed with
// package signing under the purpose "cursor" (a key derived from SECRET_KEY
// for cursors alone), and back:
//
//	cursors, err := paginate.NewCursors(cfg, &signing.Options{MaxAge: 24 * time.Hour})
//
// Cursors are signed, not encrypted: a client can decode a token and read
// the sort keys of the last item it was shown. Sort only by columns the
// client may see. The signature means it cannot change them.
//
// A cursor longer than [MaxCursorLen] is refused before its signature is
// checked, and its content is decoded only after. A tampered, truncated,
// foreign or expired cursor is therefore an error naming "cursor", never a
// query. Keys keep their type: int64 and string round-trip exactly, time.Time
// to the nanosecond with its offset and zone abbreviation; [Cursor] lists the
// types accepted, and the way driver.Valuer, [16]byte and
// encoding.TextMarshaler keys are reduced.
//
// # SQL
//
// Queries take a page through arguments, never through the SQL text.
// [Page.LimitOffset] gives LIMIT and OFFSET arguments; a [Keyset] gives the
// condition of a keyset page and its ORDER BY:
//
//	ks := paginate.Keyset{Name: "items", Columns: []string{"created_at", "id"}}
//	where, args, err := ks.Where(p.Cursor) // "(created_at, id) > (?, ?)"
//
// and [Keyset.After] the cursor of the last row, for the next page:
//
//	cursors.Encode(ks.After(last.CreatedAt, last.ID))
//
// The placeholders are "?" or PostgreSQL's "$1" ([Placeholder]), numbered
// from [Keyset.FirstArg]; [Keyset.NextArg] gives the number of the argument
// after them, for LIMIT. The last column must be unique (the primary key) so
// that rows with equal keys are neither skipped nor repeated, even while rows
// are inserted between two pages. Always fetch one row more than the page
// (LimitOffset does) so that the response knows whether another page exists.
// A cursor made for another listing or order (another [Keyset.Name], other
// columns, the other direction), or not made by After at all, is refused by
// Where, also as an error naming "cursor".
//
// Column names are checked to be plain identifiers, which keeps SQL out of
// them, but not reserved words or columns a client should not sort by: they
// must come from the program. Never copy a ?sort= parameter into Columns;
// map each allowed value to a Keyset, and refuse the others.
//
// The database compares a key as the driver binds it. Integers and strings
// are safe, and so are times in UTC. A time.Time in another zone compares
// right only against a column the same driver wrote in the same zone:
// modernc.org/sqlite, for one, stores a time as its text, offset and zone
// abbreviation included, and then orders by that text, so two zones (or
// summer and winter time) do not sort by instant. Store timestamps in UTC,
// or as integers.
//
// # Envelope and Link header
//
// [NewEnvelope] cuts the extra row off and returns the [Envelope] that is the
// JSON body, {"items": [...], "next": URL, "has_more": bool}, and the [Links]
// of an RFC 8288 Link header: next, prev (page and offset styles) and first.
// Next is "" (not null) when there is no next page.
//
// The links are relative references, the request's path and query, with the
// pagination parameters replaced, the others kept and the query re-encoded.
// Nothing of the request's scheme or host is used, since a client chooses
// those. A handler mounted under a prefix (http.StripPrefix) or behind a
// proxy sets [EnvelopeOptions.Base] to the path, or the absolute URL, that
// clients use.
//
// # Errors
//
// A client's mistake is a [*ParamError] naming the parameter, wrapping
// [ErrInvalidParam] or [ErrInvalidCursor] (and, for a cursor that fails
// verification, signing.ErrInvalidSignature or signing.ErrExpired). Answer
// it with 400 Bad Request and [ParamError.Message], which quotes at most 32
// bytes of the value and is safe to show; Error adds the "paginate: " prefix,
// for logs. Any other error is the program's (inconsistent Limits, a bad
// column name, an unsupported key type): a 500.
//
//	var pe *paginate.ParamError
//	switch {
//	case errors.As(err, &pe):
//		http.Error(w, pe.Message(), http.StatusBadRequest)
//	case err != nil:
//		http.Error(w, "internal error", http.StatusInternalServerError)
//	}
//
// # Concurrency
//
// Everything in the package is safe for concurrent use: Parse, NewEnvelope
// and the methods of Page, Keyset and Links depend only on their arguments,
// and a Cursors is immutable.
package paginate
