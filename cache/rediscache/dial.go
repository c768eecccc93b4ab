package rediscache

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

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

// dialTCP is rueidis's own dialer without TLS.
func dialTCP(ctx context.Context, addr string, d *net.Dialer, _ *tls.Config) (net.Conn, error) {
	return d.DialContext(ctx, "tcp", addr)
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
// the handshake in its error: a plaintext server never answers a TLS
// ClientHello, and rueidis would report only the timeout.
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
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("tls handshake with %s (is it a TLS server? rediss:// needs one): %w", addr, err)
	}
	return tc, nil
}

// clientOption turns u into rueidis options, with the parser the root's
// load-time checks use (internal/cacheurl), rather than rueidis.ParseURL,
// whose errors may quote the URL and which ignores what it does not know.
// The error wraps prodready.ErrInvalid.
func clientOption(u prodready.SecretURL) (rueidis.ClientOption, error) {
	var o rueidis.ClientOption
	r, err := cacheurl.ParseRedis(u.Reveal())
	if err != nil {
		return o, fmt.Errorf("rediscache: %w: %w", prodready.ErrInvalid, err)
	}
	if r.TLS {
		o.TLSConfig = &tls.Config{ServerName: r.Host, MinVersion: tls.VersionTLS12}
	}
	o.InitAddress = []string{r.Addr}
	o.Username, o.Password = r.Username, r.Password
	o.SelectDB = r.DB
	o.Dialer.Timeout = r.DialTimeout
	o.ClientName = r.ClientName
	o.AlwaysRESP2 = r.RESP2
	// RESP2 has no invalidation messages: no client-side cache.
	o.DisableCache = r.NoClientCache || r.RESP2
	return o, nil
}

// scrub removes u's credentials, and any other internal/redact (the
// module's one redactor) recognizes, from err's text; it still unwraps to
// err.
func scrub(err error, u prodready.SecretURL) error { return redact.ForURL(u.Reveal()).Error(err) }
