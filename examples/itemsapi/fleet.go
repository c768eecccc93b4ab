package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cli"
)

// A fleet publishes this replica's configuration fingerprint to the cache
// server the replicas share (CACHE_BACKEND redis or memcached), every
// FLEET_INTERVAL with a lifetime of fleetExpiry intervals, and reads the
// other replicas' for GET /debug/fleet. The storage is in
// fleetregistry.go. With the memory backend, or FLEET_INTERVAL 0, it
// publishes nothing and the view shows this replica only.
type fleet struct {
	id       string // this replica's instance id (newInstanceID)
	addr     string // the address it listens on
	kind     prodready.CacheBackend
	cache    prodready.CacheConfig
	interval time.Duration // 0: not publishing
	expiry   time.Duration
	timeout  time.Duration // of each call to the server
	started  time.Time
	logger   *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	b       fleetBackend // nil until connected
	failing bool         // the last refresh failed: log changes of state only
	refused bool         // the server refused CACHE_URL: publishing stopped
}

// newFleet returns the fleet of a replica configured by cfg, listening on
// addr.
func newFleet(cfg Config, logger *slog.Logger, addr string) *fleet {
	kind := prodready.CacheBackend(strings.ToLower(string(cfg.CacheBackend)))
	if kind == "" {
		kind = prodready.CacheMemory
	}
	f := &fleet{
		id: newInstanceID(), addr: addr, kind: kind, cache: cfg.CacheConfig(), timeout: cacheTimeout,
		started: time.Now().UTC().Truncate(time.Second), logger: logger, now: time.Now,
	}
	if kind != prodready.CacheMemory && cfg.FleetInterval > 0 {
		f.interval, f.expiry = cfg.FleetInterval, fleetExpiry*cfg.FleetInterval
	}
	return f
}

// newInstanceID names this process: the host name (a pod's name on
// Kubernetes), so that an operator knows where it runs, then 8 random hex
// digits, so that two processes on one host, or a restart, never share
// an id.
func newInstanceID() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if validInstanceID(string(r)) {
			return r
		}
		return '-'
	}, host)
	if len(host) > 40 {
		host = host[:40]
	}
	var b [4]byte
	rand.Read(b[:])
	if host == "" {
		return "itemsapi-" + hex.EncodeToString(b[:])
	}
	return host + "-" + hex.EncodeToString(b[:])
}

// publishing reports whether f writes its record to a shared server.
func (f *fleet) publishing() bool { return f != nil && f.interval > 0 }

// isRefused reports whether the server refused CACHE_URL.
func (f *fleet) isRefused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// backend returns the connection to the server, or nil before it is made.
func (f *fleet) backend() fleetBackend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b
}

// run publishes the record of this replica until ctx is done, then
// removes it and closes the connection. report waits for the fingerprint
// report (argon2id: after start-up). connected reports whether the items
// cache is connected: the fleet connects only once it is, so that it
// never knocks on a server the service gave up on (one that refused
// CACHE_URL). A server that does not answer is retried at the next
// refresh; one that refuses CACHE_URL stops the publishing. Only changes
// between working and failing are logged.
func (f *fleet) run(ctx context.Context, report func() (json.RawMessage, error), connected func() bool) {
	if !f.publishing() {
		return
	}
	rep, err := report()
	if err != nil {
		f.logger.Error("fleet: no fingerprint to publish", "err", err)
		return
	}
	record, err := json.Marshal(fleetMember{Format: fleetFormat, Version: fleetVersion, Instance: f.id,
		Addr: f.addr, Started: f.started, Report: rep})
	if err != nil {
		f.logger.Error("fleet: no fingerprint to publish", "err", err)
		return
	}
	defer f.close()
	for {
		if err := f.refresh(ctx, record, connected); errors.Is(err, prodready.ErrInvalid) {
			f.mu.Lock()
			f.refused = true
			f.mu.Unlock()
			f.logger.Error("fleet: the cache server refused CACHE_URL: not publishing the configuration fingerprint; fix it and restart",
				"instance", f.id, "backend", f.kind, "err", err)
			return
		}
		// ±10%, so that replicas started together spread their writes.
		wait := time.Duration(float64(f.interval) * (0.9 + 0.2*mrand.Float64()))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			f.leave(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

// publishFleet runs the server's fleet until ctx is done (serve starts it
// once listening): its report is the configuration's fingerprint report,
// and it connects once the items cache is.
func (s *server) publishFleet(ctx context.Context) {
	s.fleet.run(ctx, s.configFingerprint, func() bool { return s.cache() != nil })
}

// refresh connects if need be, writes the member key and adds this
// replica to the registry, and returns publish's error.
func (f *fleet) refresh(ctx context.Context, record []byte, connected func() bool) error {
	err := f.publish(ctx, record, connected)
	f.mu.Lock()
	was := f.failing
	f.failing = err != nil
	f.mu.Unlock()
	switch {
	case err != nil && !was && ctx.Err() == nil && !errors.Is(err, prodready.ErrInvalid): // run logs a refusal
		f.logger.Warn("fleet: cannot publish the configuration fingerprint to the cache server: GET /debug/fleet on other replicas misses this one until it can",
			"instance", f.id, "backend", f.kind, "err", err)
	case err == nil && was:
		f.logger.Info("fleet: publishing the configuration fingerprint again", "instance", f.id)
	}
	return err
}

// publish is refresh's work.
func (f *fleet) publish(ctx context.Context, record []byte, connected func() bool) error {
	b := f.backend()
	if b == nil {
		if connected != nil && !connected() {
			return errCacheDown
		}
		var err error
		if b, err = openFleetBackend(ctx, f.cache, f.timeout); err != nil {
			return err
		}
		f.mu.Lock()
		f.b = b
		f.mu.Unlock()
	}
	if err := b.Set(ctx, fleetMemberKey+f.id, record, f.expiry); err != nil {
		return err
	}
	until := f.now().Add(f.expiry).UnixMilli()
	return updateRegistry(ctx, b, f.expiry, f.now, func(m map[string]int64) { m[f.id] = until })
}

// leave removes this replica's record and id at shutdown, so that it drops
// out at once rather than after the expiry; within a second at most.
func (f *fleet) leave(ctx context.Context) {
	b := f.backend()
	if b == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := b.Delete(ctx, fleetMemberKey+f.id)
	if err == nil {
		err = updateRegistry(ctx, b, f.expiry, f.now, func(m map[string]int64) { delete(m, f.id) })
	}
	if err != nil {
		f.logger.Warn("fleet: cannot remove this replica from the cache server: it drops out of GET /debug/fleet when its record expires",
			"instance", f.id, "expiry", f.expiry, "err", err)
	}
}

// close closes the connection to the server.
func (f *fleet) close() {
	f.mu.Lock()
	b := f.b
	f.b = nil
	f.mu.Unlock()
	if b != nil {
		_ = b.Close()
	}
}

// fleetView is the body of GET /debug/fleet (documented in
// docs/OPERATIONS.md): the live replicas grouped by fingerprint, the
// largest group first, and for each other group the variables that
// differ from the first group's.
type fleetView struct {
	Backend     string       `json:"backend"`
	Shared      bool         `json:"shared"` // the replicas were read from the shared cache server
	Instance    string       `json:"instance"`
	Interval    string       `json:"interval"`
	Expiry      string       `json:"expiry"`
	Replicas    int          `json:"replicas"`
	Groups      []fleetGroup `json:"groups"`
	Variables   []string     `json:"variables"`    // every variable some group differs in
	NotCompared []string     `json:"not_compared"` // secrets under different SECRET_KEYs
	Unreadable  int          `json:"unreadable,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// A fleetGroup is the replicas that run one configuration.
type fleetGroup struct {
	Fingerprint string          `json:"fingerprint"`
	Replicas    int             `json:"replicas"`
	Instances   []fleetInstance `json:"instances"`
	Profile     string          `json:"profile"`
	Key         string          `json:"key"`
	// Differs are the variables whose digests differ from the first
	// group's ("a" in change is the first group, "b" this one).
	Differs     []fleetChange `json:"differs"`
	NotCompared []string      `json:"not_compared"`
}

type fleetInstance struct {
	ID      string    `json:"id"`
	Addr    string    `json:"addr"`
	Started time.Time `json:"started"`
}

type fleetChange struct {
	Name   string `json:"name"`
	Change string `json:"change"` // "differs", "only_in_a", "only_in_b"
}

// debugFleet serves GET /debug/fleet.
func (s *server) debugFleet(w http.ResponseWriter, r *http.Request) {
	f := s.fleet
	own, err := s.configFingerprint()
	if err != nil {
		s.logger.ErrorContext(r.Context(), "fleet: configuration fingerprint", "err", err)
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error", nil)
		return
	}
	members := []fleetMember{{Instance: f.id, Addr: f.addr, Started: f.started, Report: own}}
	v := fleetView{Backend: string(f.kind), Instance: f.id, Interval: f.interval.String(), Expiry: f.expiry.String()}
	switch b := f.backend(); {
	case f.kind == prodready.CacheMemory:
		v.Note = "CACHE_BACKEND is memory: the replicas share no cache server, so this one cannot see the others; with CACHE_BACKEND=redis or memcached each replica publishes its fingerprint there"
	case !f.publishing():
		v.Note = "FLEET_INTERVAL is 0: this replica neither publishes its fingerprint nor reads the others'"
	case f.isRefused():
		v.Note = "the cache server refused CACHE_URL: this replica does not publish its fingerprint, and shows only itself"
	case b == nil:
		v.Note = "not connected to the cache server yet (at start-up, or while it is down): this replica only"
	default:
		others, unreadable, err := readFleet(r.Context(), b)
		if err != nil {
			s.logger.WarnContext(r.Context(), "fleet: cannot read the replicas from the cache server", "err", err)
			v.Note = "the cache server did not answer: this replica only"
			break
		}
		v.Shared, v.Unreadable = true, unreadable
		for _, m := range others {
			if m.Instance != f.id {
				members = append(members, m)
			}
		}
	}
	v.Groups, v.Variables, v.NotCompared, v.Unreadable = groupFleet(members, v.Unreadable)
	for _, g := range v.Groups {
		v.Replicas += g.Replicas
	}
	writeJSON(w, http.StatusOK, v)
}

// groupFleet groups the members by fingerprint, the largest group first
// (then by fingerprint), and compares each group with the first through
// prodready.DiffFingerprints, as "prodready diff" does. It returns the
// groups, every variable some group differs in, every secret that could
// not be compared, and unreadable plus the members whose report does not
// parse.
func groupFleet(members []fleetMember, unreadable int) (groups []fleetGroup, variables, notCompared []string, _ int) {
	type parsed struct {
		group   fleetGroup
		digests *prodready.VarDigests
	}
	byFP := map[string]*parsed{}
	for _, m := range members {
		rep, err := cli.ParseFingerprintJSON(m.Report)
		if err != nil {
			unreadable++
			continue
		}
		p := byFP[rep.Digests.Fingerprint]
		if p == nil {
			p = &parsed{group: fleetGroup{Fingerprint: rep.Digests.Fingerprint, Profile: rep.Profile, Key: rep.Digests.Key,
				Differs: []fleetChange{}, NotCompared: []string{}}, digests: rep.Digests}
			byFP[rep.Digests.Fingerprint] = p
		}
		p.group.Replicas++
		p.group.Instances = append(p.group.Instances, fleetInstance{ID: m.Instance, Addr: m.Addr, Started: m.Started})
	}
	ps := make([]*parsed, 0, len(byFP))
	for _, p := range byFP {
		slices.SortFunc(p.group.Instances, func(a, b fleetInstance) int { return strings.Compare(a.ID, b.ID) })
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *parsed) int {
		return cmp.Or(cmp.Compare(b.group.Replicas, a.group.Replicas), strings.Compare(a.group.Fingerprint, b.group.Fingerprint))
	})
	vars, secrets := map[string]bool{}, map[string]bool{}
	groups = []fleetGroup{}
	for i, p := range ps {
		if i > 0 {
			d := prodready.DiffFingerprints(ps[0].digests, p.digests)
			for _, c := range d.Changes {
				p.group.Differs = append(p.group.Differs, fleetChange{Name: c.Name, Change: string(c.Change)})
				vars[c.Name] = true
			}
			p.group.NotCompared = d.NotCompared
			for _, n := range d.NotCompared {
				secrets[n] = true
			}
		}
		groups = append(groups, p.group)
	}
	return groups, sortedKeys(vars), sortedKeys(secrets), unreadable
}

// sortedKeys returns m's keys, sorted; never nil.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// fleetIntervalCheck is the check of FLEET_INTERVAL: 0 (off) or at least
// minFleetInterval, so that a typo ("15ms") does not make every replica
// write to the cache server many times a second.
func fleetIntervalCheck() prodready.Check {
	return prodready.Check{
		ID:       "ITEMS-E006",
		Severity: prodready.SeverityError,
		Title:    "FLEET_INTERVAL is negative or below 100ms",
		Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
			c, ok := in.Config.(*Config)
			if !ok || c.FleetInterval == 0 || c.FleetInterval >= minFleetInterval {
				return nil
			}
			return []prodready.Finding{{
				Key:     "FLEET_INTERVAL",
				Message: "is " + c.FleetInterval.String() + ": want 0 (off) or at least " + minFleetInterval.String(),
				Hint:    "set FLEET_INTERVAL to a duration such as 15s, or 0 to publish no fingerprint",
				Origin:  in.Origin("FLEET_INTERVAL"),
			}}
		},
	}
}

// minFleetInterval is the shortest FLEET_INTERVAL.
const minFleetInterval = 100 * time.Millisecond
