package session_test

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/session"
	"github.com/prodready/prodready/signing"
)

// The fuzzed Manager's keys and clock are fixed, not random, so that the
// cookies of the seed corpus in testdata/fuzz stay valid from one run to
// the next and the fuzzer can mutate them.
var (
	fuzzCurrentKey  = prodready.NewSecret("fuzz-session-current-key-0123456789-abcdef")
	fuzzPreviousKey = prodready.NewSecret("fuzz-session-previous-key-0123456789-abcde")
	fuzzNow         = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const fuzzMaxAge = time.Hour

// FuzzCookie sends the session middleware a request with an arbitrary
// Cookie header, and one with the cookie Save sets for an arbitrary
// session, then with one byte of that cookie changed. It checks that
// nothing panics, and that Load and Middleware agree with an independent
// judgment of every cookie of the session's name (see validCookie): a
// request has a session only when a cookie is valid, the session is that
// cookie's, several valid cookies with different sessions give none
// (ErrAmbiguous), an error wraps the right sentinel, and a cookie signed
// with the previous key, and only such a cookie, is set again, signed
// with the current key at its original time. A saved session loads back
// as it was, and no cookie with a byte changed carries one.
func FuzzCookie(f *testing.F) {
	clock := func() time.Time { return fuzzNow }
	s, err := signing.New(fuzzCurrentKey, session.Purpose, &signing.Options{Fallbacks: []prodready.Secret{fuzzPreviousKey}, Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	m, err := session.NewWithSigner(s, &session.Options{MaxAge: fuzzMaxAge, Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	// byKey[i] signs as the key VerifyToken reports as KeyIndex i; all
	// verifies with either key and checks no age.
	var byKey []*signing.Signer
	for _, k := range []prodready.Secret{fuzzCurrentKey, fuzzPreviousKey} {
		b, err := signing.New(k, session.Purpose, &signing.Options{Now: clock})
		if err != nil {
			f.Fatal(err)
		}
		byKey = append(byKey, b)
	}
	all, err := signing.New(fuzzCurrentKey, session.Purpose, &signing.Options{Fallbacks: []prodready.Secret{fuzzPreviousKey}})
	if err != nil {
		f.Fatal(err)
	}
	o := oracle{byKey: byKey, all: all}

	name := m.CookieName()
	user := []byte(`{"user":"42"}`)
	cur := byKey[0].SignAt(user, fuzzNow.Add(-time.Minute))
	old := byKey[1].SignAt(user, fuzzNow.Add(-30*time.Minute))
	f.Add(name+"="+cur, "user", "42", uint16(0), byte('x'))
	f.Add(name+"="+old, "user", "", uint16(3), byte('.'))
	f.Add(name+"="+cur+"; "+name+"="+old, "k", "\u2028", uint16(50), byte('A'))
	f.Add(name+"="+cur+"; "+name+"="+byKey[0].SignAt([]byte(`{"user":"43"}`), fuzzNow), "", "", uint16(7), byte('-'))
	f.Add(name+"="+byKey[0].SignAt(user, fuzzNow.Add(-2*time.Hour)), "a", "\xff", uint16(9), byte(0))
	f.Add(name+"="+byKey[0].SignAt(user, fuzzNow.Add(2*time.Minute)), "a", "b", uint16(20), byte('_'))
	f.Add(name+"="+byKey[0].SignAt([]byte(`{}`), fuzzNow), "x", "y", uint16(1), byte('='))
	f.Add(name+`="`+cur+`"`, "x", "y", uint16(2), byte('"'))
	f.Add("", "", "", uint16(0), byte(0))

	f.Fuzz(func(t *testing.T, header, key, value string, pos uint16, x byte) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", header)
		o.check(t, m, r)

		// A saved session loads back.
		rec := httptest.NewRecorder()
		err := m.Save(rec, session.Values{key: value})
		if err != nil {
			if !errors.Is(err, session.ErrTooLarge) && utf8.ValidString(key) && utf8.ValidString(value) {
				t.Fatalf("Save({%q: %q}) error = %v", key, value, err)
			}
			return
		}
		cs := rec.Result().Cookies()
		if len(cs) != 1 || cs[0].Name != name {
			t.Fatalf("Save({%q: %q}) set %v, want one cookie %q", key, value, cs, name)
		}
		r = httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(cs[0])
		got := o.check(t, m, r)
		if want := (session.Values{key: value}); !maps.Equal(got, want) {
			t.Fatalf("Load(Save(%v)) = %v", want, got)
		}

		// Any single-byte change of the cookie is refused.
		b := []byte(cs[0].Value)
		i := int(pos) % len(b)
		if b[i] == x {
			return
		}
		b[i] = x
		r = httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", name+"="+string(b))
		if got := o.check(t, m, r); got != nil {
			t.Fatalf("cookie %q with byte %d changed to %q, = %v, want no session", b, i, x, got)
		}
	})
}

// oracle judges session cookies without the Manager.
type oracle struct {
	byKey []*signing.Signer // byKey[i] signs as KeyIndex i
	all   *signing.Signer   // verifies with either key, checks no age
}

// validCookie returns the session a cookie value carries and its token,
// or ok false when a Manager with
// fuzzMaxAge must refuse it: a token of either key, in the exact form
// SignAt writes it, dated at most fuzzMaxAge ago and at most
// signing.MaxClockSkew ahead, carrying a non-empty JSON object of strings.
func (o oracle) validCookie(value string) (v session.Values, tok signing.Token, ok bool) {
	tok, err := o.all.VerifyToken(value)
	if err != nil || tok.SignedAt.IsZero() || o.byKey[tok.KeyIndex].SignAt(tok.Payload, tok.SignedAt) != value {
		return nil, tok, false
	}
	if tok.SignedAt.Sub(fuzzNow) > signing.MaxClockSkew || fuzzNow.Sub(tok.SignedAt) > fuzzMaxAge {
		return nil, tok, false
	}
	if json.Unmarshal(tok.Payload, &v) != nil || len(v) == 0 {
		return nil, tok, false
	}
	return v, tok, true
}

// check runs r through Load and Middleware, compares both with the
// oracle's judgment of r's cookies, and returns the session found.
func (o oracle) check(t *testing.T, m *session.Manager, r *http.Request) session.Values {
	t.Helper()
	cookies := r.CookiesNamed(m.CookieName())
	var (
		want             session.Values
		wantTok          signing.Token
		valid            int
		ambiguous, found bool
	)
	for _, c := range cookies {
		v, tok, ok := o.validCookie(c.Value)
		if !ok {
			continue
		}
		valid++
		switch {
		case !found:
			want, wantTok, found = v, tok, true
		case !maps.Equal(want, v):
			ambiguous = true
		}
	}

	v, stale, err := m.Load(r)
	switch {
	case len(cookies) == 0:
		if !errors.Is(err, http.ErrNoCookie) {
			t.Fatalf("Load(%q) error = %v, want http.ErrNoCookie", r.Header["Cookie"], err)
		}
	case ambiguous:
		if !errors.Is(err, session.ErrAmbiguous) {
			t.Fatalf("Load(%q) = %v, %v, want ErrAmbiguous: %d valid cookies differ", r.Header["Cookie"], v, err, valid)
		}
	case valid == 0:
		if err == nil {
			t.Fatalf("Load(%q) = %v, a session from no valid cookie", r.Header["Cookie"], v)
		}
		if !errors.Is(err, signing.ErrInvalidSignature) && !errors.Is(err, signing.ErrExpired) {
			t.Fatalf("Load(%q) error = %v, wraps no sentinel", r.Header["Cookie"], err)
		}
	default:
		if err != nil || !maps.Equal(v, want) || stale != (wantTok.KeyIndex > 0) {
			t.Fatalf("Load(%q) = %v, stale %v, %v; want %v, stale %v", r.Header["Cookie"], v, stale, err, want, wantTok.KeyIndex > 0)
		}
	}

	var (
		seen    session.Values
		seenOK  bool
		savedAt time.Time
	)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, seenOK = session.FromContext(r.Context())
		savedAt, _ = session.SavedAt(r.Context())
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if seenOK != (err == nil) || !maps.Equal(seen, v) || seenOK && !savedAt.Equal(wantTok.SignedAt) {
		t.Fatalf("Middleware(%q) gave the handler %v, %v, saved at %v; Load gave %v, %v, want saved at %v", r.Header["Cookie"], seen, seenOK, savedAt, v, err, wantTok.SignedAt)
	}
	set := rec.Result().Cookies()
	switch {
	case err != nil || !stale:
		if len(set) != 0 {
			t.Fatalf("Middleware(%q) set %v, want no cookie (session %v, stale %v, error %v)", r.Header["Cookie"], set, v, stale, err)
		}
	case len(set) != 1 || set[0].Name != m.CookieName():
		t.Fatalf("Middleware(%q) set %v, want the cookie signed again", r.Header["Cookie"], set)
	default:
		got, tok, ok := o.validCookie(set[0].Value)
		if !ok || tok.KeyIndex != 0 || !tok.SignedAt.Equal(wantTok.SignedAt) || !maps.Equal(got, v) {
			t.Fatalf("Middleware(%q) set %q: %v signed with key %d at %v; want %v signed again with the current key at %v",
				r.Header["Cookie"], set[0].Value, got, tok.KeyIndex, tok.SignedAt, v, wantTok.SignedAt)
		}
	}
	if err != nil {
		return nil
	}
	return v
}
