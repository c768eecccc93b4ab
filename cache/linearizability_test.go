package cache_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/internal/testserver"
)

// The linearizability tests record histories of concurrent Get, Set,
// Delete and GetOrLoad calls and check them with porcupine against
// linModel, the contract docs/CACHE.md states ("Coherence"). They were
// written for the issue "Coherence: a write is never undone by a load that
// started before it": a Set that completed after a GetOrLoad saw its miss
// but before its loader ran was overwritten by the loaded value, on every
// backend (memory: 2 runs in 8; Redis and Memcached: every run).
//
// The normal test suite runs each backend for linShortOps operations;
// PRODREADY_COHERENCE_OPS=N (scripts/coherence.sh) runs N per backend.

// linShortOps is the length of a history in the normal test suite.
const linShortOps = 3000

// A linIn is an operation of a history: kind is one of "get", "set",
// "del" and "load" (GetOrLoad).
type linIn struct {
	kind, key, val string
	inst           int // the Cache (instance) that made the call
	// failing is set when the backend failed during the call (the
	// Cache's BackendErrors moved), or the key was unsettled by a failed
	// write (see unsettled.go): a GetOrLoad may then have failed open,
	// returning a loaded value over a stored one without storing it, and
	// a Get may have read a miss.
	failing bool
}

// A linOut is its result: val and ok as returned, err for an error.
type linOut struct {
	val string
	ok  bool
	err bool
}

// loaded reports whether v was returned by a loader (values written by Set
// start with "S").
func loaded(v string) bool { return strings.HasPrefix(v, "L") }

// linModel is the contract, per key: the state is the value stored ("" for
// none). A GetOrLoad returns the stored value, or, when none is stored, a
// loaded value, which it may store or not (a load superseded by a write,
// or whose store failed, returns its value without storing it). A Set or
// Delete that failed may or may not have taken effect.
var linModel = porcupine.NondeterministicModel{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		by := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range h {
			k := op.Input.(linIn).key
			if _, ok := by[k]; !ok {
				keys = append(keys, k)
			}
			by[k] = append(by[k], op)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, by[k])
		}
		return out
	},
	Init: func() []any { return []any{""} },
	Step: func(state, input, output any) []any {
		st, in, out := state.(string), input.(linIn), output.(linOut)
		switch in.kind {
		case "get":
			switch {
			case out.err, in.failing && !out.ok:
				return []any{st}
			case !out.ok && st == "", out.ok && out.val == st:
				return []any{st}
			}
			return nil
		case "set":
			if out.err {
				// It may land at any time later (its Return is the end of
				// the history), and its repair deletes the key.
				return []any{st, in.val, ""}
			}
			return []any{in.val}
		case "del":
			if out.err {
				return []any{st, ""}
			}
			return []any{""}
		case "load":
			switch {
			case out.err:
				return []any{st}
			case out.val == st:
				return []any{st}
			case st == "" && loaded(out.val):
				return []any{out.val, ""}
			case in.failing && loaded(out.val):
				return []any{st} // failed open: returned, not stored
			}
			return nil
		}
		return nil
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(linIn), output.(linOut)
		res := fmt.Sprintf("%q", out.val)
		switch {
		case out.err:
			res = "error"
		case in.kind == "get" && !out.ok:
			res = "miss"
		case in.kind == "set" || in.kind == "del":
			res = "ok"
		}
		arg := ""
		if in.kind == "set" {
			arg = fmt.Sprintf(", %q", in.val)
		}
		return fmt.Sprintf("#%d %s(%q%s) -> %s", in.inst, in.kind, in.key, arg, res)
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%q", state) },
}

// linRun drives workers goroutines of random calls on keys through the
// caches (spread round-robin over the workers) for ops calls in all, and
// returns the history.
func linRun(t *testing.T, caches []*cache.Cache[string], ops int) []porcupine.Operation {
	t.Helper()
	const workers = 8
	keys := []string{"a", "b", "c"}
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	var (
		seq     atomic.Int64
		left    atomic.Int64
		mu      sync.Mutex
		history []porcupine.Operation
		wg      sync.WaitGroup
	)
	left.Store(int64(ops))
	loader := func(context.Context) (string, error) {
		time.Sleep(time.Duration(rand.IntN(2001)) * time.Microsecond)
		return "L" + strconv.FormatInt(seq.Add(1), 10), nil
	}
	for w := range workers {
		wg.Go(func() {
			inst := w % len(caches)
			c := caches[inst]
			ctx := context.Background()
			for left.Add(-1) >= 0 {
				in := linIn{key: keys[rand.IntN(len(keys))], inst: inst}
				var out linOut
				errs := c.Stats().BackendErrors
				unsettled := cache.Unsettled(c, in.key)
				call := now()
				switch r := rand.IntN(20); {
				case r < 7:
					in.kind = "load"
					v, err := c.GetOrLoad(ctx, in.key, loader)
					out = linOut{val: v, ok: err == nil, err: err != nil}
				case r < 12:
					in.kind = "get"
					v, ok, err := c.Get(ctx, in.key)
					out = linOut{val: v, ok: ok, err: err != nil}
				case r < 17:
					in.kind = "set"
					in.val = "S" + strconv.FormatInt(seq.Add(1), 10)
					out.err = c.Set(ctx, in.key, in.val) != nil
				default:
					in.kind = "del"
					out.err = c.Delete(ctx, in.key) != nil
				}
				ret := now()
				in.failing = unsettled || cache.Unsettled(c, in.key) || c.Stats().BackendErrors != errs
				if out.err && (in.kind == "set" || in.kind == "del") {
					// A failed write may land later, until its repair
					// (see unsettled.go): it returns at the end of time.
					ret = math.MaxInt64 / 2
				}
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: w, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return history
}

// linCheck checks history against linModel. On a violation it prints the
// operations around the first one that could not be linearized, in call
// order, and writes porcupine's visualization to a file it names.
func linCheck(t *testing.T, history []porcupine.Operation) {
	t.Helper()
	model := linModel.ToModel()
	res, info := porcupine.CheckOperationsVerbose(model, history, time.Minute)
	switch res {
	case porcupine.Ok:
		return
	case porcupine.Unknown:
		t.Fatalf("porcupine timed out on %d operations", len(history))
	}
	var b strings.Builder
	parts := model.Partition(history)
	partials := info.PartialLinearizations()
	for i, part := range parts {
		if porcupine.CheckOperations(model, part) {
			continue
		}
		// The longest partial linearization ends just before the
		// violation: show the operations that overlap the first
		// operation it could not place.
		done := map[int]bool{}
		for _, lin := range partials[i] {
			if len(lin) > len(done) {
				done = map[int]bool{}
				for _, j := range lin {
					done[j] = true
				}
			}
		}
		sorted := slices.Clone(part)
		idx := make([]int, len(part))
		for j := range idx {
			idx[j] = j
		}
		slices.SortFunc(idx, func(a, b int) int { return int(part[a].Call - part[b].Call) })
		first := -1
		for _, j := range idx {
			if !done[j] {
				first = j
				break
			}
		}
		fmt.Fprintf(&b, "key %q: %d operations, %d linearized; around the first that is not (times in µs):\n",
			part[0].Input.(linIn).key, len(part), len(done))
		if first >= 0 {
			lo, hi := part[first].Call-5*int64(time.Millisecond), part[first].Return+int64(time.Millisecond)
			for _, op := range sorted {
				if op.Return >= lo && op.Call <= hi {
					mark := " "
					if !done[slices.IndexFunc(part, func(o porcupine.Operation) bool { return o.Call == op.Call && o.ClientId == op.ClientId })] {
						mark = "*"
					}
					fmt.Fprintf(&b, "%s [%9.1f, %9.1f] %s\n", mark, float64(op.Call)/1e3, float64(op.Return)/1e3,
						model.DescribeOperation(op.Input, op.Output))
				}
			}
		}
		break
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("linearizability-%s-%d.html", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano()))
	if err := porcupine.VisualizePath(model, info, path); err == nil {
		fmt.Fprintf(&b, "visualization: %s\n", path)
	}
	t.Fatalf("history of %d operations is not linearizable (* = not linearized):\n%s", len(history), b.String())
}

// linOps is the number of operations per backend: linShortOps, or
// PRODREADY_COHERENCE_OPS.
func linOps(t *testing.T) int {
	if s := os.Getenv("PRODREADY_COHERENCE_OPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("PRODREADY_COHERENCE_OPS=%q: want a positive number of operations", s)
		}
		return n
	}
	if testing.Short() {
		return linShortOps / 3
	}
	return linShortOps
}

// linBackends are the configurations the checker runs on, each with the
// number of instances (Caches sharing the server).
func linBackends(t *testing.T) []struct {
	name  string
	cfg   func(t *testing.T) prodready.Base
	opts  cache.Options
	insts int
} {
	remote := func(kind prodready.CacheBackend) func(t *testing.T) prodready.Base {
		return func(t *testing.T) prodready.Base {
			var raw string
			if kind == prodready.CacheRedis {
				raw = testserver.Redis(t)
			} else {
				raw = "memcached://" + testserver.Memcached(t)
			}
			u, err := prodready.ParseSecretURL(raw)
			if err != nil {
				t.Fatal(err)
			}
			return prodready.Base{CacheBackend: kind, CacheURL: u, CacheTTL: time.Minute, CacheNamespace: testserver.Namespace(t), SecretKey: cachetest.Key(t)}
		}
	}
	memory := func(*testing.T) prodready.Base {
		return prodready.Base{CacheBackend: prodready.CacheMemory, CacheTTL: time.Minute, CacheMaxSize: 1000}
	}
	return []struct {
		name  string
		cfg   func(t *testing.T) prodready.Base
		opts  cache.Options
		insts int
	}{
		{"memory", memory, cache.Options{}, 1},
		{"redis", remote(prodready.CacheRedis), cache.Options{}, 1},
		{"redis/no-near-cache", remote(prodready.CacheRedis), cache.Options{DisableNearCache: true}, 1},
		{"redis/no-near-cache/2-instances", remote(prodready.CacheRedis), cache.Options{DisableNearCache: true}, 2},
		{"memcached", remote(prodready.CacheMemcached), cache.Options{}, 1},
		{"memcached/2-instances", remote(prodready.CacheMemcached), cache.Options{}, 2},
	}
}

func TestLinearizable(t *testing.T) {
	t.Parallel()
	for _, b := range linBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.cfg(t)
			var caches []*cache.Cache[string]
			for range b.insts {
				c, err := cache.New[string](context.Background(), cfg, &b.opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = c.Close() })
				caches = append(caches, c)
			}
			n := linOps(t)
			h := linRun(t, caches, n)
			linCheck(t, h)
			t.Logf("%d operations linearizable", n)
		})
	}
}
