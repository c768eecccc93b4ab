package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

// Limits and names of the admin's login and sessions.
const (
	maxLoginBody = 4 << 10 // bytes of a POST /login body

	// sessionMaxAge is the lifetime of an admin session.
	sessionMaxAge = 12 * time.Hour
	// adminPurpose is the signing purpose of the key that fingerprints
	// ADMIN_TOKEN in sessions.
	adminPurpose = "itemsapi admin"
)

// loginBody is the body of POST /login.
type loginBody struct {
	Token string `json:"token"`
}

// login answers POST /login: with the admin token, 204 and a session
// cookie. The body is read before the throttle is asked, so that a
// malformed body costs no attempt; a failed attempt keeps the token it
// took from the client's bucket, a successful one gives it back.
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

// authChallenge is the WWW-Authenticate header of a 401 (RFC 9110 requires
// one): the service authenticates with a session cookie, which POST
// /login sets; "Cookie" is not a registered scheme, and clients read the
// JSON error.
const authChallenge = `Cookie realm="itemsapi", form-action="/login"`

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

// me answers GET /me: the session's user, and since when (the time the
// session was saved), or 401.
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

// adminFingerprint is the fingerprint a new session gets.
func (s *server) adminFingerprint() (string, error) {
	fps, err := s.adminFingerprints()
	if err != nil {
		return "", err
	}
	return fps[0], nil
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

// unauthorized answers 401 with the challenge RFC 9110 requires.
func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", authChallenge)
	writeError(w, http.StatusUnauthorized, codeUnauthorized, "no valid session: POST /login first", nil)
}
