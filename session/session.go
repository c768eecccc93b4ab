package session

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// Defaults and limits.
const (
	// Purpose is the signing purpose of session cookies when
	// Options.Purpose is "".
	Purpose = "session"
	// DefaultCookieName is the cookie's name when Options.CookieName is ""
	// and the cookie cannot have the name HostCookieName.
	DefaultCookieName = "session"
	// HostCookieName is the cookie's name when Options.CookieName is "" and
	// the cookie is Secure, with no Domain and the Path "/" (as New
	// makes it in production). Browsers accept a "__Host-" cookie only
	// from the host itself, over HTTPS, for the whole site: no subdomain
	// can set one in its place (RFC 6265bis §4.1.3.2).
	HostCookieName = "__Host-" + DefaultCookieName
	// DefaultMaxAge is a session's lifetime when Options.MaxAge is 0: two
	// weeks, Django's SESSION_COOKIE_AGE.
	DefaultMaxAge = 14 * 24 * time.Hour
	// MaxCookieSize is the largest Set-Cookie value Save writes, in bytes:
	// the size every browser is required to store (RFC 6265 §6.1).
	MaxCookieSize = 4096
)

var (
	// ErrTooLarge means a session does not fit in a cookie of
	// MaxCookieSize bytes.
	ErrTooLarge = errors.New("session too large for a cookie")
	// ErrHeaderWritten means Save or Clear was called, through
	// Middleware, after the response header was written: too late to set
	// a cookie.
	ErrHeaderWritten = errors.New("response header already written")
	// ErrAmbiguous means a request carries several valid session cookies
	// with different sessions, as when another subdomain sets one of the
	// same name (cookie tossing); the request has no session.
	ErrAmbiguous = errors.New("several different session cookies")
)

// Values is the content of a session: a few short strings, such as a user
// ID. It travels in the cookie, signed but readable by the client: never put
// a secret in it. Keys and values must be valid UTF-8.
type Values map[string]string

// Options configure a Manager. A nil *Options is the zero Options.
type Options struct {
	// CookieName is the cookie's name. If CookieName is "", it is
	// HostCookieName for a Secure cookie with no Domain and the Path "/",
	// and DefaultCookieName otherwise. A name with the prefix "__Host-"
	// requires Secure, no Domain and the Path "/"; one with "__Secure-"
	// requires Secure (the prefixes are matched in any case, as browsers
	// do).
	CookieName string
	// MaxAge is how long a session lasts after it is saved: the cookie's
	// Max-Age, and the largest age of a cookie the Manager accepts. If
	// MaxAge is 0, DefaultMaxAge is used. A MaxAge under a second, which
	// Max-Age cannot express, is an error.
	MaxAge time.Duration
	// Path is the cookie's Path. If Path is "", "/" is used. A Path must
	// begin with '/' and hold printable ASCII other than ';'.
	Path string
	// Domain is the cookie's Domain. If Domain is "", the cookie is sent
	// back to the host that set it only.
	Domain string
	// Secure marks the cookie Secure, so that browsers send it over HTTPS
	// only. New sets it whatever its value under a hardened profile
	// (Production and those derived from it).
	Secure bool
	// Purpose is the signing purpose NewWithSigner requires of its Signer,
	// and with which New makes one. If Purpose is "", the constant Purpose is
	// used. Two Managers of one service with different purposes cannot
	// read each other's cookies.
	Purpose string
	// Profiles are the service's own profiles, among which New looks up
	// the profile APP_ENV names, beside the built-in ones.
	Profiles []prodready.Profile
	// Logger receives a debug record for each cookie the middleware
	// rejects. If Logger is nil, nothing is logged.
	Logger *slog.Logger
	// Now is the clock. If Now is nil, time.Now is used.
	Now func() time.Time
}

// A Manager reads and writes sessions kept in a signed cookie. Make one
// with New or NewWithSigner.
//
// A Manager is immutable and safe for concurrent use.
type Manager struct {
	signer *signing.Signer
	name   string
	path   string
	domain string
	secure bool
	maxAge time.Duration
	logger *slog.Logger
	now    func() time.Time
}

// NewWithSigner returns a Manager that signs cookies with s, for a key that
// does not come from the configuration ([New] is the usual constructor).
// s must be made for
// Options.Purpose (the constant Purpose by default) with the service's
// fallback keys. The Manager enforces Options.MaxAge itself; a MaxAge of s
// also applies.
//
// It reports an error for a nil s, a Signer of another purpose, a Signer
// made with signing.Options.NoTimestamp (sessions need a signing time), an
// invalid cookie name, path or domain, a cookie prefix whose rules the
// options break, and a MaxAge that is negative or under a second.
func NewWithSigner(s *signing.Signer, opts *Options) (*Manager, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if s == nil {
		return nil, errors.New("session: nil Signer")
	}
	if o.Purpose == "" {
		o.Purpose = Purpose
	}
	if s.Purpose() != o.Purpose {
		return nil, fmt.Errorf("session: Signer of purpose %q, want %q (see Options.Purpose)", s.Purpose(), o.Purpose)
	}
	m := &Manager{
		signer: s,
		name:   o.CookieName,
		path:   o.Path,
		domain: o.Domain,
		secure: o.Secure,
		maxAge: o.MaxAge,
		logger: o.Logger,
		now:    o.Now,
	}
	if m.path == "" {
		m.path = "/"
	}
	if err := checkPath(m.path); err != nil {
		return nil, err
	}
	if m.name == "" {
		m.name = DefaultCookieName
		if m.secure && m.domain == "" && m.path == "/" {
			m.name = HostCookieName
		}
	}
	switch lower := strings.ToLower(m.name); {
	case strings.HasPrefix(lower, "__host-") && (!m.secure || m.domain != "" || m.path != "/"):
		return nil, fmt.Errorf("session: cookie %q: the __Host- prefix requires Secure, no Domain and the Path \"/\"", m.name)
	case strings.HasPrefix(lower, "__secure-") && !m.secure:
		return nil, fmt.Errorf("session: cookie %q: the __Secure- prefix requires Secure", m.name)
	}
	switch {
	case m.maxAge < 0:
		return nil, errors.New("session: negative MaxAge")
	case m.maxAge == 0:
		m.maxAge = DefaultMaxAge
	case m.maxAge < time.Second:
		return nil, fmt.Errorf("session: MaxAge %s under a second; a cookie's Max-Age counts whole seconds", m.maxAge)
	}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	if err := (&http.Cookie{Name: m.name, Value: "x", Path: m.path, Domain: m.domain}).Valid(); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if t, err := s.VerifyToken(s.Sign(nil)); err != nil || t.SignedAt.IsZero() {
		return nil, errors.New("session: the Signer must put timestamps in its tokens")
	}
	return m, nil
}

// checkPath reports a cookie path that net/http would alter (it drops ';'
// and control bytes with a log line) or that browsers would replace (one
// not beginning with '/').
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("session: cookie path %q does not begin with '/'", p)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c > 0x7e || c == ';' {
			return fmt.Errorf("session: cookie path %q: only printable ASCII other than ';' is allowed", p)
		}
	}
	return nil
}

// New returns a Manager for a loaded configuration: any struct that embeds
// prodready.Base, or a Base (see [prodready.Settings]). Cookies are signed
// for Options.Purpose (the constant Purpose by default) with SECRET_KEY,
// verified with it and then with each of SECRET_KEY_FALLBACKS, and marked
// Secure whenever the profile APP_ENV names is hardened (Production or
// derived from it), whatever Options.Secure says. An APP_ENV that names no
// profile is an error that wraps prodready.ErrUnknownProfile; the other
// errors are signing.FromConfig's and NewWithSigner's.
func New(cfg prodready.Settings, opts *Options) (*Manager, error) {
	if cfg == nil {
		return nil, errors.New("session: nil configuration")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	b := cfg.BaseConfig()
	p, err := prodready.LookupProfile(b.AppEnv, o.Profiles)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if p.Hardened() {
		o.Secure = true
	}
	if o.Purpose == "" {
		o.Purpose = Purpose
	}
	s, err := signing.FromConfig(b, o.Purpose, &signing.Options{Now: o.Now})
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return NewWithSigner(s, &o)
}

// Secure reports whether the Manager's cookies are marked Secure.
func (m *Manager) Secure() bool { return m.secure }

// CookieName returns the name of the Manager's cookie.
func (m *Manager) CookieName() string { return m.name }

// Load returns the session carried by r's cookie. The error wraps
// http.ErrNoCookie when there is none, signing.ErrExpired when it is older
// than MaxAge, and signing.ErrInvalidSignature when it is tampered with,
// malformed, or signed for another purpose or with an unknown key.
//
// When r carries several cookies of that name, the invalid ones are
// ignored; if the valid ones hold different sessions, the error wraps
// ErrAmbiguous and there is no session. A browser sends several cookies of
// one name when they differ in Domain or Path, as when a sibling subdomain
// sets one for the parent domain: taking either could log the user in as
// someone else. A HostCookieName cookie cannot be set that way.
//
// The second result reports that the cookie was signed with a fallback key
// and should be saved again with the current one (Middleware does).
func (m *Manager) Load(r *http.Request) (v Values, stale bool, err error) {
	l, err := m.load(r)
	if err != nil {
		return nil, false, err
	}
	return l.values, l.token.KeyIndex > 0, nil
}

// A loaded session is a verified cookie's Values and token.
type loaded struct {
	values Values
	token  signing.Token
}

func (m *Manager) load(r *http.Request) (loaded, error) {
	cookies := r.CookiesNamed(m.name)
	if len(cookies) == 0 {
		return loaded{}, fmt.Errorf("session: %w", http.ErrNoCookie)
	}
	var (
		found   *loaded
		lastErr error
	)
	for _, c := range cookies {
		l, err := m.decode(c.Value)
		switch {
		case err != nil:
			lastErr = err
		case found == nil:
			found = &l
		case !maps.Equal(found.values, l.values):
			return loaded{}, fmt.Errorf("session: %d cookies named %q: %w", len(cookies), m.name, ErrAmbiguous)
		}
	}
	if found == nil {
		return loaded{}, lastErr
	}
	return *found, nil
}

func (m *Manager) decode(value string) (loaded, error) {
	t, err := m.signer.VerifyToken(value)
	if err != nil {
		return loaded{}, fmt.Errorf("session: %w", err)
	}
	now := m.now()
	switch {
	case t.SignedAt.IsZero(), t.SignedAt.Sub(now) > signing.MaxClockSkew:
		return loaded{}, fmt.Errorf("session: cookie has no timestamp or one in the future: %w", signing.ErrInvalidSignature)
	case now.Sub(t.SignedAt) > m.maxAge:
		return loaded{}, fmt.Errorf("session: cookie older than %s: %w", m.maxAge, signing.ErrExpired)
	}
	var v Values
	if err := json.Unmarshal(t.Payload, &v); err != nil || len(v) == 0 {
		// Signed for this purpose, but not by this package (another
		// component shares the purpose), or an empty session, which
		// Save never writes.
		return loaded{}, fmt.Errorf("session: cookie payload is not a session: %w", signing.ErrInvalidSignature)
	}
	return loaded{values: v, token: t}, nil
}

// Middleware returns next wrapped so that the session of each request, if
// its cookie is valid, is in the request's context (see FromContext and
// SavedAt). A missing, tampered, expired, foreign or ambiguous cookie (see
// Load) means no session: the request goes on without one, and the reason
// is logged at debug level. A cookie signed with a fallback key is signed
// again with the current key, with its original signing time, before next
// runs: the session still expires MaxAge after it was saved.
//
// next gets a ResponseWriter that notes when the header is written, so
// that Save and Clear report ErrHeaderWritten when they come too late, and
// that makes every response carrying a session cookie uncacheable by shared
// caches (see the package documentation). It implements http.Flusher,
// http.Hijacker and io.ReaderFrom, and Unwrap for http.ResponseController.
//
// Middleware has the type of the usual middleware,
// func(http.Handler) http.Handler.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &responseWriter{ResponseWriter: w}
		l, err := m.load(r)
		switch {
		case errors.Is(err, http.ErrNoCookie):
		case err != nil:
			m.logger.DebugContext(r.Context(), "session cookie rejected", "cookie", m.name, "err", err)
		default:
			if l.token.KeyIndex > 0 {
				if err := m.resign(rw, l.token); err != nil {
					m.logger.DebugContext(r.Context(), "session cookie not re-signed", "cookie", m.name, "err", err)
				}
			}
			r = r.WithContext(newContext(r.Context(), l.values, l.token.SignedAt))
		}
		next.ServeHTTP(rw, r)
		if !rw.wroteHeader {
			// net/http writes the header after next returns.
			rw.headerDone()
		}
	})
}

// resign sets the cookie again, signed with the current key at its
// original time, with a Max-Age of what remains of its life.
func (m *Manager) resign(w http.ResponseWriter, t signing.Token) error {
	left := m.maxAge - m.now().Sub(t.SignedAt)
	secs := min(max(int(left/time.Second), 1), int(m.maxAge/time.Second))
	line := m.cookie(m.signer.SignAt(t.Payload, t.SignedAt), secs).String()
	if len(line) > MaxCookieSize {
		return fmt.Errorf("session: cookie of %d bytes, limit %d: %w", len(line), MaxCookieSize, ErrTooLarge)
	}
	return m.emit(w, line)
}

// Save sets the session cookie on w to v, signed with the current key now,
// in place of any session cookie already set on w: the session lasts MaxAge
// from now. A nil or empty v clears the session (see Clear). The cookie is
// HttpOnly and SameSite=Lax, and Secure if the Manager says so; the
// response gets "Vary: Cookie" and, unless its Cache-Control says private
// or no-store, "Cache-Control: no-store".
//
// Call Save before the response header is written. Under Middleware, a
// later call sets nothing and returns an error wrapping ErrHeaderWritten;
// elsewhere (a ResponseWriter that neither is nor unwraps to Middleware's)
// Save cannot tell, and the cookie is silently lost. The error also wraps
// ErrTooLarge when the cookie would be larger than MaxCookieSize, and
// reports keys or values that are not valid UTF-8; nothing is set then.
func (m *Manager) Save(w http.ResponseWriter, v Values) error {
	if len(v) == 0 {
		return m.Clear(w)
	}
	for k, s := range v {
		if !utf8.ValidString(k) || !utf8.ValidString(s) {
			return fmt.Errorf("session: key %q or its value is not valid UTF-8", k)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	line := m.cookie(m.signer.Sign(b), int(m.maxAge/time.Second)).String()
	if len(line) > MaxCookieSize {
		return fmt.Errorf("session: cookie of %d bytes, limit %d: %w", len(line), MaxCookieSize, ErrTooLarge)
	}
	return m.emit(w, line)
}

// Clear tells the client to delete the session cookie, in place of any
// session cookie already set on w, with the cache headers of Save. Like
// Save, it must come before the header is written, and under Middleware it
// returns an error wrapping ErrHeaderWritten when it comes too late.
//
// Clear does not change the request's context: FromContext still returns
// the session the request arrived with.
func (m *Manager) Clear(w http.ResponseWriter) error {
	return m.emit(w, m.cookie("", -1).String())
}

func (m *Manager) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     m.name,
		Value:    value,
		Path:     m.path,
		Domain:   m.domain,
		MaxAge:   maxAge,
		Secure:   m.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// emit adds the Set-Cookie line to w, removing earlier lines for the
// cookie, and makes the response uncacheable by shared caches.
func (m *Manager) emit(w http.ResponseWriter, line string) error {
	rw := unwrap(w)
	if rw != nil {
		if rw.wroteHeader {
			return fmt.Errorf("session: set cookie %q: %w", m.name, ErrHeaderWritten)
		}
		rw.cookieSet = true
	}
	h := w.Header()
	prefix := m.name + "="
	lines := h["Set-Cookie"][:0:0]
	for _, l := range h["Set-Cookie"] {
		if !strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	h["Set-Cookie"] = append(lines, line)
	protectCache(h)
	return nil
}

// protectCache makes a response that sets a cookie vary by Cookie and
// uncacheable by shared caches: a cache that served one user's Set-Cookie
// to others would hand them that user's session. A Cache-Control that
// says private or no-store is kept; any other is replaced by no-store.
func protectCache(h http.Header) {
	if !hasToken(h, "Vary", "Cookie") && !hasToken(h, "Vary", "*") {
		h.Add("Vary", "Cookie")
	}
	if !hasToken(h, "Cache-Control", "private") && !hasToken(h, "Cache-Control", "no-store") {
		h.Set("Cache-Control", "no-store")
	}
}

// hasToken reports whether a comma-separated header field has the bare
// token tok (private="Set-Cookie", qualified, does not count as private).
func hasToken(h http.Header, key, tok string) bool {
	for _, v := range h.Values(key) {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), tok) {
				return true
			}
		}
	}
	return false
}

// A responseWriter is the ResponseWriter that Middleware hands on: it notes
// when the header is written, and then applies protectCache if a session
// cookie was set, in case the handler set a public Cache-Control after
// Save.
type responseWriter struct {
	http.ResponseWriter
	wroteHeader bool // the final header is written, or being written
	cookieSet   bool // Save, Clear or Middleware set the cookie
}

var (
	_ http.Flusher  = (*responseWriter)(nil)
	_ http.Hijacker = (*responseWriter)(nil)
	_ io.ReaderFrom = (*responseWriter)(nil)
)

// headerDone records that the final header is being written.
func (w *responseWriter) headerDone() {
	w.wroteHeader = true
	if w.cookieSet {
		protectCache(w.Header())
	}
}

func (w *responseWriter) WriteHeader(code int) {
	// 1xx responses other than 101 are informational: the final header
	// comes later.
	if !w.wroteHeader && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		w.headerDone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.headerDone()
	}
	return w.ResponseWriter.Write(b)
}

func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.headerDone()
	}
	return io.Copy(w.ResponseWriter, r)
}

// FlushError flushes the response, for http.ResponseController; an
// underlying ResponseWriter that cannot flush is an error.
func (w *responseWriter) FlushError() error {
	if !w.wroteHeader {
		w.headerDone()
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *responseWriter) Flush() { _ = w.FlushError() }

func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.wroteHeader = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the ResponseWriter that w wraps, for
// http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// unwrap returns Middleware's responseWriter that w is or wraps, found
// through Unwrap methods, or nil.
func unwrap(w http.ResponseWriter) *responseWriter {
	for range 64 {
		switch t := w.(type) {
		case *responseWriter:
			return t
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

type contextKey struct{}

type contextValue struct {
	v       Values
	savedAt time.Time
}

// NewContext returns a copy of ctx that carries the session v, with no
// SavedAt time.
func NewContext(ctx context.Context, v Values) context.Context {
	return context.WithValue(ctx, contextKey{}, contextValue{v: v})
}

func newContext(ctx context.Context, v Values, savedAt time.Time) context.Context {
	return context.WithValue(ctx, contextKey{}, contextValue{v: v, savedAt: savedAt})
}

// FromContext returns the session that Middleware (or NewContext) put in
// ctx, and whether there is one. The map belongs to the request: a handler
// may change it and pass it to Manager.Save.
func FromContext(ctx context.Context) (Values, bool) {
	c, ok := ctx.Value(contextKey{}).(contextValue)
	return c.v, ok
}

// SavedAt returns when the session that Middleware put in ctx was last
// saved (by Save, to the millisecond; re-signing after a key rotation keeps
// the time), and whether there is one with a known time: false for no
// session or one from NewContext. The session expires MaxAge later; a
// handler may demand a fresh login for sensitive actions when it is old.
func SavedAt(ctx context.Context) (time.Time, bool) {
	c, ok := ctx.Value(contextKey{}).(contextValue)
	return c.savedAt, ok && !c.savedAt.IsZero()
}
