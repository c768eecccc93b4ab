// Package jwtauth issues and verifies HS256 JSON Web Tokens (RFC 7519) with
// a key derived from SECRET_KEY, on top of github.com/golang-jwt/jwt/v5.
// (It is not called jwt so that it never needs renaming next to golang-jwt.)
//
//	auth, err := jwtauth.FromBase(cfg.Base, &jwtauth.Options{Issuer: "api.example.com"})
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
// and "iat" against Options.Now, give or take Options.Leeway, and the issuer
// and audience the options name. A token longer than [MaxTokenSize] is
// rejected unread.
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
// Verify's errors wrap signing.ErrExpired or signing.ErrInvalidSignature, and
// golang-jwt's error for the details. No error, log or rendering of an
// Authority contains a key.
//
// # Concurrency
//
// An Authority is immutable and safe for concurrent use.
package jwtauth
