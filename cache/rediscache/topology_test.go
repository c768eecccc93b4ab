package rediscache_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/cachetest"
	"github.com/prodready/prodready/cache/rediscache"
	"github.com/prodready/prodready/internal/testserver"
)

// runConformance runs the conformance suite on the servers cfg names.
func runConformance(t *testing.T, cfg prodready.Base) {
	t.Helper()
	cachetest.Run(t, func(t *testing.T, c prodready.Base, opts *cache.Options) (*cache.Cache[cachetest.Item], error) {
		c.CacheBackend, c.CacheURL = prodready.CacheRedis, cfg.CacheURL
		c.CacheTLSCA, c.CacheTLSCert, c.CacheTLSKey = cfg.CacheTLSCA, cfg.CacheTLSCert, cfg.CacheTLSKey
		o := cache.Options{}
		if opts != nil {
			o = *opts
		}
		if o.Timeout == 0 {
			o.Timeout = sharedTimeout // behaviour, not latency (see TestConformance)
		}
		cc, err := cache.New[cachetest.Item](t.Context(), c, &o)
		if err == nil {
			t.Cleanup(func() { _ = cc.Close() })
		}
		return cc, err
	})
}

// infoStat returns a number of INFO section on the server at addr.
func infoStat(t *testing.T, addr, section, name string) int {
	t.Helper()
	out, err := testserver.Command(addr, "INFO", section)
	if err != nil {
		t.Fatalf("INFO %s on %s: %v", section, addr, err)
	}
	for line := range strings.SplitSeq(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// TestCluster: on a 3-node Redis Cluster named by its seeds the cache
// passes the conformance suite; keys spread over every node, each lock
// key in its data key's slot (as Redis computes it); and the near cache
// serves repeated reads without asking the cluster.
func TestCluster(t *testing.T) {
	cl := testserver.StartRedisCluster(t, 3)
	u := mustURL(t, cl.URL())
	t.Run("conformance", func(t *testing.T) {
		runConformance(t, prodready.Base{CacheURL: u})
	})
	t.Run("keys spread, locks beside their keys", func(t *testing.T) {
		ns := testserver.Namespace(t)
		s := newStore(t, cl.URL(), &rediscache.Options{Namespace: ns})
		ctx := context.Background()
		for i := range 60 {
			if err := s.Set(ctx, "item:"+strconv.Itoa(i), []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range cl.Nodes {
			if keys := infoStat(t, n.Addr(), "keyspace", "db0"); keys == 0 {
				if out, _ := testserver.Command(n.Addr(), "DBSIZE"); out == "0" {
					t.Errorf("node %s holds none of 60 keys: the keys do not spread", n.Addr())
				}
			}
		}
		for i := range 20 {
			k := "item:" + strconv.Itoa(i)
			data, err := testserver.Command(cl.Nodes[0].Addr(), "CLUSTER", "KEYSLOT", rediscache.DataKey(s, k))
			if err != nil {
				t.Fatal(err)
			}
			lock, err := testserver.Command(cl.Nodes[0].Addr(), "CLUSTER", "KEYSLOT", rediscache.LockKey(s, k))
			if err != nil {
				t.Fatal(err)
			}
			if data != lock {
				t.Errorf("key %q: data in slot %s, its lock in slot %s", k, data, lock)
			}
			release, ok, err := s.TryLock(ctx, k, time.Second)
			if err != nil || !ok {
				t.Fatalf("TryLock(%q) = %v, %v on a cluster", k, ok, err)
			}
			if err := release(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("two instances", func(t *testing.T) {
		// A's writes reach B's near cache through the node's
		// invalidations, within the bound TestTwoInstances keeps.
		ctx := context.Background()
		ns := testserver.Namespace(t)
		a, b := newCache(t, u, ns, nil), newCache(t, u, ns, nil)
		for i := range 10 {
			k := "shared:" + strconv.Itoa(i)
			if err := a.Set(ctx, k, "v0"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, time.Second, func() bool { v, _, _ := b.Get(ctx, k); return v == "v0" })
			for range 3 {
				_, _, _ = b.Get(ctx, k) // from B's near cache
			}
			if err := a.Set(ctx, k, "v1"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 50*time.Millisecond, func() bool { v, _, _ := b.Get(ctx, k); return v == "v1" })
		}
	})
	t.Run("one seed", func(t *testing.T) {
		// One address of a cluster node: the store asks the node and
		// talks to the whole cluster, so no key meets a MOVED error.
		s := newStore(t, "redis://"+cl.Nodes[1].Addr(), &rediscache.Options{Namespace: testserver.Namespace(t)})
		ctx := context.Background()
		for i := range 30 {
			k := "seed:" + strconv.Itoa(i)
			if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
				t.Fatalf("Set(%q) through one seed: %v", k, err)
			}
			if _, ok, err := s.Get(ctx, k); !ok || err != nil {
				t.Fatalf("Get(%q) through one seed = %v, %v", k, ok, err)
			}
		}
	})
	t.Run("near cache", func(t *testing.T) {
		s := newStore(t, cl.URL(), &rediscache.Options{Namespace: testserver.Namespace(t)})
		ctx := context.Background()
		for i := range 30 {
			if err := s.Set(ctx, "near:"+strconv.Itoa(i), []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		hits := func() (n int) {
			for _, node := range cl.Nodes {
				n += infoStat(t, node.Addr(), "stats", "keyspace_hits")
			}
			return n
		}
		// The first read of each key goes to its node (and may be read
		// around the near cache while its write's invalidation is on
		// the way); the next 20 reads are near-cache hits.
		time.Sleep(50 * time.Millisecond)
		for i := range 30 {
			if _, ok, err := s.Get(ctx, "near:"+strconv.Itoa(i)); !ok || err != nil {
				t.Fatalf("Get = %v, %v", ok, err)
			}
		}
		before := hits()
		for range 20 {
			for i := range 30 {
				if _, ok, err := s.Get(ctx, "near:"+strconv.Itoa(i)); !ok || err != nil {
					t.Fatalf("Get = %v, %v", ok, err)
				}
			}
		}
		if d := hits() - before; d > 30 {
			t.Errorf("600 reads of 30 cached keys reached the cluster %d times, want the near cache to serve them", d)
		}
	})
}

// TestSentinel: through three Sentinels the cache passes the conformance
// suite on the master they name.
func TestSentinel(t *testing.T) {
	st := testserver.StartRedisSentinel(t)
	runConformance(t, prodready.Base{CacheURL: mustURL(t, st.URL())})
}

// TestSentinelFailover: GetOrLoad under load while the master is killed
// and the Sentinels promote the replica: no call fails (the cache falls
// back to the loader while the store fails, within its timeout), and
// writes through the cache land on the new master. The time from the
// master's death to the first write through the cache that succeeds is
// logged (docs/BENCHMARKS.md quotes it).
func TestSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the failovers take about 10s")
	}
	for _, fault := range []string{"kill", "pause"} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			st := testserver.StartRedisSentinel(t)
			failover(t, st, func() {
				if fault == "kill" {
					st.Master.Kill() // connections reset at once
				} else {
					st.Master.Pause() // nothing answers: calls time out
				}
			})
		})
	}
}

// hangBound is far above any call's bound during a failover (a few
// Timeouts): a call that takes longer hangs.
const hangBound = 2 * time.Second

// failover runs GetOrLoad under load on st's master set, fails the master
// with fault, and waits for a write through the cache to succeed.
func failover(t *testing.T, st *testserver.Sentinels, fault func()) {
	ctx := context.Background()
	const timeout = 100 * time.Millisecond // the default: the bound a failover must keep
	c, err := cache.New[string](ctx, prodready.Base{
		CacheBackend: prodready.CacheRedis, CacheURL: mustURL(t, st.URL()), CacheTTL: time.Minute,
		CacheNamespace: testserver.Namespace(t), SecretKey: sharedKey,
	}, &cache.Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })

	var (
		calls, failed atomic.Int64
		slowest       atomic.Int64 // ns
		stop          = make(chan struct{})
		wg            sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := "k" + strconv.Itoa((w*1000+i)%50)
				start := time.Now()
				_, err := c.GetOrLoad(ctx, k, func(context.Context) (string, error) { return "v", nil })
				d := time.Since(start)
				for old := slowest.Load(); int64(d) > old && !slowest.CompareAndSwap(old, int64(d)); old = slowest.Load() {
				}
				calls.Add(1)
				if err != nil {
					failed.Add(1)
					t.Errorf("GetOrLoad during the failover: %v", err)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // load before the failure
	oldMaster := st.Master.Addr()
	fault()
	died := time.Now()

	// The first write through the cache that reaches a master: Set fails
	// (the store's error) until the client follows the Sentinels.
	var firstWrite time.Duration
	deadline := died.Add(30 * time.Second)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("no write through the cache succeeded within 30s of the master's death")
		}
		if err := c.Set(ctx, "after-failover", "w"+strconv.Itoa(i)); err == nil {
			firstWrite = time.Since(died)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // load after the failover
	close(stop)
	wg.Wait()

	newMaster, err := st.MasterAddr()
	if err != nil {
		t.Fatal(err)
	}
	if newMaster == oldMaster || newMaster != st.Replica.Addr() {
		t.Errorf("the Sentinels name %s as the master, want the replica %s", newMaster, st.Replica.Addr())
	}
	if n := infoStat(t, newMaster, "keyspace", "db0"); n == 0 {
		if out, _ := testserver.Command(newMaster, "DBSIZE"); out == "0" {
			t.Errorf("the new master %s holds no keys after writes through the cache", newMaster)
		}
	}
	t.Logf("failover: first successful write through the cache %v after the master's death; %d GetOrLoad calls, %d failed, slowest %v (Timeout %v)",
		firstWrite.Round(time.Millisecond), calls.Load(), failed.Load(), time.Duration(slowest.Load()).Round(time.Millisecond), timeout)
	if failed.Load() != 0 {
		t.Errorf("%d of %d GetOrLoad calls failed during the failover, want 0", failed.Load(), calls.Load())
	}
	if d := time.Duration(slowest.Load()); d > hangBound {
		t.Errorf("a GetOrLoad call took %v during the failover: it hung", d)
	}
}

// TestTLS: a server that speaks only TLS and demands a client certificate
// passes the conformance suite with CACHE_TLS_CA, CACHE_TLS_CERT and
// CACHE_TLS_KEY; a CA that does not vouch for the server, or no client
// certificate, fails cache.New within the dial timeout with an error that
// says which.
func TestTLS(t *testing.T) {
	srv := testserver.StartRedisTLS(t, true)
	good := prodready.CacheTLS{CA: srv.PKI.CAPEM, Cert: srv.Client.CertPEM, Key: prodready.NewSecret(srv.Client.KeyPEM)}
	u := mustURL(t, srv.URL())
	t.Run("conformance", func(t *testing.T) {
		runConformance(t, prodready.Base{CacheURL: u, CacheTLSCA: good.CA, CacheTLSCert: good.Cert, CacheTLSKey: good.Key})
	})
	other := testserver.NewPKI(t, "stranger")
	stranger := other.Client("api")
	tests := []struct {
		name string
		tls  prodready.CacheTLS
		want string
	}{
		{"CA does not vouch for the server", prodready.CacheTLS{CA: other.CAPEM, Cert: good.Cert, Key: good.Key}, "not signed by a CA this client trusts"},
		{"system roots", prodready.CacheTLS{}, "not signed by a CA this client trusts"},
		{"no client certificate", prodready.CacheTLS{CA: good.CA}, "demands a client certificate"},
		{"client certificate of another CA", prodready.CacheTLS{CA: good.CA, Cert: stranger.CertPEM, Key: prodready.NewSecret(stranger.KeyPEM)}, "refused the client certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const dial = time.Second
			start := time.Now()
			c, err := cache.New[string](context.Background(), prodready.Base{
				CacheBackend: prodready.CacheRedis, CacheURL: u, CacheTLSCA: tt.tls.CA, CacheTLSCert: tt.tls.Cert, CacheTLSKey: tt.tls.Key, SecretKey: sharedKey,
			}, &cache.Options{Timeout: dial})
			took := time.Since(start)
			if err == nil {
				_ = c.Close()
				t.Fatal("cache.New = nil error")
			}
			t.Logf("cache.New failed after %v: %v", took.Round(time.Millisecond), err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("cache.New error = %q, want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), strings.Split(srv.Client.KeyPEM, "\n")[1]) {
				t.Errorf("cache.New error shows a key: %v", err)
			}
			if took > 2*dial {
				t.Errorf("cache.New took %v, want it within the dial timeout (%v, twice for a redial)", took, dial)
			}
		})
	}
	t.Run("TLS material with redis://", func(t *testing.T) {
		_, err := rediscache.New(context.Background(), mustURL(t, "redis://"+srv.Addr()), &rediscache.Options{TLS: mustClientConfig(t, good)})
		if !errors.Is(err, prodready.ErrInvalid) {
			t.Errorf("New(redis:// with TLS material) = %v, want ErrInvalid", err)
		}
	})
}

func mustClientConfig(t *testing.T, m prodready.CacheTLS) *tls.Config {
	t.Helper()
	c, err := m.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTopologyErrorsRedacted: cache.New on the cluster and Sentinel forms
// of a URL whose servers do not answer fails naming CACHE_URL and the
// addresses, never the password.
func TestTopologyErrorsRedacted(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"redis://:" + canary + "@127.0.0.1:1?addr=127.0.0.1:2&addr=127.0.0.1:3",
		"redis://:" + canary + "@127.0.0.1:1/0?master_set=m&addr=127.0.0.1:2",
		"valkeys://app:" + canary + "@127.0.0.1:1/0?skip_verify=true&addr=127.0.0.1:2",
	} {
		c, err := cache.New[string](context.Background(), prodready.Base{
			CacheBackend: prodready.CacheRedis, CacheURL: mustURL(t, raw), SecretKey: sharedKey,
		}, &cache.Options{Timeout: 200 * time.Millisecond})
		if err == nil {
			_ = c.Close()
			t.Fatalf("cache.New(%s) = nil error", raw)
		}
		t.Logf("cache.New error: %v", err)
		if strings.Contains(fmt.Sprintf("%v %+v", err, err), canary) {
			t.Errorf("cache.New error quotes the password: %v", err)
		}
		if !strings.Contains(err.Error(), "CACHE_URL") || !strings.Contains(err.Error(), "127.0.0.1:2") {
			t.Errorf("cache.New error = %q, want it to name CACHE_URL and the addresses", err)
		}
	}
}
