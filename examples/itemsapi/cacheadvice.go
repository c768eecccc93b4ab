package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// The service tells its operator when the in-process cache is too small:
// when the cache's estimates say a cache twice as large would raise the
// hit ratio by more than cache.LargerCacheThreshold (5 points), it logs
// the finding PR-I049 (check=PR-I049 var=CACHE_MAX_MEMORY or
// CACHE_MAX_SIZE, with a hint), at most once an hour: the estimates move
// slowly, and an operator needs one line, not one per minute.

const (
	adviceEvery = time.Hour       // the least time between two PR-I049 lines
	adviceCheck = 5 * time.Minute // how often the estimates are looked at
)

// A cacheAdvisor decides when to log PR-I049.
type cacheAdvisor struct {
	logger *slog.Logger
	report *prodready.Report // the load's, for the variable's origin; may be nil
	last   time.Time         // of the last line; zero before the first
}

// advise logs PR-I049 when st's estimates call for it and the last line
// is at least adviceEvery old, and reports whether it logged.
func (a *cacheAdvisor) advise(ctx context.Context, st cache.Stats, now time.Time) bool {
	f, ok := st.Sizing.LargerCache(cache.LargerCacheThreshold, "")
	if !ok || !a.last.IsZero() && now.Sub(a.last) < adviceEvery {
		return false
	}
	a.last = now
	if a.report != nil {
		if v, ok := a.report.Var(f.Key); ok {
			f.Origin = v.Origin
		}
	}
	logFindings(ctx, a.logger, []prodready.Finding{f})
	return true
}

// adviseCache looks at the cache's estimates every adviceCheck until ctx
// is done.
func (s *server) adviseCache(ctx context.Context) {
	a := &cacheAdvisor{logger: s.logger, report: s.report}
	t := time.NewTicker(adviceCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if c := s.cache(); c != nil {
				a.advise(ctx, c.Stats(), now)
			}
		}
	}
}
