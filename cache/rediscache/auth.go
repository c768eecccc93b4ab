package rediscache

import (
	"errors"
	"strings"

	"github.com/prodready/prodready"
	"github.com/redis/rueidis"
)

// ErrAuth means that the Redis server refused the credentials of CACHE_URL
// when New connected (WRONGPASS), or wants credentials the URL does not
// give (NOAUTH). It is a configuration error, not an outage: the error New
// returns wraps both ErrAuth and prodready.ErrInvalid, so that a service
// stops at start-up rather than retrying a password that will never work.
var ErrAuth = errors.New("rediscache: the server refused the credentials")

// An authError is a refusal of the credentials by the server.
type authError struct{ noauth bool }

func (e *authError) Error() string {
	if e.noauth {
		return "the server requires a password (NOAUTH) and CACHE_URL gives none or the server did not take it: set it as redis://:PASSWORD@host:6379/0 (or redis://USER:PASSWORD@... for an ACL user)"
	}
	return "the server refused the user name or password of CACHE_URL (WRONGPASS): fix the password (and the ACL user, if any) in CACHE_URL"
}

func (e *authError) Unwrap() []error { return []error{ErrAuth, prodready.ErrInvalid} }

// authFailure returns the authError that err, from connecting, is, or nil.
// The server's own text is dropped: only its error code is kept.
func authFailure(err error) error {
	var re *rueidis.RedisError
	if !errors.As(err, &re) {
		return nil
	}
	switch msg := re.Error(); {
	case strings.HasPrefix(msg, "WRONGPASS"):
		return &authError{}
	case strings.HasPrefix(msg, "NOAUTH"):
		return &authError{noauth: true}
	}
	return nil
}
