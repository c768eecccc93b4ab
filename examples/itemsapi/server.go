package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/session"
)

// Limits of requests.
const (
	maxItemBody  = 64 << 10 // bytes of a POST /items or PUT /items/{id} body
	maxLoginBody = 4 << 10  // bytes of a POST /login body
	maxNameLen   = 200      // bytes of an item's name
	maxPrice     = 1_000_000_000_000
	readyTimeout = time.Second // bound of GET /readyz's checks
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

// A server holds what the handlers share. It is immutable once serving.
type server struct {
	cfg        Config
	report     *prodready.Report // the load's report, for GET /debug/config
	hardened   bool              // the profile is production or derived from it
	adminToken prodready.Secret  // ADMIN_TOKEN, or devAdminToken outside production
	store      store
	items      *cache.Cache[Item]
	sessions   *session.Manager
	cursors    *paginate.Cursors
	logger     *slog.Logger
}

// handler returns the service's HTTP handler: the routes inside the
// middleware, outermost first: access log, panic recovery, request
// deadline, sessions.
//
//	GET  /items?limit=N&cursor=C   a page of items, by id
//	GET  /items/{id}               one item, through the cache
//	POST /items                    create (admin session), 201 + Location
//	PUT  /items/{id}               replace (admin session)
//	POST /login                    {"token": ADMIN_TOKEN} -> 204 + session cookie
//	POST /logout                   clear the session cookie
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
		if pattern != "" {
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
		default: // a redirect to the clean path: as mux writes it
			h.ServeHTTP(w, r)
		}
	})
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
func (s *server) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		s.logger.WarnContext(r.Context(), what+": timeout", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusServiceUnavailable, codeTimeout, what+": no answer within REQUEST_TIMEOUT", nil)
		return
	}
	s.logger.ErrorContext(r.Context(), what, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, codeInternal, "internal error", nil)
}

func (s *server) listItems(w http.ResponseWriter, r *http.Request) {
	limits := paginate.LimitsFrom(s.cfg.Base)
	limits.Styles = paginate.StyleCursor
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
	env, links, err := paginate.NewEnvelope(r.URL, p, rows, func(last Item) (string, error) {
		return s.cursors.Encode(itemsKeyset.After(last.ID))
	}, nil)
	if err != nil {
		s.serverError(w, r, "list items", err)
		return
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

func itemKey(id int64) string { return "item:" + strconv.FormatInt(id, 10) }

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
	if s.cfg.CacheItems {
		it, err = s.items.GetOrLoad(r.Context(), itemKey(id), load)
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
	s.invalidate(r, it.ID)
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
	s.invalidate(r, id)
	writeJSON(w, http.StatusOK, it)
}

// invalidate deletes the cached item id after a write. A cache that fails
// leaves the old value until its TTL ends: logged, not an error of the
// write, which has happened.
func (s *server) invalidate(r *http.Request, id int64) {
	if err := s.items.Delete(r.Context(), itemKey(id)); err != nil {
		s.logger.WarnContext(r.Context(), "cache delete failed: the item may be served stale until CACHE_TTL", "id", id, "err", err)
	}
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
	for _, c := range in.Name {
		if unicode.IsControl(c) {
			return "name", "name: holds a control character"
		}
	}
	return "", ""
}

// readJSON decodes the request's body, one JSON object of at most limit
// bytes with no unknown field, into dst, or answers 4xx. Messages name the
// field at fault, never a value: the body of POST /login is a secret.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Content-Type: want application/json", nil)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		// One value, then nothing but white space.
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("trailing data")
			var mbe *http.MaxBytesError
			if errors.As(err2, &mbe) {
				err = err2
			}
		}
	}
	if err == nil {
		return true
	}
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, codePayloadTooLarge, fmt.Sprintf("body: larger than %d bytes", limit), nil)
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
	// Compare digests, so that neither the content nor the length of the
	// token shows in the time taken.
	got := sha256.Sum256([]byte(b.Token))
	want := sha256.Sum256([]byte(s.adminToken.Reveal()))
	if b.Token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.logger.InfoContext(r.Context(), "login refused", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "invalid token", nil)
		return
	}
	if err := s.sessions.Save(w, session.Values{"user": "admin"}); err != nil {
		s.serverError(w, r, "login", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Clear(w); err != nil {
		s.serverError(w, r, "logout", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// user returns the session's user, or "".
func user(r *http.Request) string {
	v, ok := session.FromContext(r.Context())
	if !ok {
		return ""
	}
	return v["user"]
}

func (s *server) me(w http.ResponseWriter, r *http.Request) {
	u := user(r)
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

func unauthorized(w http.ResponseWriter) {
	writeError(w, http.StatusUnauthorized, codeUnauthorized, "no valid session: POST /login first", nil)
}

// admin lets through requests with the admin's session only.
func (s *server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if user(r) != "admin" {
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
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	db, c := "ok", "ok"
	if err := s.store.ping(ctx); err != nil {
		db = s.checkFailed(r, "database", err)
	}
	// A round trip to the cache server that changes no count.
	if err := s.items.Delete(ctx, "readyz"); err != nil {
		c = s.checkFailed(r, "cache", err)
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
	}{Profile: s.report.Profile, Vars: []configVar{}}
	for _, v := range s.report.Vars {
		out.Vars = append(out.Vars, configVar{
			Name: v.Name, Value: v.Value, Type: v.Type, Secret: v.Secret, Set: v.Set, Length: v.Length,
			Origin: v.Origin.String(), Source: v.Origin.Source.String(),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) debugCache(w http.ResponseWriter, r *http.Request) {
	st := s.items.Stats()
	writeJSON(w, http.StatusOK, struct {
		Backend string `json:"backend"`
		Enabled bool   `json:"enabled"` // CACHE_ITEMS
		cache.Stats
		HitRatio float64 `json:"hit_ratio"`
	}{string(s.items.Backend()), s.cfg.CacheItems, st, st.HitRatio()})
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

// accessLog logs one line per request: method, path (not the query, which
// may hold a cursor), status, bytes and duration.
func (s *server) accessLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
			)
		}()
		h.ServeHTTP(sw, r)
	})
}
