package cache

import (
	"context"

	"github.com/prodready/prodready"
)

// NewWithBackend is New with b as the redis or memcached backend that cfg
// names, for the tests of the remote path without a server.
func NewWithBackend[V any](ctx context.Context, cfg prodready.CacheConfig, opts *Options, b Backend) (*Cache[V], error) {
	return build[V](ctx, cfg, opts, func(context.Context, prodready.CacheConfig, *Options) (Backend, error) {
		return b, nil
	})
}

// DecodeEnvelope exposes the envelope parser to the fuzz test.
func DecodeEnvelope(b []byte) error {
	_, err := decodeEnvelope(b)
	return err
}

// EncodeEnvelope exposes the envelope writer to the fuzz test.
func EncodeEnvelope(negative bool, expires, refreshAt int64, payload []byte) []byte {
	return encodeEnvelope(envelope{negative: negative, expires: expires, refreshAt: refreshAt, payload: payload})
}

// NewWithOpenError is New with a redis or memcached backend that fails to
// open with err, for the tests of construction errors.
func NewWithOpenError[V any](ctx context.Context, cfg prodready.CacheConfig, err error) (*Cache[V], error) {
	return build[V](ctx, cfg, nil, func(context.Context, prodready.CacheConfig, *Options) (Backend, error) {
		return nil, err
	})
}
