package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/signing"
)

// Defaults and limits.
const (
	// Purpose is the signing purpose of session cookies made by FromBase.
	Purpose = "session"
	// DefaultCookieName is the cookie's name when Options.CookieName is "".
	DefaultCookieName = "session"
	// DefaultMaxAge is a session's lifetime when Options.MaxAge is 0: two
	// weeks, Django's SESSION_COOKIE_AGE.
	DefaultMaxAge = 14 * 24 * time.Hour
	// MaxCookieSize is the largest Set-Cookie value Save writes, in bytes:
	// the size every browser is required to store (RFC 6265 §6.1).
	MaxCookieSize = 4096
)

// ErrTooLarge means a session does not fit in a cookie of MaxCookieSize
// bytes.
var ErrTooLarge = errors.New("session too large for a cookie")

// Values is the content of a session: a few short strings, such as a user
// ID. It travels in the cookie, signed but readable by the client: never put
// a secret in it.
type Values map[string]string

// Options configure a Manager. A nil *Options is the zero Options.
type Options struct {
	// CookieName is the cookie's name. If CookieName is "",
	// DefaultCookieName is used.
	CookieName string
	// MaxAge is how long a session lasts after it is saved: the cookie's
	// Max-Age, and the largest age of a cookie the Manager accepts. If
	// MaxAge is 0, DefaultMaxAge is used. A negative MaxAge is an error.
	MaxAge time.Duration
	// Path is the cookie's Path. If Path is "", "/" is used.
	Path string
	// Domain is the cookie's Domain. If Domain is "", the cookie is sent
	// back to the host that set it only.
	Domain string
	// Secure marks the cookie Secure, so that browsers send it over HTTPS
	// only. FromBase sets it whatever its value under a hardened profile
	// (Production and those derived from it).
	Secure bool
	// Profiles are the service's own profiles, among which FromBase looks up
	// the profile Base.AppEnv names, beside the built-in ones.
	Profiles []prodready.Profile
	// Logger receives a debug record for each cookie the middleware
	// rejects. If Logger is nil, nothing is logged.
	Logger *slog.Logger
	// Now is the clock. If Now is nil, time.Now is used.
	Now func() time.Time
}

// A Manager reads and writes sessions kept in a signed cookie. Make one
// with New or FromBase.
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

// New returns a Manager that signs cookies with s, which should be made for
// the purpose Purpose (or one of the service's own), with the service's
// fallback keys. The Manager enforces Options.MaxAge itself; a MaxAge of s
// also applies.
//
// It reports an error for a nil s, a Signer made with
// signing.Options.NoTimestamp (sessions need a signing time), an invalid
// cookie name or a negative MaxAge.
func New(s *signing.Signer, opts *Options) (*Manager, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if s == nil {
		return nil, errors.New("session: nil Signer")
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
	if m.name == "" {
		m.name = DefaultCookieName
	}
	if m.path == "" {
		m.path = "/"
	}
	switch {
	case m.maxAge < 0:
		return nil, errors.New("session: negative MaxAge")
	case m.maxAge == 0:
		m.maxAge = DefaultMaxAge
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

// FromBase returns a Manager for a loaded configuration: cookies are signed
// for Purpose with SECRET_KEY, verified with it and then with each of
// SECRET_KEY_FALLBACKS, and marked Secure whenever the profile b.AppEnv
// names is hardened (Production or derived from it), whatever
// Options.Secure says. An AppEnv that names no profile is an error that
// wraps prodready.ErrUnknownProfile.
func FromBase(b prodready.Base, opts *Options) (*Manager, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	p, err := prodready.LookupProfile(b.AppEnv, o.Profiles)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if p.Hardened() {
		o.Secure = true
	}
	s, err := signing.FromBase(b, Purpose, &signing.Options{Now: o.Now})
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return New(s, &o)
}

// Secure reports whether the Manager's cookies are marked Secure.
func (m *Manager) Secure() bool { return m.secure }

// CookieName returns the name of the Manager's cookie.
func (m *Manager) CookieName() string { return m.name }

// Load returns the session carried by r's cookie. The error wraps
// http.ErrNoCookie when there is none, signing.ErrExpired when it is older
// than MaxAge, and signing.ErrInvalidSignature when it is tampered with,
// malformed, or signed for another purpose or with an unknown key. When r
// carries several cookies of that name, the first valid one is used.
//
// The second result reports that the cookie was signed with a fallback key
// and should be saved again with the current one (Middleware does).
func (m *Manager) Load(r *http.Request) (v Values, stale bool, err error) {
	cookies := r.CookiesNamed(m.name)
	if len(cookies) == 0 {
		return nil, false, fmt.Errorf("session: %w", http.ErrNoCookie)
	}
	for _, c := range cookies {
		v, stale, err = m.decode(c.Value)
		if err == nil {
			return v, stale, nil
		}
	}
	return nil, false, err
}

func (m *Manager) decode(value string) (Values, bool, error) {
	t, err := m.signer.VerifyToken(value)
	if err != nil {
		return nil, false, fmt.Errorf("session: %w", err)
	}
	now := m.now()
	switch {
	case t.SignedAt.IsZero(), t.SignedAt.Sub(now) > signing.MaxClockSkew:
		return nil, false, fmt.Errorf("session: cookie has no timestamp or one in the future: %w", signing.ErrInvalidSignature)
	case now.Sub(t.SignedAt) > m.maxAge:
		return nil, false, fmt.Errorf("session: cookie older than %s: %w", m.maxAge, signing.ErrExpired)
	}
	var v Values
	if err := json.Unmarshal(t.Payload, &v); err != nil || v == nil {
		// Signed for this purpose, but not by this package: another
		// component shares the purpose.
		return nil, false, fmt.Errorf("session: cookie payload is not a session: %w", signing.ErrInvalidSignature)
	}
	return v, t.KeyIndex > 0, nil
}

// Middleware returns next wrapped so that the session of each request, if
// its cookie is valid, is in the request's context (see FromContext). A
// missing, tampered, expired or foreign cookie means no session: the
// request goes on without one, and the reason is logged at debug level. A
// cookie signed with a fallback key is saved again with the current key
// before next runs, restarting its MaxAge.
//
// Middleware has the type of the usual middleware,
// func(http.Handler) http.Handler.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, stale, err := m.Load(r)
		switch {
		case errors.Is(err, http.ErrNoCookie):
		case err != nil:
			m.logger.DebugContext(r.Context(), "session cookie rejected", "cookie", m.name, "err", err)
		default:
			if stale {
				if err := m.Save(w, v); err != nil {
					m.logger.DebugContext(r.Context(), "session cookie not re-signed", "cookie", m.name, "err", err)
				}
			}
			r = r.WithContext(NewContext(r.Context(), v))
		}
		next.ServeHTTP(w, r)
	})
}

// Save sets the session cookie on w to v, signed with the current key, in
// place of any session cookie already set on w. Call it before the response
// header is written. The cookie is HttpOnly and SameSite=Lax, and Secure if
// the Manager says so. The error wraps ErrTooLarge when the cookie would be
// larger than MaxCookieSize; nothing is set then.
func (m *Manager) Save(w http.ResponseWriter, v Values) error {
	if v == nil {
		v = Values{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	c := m.cookie(m.signer.Sign(b), int(m.maxAge/time.Second))
	line := c.String()
	if len(line) > MaxCookieSize {
		return fmt.Errorf("session: cookie of %d bytes, limit %d: %w", len(line), MaxCookieSize, ErrTooLarge)
	}
	m.set(w, line)
	return nil
}

// Clear tells the client to delete the session cookie, in place of any
// session cookie already set on w.
func (m *Manager) Clear(w http.ResponseWriter) {
	m.set(w, m.cookie("", -1).String())
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

// set adds the Set-Cookie line to w, removing earlier lines for the cookie.
func (m *Manager) set(w http.ResponseWriter, line string) {
	h := w.Header()
	prefix := m.name + "="
	lines := h["Set-Cookie"][:0:0]
	for _, l := range h["Set-Cookie"] {
		if !strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	h["Set-Cookie"] = append(lines, line)
}

type contextKey struct{}

// NewContext returns a copy of ctx that carries the session v.
func NewContext(ctx context.Context, v Values) context.Context {
	return context.WithValue(ctx, contextKey{}, v)
}

// FromContext returns the session that Middleware (or NewContext) put in
// ctx, and whether there is one. The map belongs to the request: a handler
// may change it and pass it to Manager.Save.
func FromContext(ctx context.Context) (Values, bool) {
	v, ok := ctx.Value(contextKey{}).(Values)
	return v, ok
}
