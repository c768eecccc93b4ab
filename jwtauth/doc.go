// Package jwtauth issues and verifies HS256 JSON Web Tokens (RFC 7519) with
// a key derived from SECRET_KEY, on top of github.com/golang-jwt/jwt/v5.
// (It is not called jwt so that it never needs renaming next to golang-jwt.)
//
//	auth, err := jwtauth.New(cfg, &jwtauth.Options{Issuer: "api.example.com", Audience: "api.example.com"})
//	token, err := auth.Issue(auth.NewClaims("user-42"))
//	...
//	var claims jwt.RegisteredClaims
//	err = auth.Verify(token, &claims)
//
// # Key
//
// Tokens are signed with HMAC-SHA256 under the "jwt" purpose key of package
// signing:
//
//	key = HKDF-SHA256(secret = SECRET_KEY, salt = none, info = "prodready signing v1 jwt", length = 32)
//
// never with SECRET_KEY itself, so a JWT never verifies as a session cookie or
// a cursor, nor the reverse. signing.DeriveKey(secret, "jwt") returns the key:
// any JWT library given it verifies our tokens, and we verify theirs.
//
// # Verification
//
// Verify accepts the HS256 algorithm only: "none", the other HMAC sizes and
// every public-key algorithm are rejected before any key is looked up, which
// rules out algorithm confusion. It requires "exp" and checks "exp", "nbf"
// and "iat" against Options.Now, give or take Options.Leeway (one minute,
// [DefaultLeeway], unless set: NewClaims truncates "nbf" and "iat" to the
// second, so servers whose clocks differ by a fraction of a second need
// some), and the issuer and audience the options name. A token longer than
// [MaxTokenSize], or with any byte outside the base64url alphabet and its
// two dots, is rejected unread: exactly one text verifies as a given token.
// A header with "crit" is rejected (RFC 7515 §4.1.11: the package
// understands no extension, so it must refuse a token that requires one),
// as is an "exp", "nbf" or "iat" that is not a JSON number, such as the
// string "1767229200" golang-jwt alone would read.
// Claims are decoded into a fresh value and reach the caller's only once
// the token is valid.
//
// # Issuer and audience
//
// Every service that shares SECRET_KEY derives the same "jwt" key. Without
// Options.Issuer and Options.Audience, a token any of them issues verifies
// here, and the reverse. Set Audience to the name of the service that
// accepts the tokens (and Issuer to the one that issues them): Issue then
// refuses claims without them, and Verify rejects tokens without them.
//
// # Lifetimes
//
// A JWT cannot be revoked: it is valid until "exp". Options.TTL is at most
// [MaxTTL] (7 days; the default is 15 minutes) and Options.Leeway at most
// [MaxLeeway] (5 minutes). Verify rejects a token whose exp, nbf or iat lies
// outside the years 1970 to 9999, even when it is signed with a current key.
//
// # Rotation
//
// Issue signs with the current key and names it in the "kid" header
// ([KeyID], a hash of the derived key that reveals nothing of it). Verify uses
// the key a known "kid" names; for a token without one, or with a "kid" it
// does not know (one issued by other software), it tries the current key and
// then each fallback's in order. Tokens issued before a rotation verify until
// their key leaves SECRET_KEY_FALLBACKS.
//
// # Errors
//
// Verify's errors wrap signing.ErrExpired, for a token whose only fault is
// its expiry, or signing.ErrInvalidSignature, and golang-jwt's error for the
// details. A validly signed token from another issuer or for another
// audience also wraps [ErrIssuer] or [ErrAudience], and its text names the
// issuer or audience rather than the signature. Claims that Verify cannot fill (nil, a struct value, a nil
// pointer or map) give an error that wraps neither: that is a bug in the
// program, not a bad token. No error, log or rendering of an Authority
// contains a key.
//
// # Concurrency
//
// An Authority is immutable and safe for concurrent use.
package jwtauth
