// Package session keeps a small session, such as a user ID, in a signed
// cookie, with net/http middleware that reads it into each request's
// context.
//
//	sessions, err := session.New(cfg, nil)
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
// The cookie holds the session's JSON, signed by a [signing.Signer] of
// purpose Options.Purpose ("session" by default; NewWithSigner refuses a Signer of
// another purpose; see package signing for the token format). It is
// HttpOnly, SameSite=Lax, Path=/ unless set, and Secure whenever the profile
// is hardened (New) or Options.Secure says so. Its Max-Age, and the
// oldest signature the Manager accepts, is Options.MaxAge (two weeks by
// default, at least a second). A cookie is at most [MaxCookieSize] bytes: a
// session is for an identifier and a few flags, not for data. The client can
// read it: never put a secret in a session. Saving an empty session clears
// it.
//
// A Secure cookie with no Domain and the Path "/", as New makes in
// production, is named [HostCookieName] ("__Host-session") unless
// Options.CookieName says otherwise: browsers accept a cookie with that
// prefix only from the host itself, so a sibling subdomain cannot set one
// in its place ("cookie tossing"). Otherwise the name is "session". New
// refuses options that break the rules of a "__Host-" or "__Secure-" name.
//
// # Invalid and ambiguous cookies
//
// A cookie that is tampered with, malformed, expired, signed with an unknown
// key or for another purpose is treated as no session: the handler runs
// without one, and the reason goes to Options.Logger at debug level. The
// middleware never fails a request because of a cookie. When a request
// carries several cookies of the name (browsers send one per Domain and
// Path), invalid ones are ignored, and valid ones holding different
// sessions mean no session ([ErrAmbiguous]): picking one would let a
// subdomain that can set cookies for the parent domain log the user in as
// someone else. The price is that such a cookie, left at an old Domain or
// Path, logs its user out until it expires; a "__Host-" cookie avoids both.
//
// # Rotation
//
// The Manager verifies a cookie with SECRET_KEY, then with each of
// SECRET_KEY_FALLBACKS in order. A cookie signed with a fallback key is
// signed again with the current key, in a Set-Cookie header added before the
// handler runs, so that active users move to the new key long before the old
// one is retired. It keeps its original signing time ([signing.Signer.SignAt])
// and gets a Max-Age of what remains: the session still expires MaxAge after
// it was saved, and replaying a stolen cookie during a rotation does not
// extend it. [SavedAt] tells a handler when its session was saved.
//
// # Responses and caches
//
// Middleware hands the handler a ResponseWriter that notes when the header
// is written: [Manager.Save] and [Manager.Clear] called later report
// [ErrHeaderWritten] instead of losing the cookie silently. (Called on a
// ResponseWriter that neither is nor unwraps to Middleware's, they cannot
// tell.) The wrapper supports http.Flusher, http.Hijacker, io.ReaderFrom and
// http.ResponseController.
//
// A response that sets or deletes the session cookie, by Save, Clear or
// re-signing, must not be stored by a shared cache, which would hand the
// cookie to other users. Such a response gets "Vary: Cookie" and, unless
// its Cache-Control already says private or no-store (unqualified),
// "Cache-Control: no-store" in place of whatever it said; under Middleware
// the rule is applied again when the header is written, so a handler that
// sets "public" after Save is overruled. Headers addressed to CDNs alone
// (CDN-Cache-Control, Surrogate-Control) are left alone: do not set them on
// responses that may carry a session cookie.
//
// # Logging out
//
// [Manager.Clear] deletes the cookie on the client; it does not change the
// request's context. A signed cookie cannot be revoked on the server before
// it expires: a copy taken before logout stays valid until MaxAge after it
// was saved. Keep MaxAge short, or keep a server-side session ID (or a
// per-user counter) in the session and check it, when that matters.
//
// # Concurrency
//
// A Manager is immutable and safe for concurrent use.
package session
