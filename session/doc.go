// Package session keeps a small session, such as a user ID, in a signed
// cookie, with net/http middleware that reads it into each request's
// context.
//
//	sessions, err := session.FromBase(cfg.Base, nil)
//	...
//	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
//		// ... check the password ...
//		sessions.Save(w, session.Values{"user": "42"})
//	})
//	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
//		v, ok := session.FromContext(r.Context())
//		...
//	})
//	http.ListenAndServe(addr, sessions.Middleware(mux))
//
// # Cookies
//
// The cookie holds the session's JSON, signed by a [signing.Signer] (purpose
// "session" by default; see package signing for the token format). It is
// HttpOnly, SameSite=Lax, Path=/ unless set, and Secure whenever the profile
// is hardened (FromBase) or Options.Secure says so. Its Max-Age, and the
// oldest signature the Manager accepts, is Options.MaxAge (two weeks by
// default). A cookie is at most [MaxCookieSize] bytes: a session is for an
// identifier and a few flags, not for data. The client can read it: never put
// a secret in a session.
//
// # Invalid cookies
//
// A cookie that is tampered with, malformed, expired, signed with an unknown
// key or for another purpose is treated as no session: the handler runs
// without one, and the reason goes to Options.Logger at debug level. The
// middleware never fails a request because of a cookie.
//
// # Rotation
//
// The Manager verifies a cookie with SECRET_KEY, then with each of
// SECRET_KEY_FALLBACKS in order. A cookie signed with a fallback key is
// signed again with the current key, in a Set-Cookie header added before the
// handler runs, so that active users move to the new key long before the old
// one is retired. That restarts the session's MaxAge.
//
// # Logging out
//
// [Manager.Clear] deletes the cookie on the client. A signed cookie cannot
// be revoked on the server before it expires: a copy taken before logout
// stays valid until MaxAge. Keep MaxAge short, or keep a server-side session
// ID (or a per-user counter) in the session and check it, when that matters.
//
// # Concurrency
//
// A Manager is immutable and safe for concurrent use.
package session
