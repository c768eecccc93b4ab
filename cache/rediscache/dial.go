package rediscache

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/cacheurl"
	"github.com/prodready/prodready/internal/inflight"
	"github.com/prodready/prodready/internal/redact"
	"github.com/redis/rueidis"
)

// dialTracked wraps a rueidis dialer so that its connections go into cs,
// and Close can close those that calls left running still hold.
func dialTracked(cs *inflight.ConnSet, next func(context.Context, string, *net.Dialer, *tls.Config) (net.Conn, error)) func(context.Context, string, *net.Dialer, *tls.Config) (net.Conn, error) {
	return func(ctx context.Context, addr string, d *net.Dialer, cfg *tls.Config) (net.Conn, error) {
		if cs.Closed() {
			return nil, ErrClosed
		}
		nc, err := next(ctx, addr, d, cfg)
		if err != nil {
			return nil, err
		}
		return cs.Track(nc, ErrClosed)
	}
}

// dial connects to addr: over TLS when cfg is not nil (rueidis passes the
// TLS configuration of the connection it dials: a Redis server's, or a
// Sentinel's), else over TCP.
func dial(ctx context.Context, addr string, d *net.Dialer, cfg *tls.Config) (net.Conn, error) {
	if cfg == nil {
		return d.DialContext(ctx, "tcp", addr)
	}
	return dialTLS(ctx, addr, d, cfg)
}

// newClient runs rueidis.NewClient, which dials synchronously, within ctx.
func newClient(ctx context.Context, copt rueidis.ClientOption) (rueidis.Client, error) {
	type result struct {
		c   rueidis.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := rueidis.NewClient(copt)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// dialTLS connects to addr over TLS, like rueidis's own dialer, but names
// the server dialed as the ServerName (unless cfg sets one), so that each
// node of a cluster and a Sentinel's master is verified under its own
// name, and says in its error what failed: a plaintext server never
// answers a TLS ClientHello, and rueidis would report only the timeout.
func dialTLS(ctx context.Context, addr string, d *net.Dialer, cfg *tls.Config) (net.Conn, error) {
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(addr)
	}
	hc := &handshakeConn{addr: addr, gave: len(cfg.Certificates) > 0 || cfg.GetClientCertificate != nil}
	if cfg.GetClientCertificate == nil {
		// Note the server's request: with TLS 1.3 a server refuses the
		// client's certificate, or its lack of one, only after the
		// handshake, and the client then sees a connection reset.
		certs := cfg.Certificates
		cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			hc.asked = true
			for i := range certs {
				if cri.SupportsCertificate(&certs[i]) == nil {
					return &certs[i], nil
				}
			}
			if len(certs) > 0 {
				return &certs[0], nil
			}
			return &tls.Certificate{}, nil
		}
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, &tlsError{addr: addr, err: err}
	}
	if !hc.asked {
		return tc, nil
	}
	hc.Conn = tc
	return hc, nil
}

// A handshakeConn is a TLS connection to a server that asked for a client
// certificate. Until the first reply arrives, an error on it is a
// *tlsError that says the server refused the certificate, or its lack.
type handshakeConn struct {
	net.Conn
	addr  string
	gave  bool        // a client certificate was configured
	asked bool        // the server asked for one (set during the handshake)
	ok    atomic.Bool // a read succeeded: the server took the certificate
}

func (c *handshakeConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.ok.Store(true)
	}
	return n, c.explain(err)
}

func (c *handshakeConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	return n, c.explain(err)
}

// explain turns an error before the first reply into a *tlsError.
func (c *handshakeConn) explain(err error) error {
	if err == nil || c.ok.Load() || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed) {
		return err
	}
	reason := "the server demands a client certificate (mutual TLS) and none was given: set CACHE_TLS_CERT_FILE and CACHE_TLS_KEY_FILE"
	if c.gave {
		reason = "the server refused the client certificate (CACHE_TLS_CERT): is it signed by a CA the server trusts?"
	}
	return &tlsError{addr: c.addr, err: err, reason: reason}
}

// A tlsError is a failed TLS handshake, or a connection the server closed
// with a TLS alert after it: its message says which side refused what.
type tlsError struct {
	addr   string
	err    error
	reason string // "" for tlsReason's
}

func (e *tlsError) Unwrap() error { return e.err }

func (e *tlsError) Error() string {
	r := e.reason
	if r == "" {
		r = tlsReason(e.err)
	}
	return "tls handshake with " + e.addr + ": " + r + ": " + e.err.Error()
}

// tlsReason explains a TLS failure for an operator: whether the server's
// certificate was not trusted, or the server refused the client's.
func tlsReason(err error) string {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch msg := err.Error(); {
	case errors.As(err, &unknown):
		return "the server's certificate is not signed by a CA this client trusts (CACHE_TLS_CA, or the system roots when it is not set)"
	case errors.As(err, &hostname):
		return "the server's certificate is not for the host dialed (" + hostname.Host + ")"
	case errors.As(err, &invalid):
		return "the server's certificate is not valid (expired, or not for a server)"
	case strings.Contains(msg, "tls: certificate required"):
		return "the server demands a client certificate (mutual TLS) and none was given: set CACHE_TLS_CERT_FILE and CACHE_TLS_KEY_FILE"
	case strings.Contains(msg, "remote error: tls: bad certificate"), strings.Contains(msg, "remote error: tls: unknown certificate authority"):
		return "the server refused the client certificate (CACHE_TLS_CERT): is it signed by a CA the server trusts?"
	case strings.Contains(msg, "first record does not look like a TLS handshake"), errors.Is(err, context.DeadlineExceeded):
		return "no TLS answer (is it a TLS server? rediss:// needs one)"
	}
	return "TLS failed"
}

// tlsFailure returns err, from connecting, as a *tlsError when it is a TLS
// alert the server sent after the handshake (with TLS 1.3, a server that
// refuses the client's certificate, or its lack of one, says so only then,
// in reply to the first command), else nil.
func tlsFailure(err error, addr string) error {
	var te *tlsError
	if errors.As(err, &te) {
		return te
	}
	if strings.Contains(err.Error(), "remote error: tls: ") {
		return &tlsError{addr: addr, err: err}
	}
	return nil
}

// clientOption turns u into rueidis options, with the parser the root's
// load-time checks use (internal/cacheurl), rather than rueidis.ParseURL,
// whose errors may quote the URL and which ignores what it does not know.
// base is Options.TLS. The error wraps prodready.ErrInvalid.
func clientOption(u prodready.SecretURL, base *tls.Config) (rueidis.ClientOption, cacheurl.Redis, error) {
	var o rueidis.ClientOption
	r, err := cacheurl.ParseRedis(u.Reveal())
	if err != nil {
		return o, r, fmt.Errorf("rediscache: %w: %w", prodready.ErrInvalid, err)
	}
	if r.TLS {
		o.TLSConfig = &tls.Config{}
		if base != nil {
			o.TLSConfig = base.Clone()
		}
		o.TLSConfig.MinVersion = max(o.TLSConfig.MinVersion, tls.VersionTLS12)
		o.TLSConfig.InsecureSkipVerify = r.SkipVerify
	} else if base != nil {
		return o, r, fmt.Errorf("rediscache: %w: TLS material (CACHE_TLS_*) is given but CACHE_URL is not a TLS URL: use rediss://", prodready.ErrInvalid)
	}
	o.InitAddress = slices.Clone(r.Addrs)
	if r.MasterSet != "" {
		// The addresses are Sentinels. They are reached like the
		// servers: over TLS for a TLS URL. rueidis sends them no
		// credentials (those of the URL are the master's).
		o.Sentinel.MasterSet = r.MasterSet
		o.Sentinel.TLSConfig = o.TLSConfig
	}
	o.Username, o.Password = r.Username, r.Password
	o.SelectDB = r.DB
	o.Dialer.Timeout = r.DialTimeout
	o.ClientName = r.ClientName
	o.AlwaysRESP2 = r.RESP2
	// RESP2 has no invalidation messages: no client-side cache.
	o.DisableCache = r.NoClientCache || r.RESP2
	return o, r, nil
}

// scrub removes u's credentials, and any other internal/redact (the
// module's one redactor) recognizes, from err's text; it still unwraps to
// err.
func scrub(err error, u prodready.SecretURL) error { return redact.ForURL(u.Reveal()).Error(err) }
