// Package signing signs and verifies short tokens with HMAC-SHA256: session
// cookies, pagination cursors, password-reset links, anything a server hands
// out and must later trust again. Keys come from SECRET_KEY, with
// SECRET_KEY_FALLBACKS honoured during a rotation.
//
//	s, err := signing.FromConfig(cfg, "password-reset", &signing.Options{MaxAge: time.Hour})
//	token := s.Sign([]byte(userID))
//	...
//	id, err := s.Verify(token)
//	switch {
//	case errors.Is(err, signing.ErrExpired): // ask for a new link
//	case err != nil:                         // tampered, foreign or malformed
//	}
//
// # Purposes and key derivation
//
// A [Signer] serves one purpose, a string such as "session", "cursor" or
// "jwt". The raw secret is never an HMAC key: each purpose gets its own key,
//
//	key = HKDF-SHA256(secret = SECRET_KEY, salt = none, info = "prodready signing v1 " + purpose, length = 32)
//
// (RFC 5869; SECRET_KEY as its UTF-8 bytes, the info string as ASCII bytes).
// A token signed for one purpose therefore never verifies for another, and
// code in another language derives the same key from the same SECRET_KEY.
// [DeriveKey] returns it, for libraries that want a key rather than a Signer
// (package jwtauth gives the "jwt" key to golang-jwt).
//
// # Token format
//
// A token is four fields joined by '.', every field base64url without
// padding (RFC 4648 §5, canonical: unused bits must be zero):
//
//	v1.PAYLOAD.TIMESTAMP.MAC
//
// "v1" is the format version: a later format gets a new prefix and this one
// keeps verifying. TIMESTAMP is the signing time as 8 bytes, big-endian
// milliseconds since the Unix epoch, or empty for a Signer made with
// Options.NoTimestamp. MAC is HMAC-SHA256, under the purpose's key, of the
// token's text up to the last '.' ("v1.PAYLOAD.TIMESTAMP"), so it covers the
// version, the payload and the timestamp; the purpose enters through the key.
// The payload is readable by anyone holding the token: sign, do not hide.
// A token is 59 bytes longer than the base64 of its payload (48 without a
// timestamp).
//
// # Rotation
//
// [Signer.Sign] always uses the current key. [Signer.Verify] tries the
// current key first, then each fallback in the order given (newest first),
// and accepts the first that matches; the MACs are compared in constant time.
// To rotate: make the new key SECRET_KEY and put the old one at the front of
// SECRET_KEY_FALLBACKS; tokens signed before keep verifying until the old key
// is removed from the fallbacks, after the longest token lifetime.
// [Signer.VerifyToken] reports which key matched and when the token was
// signed, so that a caller can sign it again with the current key and its
// original time, [Signer.SignAt], without extending its life (package
// session does).
//
// Tokens carry no key identifier, so an invalid token costs 1+len(fallbacks)
// HMACs; with the one or two fallbacks of a rotation that is at most three
// HMACs of at most [MaxTokenSize] bytes. A key identifier would save them but
// lengthen every token and tell clients which key signed it.
//
// # Age
//
// With Options.MaxAge set, Verify rejects a token signed longer ago than
// MaxAge with an error wrapping [ErrExpired], and a token dated more than
// [MaxClockSkew] in the future, or carrying no timestamp, with
// [ErrInvalidSignature]. Only a token with a valid signature can be expired:
// a tampered one is invalid whatever its age. The clock is Options.Now.
//
// # Limits
//
// Verify rejects a token longer than [MaxTokenSize] (64 KiB) before
// decoding anything, and decodes the payload only after the MAC matches, so
// it never allocates more than a small multiple of the token's length.
// A payload of up to [MaxPayloadSize] bytes (47.9 KiB) fits; Sign, which
// returns no error, gives a larger payload a token that Verify rejects, and
// SignJSON reports an error. Purposes are 1 to [MaxPurposeLen] bytes of
// printable ASCII, not beginning or ending with a space.
//
// Make Signers with [New] or [FromConfig]: the zero Signer has no key, and
// rather than panic its Sign returns "" and its Verify rejects every token.
//
// # Errors
//
// Verify's errors wrap [ErrInvalidSignature] or [ErrExpired]; test them
// with errors.Is. No error, log or rendering of a Signer contains a key or
// SECRET_KEY: a Signer holds only derived keys, behind pointers, and
// its String and GoString show its purpose and key count.
//
// # Concurrency
//
// A Signer is immutable and safe for concurrent use by any number of
// goroutines.
package signing
