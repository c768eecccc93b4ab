package jwtauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/prodready/prodready/signing"
)

// Errors of Verify for a token whose signature is good but which is not
// meant for this Authority. The error also wraps signing.ErrInvalidSignature,
// the class of every token Verify rejects, so that code which checks for
// that alone goes on refusing these tokens.
var (
	// ErrIssuer means a token's "iss" claim is missing or is not
	// Options.Issuer.
	ErrIssuer = errors.New("jwtauth: token from another issuer")
	// ErrAudience means a token's "aud" claim is missing or does not
	// include Options.Audience.
	ErrAudience = errors.New("jwtauth: token for another audience")
)

// A rejection is a rule of this package, beyond golang-jwt's, that a token
// breaks. keyFunc returns it, so that no key is looked up for the token;
// Verify shows its text rather than golang-jwt's.
type rejection string

func (r rejection) Error() string { return string(r) }

// A verifyError is an error of Verify: its text, and the sentinels and
// golang-jwt error it wraps, which need not all show in the text.
type verifyError struct {
	msg  string
	errs []error
}

func (e *verifyError) Error() string   { return e.msg }
func (e *verifyError) Unwrap() []error { return e.errs }

// understood refuses a token whose header has a "crit" parameter (RFC 7515
// §4.1.11): this package understands no extension, so it must reject every
// token that requires one, and a malformed crit (not a non-empty list of
// names of parameters the header has) is refused as such.
func understood(header map[string]any) error {
	c, ok := header["crit"]
	if !ok {
		return nil
	}
	list, ok := c.([]any)
	if !ok || len(list) == 0 {
		return rejection("token header crit is not a non-empty list of header names (RFC 7515 section 4.1.11)")
	}
	for _, n := range list {
		name, ok := n.(string)
		if !ok {
			return rejection("token header crit lists a value that is not a header name")
		}
		if _, ok := header[name]; !ok {
			return rejection("token header crit names a header parameter the header does not have")
		}
	}
	return rejection("token header crit requires extensions this verifier does not understand; it understands none")
}

// numericDates refuses a token whose exp, nbf or iat claim is present but
// not a JSON number, as RFC 7519 §2 defines a NumericDate. golang-jwt reads
// a quoted number too ("exp":"1767229200") into a RegisteredClaims, and
// encoding/json fills a struct's field from a key in any case ("EXP"), so
// every key equal to one of the three but for case is checked. payload is
// the token's second field, base64url; golang-jwt has decoded it already,
// with the same decoder, so it reads here as there.
func numericDates(payload string) error {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil {
		return rejection("token claims are not base64url")
	}
	// Like golang-jwt, read the first JSON value only.
	var claims map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&claims); err != nil {
		return rejection("token claims are not a JSON object")
	}
	for k, v := range claims {
		if !strings.EqualFold(k, "exp") && !strings.EqualFold(k, "nbf") && !strings.EqualFold(k, "iat") {
			continue
		}
		if v = bytes.TrimSpace(v); len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
			return rejection("token claim " + strconv.QuoteToASCII(k) + " is not a JSON number (RFC 7519 NumericDate)")
		}
	}
	return nil
}

// checkToken applies the package's own rules to a token golang-jwt has
// decoded but not yet verified: nothing about it is trusted yet, and a
// token that breaks a rule is refused before any key is looked up.
func checkToken(t *jwt.Token) error {
	if err := understood(t.Header); err != nil {
		return err
	}
	fields := strings.Split(t.Raw, ".")
	if len(fields) != 3 {
		return rejection("token not in compact form")
	}
	return numericDates(fields[1])
}

// verifyFailure returns Verify's error for err, golang-jwt's error for a
// token that failed verification after its claims were decoded into claims.
// It names the package's own rule a token broke, the issuer and audience
// when they are what is wrong, or golang-jwt's complaint about the claims,
// rather than the signature; it returns nil when the signature is at fault
// (or the token unreadable), for Verify's "invalid signature" error.
func (a *Authority) verifyFailure(err error, claims jwt.Claims) error {
	var r rejection
	if errors.As(err, &r) {
		return &verifyError{msg: "jwtauth: " + string(r), errs: []error{signing.ErrInvalidSignature, err}}
	}
	if !errors.Is(err, jwt.ErrTokenInvalidClaims) {
		// Not signed by a key of ours, or not even a token.
		return nil
	}
	// The signature is good: the claims decoded into claims are the signer's.
	var what []string
	errs := []error{signing.ErrInvalidSignature}
	if a.issuer != "" {
		if iss, e := claims.GetIssuer(); e != nil || iss != a.issuer {
			what = append(what, "issuer is not "+strconv.Quote(a.issuer))
			errs = append(errs, ErrIssuer)
		}
	}
	if a.audience != "" {
		if aud, e := claims.GetAudience(); e != nil || !slices.Contains(aud, a.audience) {
			what = append(what, "audience does not include "+strconv.Quote(a.audience))
			errs = append(errs, ErrAudience)
		}
	}
	if what == nil {
		// Not yet valid, issued in the future, no exp...: golang-jwt says.
		return &verifyError{msg: "jwtauth: " + err.Error(), errs: append(errs, err)}
	}
	return &verifyError{msg: "jwtauth: token " + strings.Join(what, " and ") + ": " + err.Error(), errs: append(errs, err)}
}
