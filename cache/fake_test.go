package cache_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prodready/prodready/cache"
)

// fakeServer is an in-memory stand-in for a redis or memcached server,
// shared by the fakeBackends of a test, which see each other's keys within
// a namespace.
type fakeServer struct {
	mu    sync.Mutex
	data  map[string][]byte
	locks map[string]uint64 // key -> holder token

	down  atomic.Bool  // every call fails
	calls atomic.Int64 // calls of Get, Set, Delete, TryLock
	token atomic.Uint64
}

var errDown = errors.New("dial tcp 10.0.0.1:6379: connect: connection refused")

func newFakeServer() *fakeServer {
	return &fakeServer{data: map[string][]byte{}, locks: map[string]uint64{}}
}

// fakeBackend is a cache.Backend on a fakeServer under a namespace.
type fakeBackend struct {
	s      *fakeServer
	ns     string
	closed atomic.Bool
}

var _ cache.Backend = (*fakeBackend)(nil)

func (b *fakeBackend) call(ctx context.Context) error {
	b.s.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.closed.Load() {
		return errors.New("fake: closed")
	}
	if b.s.down.Load() {
		return errDown
	}
	return nil
}

func (b *fakeBackend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := b.call(ctx); err != nil {
		return nil, false, err
	}
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	v, ok := b.s.data[b.ns+":"+key]
	return append([]byte(nil), v...), ok, nil
}

func (b *fakeBackend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := b.call(ctx); err != nil {
		return err
	}
	if ttl <= 0 {
		return errors.New("fake: ttl not positive")
	}
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.s.data[b.ns+":"+key] = append([]byte(nil), value...)
	return nil
}

func (b *fakeBackend) Delete(ctx context.Context, key string) error {
	if err := b.call(ctx); err != nil {
		return err
	}
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	delete(b.s.data, b.ns+":"+key)
	return nil
}

func (b *fakeBackend) Close() error {
	b.closed.Store(true)
	return nil
}

// fakeLocker is a fakeBackend that is also a cache.Locker. Leases do not
// run out: the tests release them.
type fakeLocker struct{ fakeBackend }

var _ cache.Locker = (*fakeLocker)(nil)

func (b *fakeLocker) TryLock(ctx context.Context, key string, lease time.Duration) (func(context.Context) error, bool, error) {
	if err := b.call(ctx); err != nil {
		return nil, false, err
	}
	k := b.ns + ":" + key
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	if _, held := b.s.locks[k]; held {
		return nil, false, nil
	}
	tok := b.s.token.Add(1)
	b.s.locks[k] = tok
	return func(context.Context) error {
		b.s.mu.Lock()
		defer b.s.mu.Unlock()
		if b.s.locks[k] == tok {
			delete(b.s.locks, k)
		}
		return nil
	}, true, nil
}

// lockFor takes key's lease in ns as another process would.
func (s *fakeServer) lockFor(ns, key string) (release func()) {
	k := ns + ":" + key
	s.mu.Lock()
	s.locks[k] = 0
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.locks, k)
		s.mu.Unlock()
	}
}

// put stores raw bytes under key in ns, as another process or a corrupt
// writer would.
func (s *fakeServer) put(ns, key string, v []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[ns+":"+key] = v
}
