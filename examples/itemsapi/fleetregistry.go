package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
	"github.com/prodready/prodready/cache/memcached"
	"github.com/prodready/prodready/cache/rediscache"
)

// The fleet's storage on the shared cache server, in the service's
// CACHE_NAMESPACE, next to the cached items:
//
//	fleet:v1:member:<id>   one key per replica: its member record (fleetMember),
//	                       written every FLEET_INTERVAL with a lifetime of
//	                       fleetExpiry intervals: a replica that dies drops out
//	                       when it expires, whatever the clocks say
//	fleet:v1:registry      the ids of the replicas that wrote a member key
//	                       lately (fleetRegistry), so a reader finds the member
//	                       keys without listing keys by prefix, which
//	                       memcached cannot do (and a Redis SCAN over a
//	                       shared server is slow)
//
// A replica adds itself to the registry with a compare-and-swap
// (cache.Fencer's StoreIf: a Lua script on Redis, gets and cas on
// memcached) and creates it, when it is missing, through a lease in the
// key (Fencer's Lease: SET NX, add), so concurrent replicas never lose
// each other's ids; a writer that loses the race reads again and merges.
// The registry only says where to look: a reader trusts a member key's
// existence, which the server expires, for liveness. An id whose deadline
// (by its writer's clock) is registryTTL past is pruned by the next
// writer, so the registry does not grow with restarts, and clocks skewed
// by less than that (10 lifetimes, at least a minute) prune no live
// replica.
//
// Nothing in either key is secret: the member record holds the
// fingerprint report, whose digests of secrets are keyed by SECRET_KEY
// and reveal nothing. Nor is it authenticated, unlike the cached items
// (whose MAC is under a key derived from SECRET_KEY: a replica whose
// SECRET_KEY differs, one of the drifts the view is for, could not read
// it): anyone who can write to the cache server can add a made-up replica
// to the view. Only GET /debug/fleet reads these keys, and it parses them
// as untrusted input.
const (
	fleetKeyPrefix   = "fleet:v1:"
	fleetRegistryKey = fleetKeyPrefix + "registry"
	fleetMemberKey   = fleetKeyPrefix + "member:"
	fleetFormat      = "itemsapi-fleet-member"
	fleetVersion     = 1
	// fleetExpiry is a member key's lifetime in FLEET_INTERVALs: a
	// replica drops out after missing two refreshes in a row.
	fleetExpiry = 3
	// maxFleetMembers bounds the registry (about 40 bytes an id) and the
	// member keys a GET /debug/fleet reads.
	maxFleetMembers = 1000
	// maxFleetValue bounds what a reader accepts from the server.
	maxFleetValue = 1 << 20
	// registryAttempts bounds the compare-and-swap rounds of one update.
	registryAttempts = 10
)

// errRegistryBusy means that other replicas won every compare-and-swap of
// an update; the next refresh tries again.
var errRegistryBusy = errors.New("the fleet registry changed under every attempt to update it")

// A fleetBackend is a raw store on the shared cache server: the redis and
// memcached backends of package cache, used directly because the fleet
// needs their compare-and-swap, and because its records must be readable
// by replicas whose SECRET_KEY differs (the typed Cache authenticates
// entries under a key derived from SECRET_KEY, so such a replica, one of
// the drifts the view is for, would be invisible).
type fleetBackend interface {
	cache.Backend
	cache.Fencer
}

var (
	_ fleetBackend = (*rediscache.Store)(nil)
	_ fleetBackend = (*memcached.Store)(nil)
)

// openFleetBackend connects to the cache server cfg names, in its
// namespace, without the Redis near cache: a reader wants the registry as
// it is now.
func openFleetBackend(ctx context.Context, cfg prodready.CacheConfig, timeout time.Duration) (fleetBackend, error) {
	switch prodready.CacheBackend(strings.ToLower(string(cfg.Backend))) {
	case prodready.CacheRedis:
		return rediscache.New(ctx, cfg.URL, &rediscache.Options{Namespace: cfg.Namespace, Timeout: timeout, DisableClientCache: true})
	case prodready.CacheMemcached:
		return memcached.New(ctx, cfg.URL, &memcached.Options{Namespace: cfg.Namespace, Timeout: timeout})
	}
	return nil, fmt.Errorf("CACHE_BACKEND %q has no shared server", cfg.Backend)
}

// A fleetMember is the record a replica publishes under its member key.
type fleetMember struct {
	Format   string          `json:"format"`
	Version  int             `json:"version"`
	Instance string          `json:"instance"`
	Addr     string          `json:"addr"`
	Started  time.Time       `json:"started"`
	Report   json.RawMessage `json:"report"` // as "itemsapi config fingerprint --json" prints it
}

// A fleetRegistry is the registry key's value: each replica's id and the
// time (Unix milliseconds, by that replica's clock) after which its member
// key has expired unless it wrote it again.
type fleetRegistry struct {
	Version int              `json:"version"`
	Members map[string]int64 `json:"members"`
}

// registryTTL is the registry key's lifetime: every update renews it, so
// it outlives the replicas by a while and then goes.
func registryTTL(expiry time.Duration) time.Duration { return max(10*expiry, time.Minute) }

// decodeRegistry parses the registry's value; one that does not parse
// (written by a later release, or garbage) counts as empty, and is
// replaced by the next update.
func decodeRegistry(data []byte) map[string]int64 {
	var r fleetRegistry
	if len(data) > maxFleetValue || json.Unmarshal(data, &r) != nil || r.Version != fleetVersion || r.Members == nil {
		return map[string]int64{}
	}
	for id := range r.Members {
		if !validInstanceID(id) {
			delete(r.Members, id)
		}
	}
	return r.Members
}

// updateRegistry applies change to the registry's members, prunes those
// registryTTL past their deadline at now and keeps the maxFleetMembers
// latest, and writes the result back only if nobody wrote the registry in
// between, reading it again until it does (registryAttempts at most).
func updateRegistry(ctx context.Context, b fleetBackend, expiry time.Duration, now func() time.Time, change func(map[string]int64)) error {
	for attempt := range registryAttempts {
		old, ok, err := b.Get(ctx, fleetRegistryKey)
		if err != nil {
			return fmt.Errorf("read the fleet registry: %w", err)
		}
		members := map[string]int64{}
		if ok {
			members = decodeRegistry(old)
		}
		change(members)
		pruneRegistry(members, now().Add(-registryTTL(expiry)).UnixMilli())
		value, err := json.Marshal(fleetRegistry{Version: fleetVersion, Members: members})
		if err != nil {
			return err
		}
		var stored bool
		if ok {
			stored, err = b.StoreIf(ctx, fleetRegistryKey, old, value, registryTTL(expiry))
		} else {
			stored, err = createRegistry(ctx, b, value, expiry)
		}
		if err != nil {
			return fmt.Errorf("write the fleet registry: %w", err)
		}
		if stored {
			return nil
		}
		// Another replica wrote it first: back off a little, at random,
		// so that racing replicas spread out, then merge into theirs.
		t := time.NewTimer(time.Duration(1+rand.IntN(5*(attempt+1))) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return errRegistryBusy
}

// createRegistry stores value as the registry if there is none, through a
// lease in the key (so that two replicas creating it do not overwrite
// each other), and reports whether it did.
func createRegistry(ctx context.Context, b fleetBackend, value []byte, expiry time.Duration) (bool, error) {
	store, release, ok, err := b.Lease(ctx, fleetRegistryKey, time.Second, nil)
	if err != nil || !ok {
		return false, err
	}
	defer func() { _ = release(context.WithoutCancel(ctx)) }()
	return store(ctx, value, registryTTL(expiry))
}

// pruneRegistry removes the members whose deadline is before cutoff (Unix
// milliseconds), then the earliest ones beyond maxFleetMembers.
func pruneRegistry(members map[string]int64, cutoff int64) {
	for id, until := range members {
		if until < cutoff {
			delete(members, id)
		}
	}
	if len(members) <= maxFleetMembers {
		return
	}
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := members[b] - members[a]; c != 0 {
			if c > 0 {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	for _, id := range ids[maxFleetMembers:] {
		delete(members, id)
	}
}

// readFleet returns the member records of the replicas alive on the
// server, sorted by id, and how many listed ones held a record that does
// not parse (written by another release, or forged).
func readFleet(ctx context.Context, b fleetBackend) (members []fleetMember, unreadable int, err error) {
	data, ok, err := b.Get(ctx, fleetRegistryKey)
	if err != nil {
		return nil, 0, fmt.Errorf("read the fleet registry: %w", err)
	}
	if !ok {
		return nil, 0, nil
	}
	reg := decodeRegistry(data)
	for _, id := range slices.Sorted(maps.Keys(reg)) {
		data, ok, err := b.Get(ctx, fleetMemberKey+id)
		if err != nil {
			return nil, 0, fmt.Errorf("read the fleet member %s: %w", id, err)
		}
		if !ok {
			continue // expired: the replica stopped refreshing it
		}
		m, err := decodeMember(data)
		if err != nil || m.Instance != id {
			unreadable++
			continue
		}
		members = append(members, m)
	}
	return members, unreadable, nil
}

// decodeMember parses a member record, which nothing vouches for: its
// report must be a fingerprint report cli.ParseFingerprintJSON accepts,
// and its instance id and address short and printable.
func decodeMember(data []byte) (fleetMember, error) {
	var m fleetMember
	if len(data) > maxFleetValue {
		return m, errors.New("member record too large")
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, err
	}
	switch {
	case m.Format != fleetFormat || m.Version != fleetVersion:
		return m, errors.New("not a fleet member record of this version")
	case !validInstanceID(m.Instance) || m.Addr != "" && !validName(m.Addr, ":[]"):
		return m, errors.New("bad instance id or address")
	}
	return m, nil
}

// validInstanceID reports whether id may name a replica in a key and in
// the view: 1 to 64 letters, digits and "-_.".
func validInstanceID(id string) bool { return validName(id, "") }

// validName reports whether s is 1 to 64 letters, digits, "-_." and the
// bytes in extra.
func validName(s, extra string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}
