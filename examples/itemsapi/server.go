package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"path"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

// Limits of requests.
const (
	maxItemBody  = 64 << 10 // bytes of a POST /items or PUT /items/{id} body
	maxLoginBody = 4 << 10  // bytes of a POST /login body
	maxNameLen   = 200      // bytes of an item's name
	maxPrice     = 1_000_000_000_000
	readyTimeout = time.Second // bound of GET /readyz's checks

	// cacheTimeout is the cache's Options.Timeout: the bound of each call
	// to a cache server, and so of the write of a loaded value.
	cacheTimeout = 100 * time.Millisecond
	// deleteTimeout bounds each attempt to delete a cached item after a
	// write; a failed attempt is tried once more.
	deleteTimeout = time.Second
	// invalidateMargin is added to the delay of the second delete after a
	// write, for the scheduling of the goroutines on both sides.
	invalidateMargin = 100 * time.Millisecond

	// sessionMaxAge is the lifetime of an admin session.
	sessionMaxAge = 12 * time.Hour
	// adminPurpose is the signing purpose of the key that fingerprints
	// ADMIN_TOKEN in sessions.
	adminPurpose = "itemsapi admin"
)

// Stable error codes of JSON error responses.
const (
	codeBadRequest       = "bad_request"
	codeInvalidParameter = "invalid_parameter"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeUnauthorized     = "unauthorized"
	codeUnsupportedMedia = "unsupported_media_type"
	codePayloadTooLarge  = "payload_too_large"
	codeInternal         = "internal"
	codeUnavailable      = "unavailable"
	codeTimeout          = "timeout"
)

// itemsKeyset is the order of GET /items: by id, which is unique.
var itemsKeyset = paginate.Keyset{Name: "items", Columns: []string{"id"}}

// A server holds what the handlers share. Its configuration is immutable
// once serving; its zero-valued fields below the line are ready to use.
type server struct {
	cfg        Config
	report     *prodready.Report // the load's report, for GET /debug/config
	hardened   bool              // the profile is production or derived from it
	adminToken prodready.Secret  // ADMIN_TOKEN, or devAdminToken outside production
	store      store
	items      *cache.Cache[Item] // nil while a cache server that was down at start-up is not connected (see lateItems)
	sessions   *session.Manager
	cursors    *paginate.Cursors
	logger     *slog.Logger

	lateItems atomic.Pointer[cache.Cache[Item]] // the cache, once connected after start-up
	draining  atomic.Bool                       // shutting down: GET /readyz answers 503
	pending   sync.WaitGroup                    // delayed cache deletes (see invalidate)
	inflight  sync.WaitGroup                    // handlers running
	logins    loginThrottle                     // failed POST /login per client address (throttle.go)
	fpOnce    sync.Once
	fps       []string // see adminFingerprints
	fpErr     error
	cfgFP     configFingerprint // see configfingerprint.go

	delayedMu sync.Mutex
	delayed   map[int64]*delayedDelete // see scheduleDelete

	// Items written while the cache was not connected, deleted from it
	// when it connects (see invalidate and connectCache).
	unsyncedMu       sync.Mutex
	unsynced         map[int64]struct{}
	unsyncedOverflow bool
}

// maxUnsynced bounds the items remembered while the cache is not
// connected; past it, the connect logs that entries may be stale.
const maxUnsynced = 10000

// cache returns the cache of items, or nil while it is not connected.
func (s *server) cache() *cache.Cache[Item] {
	if s.items != nil {
		return s.items
	}
	return s.lateItems.Load()
}

// errCacheDown is the error of a cache call made while the cache server,
// down at start-up, is not connected yet.
var errCacheDown = errors.New("cache server not connected since start-up")

// handler returns the service's HTTP handler: the routes inside the
// middleware, outermost first: access log, panic recovery, request
// deadline, sessions.
//
//	GET  /items?limit=N&cursor=C   a page of items, by id
//	GET  /items/{id}               one item, through the cache
//	POST /items                    create (admin session), 201 + Location
//	PUT  /items/{id}               replace (admin session)
//	POST /login                    {"token": ADMIN_TOKEN} -> 204 + session cookie
//	POST /logout                   clear the session cookie (Content-Type application/json)
//	GET  /me                       the session's user
//	GET  /healthz                  the process serves
//	GET  /readyz                   the database and the cache answer
//	GET  /debug/config             the configuration as "itemsapi config print --format json" shows it (admin session)
//	GET  /debug/cache              cache counts and hit ratio (admin session in production)
//	GET  /debug/db                 database counts (admin session in production)
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", s.listItems)
	mux.HandleFunc("GET /items/{id}", s.getItem)
	mux.HandleFunc("POST /items", s.admin(s.createItem))
	mux.HandleFunc("PUT /items/{id}", s.admin(s.updateItem))
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /me", s.me)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /debug/config", s.admin(s.debugConfig))
	mux.HandleFunc("GET /debug/cache", s.debug(s.debugCache))
	mux.HandleFunc("GET /debug/db", s.debug(s.debugDB))
	return s.accessLog(s.recoverPanics(s.deadline(s.sessions.Middleware(jsonMux(mux)))))
}

// jsonMux serves mux, but answers what mux itself would answer in plain
// text, 404 and 405, with JSON errors.
func jsonMux(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" && !unclean(r.URL.Path) {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusNotFound:
			writeError(w, http.StatusNotFound, codeNotFound, "no such path: "+quote(r.URL.Path), nil)
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed,
				"method "+quote(r.Method)+" not allowed here; allowed: "+rec.header.Get("Allow"), nil)
		default:
			// A redirect to the clean path ("/items/../items/3" to
			// "/items/3"), kept, with a JSON body in place of mux's HTML.
			loc := rec.header.Get("Location")
			if rec.status < 300 || rec.status > 399 || loc == "" {
				h.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Location", loc)
			writeJSON(w, rec.status, map[string]string{"location": loc})
		}
	})
}

// unclean reports whether mux redirects path to its clean form, as it does
// for "/items/../items/3" and "//items".
func unclean(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c != p
}

// A headerRecorder keeps the status and header that a handler of mux
// writes, and drops its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

// An apiError is the body of every error response:
// {"error":{"code":"...","message":"...","parameter":"..."}}.
type apiError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Parameter string `json:"parameter,omitempty"`
}

// writeError writes a JSON error. param, if not nil, names the parameter
// at fault (for codeInvalidParameter).
func writeError(w http.ResponseWriter, status int, code, msg string, param *string) {
	e := apiError{Code: code, Message: msg}
	if param != nil {
		e.Parameter = *param
	}
	writeJSON(w, status, map[string]apiError{"error": e})
}

func invalidParam(w http.ResponseWriter, param, msg string) {
	writeError(w, http.StatusBadRequest, codeInvalidParameter, msg, &param)
}

// writeJSON writes v as the JSON body of a response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // links hold '&'; the Content-Type is not HTML
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// quote quotes a client's string for a message, cut to 32 bytes.
func quote(s string) string {
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return strconv.Quote(s)
}

// serverError answers err, which a store or cache call returned: a
// timeout (the request's deadline, or the loader's) is 503 timeout,
// anything else 500 internal, logged.
//
// A loader's panic, which the cache recovers and returns as a
// *cache.PanicError, is logged as recoverPanics logs a handler's: its
// value (which may hold anything) only when DEBUG is on.
func (s *server) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	var pe *cache.PanicError
	if errors.As(err, &pe) {
		attrs := []any{"method", r.Method, "path", r.URL.Path, "type", fmt.Sprintf("%T", pe.Value), "stack", string(pe.Stack)}
		if s.cfg.Debug {
			attrs = append(attrs, "value", fmt.Sprint(pe.Value))
		}
		s.logger.ErrorContext(r.Context(), "handler panicked", attrs...)
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error", nil)
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		s.logger.WarnContext(r.Context(), what+": timeout", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusServiceUnavailable, codeTimeout, what+": no answer within REQUEST_TIMEOUT", nil)
		return
	}
	if dbUnreachable(err) {
		s.logger.WarnContext(r.Context(), what+": database unreachable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, what+": the database is unreachable, try again", nil)
		return
	}
	s.logger.ErrorContext(r.Context(), what, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, codeInternal, "internal error", nil)
}

// dbUnreachable reports whether err says that the database could not be
// reached or its connection was lost, rather than that a query went wrong:
// a 503 the client may retry, not a 500.
func dbUnreachable(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ce) || errors.As(err, &ne)
}

func (s *server) listItems(w http.ResponseWriter, r *http.Request) {
	limits := paginate.LimitsFrom(s.cfg.Base)
	limits.Styles = paginate.StyleCursor
	limits.Strict = true // ?limit above MAX_PAGE_SIZE is a 400, as its message says
	p, err := paginate.Parse(r.URL.Query(), limits, s.cursors)
	var after int64
	if err == nil {
		var args []any
		_, args, err = itemsKeyset.Where(p.Cursor)
		if err == nil && len(args) == 1 {
			var ok bool
			if after, ok = args[0].(int64); !ok {
				err = &paginate.ParamError{Param: paginate.ParamCursor, Reason: "not a cursor of this listing", Err: paginate.ErrInvalidCursor}
			}
		}
	}
	var pe *paginate.ParamError
	switch {
	case errors.As(err, &pe):
		invalidParam(w, pe.Param, pe.Message())
		return
	case err != nil:
		s.serverError(w, r, "list items", err)
		return
	}
	limit, _ := p.LimitOffset()
	rows, err := s.store.list(r.Context(), after, limit)
	if err != nil {
		s.serverError(w, r, "list items", err)
		return
	}
	var token string
	env, links, err := paginate.NewEnvelope(r.URL, p, rows, func(last Item) (string, error) {
		var err error
		token, err = s.cursors.Encode(itemsKeyset.After(last.ID))
		return token, err
	}, nil)
	if err != nil {
		s.serverError(w, r, "list items", err)
		return
	}
	// "next" is the cursor token of the next page, "" on the last one; the
	// Link header has the URL.
	env.Next = ""
	if env.HasMore {
		env.Next = token
	}
	if h := links.Header(); h != "" {
		w.Header().Set("Link", h)
	}
	writeJSON(w, http.StatusOK, env)
}

// itemID returns the {id} of the request's path, or answers 400.
func itemID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 || raw[0] < '0' || raw[0] > '9' {
		invalidParam(w, "id", "id: want a positive integer, got "+quote(raw))
		return 0, false
	}
	return id, true
}

// itemKey is the cache key of item id. Its version changes with the
// encoding of Item, so that instances of two versions side by side during
// a deploy do not read each other's entries.
func itemKey(id int64) string { return "item:v1:" + strconv.FormatInt(id, 10) }

func (s *server) getItem(w http.ResponseWriter, r *http.Request) {
	id, ok := itemID(w, r)
	if !ok {
		return
	}
	load := func(ctx context.Context) (Item, error) {
		it, err := s.store.get(ctx, id)
		if errors.Is(err, errNotFound) {
			return it, fmt.Errorf("%w: %w", cache.ErrNotFound, err)
		}
		return it, err
	}
	var it Item
	var err error
	if c := s.cache(); s.cfg.CacheItems && c != nil {
		it, err = c.GetOrLoad(r.Context(), itemKey(id), load)
	} else {
		it, err = load(r.Context())
	}
	switch {
	case errors.Is(err, cache.ErrNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("item %d not found", id), nil)
	case err != nil:
		s.serverError(w, r, "get item", err)
	default:
		writeJSON(w, http.StatusOK, it)
	}
}

func (s *server) createItem(w http.ResponseWriter, r *http.Request) {
	in, ok := readItem(w, r)
	if !ok {
		return
	}
	it, err := s.store.create(r.Context(), in)
	if err != nil {
		s.serverError(w, r, "create item", err)
		return
	}
	// A GET of the id before it existed may have cached "not found".
	s.invalidate(r.Context(), it.ID)
	w.Header().Set("Location", "/items/"+strconv.FormatInt(it.ID, 10))
	writeJSON(w, http.StatusCreated, it)
}

func (s *server) updateItem(w http.ResponseWriter, r *http.Request) {
	id, ok := itemID(w, r)
	if !ok {
		return
	}
	in, ok := readItem(w, r)
	if !ok {
		return
	}
	it, err := s.store.update(r.Context(), id, in)
	switch {
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("item %d not found", id), nil)
		return
	case err != nil:
		s.serverError(w, r, "update item", err)
		return
	}
	s.invalidate(r.Context(), id)
	writeJSON(w, http.StatusOK, it)
}

// invalidate deletes the cached item id after a write, twice: at once,
// and again after invalidateDelay, in a goroutine that shutdown waits for.
//
// The second delete is for other processes sharing the cache server. The
// cache keeps one process's loads from storing a value older than its own
// Set or Delete, but across processes the last write to the server wins:
// instance B's GetOrLoad that read the old row just before A's write
// committed stores it after A's first delete, and without the second one
// B's value would be served for CACHE_TTL (a "not found" for NegativeTTL,
// for a POST). Each load is bounded by LoadTimeout (REQUEST_TIMEOUT; a
// load that runs out of time stores nothing) and the write of its value
// by Timeout (cacheTimeout), so a load that began before the commit has
// stored its value, or never will, by the second delete.
//
// The window that remains: a stale value is served from the first delete
// until the second (REQUEST_TIMEOUT + 200ms at most); and a process that
// stalls longer than invalidateMargin between its loader's return and its
// cache write (a stop-the-world pause, SIGSTOP, a swapped-out host), or a
// server that applies a write later than the client's Timeout, can still
// store the old value after the second delete, for CACHE_TTL. Bound that
// with CACHE_TTL, or serve reads that must be fresh from the database.
//
// Both deletes run with a context of their own (the request's values,
// not its cancellation or deadline, so that a write that finishes near
// REQUEST_TIMEOUT still invalidates), deleteTimeout per attempt and one
// retry. A cache that fails both leaves the old value until CACHE_TTL:
// logged, not an error of the write, which has happened.
func (s *server) invalidate(ctx context.Context, id int64) {
	s.unsyncedMu.Lock()
	c := s.cache()
	if c == nil {
		// Remembered, and deleted when the cache connects, since the
		// server may hold an entry written before it went down.
		if len(s.unsynced) < maxUnsynced {
			if s.unsynced == nil {
				s.unsynced = make(map[int64]struct{})
			}
			s.unsynced[id] = struct{}{}
		} else {
			s.unsyncedOverflow = true
		}
		s.unsyncedMu.Unlock()
		s.logger.WarnContext(ctx, "cache not connected: other instances may serve the old item until CACHE_TTL; this one deletes it when the cache connects", "id", id)
		return
	}
	s.unsyncedMu.Unlock()
	ctx = context.WithoutCancel(ctx)
	key := itemKey(id)
	s.deleteItem(ctx, c, key, id)
	s.scheduleDelete(ctx, c, key, id)
}

// A delayedDelete is the second delete of an item, waiting on its timer.
type delayedDelete struct{ t *time.Timer }

// scheduleDelete deletes key again after invalidateDelay. One timer per
// item, no goroutine while it waits: a write to an item that already has
// one pushes it back, so a burst of writes holds one timer per item, not
// one per write. Shutdown waits for them through s.pending.
func (s *server) scheduleDelete(ctx context.Context, c *cache.Cache[Item], key string, id int64) {
	s.delayedMu.Lock()
	defer s.delayedMu.Unlock()
	if d, ok := s.delayed[id]; ok && d.t.Stop() {
		// Stopped before it fired: it is still counted in s.pending.
		d.t.Reset(s.invalidateDelay())
		return
	}
	// None, or one that fired and is about to delete: a new one, since
	// the write may be newer than that delete.
	if s.delayed == nil {
		s.delayed = make(map[int64]*delayedDelete)
	}
	d := &delayedDelete{}
	s.pending.Add(1)
	// The timer's function takes delayedMu, held here until d.t is set.
	d.t = time.AfterFunc(s.invalidateDelay(), func() {
		defer s.pending.Done()
		s.delayedMu.Lock()
		if s.delayed[id] == d {
			delete(s.delayed, id)
		}
		s.delayedMu.Unlock()
		s.deleteItem(ctx, c, key, id)
	})
	s.delayed[id] = d
}

// pendingBound is the longest a delayed delete scheduled by the last
// write can take: the delay, then two attempts of deleteTimeout, and a
// margin. Shutdown waits for that much at most, so the whole shutdown
// takes at most SHUTDOWN_DRAIN + SHUTDOWN_TIMEOUT (+ REQUEST_TIMEOUT + 1s
// when handlers outlive it) + REQUEST_TIMEOUT + 3.2s: keep the
// platform's grace period (Kubernetes: 30s) above it.
func (s *server) pendingBound() time.Duration {
	return s.invalidateDelay() + 2*deleteTimeout + time.Second
}

// invalidateDelay is the time between the two deletes of invalidate: the
// longest a load that started before the write can take to store its
// value, and a margin.
func (s *server) invalidateDelay() time.Duration {
	return s.cfg.RequestTimeout + cacheTimeout + invalidateMargin
}

// deleteItem deletes key from c, trying twice, and logs a failure.
func (s *server) deleteItem(ctx context.Context, c *cache.Cache[Item], key string, id int64) {
	var err error
	for range 2 {
		dctx, cancel := context.WithTimeout(ctx, deleteTimeout)
		err = c.Delete(dctx, key)
		cancel()
		if err == nil {
			return
		}
	}
	s.logger.WarnContext(ctx, "cache delete failed twice: the item may be served stale until CACHE_TTL", "id", id, "err", err)
}

// itemBody is ItemInput as it is decoded, so that a missing field is told
// from a zero one.
type itemBody struct {
	Name       *string `json:"name"`
	PriceCents *int64  `json:"price_cents"`
}

// readItem decodes and validates the body of a write, or answers 4xx.
func readItem(w http.ResponseWriter, r *http.Request) (ItemInput, bool) {
	var b itemBody
	if !readJSON(w, r, maxItemBody, &b) {
		return ItemInput{}, false
	}
	switch {
	case b.Name == nil:
		invalidParam(w, "name", "name: required")
		return ItemInput{}, false
	case b.PriceCents == nil:
		invalidParam(w, "price_cents", "price_cents: required")
		return ItemInput{}, false
	}
	in := ItemInput{Name: *b.Name, PriceCents: *b.PriceCents}
	if param, msg := validateItem(in); param != "" {
		invalidParam(w, param, msg)
		return ItemInput{}, false
	}
	return in, true
}

// validateItem returns the field of in that is invalid and why, or "".
func validateItem(in ItemInput) (param, msg string) {
	switch {
	case in.Name == "" || len(in.Name) > maxNameLen:
		return "name", fmt.Sprintf("name: want 1 to %d bytes, got %d", maxNameLen, len(in.Name))
	case !utf8.ValidString(in.Name):
		return "name", "name: not valid UTF-8"
	case in.PriceCents < 0 || in.PriceCents > maxPrice:
		return "price_cents", fmt.Sprintf("price_cents: want 0 to %d, got %d", int64(maxPrice), in.PriceCents)
	}
	if msg := nameProblem(in.Name); msg != "" {
		return "name", msg
	}
	return "", ""
}

// readJSON decodes the request's body, one JSON object of at most limit
// bytes with no unknown field, into dst, a pointer to a struct, or answers
// 4xx. The body must be valid UTF-8 (encoding/json would silently replace
// bad bytes with U+FFFD), with no lone surrogate escape (\ud800, which it
// replaces likewise), the Content-Type application/json with no
// charset but utf-8, and the object's names must be dst's JSON names
// exactly: once each, in their case (encoding/json matches "NAME" to
// "name" and keeps the last of duplicates), with no invisible format
// character. Messages name the field at fault, never a value: the body of
// POST /login is a secret.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) bool {
	if !jsonContentType(w, r) {
		return false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, codePayloadTooLarge, fmt.Sprintf("body: larger than %d bytes", limit), nil)
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: could not be read", nil)
		return false
	case !utf8.Valid(raw):
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: not valid UTF-8", nil)
		return false
	}
	if msg := escapeProblem(raw); msg != "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: "+msg, nil)
		return false
	}
	if msg := checkNames(raw, jsonNames(dst)); msg != "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: "+msg, nil)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		// One value, then nothing but white space.
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return true
	}
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &te) && te.Field != "":
		invalidParam(w, te.Field, te.Field+": want a JSON "+te.Type.Kind().String()+", got "+te.Value)
	case errors.As(err, &se):
		writeError(w, http.StatusBadRequest, codeBadRequest, fmt.Sprintf("body: invalid JSON at byte %d", se.Offset), nil)
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: empty, want a JSON object", nil)
	default:
		// Unknown fields ("json: unknown field \"x\""), trailing data,
		// truncated JSON.
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: "+bodyReason(err), nil)
	}
	return false
}

// jsonContentType answers 415 unless the request's Content-Type is
// application/json, with no charset parameter or utf-8 (RFC 8259: JSON
// between systems is UTF-8).
func jsonContentType(w http.ResponseWriter, r *http.Request) bool {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Content-Type: want application/json", nil)
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMedia,
			"Content-Type: charset "+quote(cs)+": want utf-8 or none", nil)
		return false
	}
	return true
}

// jsonNames returns the JSON names of the fields of the struct that dst
// points to.
func jsonNames(dst any) []string {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	return names
}

// checkNames returns why the names of the JSON object raw are refused, or
// "": a name given twice, a name that is not one of names, in another case
// or not at all, or a name holding a Unicode format
// character (category Cf: U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO
// WIDTH SPACE...), which would make "name" and "na\u200bme" look alike
// in a log.
func checkNames(raw []byte, names []string) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "" // not an object: the decoder says what is wrong
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "" // invalid JSON: the decoder says where
		}
		name, _ := tok.(string)
		if strings.ContainsFunc(name, func(c rune) bool { return unicode.Is(unicode.Cf, c) }) {
			return "field name " + strconv.QuoteToASCII(name) + " holds an invisible format character"
		}
		if seen[name] {
			return "field " + quote(name) + " given twice"
		}
		seen[name] = true
		if !slices.Contains(names, name) {
			for _, n := range names {
				if strings.EqualFold(n, name) {
					return "field " + quote(name) + ": want " + quote(n) + " (names are case-sensitive)"
				}
			}
			return "unknown field " + quote(name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return ""
		}
	}
	return ""
}

// bodyReason is a short reason for a decoding error, the unknown field's
// name at most.
func bodyReason(err error) string {
	msg := err.Error()
	const unknown = "json: unknown field "
	switch {
	case len(msg) > len(unknown) && msg[:len(unknown)] == unknown:
		name, qerr := strconv.Unquote(msg[len(unknown):])
		if qerr != nil {
			return "unknown field"
		}
		return "unknown field " + quote(name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	case msg == "trailing data":
		return "more than one JSON value"
	}
	return "not a JSON object of the expected form"
}

// loginBody is the body of POST /login.
type loginBody struct {
	Token string `json:"token"`
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	var b loginBody
	if !readJSON(w, r, maxLoginBody, &b) {
		return
	}
	attempt, wait := s.logins.begin(r.RemoteAddr)
	if attempt == nil {
		tooManyLogins(w, wait)
		return
	}
	// Compare digests, so that neither the content nor the length of the
	// token shows in the time taken.
	got := sha256.Sum256([]byte(b.Token))
	want := sha256.Sum256([]byte(s.adminToken.Reveal()))
	if b.Token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.logger.InfoContext(r.Context(), "login refused", "remote", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", authChallenge)
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "invalid token", nil)
		return // the attempt keeps its token
	}
	attempt.refund()
	fp, err := s.adminFingerprint()
	if err != nil {
		s.serverError(w, r, "login", err)
		return
	}
	if err := s.sessions.Save(w, session.Values{"user": "admin", "fp": fp}); err != nil {
		s.serverError(w, r, "login", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// logout clears the session cookie in the browser. Sessions are
// stateless (signed cookies, no server-side store): a copy of the cookie
// taken before stays valid until it expires (sessionMaxAge), unless
// ADMIN_TOKEN or SECRET_KEY changes, which revokes every session.
//
// Like every other write, it needs Content-Type application/json (the
// body empty or {}): an HTML form of another site cannot send that type,
// and a script of another site needs a CORS preflight, which this service
// never grants, so no other site can log a user out.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if !jsonContentType(w, r) {
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLoginBody))
	if err != nil || len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("{}")) {
		writeError(w, http.StatusBadRequest, codeBadRequest, "body: want none or {}", nil)
		return
	}
	if err := s.sessions.Clear(w); err != nil {
		s.serverError(w, r, "logout", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminFingerprints returns the fingerprints of the admin token that a
// session may hold: the first 16 hex digits of HMAC-SHA256 of the token,
// keyed by the key that SECRET_KEY derives for adminPurpose, then the same
// under each of SECRET_KEY_FALLBACKS. A session made before ADMIN_TOKEN
// changed holds none of them, so rotating ADMIN_TOKEN revokes every
// session; a session made under a key now in the fallbacks stays valid
// until that key leaves them, as the library's rotation promises. The
// cookie shows nothing of the token. The first one is the current one.
func (s *server) adminFingerprints() ([]string, error) {
	s.fpOnce.Do(func() {
		for _, k := range append([]prodready.Secret{s.cfg.SecretKey}, s.cfg.SecretKeyFallbacks...) {
			key, err := signing.DeriveKey(k, adminPurpose)
			if err != nil {
				s.fpErr = fmt.Errorf("admin session fingerprint: %w", err)
				return
			}
			m := hmac.New(sha256.New, key)
			m.Write([]byte(s.adminToken.Reveal()))
			s.fps = append(s.fps, hex.EncodeToString(m.Sum(nil))[:16])
		}
	})
	return s.fps, s.fpErr
}

// adminFingerprint is the fingerprint a new session gets.
func (s *server) adminFingerprint() (string, error) {
	fps, err := s.adminFingerprints()
	if err != nil {
		return "", err
	}
	return fps[0], nil
}

// user returns the session's user, or "" when there is no session or its
// admin token fingerprint is not one of adminFingerprints.
func (s *server) user(r *http.Request) string {
	v, ok := session.FromContext(r.Context())
	if !ok {
		return ""
	}
	fps, err := s.adminFingerprints()
	if err != nil {
		return ""
	}
	match := 0
	for _, fp := range fps {
		match |= subtle.ConstantTimeCompare([]byte(v["fp"]), []byte(fp))
	}
	if match != 1 {
		return ""
	}
	return v["user"]
}

func (s *server) me(w http.ResponseWriter, r *http.Request) {
	u := s.user(r)
	if u == "" {
		unauthorized(w)
		return
	}
	body := map[string]any{"user": u}
	if at, ok := session.SavedAt(r.Context()); ok {
		body["since"] = at.UTC().Format(time.RFC3339)
	}
	writeJSON(w, http.StatusOK, body)
}

// authChallenge is the WWW-Authenticate header of a 401 (RFC 9110 requires
// one): the service authenticates with a session cookie, which POST
// /login sets; "Cookie" is not a registered scheme, and clients read the
// JSON error.
const authChallenge = `Cookie realm="itemsapi", form-action="/login"`

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", authChallenge)
	writeError(w, http.StatusUnauthorized, codeUnauthorized, "no valid session: POST /login first", nil)
}

// admin lets through requests with the admin's session only.
func (s *server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.user(r) != "admin" {
			unauthorized(w)
			return
		}
		h(w, r)
	}
}

// debug lets through requests with the admin's session only under a
// hardened profile, and all of them otherwise.
func (s *server) debug(h http.HandlerFunc) http.HandlerFunc {
	if s.hardened {
		return s.admin(h)
	}
	return h
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		// Shutting down: the load balancer is to stop sending requests
		// during SHUTDOWN_DRAIN, before the listener closes.
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining"})
		return
	}
	// The two checks run side by side, each within readyTimeout, so that
	// a database that hangs does not use up the cache's time (and make it
	// look down too).
	// A panic of the database check is passed on to this goroutine, for
	// recoverPanics.
	db, c := "ok", "ok"
	var dbPanic any
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { dbPanic = recover() }()
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.store.ping(ctx); err != nil {
			db = s.checkFailed(r, "database", err)
		}
	})
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	// A round trip to the cache server that changes no count.
	if items := s.cache(); items == nil {
		c = s.checkFailed(r, "cache", errCacheDown)
	} else if err := items.Delete(ctx, "readyz"); err != nil {
		c = s.checkFailed(r, "cache", err)
	}
	wg.Wait()
	if dbPanic != nil {
		panic(dbPanic)
	}
	if db != "ok" || c != "ok" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"status": "unavailable",
			"checks": map[string]string{"database": db, "cache": c},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "checks": map[string]string{"database": db, "cache": c}})
}

// checkFailed logs a readiness check's error and returns what the answer
// says of it: never the error's text, which a client should not see.
func (s *server) checkFailed(r *http.Request, what string, err error) string {
	s.logger.WarnContext(r.Context(), "readiness check failed", "check", what, "err", err)
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "unreachable"
}

// configVar is a variable as "itemsapi config print --format json" shows it.
type configVar struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Type   string `json:"type"`
	Secret bool   `json:"secret"`
	Set    bool   `json:"set"`
	Length string `json:"length,omitempty"`
	Origin string `json:"origin"`
	Source string `json:"source"`
}

func (s *server) debugConfig(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Profile string      `json:"profile"`
		Vars    []configVar `json:"vars"`
		FP      fpJSON      `json:"fingerprint"` // see configfingerprint.go
	}{Profile: s.report.Profile, Vars: []configVar{}, FP: s.debugConfigFingerprint()}
	for _, v := range s.report.Vars {
		out.Vars = append(out.Vars, configVar{
			Name: v.Name, Value: v.Value, Type: v.Type, Secret: v.Secret, Set: v.Set, Length: v.Length,
			Origin: v.Origin.String(), Source: v.Origin.Source.String(),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) debugCache(w http.ResponseWriter, r *http.Request) {
	c := s.cache()
	var st cache.Stats
	backend := string(s.cfg.CacheBackend)
	if c != nil {
		st, backend = c.Stats(), string(c.Backend())
	}
	writeJSON(w, http.StatusOK, struct {
		Backend   string `json:"backend"`
		Enabled   bool   `json:"enabled"`   // CACHE_ITEMS
		Connected bool   `json:"connected"` // false while a server down at start-up is not connected
		cache.Stats
		HitRatio float64 `json:"hit_ratio"`
	}{backend, s.cfg.CacheItems, c != nil, st, st.HitRatio()})
}

func (s *server) debugDB(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.store.stats())
}

// deadline bounds each request's context by REQUEST_TIMEOUT.
func (s *server) deadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// recoverPanics answers a handler's panic with 500 internal, when nothing
// has been written yet, and logs it with its stack, without the request's
// body, header or the panic's value (which may hold anything), unless
// DEBUG is on.
func (s *server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			attrs := []any{"method", r.Method, "path", r.URL.Path, "type", fmt.Sprintf("%T", v), "stack", string(debug.Stack())}
			if s.cfg.Debug {
				attrs = append(attrs, "value", fmt.Sprint(v))
			}
			s.logger.ErrorContext(r.Context(), "handler panicked", attrs...)
			if sw, ok := w.(*statusWriter); !ok || sw.status == 0 {
				writeError(w, http.StatusInternalServerError, codeInternal, "internal error", nil)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// A statusWriter notes the status and size of a response, for the access
// log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap is for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs one line per request: method, path (not the query,
// which may hold a cursor), status, bytes, duration, the client's address
// and the request id; GET /healthz and /readyz answered 200 at Debug,
// the rest at Info. The request id is the client's X-Request-ID when it is
// 1 to 64 letters, digits and "-_.:", or a new random one, and is echoed
// in the response. A handler that aborts with http.ErrAbortHandler (the
// client gets no complete answer) is logged as aborted, then the panic
// goes on to net/http. It also counts the handlers running, for shutdown.
func (s *server) accessLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Done()
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			status := sw.status
			if status == 0 && v == nil {
				status = http.StatusOK
			}
			level, msg := slog.LevelInfo, "request"
			if v == nil && status == http.StatusOK && r.Method == http.MethodGet && (r.URL.Path == "/healthz" || r.URL.Path == "/readyz") {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("remote", r.RemoteAddr),
				slog.String("request_id", id),
			}
			if v != nil {
				level, msg = slog.LevelWarn, "request aborted"
				attrs = append(attrs, slog.Bool("aborted", true))
			}
			s.logger.LogAttrs(r.Context(), level, msg, attrs...)
			if v != nil {
				panic(v)
			}
		}()
		h.ServeHTTP(sw, r)
	})
}

// validRequestID reports whether a client's X-Request-ID may be logged and
// echoed as is.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
