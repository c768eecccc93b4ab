package main

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/prodready/prodready/cache"
)

// readyTimeout bounds GET /readyz's checks.
const readyTimeout = time.Second

// readyz answers GET /readyz: 200 when the database and the cache both
// answer within readyTimeout, 503 naming the check that failed (never its
// error) otherwise, and 503 draining during shutdown.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		// Shutting down: the load balancer is to stop sending requests
		// during SHUTDOWN_DRAIN, before the listener closes.
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining"})
		return
	}
	// The two checks run side by side, each within readyTimeout, so that
	// a database that hangs does not use up the cache's time (and make it
	// look down too).
	// A panic of the database check is passed on to this goroutine, for
	// recoverPanics.
	db, c := "ok", "ok"
	var dbPanic any
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { dbPanic = recover() }()
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.store.ping(ctx); err != nil {
			db = s.checkFailed(r, "database", err)
		}
	})
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	// A round trip to the cache server that changes no count.
	if items := s.cache(); items == nil {
		c = s.checkFailed(r, "cache", errCacheDown)
	} else if err := items.Delete(ctx, "readyz"); err != nil {
		c = s.checkFailed(r, "cache", err)
	}
	wg.Wait()
	if dbPanic != nil {
		panic(dbPanic)
	}
	if db != "ok" || c != "ok" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"status": "unavailable",
			"checks": map[string]string{"database": db, "cache": c},
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "checks": map[string]string{"database": db, "cache": c}})
}

// checkFailed logs a readiness check's error and returns what the answer
// says of it: never the error's text, which a client should not see.
func (s *server) checkFailed(r *http.Request, what string, err error) string {
	s.logger.WarnContext(r.Context(), "readiness check failed", "check", what, "err", err)
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "unreachable"
}

// configVar is a variable as "itemsapi config print --format json" shows it.
type configVar struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Type   string `json:"type"`
	Secret bool   `json:"secret"`
	Set    bool   `json:"set"`
	Length string `json:"length,omitempty"`
	Origin string `json:"origin"`
	Source string `json:"source"`
}

// debugConfig answers GET /debug/config (admin session) from the load's
// report, whose values are already redacted: no secret can show.
func (s *server) debugConfig(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Profile string      `json:"profile"`
		Vars    []configVar `json:"vars"`
		FP      fpJSON      `json:"fingerprint"` // see configfingerprint.go
	}{Profile: s.report.Profile, Vars: []configVar{}, FP: s.debugConfigFingerprint()}
	for _, v := range s.report.Vars {
		out.Vars = append(out.Vars, configVar{
			Name: v.Name, Value: v.Value, Type: v.Type, Secret: v.Secret, Set: v.Set, Length: v.Length,
			Origin: v.Origin.String(), Source: v.Origin.Source.String(),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// debugCache answers GET /debug/cache: the cache's counts and hit ratio,
// whether it is connected yet and, for the memory backend, its bound and
// the hit ratios estimated at ¼× to 8× of it (cache.Stats.Sizing, under
// "sizing"; with CACHE_AUTOSIZE also its target and budget).
func (s *server) debugCache(w http.ResponseWriter, r *http.Request) {
	c := s.cache()
	var st cache.Stats
	backend := string(s.cfg.CacheBackend)
	if c != nil {
		st, backend = c.Stats(), string(c.Backend())
	}
	writeJSON(w, http.StatusOK, struct {
		Backend   string `json:"backend"`
		Enabled   bool   `json:"enabled"`   // CACHE_ITEMS
		Connected bool   `json:"connected"` // false while a server down at start-up is not connected
		cache.Stats
		HitRatio float64 `json:"hit_ratio"`
	}{backend, s.cfg.CacheItems, c != nil, st, st.HitRatio()})
}

// debugDB answers GET /debug/db: the store's query and connection counts.
func (s *server) debugDB(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.store.stats())
}
