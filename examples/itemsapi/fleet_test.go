package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/internal/testserver"
)

// fleetServer is a shared cache server the fleet tests run on.
type fleetServer struct {
	name string
	cfg  func(t *testing.T) prodready.CacheConfig // a namespace of the test's own
}

var fleetServers = []fleetServer{
	{"redis", func(t *testing.T) prodready.CacheConfig {
		return prodready.CacheConfig{Backend: prodready.CacheRedis, URL: secretURL(t, testserver.Redis(t)), Namespace: testserver.Namespace(t)}
	}},
	{"memcached", func(t *testing.T) prodready.CacheConfig {
		return prodready.CacheConfig{Backend: prodready.CacheMemcached, URL: secretURL(t, "memcached://"+testserver.Memcached(t)), Namespace: testserver.Namespace(t)}
	}},
}

// secretURL parses u, failing t if it does not parse.
func secretURL(t *testing.T, u string) prodready.SecretURL {
	t.Helper()
	s, err := prodready.ParseSecretURL(u)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testFleet returns the fleet of a replica named id on the server cfg
// names, publishing every interval, with a record of its own.
func testFleet(t *testing.T, cfg prodready.CacheConfig, id string, interval time.Duration) (*fleet, []byte) {
	t.Helper()
	f := &fleet{id: id, kind: cfg.Backend, cache: cfg, interval: interval, expiry: fleetExpiry * interval,
		timeout: time.Second, started: time.Now().UTC().Truncate(time.Second), logger: slog.New(slog.DiscardHandler), now: time.Now}
	t.Cleanup(f.close)
	record, err := json.Marshal(fleetMember{Format: fleetFormat, Version: fleetVersion, Instance: id, Addr: "127.0.0.1:1", Started: f.started,
		Report: json.RawMessage(sampleFleetReport("00", "50"))})
	if err != nil {
		t.Fatal(err)
	}
	return f, record
}

// sampleFleetReport is a fingerprint report whose fingerprint ends in fp
// and whose PAGE_SIZE digest depends on pageSize.
func sampleFleetReport(fp, pageSize string) string {
	d := fmt.Sprintf("%016x", sha256.Sum256([]byte(pageSize)))[:16]
	return `{"format":"prodready-fingerprint","version":1,"profile":"production",` +
		`"fingerprint":"0123456789abcdef0123456789abcd` + fp + `","key":"0011223344556677",` +
		`"variables":{"PAGE_SIZE":{"digest":"` + d + `"},"CACHE_TTL":{"digest":"cccccccccccccccc"},` +
		`"DATABASE_URL":{"digest":"dddddddddddddddd","keyed":true}}}`
}

// liveIDs reads the fleet from the server, as GET /debug/fleet does.
func liveIDs(t *testing.T, f *fleet) []string {
	t.Helper()
	b := f.backend()
	if b == nil {
		var err error
		if b, err = openFleetBackend(context.Background(), f.cache, time.Second); err != nil {
			t.Fatal(err)
		}
		defer b.Close()
	}
	members, unreadable, err := readFleet(context.Background(), b)
	if err != nil || unreadable != 0 {
		t.Fatalf("readFleet() = %d unreadable, %v", unreadable, err)
	}
	var ids []string
	for _, m := range members {
		ids = append(ids, m.Instance)
	}
	return ids
}

// Replicas that publish at once all land in the registry (none overwrites
// another's id); one that stops refreshing drops out once its record
// expires, and one that leaves drops out at once.
func TestFleetRegistry(t *testing.T) {
	t.Parallel()
	for _, srv := range fleetServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			cfg := srv.cfg(t)
			const n = 8
			interval := 200 * time.Millisecond
			fleets, records := make([]*fleet, n), make([][]byte, n)
			var want []string
			for i := range n {
				id := fmt.Sprintf("replica-%d", i)
				fleets[i], records[i] = testFleet(t, cfg, id, interval)
				want = append(want, id)
			}
			ctx := context.Background()
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					for range 3 {
						if err := fleets[i].publish(ctx, records[i], nil); err != nil {
							t.Errorf("%s: publish: %v", fleets[i].id, err)
						}
					}
				})
			}
			wg.Wait()
			lastRefresh := time.Now()
			if got := liveIDs(t, fleets[0]); !slices.Equal(got, want) {
				t.Fatalf("live replicas = %v, want %v", got, want)
			}

			// Replica 0 crashes (stops refreshing); 1 leaves; the others go
			// on refreshing.
			fleets[1].leave(ctx)
			stop := make(chan struct{})
			var refreshers sync.WaitGroup
			for i := 2; i < n; i++ {
				refreshers.Go(func() {
					for {
						select {
						case <-stop:
							return
						case <-time.After(interval):
						}
						if err := fleets[i].publish(ctx, records[i], nil); err != nil {
							t.Errorf("%s: publish: %v", fleets[i].id, err)
						}
					}
				})
			}
			defer func() { close(stop); refreshers.Wait() }()
			if got := liveIDs(t, fleets[2]); !slices.Contains(got, "replica-0") || slices.Contains(got, "replica-1") {
				t.Errorf("just after replica-0 stopped and replica-1 left: live replicas = %v, want replica-0 in, replica-1 out", got)
			}
			// The record expires after 3 intervals (on memcached, in whole
			// seconds plus one: up to 2s).
			deadline := lastRefresh.Add(5 * time.Second)
			for {
				got := liveIDs(t, fleets[2])
				if !slices.Contains(got, "replica-0") {
					t.Logf("%s: replica-0 dropped out %v after its last refresh (expiry %v)", srv.name, time.Since(lastRefresh).Round(10*time.Millisecond), fleets[0].expiry)
					if !slices.Equal(got, want[2:]) {
						t.Errorf("live replicas = %v, want %v", got, want[2:])
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("replica-0 still listed %v after it stopped refreshing (expiry %v)", time.Since(lastRefresh), fleets[0].expiry)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// The registry and the member records come from a server other programs
// write to: garbage in the registry is replaced by the next update, and a
// record that does not parse, or names another replica, is counted
// unreadable and not shown.
func TestFleetRegistryToleratesGarbage(t *testing.T) {
	t.Parallel()
	for _, srv := range fleetServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			cfg := srv.cfg(t)
			ctx := context.Background()
			f, record := testFleet(t, cfg, "good", time.Second)
			b, err := openFleetBackend(ctx, cfg, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Set(ctx, fleetRegistryKey, []byte("not json {"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := f.publish(ctx, record, nil); err != nil {
				t.Fatal(err)
			}
			other, _ := testFleet(t, cfg, "forged", time.Second)
			if err := other.publish(ctx, []byte(`{"format":"itemsapi-fleet-member","version":1,"instance":"someone-else"}`), nil); err != nil {
				t.Fatal(err)
			}
			members, unreadable, err := readFleet(ctx, b)
			if err != nil || unreadable != 1 || len(members) != 1 || members[0].Instance != "good" {
				t.Errorf("readFleet() = %+v, %d unreadable, %v; want the good one and 1 unreadable", members, unreadable, err)
			}
		})
	}
}

// groupFleet puts replicas with one fingerprint in one group, the largest
// first, and names exactly the variables in which the other groups differ
// from it.
func TestGroupFleet(t *testing.T) {
	t.Parallel()
	member := func(id, fp, pageSize string) fleetMember {
		return fleetMember{Instance: id, Addr: "127.0.0.1:1", Report: json.RawMessage(sampleFleetReport(fp, pageSize))}
	}
	tests := []struct {
		name       string
		members    []fleetMember
		wantCounts []int
		wantIDs    [][]string
		wantVars   []string
		unreadable int
	}{
		{"one replica", []fleetMember{member("a", "01", "50")}, []int{1}, [][]string{{"a"}}, []string{}, 0},
		{"two alike, one apart", []fleetMember{member("c", "02", "60"), member("b", "01", "50"), member("a", "01", "50")},
			[]int{2, 1}, [][]string{{"a", "b"}, {"c"}}, []string{"PAGE_SIZE"}, 0},
		{"a tie, by fingerprint", []fleetMember{member("b", "02", "60"), member("a", "01", "50")},
			[]int{1, 1}, [][]string{{"a"}, {"b"}}, []string{"PAGE_SIZE"}, 0},
		{"an unreadable report", []fleetMember{member("a", "01", "50"), {Instance: "x", Report: json.RawMessage(`{"format":"nope"}`)}},
			[]int{1}, [][]string{{"a"}}, []string{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			groups, vars, notCompared, unreadable := groupFleet(tt.members, 0)
			var counts []int
			var ids [][]string
			for i, g := range groups {
				counts = append(counts, g.Replicas)
				var gids []string
				for _, in := range g.Instances {
					gids = append(gids, in.ID)
				}
				ids = append(ids, gids)
				if i == 0 && len(g.Differs) != 0 {
					t.Errorf("the first group differs from itself: %+v", g.Differs)
				}
				if i > 0 && (len(g.Differs) != 1 || g.Differs[0] != (fleetChange{"PAGE_SIZE", "differs"})) {
					t.Errorf("group %d differs in %+v, want PAGE_SIZE only", i, g.Differs)
				}
			}
			if !slices.Equal(counts, tt.wantCounts) || fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) || !slices.Equal(vars, tt.wantVars) ||
				len(notCompared) != 0 || unreadable != tt.unreadable {
				t.Errorf("groupFleet() = counts %v ids %v vars %v notCompared %v unreadable %d, want %v %v %v [] %d",
					counts, ids, vars, notCompared, unreadable, tt.wantCounts, tt.wantIDs, tt.wantVars, tt.unreadable)
			}
		})
	}
}

// fleetBody is the part of GET /debug/fleet the tests read.
type fleetBody struct {
	Backend  string `json:"backend"`
	Shared   bool   `json:"shared"`
	Instance string `json:"instance"`
	Replicas int    `json:"replicas"`
	Groups   []struct {
		Fingerprint string `json:"fingerprint"`
		Replicas    int    `json:"replicas"`
		Instances   []struct {
			ID   string `json:"id"`
			Addr string `json:"addr"`
		} `json:"instances"`
		Differs []fleetChange `json:"differs"`
	} `json:"groups"`
	Variables   []string `json:"variables"`
	NotCompared []string `json:"not_compared"`
	Note        string   `json:"note"`
}

// With the memory backend, GET /debug/fleet shows this replica only, and
// says why; like /debug/config, it needs the admin's session.
func TestDebugFleetMemoryBackend(t *testing.T) {
	t.Parallel()
	s, _ := newTestServer(t, nil)
	h := s.handler()
	if w := do(h, "GET", "/debug/fleet", "", ""); w.Code != 401 {
		t.Errorf("GET /debug/fleet without a session = %d, want 401", w.Code)
	}
	w := do(h, "GET", "/debug/fleet", "", "", loginCookie(t, h, testToken))
	var got fleetBody
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != 200 || err != nil {
		t.Fatalf("GET /debug/fleet = %d %s", w.Code, w.Body)
	}
	want, err := prodready.FingerprintReport(s.cfg, s.report)
	if err != nil {
		t.Fatal(err)
	}
	if got.Backend != "memory" || got.Shared || got.Replicas != 1 || len(got.Groups) != 1 || got.Groups[0].Fingerprint != want ||
		got.Groups[0].Instances[0].ID != got.Instance || !strings.Contains(got.Note, "CACHE_BACKEND is memory") {
		t.Errorf("GET /debug/fleet = %s, want this replica alone, fingerprint %s, and a note on the memory backend", w.Body, want)
	}
}

// What a replica publishes, and what GET /debug/fleet shows, holds no
// secret: not SECRET_KEY, ADMIN_TOKEN or a database password, nor a plain
// SHA-256 of one.
func TestFleetPublishesNoSecret(t *testing.T) {
	t.Parallel()
	for _, srv := range fleetServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			cc := srv.cfg(t)
			const password = "pw-canary-fleet-4q8w2e"
			s, logs := newTestServer(t, prodready.MapEnv{
				"DATABASE_URL": "postgres://app:" + password + "@db:5432/app", "CACHE_BACKEND": string(cc.Backend),
				"CACHE_URL": cc.URL.Reveal(), "CACHE_NAMESPACE": cc.Namespace, "FLEET_INTERVAL": "200ms",
			})
			h := s.handler()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); s.publishFleet(ctx) }()
			defer func() { cancel(); <-done }()
			cookie := loginCookie(t, h, testToken)
			var body string
			for deadline := time.Now().Add(time.Minute); ; {
				w := do(h, "GET", "/debug/fleet", "", "", cookie)
				var got fleetBody
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
					t.Fatalf("GET /debug/fleet = %d %s", w.Code, w.Body)
				}
				if got.Shared && got.Replicas == 1 && got.Note == "" {
					body = w.Body.String()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("GET /debug/fleet = %s, want this replica read from the server", w.Body)
				}
				time.Sleep(20 * time.Millisecond)
			}
			b, err := openFleetBackend(ctx, cc, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			stored := body + logs.String()
			for _, k := range []string{fleetRegistryKey, fleetMemberKey + s.fleet.id} {
				v, ok, err := b.Get(ctx, k)
				if err != nil || !ok {
					t.Fatalf("Get(%s) = %v, %v", k, ok, err)
				}
				stored += string(v)
			}
			for _, secret := range []string{testKey, testToken, password} {
				sum := sha256.Sum256([]byte(secret))
				for _, f := range []string{secret, secret[4 : len(secret)-4], hex.EncodeToString([]byte(secret)), hex.EncodeToString(sum[:])[:16]} {
					if strings.Contains(stored, f) {
						t.Errorf("the fleet's records, GET /debug/fleet or the logs hold a secret or its SHA-256")
					}
				}
			}
		})
	}
}

// Three replicas on one cache server, one started with another PAGE_SIZE:
// GET /debug/fleet on any of them shows two groups, of 2 and 1, and
// exactly PAGE_SIZE; the replica killed without a chance to leave drops
// out once its record expires, and one stopped cleanly at once.
func TestFleetReplicas(t *testing.T) {
	t.Parallel()
	for _, srv := range fleetServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			cc := srv.cfg(t)
			token, key := randomText(t, 32), randomText(t, 48)
			env := map[string]string{
				"SECRET_KEY": key, "ADMIN_TOKEN": token, "SEED_ITEMS": "3",
				"CACHE_BACKEND": string(cc.Backend), "CACHE_URL": cc.URL.Reveal(), "CACHE_NAMESPACE": cc.Namespace,
				"FLEET_INTERVAL": "250ms",
			}
			other := maps.Clone(env)
			other["PAGE_SIZE"] = "21"
			a := launch(t, "replica a", t.TempDir(), env, token, key)
			b := launch(t, "replica b", t.TempDir(), env, token, key)
			c := launch(t, "replica c", t.TempDir(), other, token, key)
			for _, in := range []*instance{a, b, c} {
				in.wait(t)
				in.login(t, token)
			}
			view := func(in *instance) fleetBody {
				var v fleetBody
				decode(t, in.do(t, "GET", "/debug/fleet", "", true), 200, &v)
				return v
			}
			// until polls in's view until ok holds, for at most d.
			until := func(in *instance, d time.Duration, what string, ok func(fleetBody) bool) (fleetBody, time.Duration) {
				start := time.Now()
				for {
					v := view(in)
					if ok(v) {
						return v, time.Since(start)
					}
					if time.Since(start) > d {
						t.Fatalf("%s: GET /debug/fleet on %s after %v: %+v", what, in.name, d, v)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			// The first publication waits for the fingerprint (argon2id).
			for _, in := range []*instance{a, b, c} {
				v, _ := until(in, time.Minute, "three replicas", func(v fleetBody) bool { return v.Replicas == 3 })
				if !v.Shared || len(v.Groups) != 2 || v.Groups[0].Replicas != 2 || v.Groups[1].Replicas != 1 ||
					!slices.Equal(v.Variables, []string{"PAGE_SIZE"}) || len(v.NotCompared) != 0 ||
					len(v.Groups[1].Differs) != 1 || v.Groups[1].Differs[0] != (fleetChange{"PAGE_SIZE", "differs"}) {
					t.Fatalf("GET /debug/fleet on %s = %+v, want groups of 2 and 1 that differ in PAGE_SIZE only", in.name, v)
				}
				var addrs []string
				for _, g := range v.Groups {
					for _, x := range g.Instances {
						addrs = append(addrs, "http://"+x.Addr)
					}
				}
				if want := []string{a.base, b.base, c.base}; !slices.Equal(slices.Sorted(slices.Values(addrs)), slices.Sorted(slices.Values(want))) ||
					"http://"+v.Groups[1].Instances[0].Addr != c.base {
					t.Errorf("replicas at %v, want %v with %s apart", addrs, want, c.base)
				}
			}

			// c dies without leaving its record behind.
			c.signaled = true
			if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-c.exited
			v, took := until(a, 15*time.Second, "c killed", func(v fleetBody) bool { return v.Replicas == 2 })
			t.Logf("%s: a killed replica dropped out of GET /debug/fleet %v after its death (FLEET_INTERVAL %s, expiry 3 intervals)",
				srv.name, took.Round(10*time.Millisecond), env["FLEET_INTERVAL"])
			if len(v.Groups) != 1 || len(v.Variables) != 0 {
				t.Errorf("after c died: %+v, want one group, no variable", v)
			}

			// b stops cleanly, and takes its record with it.
			b.stop()
			_, took = until(a, 2*time.Second, "b stopped", func(v fleetBody) bool { return v.Replicas == 1 })
			t.Logf("%s: a replica stopped cleanly dropped out %v after it exited", srv.name, took.Round(10*time.Millisecond))
		})
	}
}

// FLEET_INTERVAL is 0 (off) or at least 100ms: ITEMS-E006 refuses a
// negative one and one so short that every replica would write to the
// cache server many times a second.
func TestFleetIntervalCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   string
		wantErr bool
	}{
		{"15s", false},
		{"100ms", false},
		{"0", false},
		{"99ms", true},
		{"-1s", true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			opts := loadOptions(prodready.MapEnv{"FLEET_INTERVAL": tt.value})
			opts.NoDotEnv = true
			opts.Logger = slog.New(slog.DiscardHandler)
			rep, err := prodready.LoadWithReport(context.Background(), &cfg, &opts)
			var ids []string
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.ID, "ITEMS-") {
					ids = append(ids, f.ID+" "+f.Key)
				}
			}
			want := []string(nil)
			if tt.wantErr {
				want = []string{"ITEMS-E006 FLEET_INTERVAL"}
			}
			if (err != nil) != tt.wantErr || !slices.Equal(ids, want) {
				t.Errorf("FLEET_INTERVAL=%s: LoadWithReport() error = %v, findings %v, want %v", tt.value, err, ids, want)
			}
		})
	}
}

// The registry forgets an id long past its deadline, and keeps the
// latest maxFleetMembers when more replicas than that wrote lately.
func TestPruneRegistry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		members map[string]int64
		cutoff  int64
		want    []string
	}{
		{"none past", map[string]int64{"a": 10, "b": 20}, 5, []string{"a", "b"}},
		{"one past", map[string]int64{"a": 10, "b": 20}, 15, []string{"b"}},
		{"all past", map[string]int64{"a": 10}, 11, []string{}},
	}
	many := map[string]int64{}
	var latest []string
	for i := range maxFleetMembers + 3 {
		id := fmt.Sprintf("r%04d", i)
		many[id] = int64(100 + i)
		if i >= 3 {
			latest = append(latest, id)
		}
	}
	tests = append(tests, struct {
		name    string
		members map[string]int64
		cutoff  int64
		want    []string
	}{"over the bound", many, 0, latest})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pruneRegistry(tt.members, tt.cutoff)
			got := slices.Sorted(maps.Keys(tt.members))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("pruneRegistry() left %d ids %.5v..., want %d %.5v...", len(got), got, len(tt.want), tt.want)
			}
		})
	}
}
