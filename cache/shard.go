package cache

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// numShards is the number of locks guarding the in-flight loads.
const numShards = 64

// A shard holds the in-flight loads of the keys that hash to it.
type shard[V any] struct {
	mu    sync.Mutex
	calls map[string]*call[V] // the live load of each key, which callers join
	// last is the latest load of each key that still runs, live or
	// superseded by a Set or Delete: a new load of the key waits for it to
	// finish before calling its loader, so that one loader per key runs at
	// a time. running holds every load that runs, for Close to cancel.
	last    map[string]*call[V]
	running map[*call[V]]struct{}
	// loading is len(calls), written under mu, read without it by the
	// memory backend's Set and Delete: with no load in flight they need
	// not take mu. (A load that starts meanwhile runs its loader after the
	// write began, and stores what the source held by then.)
	loading atomic.Int32
	// writers counts the memory backend's Sets in progress past their
	// check for Close, which waits for them before it empties the cache,
	// so that no entry is written after it.
	writers atomic.Int32

	// On the redis and memcached backends, a miss whose lookup began before
	// a load of its key finished, and which reaches start after the load
	// left calls, takes the load's result from recent instead of loading
	// again: done counts the loads finished in the shard, and each recent
	// slot remembers one by its count. (The memory backend looks at its
	// entries again under mu instead.)
	done   atomic.Uint64
	recent [recentLoads]recentLoad[V]
	_      [32]byte // keep shards on their own cache lines
}

// recentLoads is the number of finished loads a shard remembers.
const recentLoads = 4

type recentLoad[V any] struct {
	key string
	seq uint64 // the shard's done count after the load; 0 for an empty slot
	cl  *call[V]
}

// supersedeRemote detaches the in-flight load of key before a Set or
// Delete writes it to the remote backend. When that load is writing its
// result, supersedeRemote waits for the write, for up to Timeout (whether
// or not the caller's ctx ends meanwhile), so that the Set or Delete lands
// after it. It returns the load's lease, if it held one, for the caller to
// give back after its write.
func (c *Cache[V]) supersedeRemote(key string) (release func(context.Context) error) {
	sh := c.shard(key)
	sh.mu.Lock()
	c.wrote(key) // a miss that read the generation before is born superseded
	cl := sh.supersede(key)
	var storing chan struct{}
	if cl != nil {
		storing = cl.storing
		release, cl.release = cl.release, nil
	}
	sh.mu.Unlock()
	if storing != nil {
		// The store runs for up to Timeout from its start (see finish),
		// which was before this wait began: it has ended when the timer
		// fires, unless the backend overruns its own timeout. The wait does
		// not end with ctx, so that a Set or Delete whose caller gave up
		// does not reach the server before the store it follows.
		t := time.NewTimer(c.o.Timeout)
		defer t.Stop()
		select {
		case <-storing:
		case <-t.C:
		}
	}
	return release
}

func (c *Cache[V]) shard(key string) *shard[V] {
	return &c.shards[maphash.String(c.seed, key)&(numShards-1)]
}

// supersede detaches the in-flight load of key, if any, so that it does not
// store its result, and returns it. The load stays in last and running
// until it returns. sh.mu must be held.
func (sh *shard[V]) supersede(key string) *call[V] {
	cl, ok := sh.calls[key]
	if ok {
		cl.superseded = true
		delete(sh.calls, key)
		sh.loading.Add(-1)
	}
	for i := range sh.recent {
		if sh.recent[i].seq != 0 && sh.recent[i].key == key {
			sh.recent[i] = recentLoad[V]{}
		}
	}
	return cl
}

// finished returns the load of key that finished after the shard's done
// count was since, if the shard remembers one. sh.mu must be held.
func (sh *shard[V]) finished(key string, since uint64) *call[V] {
	for i := range sh.recent {
		if r := &sh.recent[i]; r.seq > since && r.key == key {
			return r.cl
		}
	}
	return nil
}

// remember records cl, a finished load of key. sh.mu must be held.
func (sh *shard[V]) remember(key string, cl *call[V]) {
	seq := sh.done.Add(1)
	sh.recent[seq%recentLoads] = recentLoad[V]{key: key, seq: seq, cl: cl}
}
