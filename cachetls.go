package prodready

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/prodready/prodready/internal/cacheurl"
)

// CacheTLS is the TLS material of a cache server's connection
// (CACHE_TLS_CA, CACHE_TLS_CERT, CACHE_TLS_KEY, or their _FILE forms):
// PEM text, as operators have it. The zero CacheTLS means the system
// roots and no client certificate.
type CacheTLS struct {
	// CA holds the PEM certificates of the CAs to trust instead of the
	// system roots; "" for the system roots.
	CA string
	// Cert is the PEM client certificate, its chain after it, for a server
	// that requires mutual TLS; "" for none. Key is its PEM private key.
	Cert string
	Key  Secret
}

// IsSet reports whether any TLS material is given.
func (t CacheTLS) IsSet() bool { return t.CA != "" || t.Cert != "" || t.Key.IsSet() }

// A TLSMaterialError is a problem with one piece of a [CacheTLS]: Var
// names its variable (CACHE_TLS_CA, CACHE_TLS_CERT or CACHE_TLS_KEY). It
// wraps [ErrInvalid] and never quotes the key.
type TLSMaterialError struct {
	Var string
	Msg string
}

func (e *TLSMaterialError) Error() string { return e.Var + ": " + e.Msg }

// Unwrap returns ErrInvalid: bad TLS material is a configuration error.
func (e *TLSMaterialError) Unwrap() error { return ErrInvalid }

// ClientConfig returns the TLS configuration of a client with t's
// material: RootCAs from CA (nil, the system roots, when CA is empty),
// and the client certificate of Cert and Key. MinVersion is TLS 1.2;
// ServerName is left for the client to set per server. The error is a
// [*TLSMaterialError] for the first piece that is not usable; a nil
// configuration and no error when nothing is set.
func (t CacheTLS) ClientConfig() (*tls.Config, error) {
	if errs := t.problems(); len(errs) > 0 {
		return nil, errs[0]
	}
	if !t.IsSet() {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CA != "" {
		c.RootCAs, _ = caPool(t.CA) // checked by problems
	}
	if t.Cert != "" {
		pair, _ := tls.X509KeyPair([]byte(t.Cert), []byte(t.Key.Reveal())) // checked by problems
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// problems returns every problem of t's material, one per variable at
// most, in the order CA, CERT, KEY.
func (t CacheTLS) problems() []*TLSMaterialError {
	var out []*TLSMaterialError
	if t.CA != "" {
		if _, err := caPool(t.CA); err != nil {
			out = append(out, &TLSMaterialError{"CACHE_TLS_CA", err.Error()})
		}
	}
	switch cert, key := t.Cert != "", t.Key.IsSet(); {
	case cert && !key:
		out = append(out, &TLSMaterialError{"CACHE_TLS_KEY", "not set, but CACHE_TLS_CERT is: a client certificate needs its private key"})
	case key && !cert:
		out = append(out, &TLSMaterialError{"CACHE_TLS_CERT", "not set, but CACHE_TLS_KEY is: a private key needs its client certificate"})
	case cert && key:
		if err := certPEM(t.Cert); err != nil {
			out = append(out, &TLSMaterialError{"CACHE_TLS_CERT", err.Error()})
			break
		}
		if err := keyPEM(t.Key.Reveal()); err != nil {
			out = append(out, &TLSMaterialError{"CACHE_TLS_KEY", err.Error()})
			break
		}
		if _, err := tls.X509KeyPair([]byte(t.Cert), []byte(t.Key.Reveal())); err != nil {
			// crypto/tls's messages name the problem (a mismatch, an
			// unknown key type) and quote no key material.
			out = append(out, &TLSMaterialError{"CACHE_TLS_KEY", "does not go with CACHE_TLS_CERT: " + strings.TrimPrefix(err.Error(), "tls: ")})
		}
	}
	return out
}

// caPool parses a PEM bundle of CA certificates.
func caPool(bundle string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	rest := []byte(bundle)
	n := 0
	for i := 1; ; i++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %q, want CERTIFICATE blocks only", i, b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %v", i, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("holds no PEM certificate (want -----BEGIN CERTIFICATE----- blocks)")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("has text after certificate %d that is not PEM", n)
	}
	return pool, nil
}

// certPEM checks that s holds PEM certificates, the first a client's.
func certPEM(s string) error {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return errors.New("is not PEM (want a -----BEGIN CERTIFICATE----- block)")
	}
	if b.Type != "CERTIFICATE" {
		return fmt.Errorf("starts with a %q PEM block, want CERTIFICATE", b.Type)
	}
	if _, err := x509.ParseCertificate(b.Bytes); err != nil {
		return fmt.Errorf("the certificate does not parse: %v", err)
	}
	return nil
}

// keyPEM checks that s holds a PEM private key. Its messages never quote
// s: the Secret's value.
func keyPEM(s string) error {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return errors.New("is not PEM (want a -----BEGIN PRIVATE KEY----- block)")
	}
	if b.Type != "PRIVATE KEY" && !strings.HasSuffix(b.Type, " PRIVATE KEY") {
		return fmt.Errorf("starts with a %q PEM block, want a PRIVATE KEY", showPEMType(b.Type))
	}
	return nil
}

// showPEMType returns a PEM block's type for a message: its name, if it
// is a short upper-case word list, else "unknown".
func showPEMType(t string) string {
	if len(t) > 32 || strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") != "" {
		return "unknown"
	}
	return t
}

// checkCacheTLS (PR-E044) refuses TLS material that cannot be used (a CA
// bundle or certificate that is not PEM, a key that does not go with its
// certificate, half a pair), and TLS material that would be ignored: set
// while CACHE_URL is not a TLS URL of the redis backend.
func checkCacheTLS(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil {
		return nil
	}
	t := CacheTLS{CA: b.CacheTLSCA, Cert: b.CacheTLSCert, Key: b.CacheTLSKey}
	if !t.IsSet() {
		return nil
	}
	var out []Finding
	for _, p := range t.problems() {
		out = append(out, in.finding(p.Var, "$ "+p.Msg, tlsHint(p.Var)))
	}
	if len(out) > 0 {
		return out
	}
	tlsURL := false
	if b.CacheBackend == CacheRedis && b.CacheURL.IsSet() {
		r, err := cacheurl.ParseRedis(b.CacheURL.Reveal())
		tlsURL = err == nil && r.TLS
		if err != nil {
			return nil // PR-E037's
		}
	}
	if !tlsURL {
		v := "CACHE_TLS_CA"
		if t.CA == "" {
			v = "CACHE_TLS_CERT"
		}
		out = append(out, in.finding(v, "$ is set, but "+in.name("CACHE_URL")+" is not a TLS URL of the redis backend (rediss:// or valkeys://), so it would be ignored",
			"use rediss:// in "+in.name("CACHE_URL")+", or unset the CACHE_TLS_ variables"))
	}
	return out
}

// tlsHint is the hint of a finding about the TLS variable v.
func tlsHint(v string) string {
	switch v {
	case "CACHE_TLS_CA":
		return "set $_FILE to the PEM file of the CA bundle (such as /run/secrets/redis-ca.pem)"
	case "CACHE_TLS_CERT":
		return "set $_FILE to the PEM file of the client certificate, and CACHE_TLS_KEY_FILE to its key"
	}
	return "set $_FILE to the PEM file of the client certificate's private key"
}

// checkCacheSkipVerify (PR-E043) refuses skip_verify in CACHE_URL under a
// hardened profile: without certificate verification, anyone on the path
// can pose as the cache server, read every entry and the password, and
// serve its own values.
func checkCacheSkipVerify(_ context.Context, in *CheckInput) []Finding {
	b := in.Base
	if b == nil || !in.Profile.Hardened() || b.CacheBackend != CacheRedis || !b.CacheURL.IsSet() {
		return nil
	}
	r, err := cacheurl.ParseRedis(b.CacheURL.Reveal())
	if err != nil || !r.SkipVerify {
		return nil
	}
	return []Finding{in.finding("CACHE_URL", "$ has skip_verify: the cache server's certificate is not verified, so anyone on the path can pose as it",
		"remove skip_verify, and give the CA that signs the server's certificate in CACHE_TLS_CA_FILE")}
}
