package cache

import (
	"context"
	"time"

	"github.com/prodready/prodready"
)

// NewWithBackend is New with b as the redis or memcached backend that cfg
// names, for the tests of the remote path without a server.
func NewWithBackend[V any](ctx context.Context, cfg prodready.Settings, opts *Options, b Backend) (*Cache[V], error) {
	return build[V](ctx, cfg.BaseConfig().CacheConfig(), opts, func(context.Context, prodready.CacheConfig, *Options) (Backend, error) {
		return b, nil
	})
}

// ReencodeEnvelope parses b as an envelope and encodes it again, for the
// fuzz test.
func ReencodeEnvelope(b []byte) ([]byte, error) {
	e, err := decodeEnvelope(b)
	if err != nil {
		return nil, err
	}
	return encodeEnvelope(e), nil
}

// EncodeEnvelope returns the envelope a Cache[V] with the Codec codec
// (JSON if nil) stores for payload, with a TTL of ttl, for the tests of
// corrupt and foreign entries.
func EncodeEnvelope[V any](codec Codec, negative bool, expires, refreshAt int64, ttl time.Duration, payload []byte) []byte {
	if codec == nil {
		codec = JSON{}
	}
	return encodeEnvelope(envelope{negative: negative, expires: expires, refreshAt: refreshAt, ttl: int64(ttl), fingerprint: fingerprint[V](codec), payload: payload})
}

// NewWithOpenError is New with a redis or memcached backend that fails to
// open with err, for the tests of construction errors.
func NewWithOpenError[V any](ctx context.Context, cfg prodready.Settings, err error) (*Cache[V], error) {
	return build[V](ctx, cfg.BaseConfig().CacheConfig(), nil, func(context.Context, prodready.CacheConfig, *Options) (Backend, error) {
		return nil, err
	})
}
