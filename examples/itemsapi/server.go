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
	metrics    *serviceMetrics // GET /metrics and the HTTP instruments; nil: none (see metrics.go)

	lateItems atomic.Pointer[cache.Cache[Item]] // the cache, once connected after start-up
	draining  atomic.Bool                       // shutting down: GET /readyz answers 503
	pending   sync.WaitGroup                    // delayed cache deletes (see invalidate)
	inflight  sync.WaitGroup                    // handlers running
	logins    loginThrottle                     // failed POST /login per client address (throttle.go)
	fpOnce    sync.Once
	fps       []string // see adminFingerprints
	fpErr     error
	cfgFP     configFingerprint // see configfingerprint.go
	fleet     *fleet            // see fleet.go; handler makes one if nil

	delayedMu sync.Mutex
	delayed   map[int64]*delayedDelete // see scheduleDelete

	// Items written while the cache was not connected, deleted from it
	// when it connects (see invalidate and connectCache).
	unsyncedMu       sync.Mutex
	unsynced         map[int64]struct{}
	unsyncedOverflow bool
}

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
//	GET  /debug/fleet              the live replicas' configuration fingerprints, grouped, and the variables that differ (admin session)
//	GET  /debug/cache              cache counts, hit ratio, size estimates (admin session in production)
//	GET  /debug/db                 database counts (admin session in production)
//	GET  /metrics                  Prometheus exposition (Authorization: Bearer METRICS_TOKEN when set; off in production without it)
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
	if s.fleet == nil {
		s.fleet = newFleet(s.cfg, s.logger, "") // a server that serve did not build: publishes nothing
	}
	mux.HandleFunc("GET /debug/fleet", s.admin(s.debugFleet))
	mux.HandleFunc("GET /debug/cache", s.debug(s.debugCache))
	mux.HandleFunc("GET /debug/db", s.debug(s.debugDB))
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	return s.accessLog(s.httpMetrics(mux, s.recoverPanics(s.deadline(s.sessions.Middleware(jsonMux(mux))))))
}

// accessLog logs one line per request: method, path (not the query,
// which may hold a cursor), status, bytes, duration, the client's address
// and the request id; GET /healthz, /readyz and /metrics answered 200 at Debug,
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
			if v == nil && status == http.StatusOK && r.Method == http.MethodGet && (r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics") {
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

// A statusWriter notes the status and size of a response, for the access
// log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader notes the first status only, as net/http sends only that one.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes written; a Write before WriteHeader is a 200.
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

// deadline bounds each request's context by REQUEST_TIMEOUT.
func (s *server) deadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
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

// Header returns the header mux's handler sets (Allow, Location).
func (h *headerRecorder) Header() http.Header { return h.header }

// Write drops b: mux's plain-text body is replaced by a JSON one.
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}

// WriteHeader notes the first status only, as net/http sends only that one.
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
