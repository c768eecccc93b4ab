package cache

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prodready/prodready"
)

// ErrNotFound means that the value does not exist at its source. A loader
// returns an error wrapping it to say so; GetOrLoad then returns that error,
// and with [Options].NegativeTTL set, remembers the answer: until the
// negative entry expires, GetOrLoad and Get return an error wrapping
// ErrNotFound without calling a loader.
var ErrNotFound = errors.New("cache: not found")

// ErrClosed is returned by every method of a [Cache] after Close.
var ErrClosed = errors.New("cache: closed")

// A PanicError is the error GetOrLoad returns to every caller waiting for a
// load whose loader panicked. The panic does not propagate: the loader runs
// on a goroutine of its own, where it would end the process. Set and
// SetWithTTL return one too (wrapped) when the Codec, a method it calls on
// the value (such as MarshalJSON) or the Weigher panics.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack at the panic

	op string // what panicked: "" for the loader, "codec" or "weigher"
}

// Error returns the panic value; the stack is in the Stack field.
func (e *PanicError) Error() string {
	op := e.op
	if op == "" {
		op = "loader"
	}
	return fmt.Sprintf("cache: %s panicked: %v", op, e.Value)
}

// minScrubLen is the shortest password removed wherever it appears in an
// error's text, not only inside the URL.
const minScrubLen = 4

// redactor removes the credentials of a CACHE_URL from error text, for the
// errors of backends that quote their URL.
type redactor struct {
	old []string // secrets, longest first
	new []string // their replacements
}

func newRedactor(u prodready.SecretURL) redactor {
	if !u.IsSet() || !u.HasPassword() {
		return redactor{}
	}
	var r redactor
	raw := u.Reveal()
	r.old = append(r.old, raw)
	r.new = append(r.new, u.String())
	if p, err := url.Parse(raw); err == nil {
		// A password of a few characters would match inside ordinary words
		// and garble the message ("su[redacted][redacted]ort" for "p");
		// within the URL it is still removed, by the first pair above.
		if pw, ok := p.User.Password(); ok && len(pw) >= minScrubLen {
			r.old = append(r.old, pw)
			r.new = append(r.new, "[redacted]")
			if esc := url.PathEscape(pw); esc != pw {
				r.old = append(r.old, esc)
				r.new = append(r.new, "[redacted]")
			}
		}
		for _, vs := range p.Query() {
			for _, v := range vs {
				// Query credentials (password=, token=...) are redacted by
				// SecretURL; values too short to be secrets would mangle text.
				if len(v) >= 2*minScrubLen && !strings.Contains(u.String(), v) {
					r.old = append(r.old, v)
					r.new = append(r.new, "[redacted]")
				}
			}
		}
	}
	return r
}

// clean returns err with the URL's credentials removed from its text; it
// still unwraps to err.
func (r redactor) clean(err error) error {
	if err == nil || len(r.old) == 0 {
		return err
	}
	msg := err.Error()
	out := msg
	for i, s := range r.old {
		out = strings.ReplaceAll(out, s, r.new[i])
	}
	if out == msg {
		return err
	}
	return &redactedError{msg: out, err: err}
}

// redactedError is an error whose text had credentials removed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// errorLog logs backend errors at most once per interval, with the number
// of errors since the last record.
type errorLog struct {
	logger   *slog.Logger
	interval time.Duration
	backend  string

	mu         sync.Mutex
	last       time.Time // of the last record; zero before the first
	suppressed int
}

func (l *errorLog) log(now time.Time, op string, err error) {
	l.mu.Lock()
	if !l.last.IsZero() && now.Sub(l.last) < l.interval {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	l.mu.Unlock()
	l.logger.Warn("cache: backend error",
		slog.String("backend", l.backend),
		slog.String("op", op),
		slog.Any("error", err),
		slog.Int("suppressed", n),
	)
}

// String returns the Cache's backend and, for redis and memcached, its
// CACHE_URL with the credentials redacted, such as
// "cache.Cache[redis redis://:REDACTED@host:6379/0]".
func (c *Cache[V]) String() string {
	if c == nil {
		return "cache.Cache[nil]"
	}
	if c.url == "" {
		return "cache.Cache[" + string(c.kind) + "]"
	}
	return "cache.Cache[" + string(c.kind) + " " + c.url + "]"
}

// Format implements [fmt.Formatter], so that every verb, %#v and %+v
// included, prints [Cache.String] and never the Cache's fields, among
// which the strings that redact the URL's credentials from errors. %q
// quotes it.
func (c *Cache[V]) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, strconv.Quote(c.String()))
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue implements [slog.LogValuer]: the backend and the redacted URL.
func (c *Cache[V]) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.String("backend", string(c.kind))}
	if c.url != "" {
		attrs = append(attrs, slog.String("url", c.url))
	}
	return slog.GroupValue(attrs...)
}
