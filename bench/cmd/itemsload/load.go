package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// A result is what one load window measured.
type result struct {
	latencies     []time.Duration // of every request that got a response
	reads, writes int
	errors        int
	elapsed       time.Duration
	stoppedBy     string // "count" or "duration"
	firstErr      string
}

// runLoad sends seq to base from concurrency workers until every request
// has been sent or maxDuration has passed, whichever comes first.
// Requests are taken in order from seq, so two runs over the same seq send
// the same requests in (nearly) the same order. Writes carry cookies.
func runLoad(ctx context.Context, c *http.Client, base string, seq []request, concurrency int, maxDuration time.Duration, cookies []*http.Cookie) result {
	var next atomic.Int64
	var stop atomic.Bool
	type local struct {
		lat           []time.Duration
		reads, writes int
		errors        int
		firstErr      string
	}
	locals := make([]local, concurrency)
	start := time.Now()
	end := start.Add(maxDuration)
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Go(func() {
			l := &locals[w]
			l.lat = make([]time.Duration, 0, len(seq)/concurrency+1)
			for !stop.Load() && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(seq) {
					return
				}
				if time.Now().After(end) {
					stop.Store(true)
					return
				}
				r := seq[i]
				t0 := time.Now()
				status, err := do(ctx, c, base, r, i, cookies)
				d := time.Since(t0)
				if r.write {
					l.writes++
				} else {
					l.reads++
				}
				want := http.StatusOK
				if err != nil || status != want {
					l.errors++
					if l.firstErr == "" {
						if err != nil {
							l.firstErr = err.Error()
						} else {
							l.firstErr = fmt.Sprintf("%s /items/%d: status %d, want %d", method(r), r.id, status, want)
						}
					}
				}
				if err == nil {
					l.lat = append(l.lat, d)
				}
			}
		})
	}
	wg.Wait()
	res := result{elapsed: time.Since(start), stoppedBy: "count"}
	if stop.Load() {
		res.stoppedBy = "duration"
	}
	for _, l := range locals {
		res.latencies = append(res.latencies, l.lat...)
		res.reads += l.reads
		res.writes += l.writes
		res.errors += l.errors
		if res.firstErr == "" {
			res.firstErr = l.firstErr
		}
	}
	return res
}

func method(r request) string {
	if r.write {
		return http.MethodPut
	}
	return http.MethodGet
}

// do sends one request and reads its whole body, so the connection is
// reused.
func do(ctx context.Context, c *http.Client, base string, r request, i int, cookies []*http.Cookie) (int, error) {
	u := base + "/items/" + strconv.FormatInt(r.id, 10)
	var req *http.Request
	var err error
	if r.write {
		body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("item %d rev %d", r.id, i), "price_cents": 100 + i})
		req, err = http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	}
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// login posts the admin token to /login and returns the session cookies.
func login(ctx context.Context, c *http.Client, base, token string) ([]*http.Cookie, error) {
	body, _ := json.Marshal(map[string]string{"token": token})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST /login: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST /login with the ADMIN_TOKEN itemsload set: status %d, want 204", resp.StatusCode)
	}
	if len(resp.Cookies()) == 0 {
		return nil, fmt.Errorf("POST /login: no session cookie in the response")
	}
	return resp.Cookies(), nil
}
