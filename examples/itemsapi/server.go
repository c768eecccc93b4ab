package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/paginate"
	"github.com/prodready/prodready/session"
)

// Bounds of the cache's calls after a write (see invalidate).
const (
	// cacheTimeout is the cache's Options.Timeout: the bound of each call
	// to a cache server, and so of the write of a loaded value.
	cacheTimeout = 100 * time.Millisecond
	// deleteTimeout bounds each attempt to delete a cached item after a
	// write; a failed attempt is tried once more.
	deleteTimeout = time.Second
	// invalidateMargin is added to the delay of the second delete after a
	// write, for the scheduling of the goroutines on both sides.
	invalidateMargin = 100 * time.Millisecond
)

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
