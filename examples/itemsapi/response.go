package main

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prodready/prodready/cache"
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

// An apiError is the body of every error response:
// {"error":{"code":"...","message":"...","parameter":"..."}}.
type apiError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Parameter string `json:"parameter,omitempty"`
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

// writeError writes a JSON error. param, if not nil, names the parameter
// at fault (for codeInvalidParameter).
func writeError(w http.ResponseWriter, status int, code, msg string, param *string) {
	e := apiError{Code: code, Message: msg}
	if param != nil {
		e.Parameter = *param
	}
	writeJSON(w, status, map[string]apiError{"error": e})
}

// invalidParam answers 400 invalid_parameter naming param.
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
