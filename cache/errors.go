package cache

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/redact"
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

// redactor removes the credentials of a CACHE_URL, and any other
// credential internal/redact (the module's one redactor) recognizes, from
// the text of the errors of backends, which may quote their URL or a DSN.
type redactor struct{ s redact.Scrubber }

func newRedactor(u prodready.SecretURL) redactor { return redactor{redact.ForURL(u.Reveal())} }

// clean returns err with the credentials removed from its text; it still
// unwraps to err.
func (r redactor) clean(err error) error { return r.s.Error(err) }

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
