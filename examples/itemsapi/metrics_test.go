package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/prodready/prodready"
)

// scrape GETs /metrics from base with the header accept (none when "")
// and the bearer token (none when ""), and returns the answer.
func scrape(t *testing.T, base, accept, token string) (status int, contentType, body string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// parseText parses the Prometheus text format 0.0.4 with prometheus/common's
// parser, as a Prometheus server would.
func parseText(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%.3000s", err, body)
	}
	return fams
}

// sample returns the value of the family's sample whose labels include
// want, and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
metrics:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue metrics
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsScrape runs the service as the README does, sends cache
// traffic, and scrapes GET /metrics with Prometheus' own text parser: the
// cache counters equal what GET /debug/cache shows, the HTTP requests are
// counted by route pattern (never by raw path), and OpenMetrics is served
// when asked for.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	in := start(t, "itemsapi", t.TempDir(), map[string]string{"SEED_ITEMS": "20"})
	for _, p := range []string{"/items/1", "/items/1", "/items/1", "/items/2", "/items/999999", "/items/999999", "/no/such/path"} {
		in.do(t, "GET", p, "", false)
	}

	status, ct, body := scrape(t, in.base, "", "")
	if status != http.StatusOK || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics = %d, Content-Type %q; want 200 and the text format 0.0.4\n%.500s", status, ct, body)
	}
	fams := parseText(t, body)
	st := in.cacheStats(t) // after the scrape: nothing between touches the cache
	cacheLabels := map[string]string{"cache_name": "items", "cache_backend": "memory"}
	for _, c := range []struct {
		name string
		want uint64
	}{
		{"cache_hits_total", st.Hits},
		{"cache_misses_total", st.Misses},
		{"cache_loads_total", st.Loads},
	} {
		got, ok := sample(fams, c.name, cacheLabels)
		if !ok {
			t.Errorf("%s{cache_name=\"items\"} missing from /metrics", c.name)
			continue
		}
		if uint64(got) != c.want {
			t.Errorf("%s = %v, want %d as GET /debug/cache shows", c.name, got, c.want)
		}
	}
	if st.Hits < 2 || st.Loads < 2 {
		t.Errorf("GET /debug/cache = %+v, want the traffic's hits and loads", st)
	}
	for _, name := range []string{"cache_load_errors_total", "cache_backend_errors_total", "cache_codec_errors_total", "cache_evictions_total", "cache_load_duration_seconds"} {
		if _, ok := sample(fams, name, cacheLabels); !ok {
			t.Errorf("%s missing from /metrics", name)
		}
	}
	if n, _ := sample(fams, "http_server_request_duration_seconds", map[string]string{"http_route": "/items/{id}", "http_request_method": "GET", "http_response_status_code": "200"}); n < 4 {
		t.Errorf("http_server_request_duration_seconds_count{http_route=\"/items/{id}\",200} = %v, want at least 4", n)
	}
	if n, _ := sample(fams, "http_server_request_duration_seconds", map[string]string{"http_route": "/items/{id}", "http_response_status_code": "404"}); n != 2 {
		t.Errorf("http_server_request_duration_seconds_count{http_route=\"/items/{id}\",404} = %v, want 2", n)
	}
	for _, m := range fams["http_server_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "http_route" && strings.ContainsAny(l.GetValue(), "0123456789") || strings.Contains(l.GetValue(), "/no/such") {
				t.Errorf("label %s=%q: a raw path, want a route pattern", l.GetName(), l.GetValue())
			}
		}
	}

	status, ct, body = scrape(t, in.base, "application/openmetrics-text; version=1.0.0", "")
	if status != http.StatusOK || !strings.HasPrefix(ct, "application/openmetrics-text") || !strings.HasSuffix(body, "# EOF\n") {
		t.Errorf("GET /metrics (Accept: OpenMetrics) = %d, Content-Type %q, want 200 and OpenMetrics ending in # EOF", status, ct)
	}
	if !strings.Contains(body, "cache_hits_total{") {
		t.Errorf("OpenMetrics exposition has no cache_hits_total:\n%.1000s", body)
	}
}

// TestMetricsHoldNoSecret runs the service under production with every
// secret a random canary (SECRET_KEY, ADMIN_TOKEN, METRICS_TOKEN), sends
// requests that carry the secrets in their Authorization header and
// another canary in their paths, queries and request ids, and scrapes: no form of a canary may show in /metrics, under either
// format. The token protection is checked end to end on the way.
func TestMetricsHoldNoSecret(t *testing.T) {
	t.Parallel()
	token, key, metricsToken := randomText(t, 32), randomText(t, 48), randomText(t, 32)
	in := start(t, "itemsapi", t.TempDir(), map[string]string{
		"APP_ENV":       "production",
		"SEED_ITEMS":    "20",
		"DATABASE_URL":  "sqlite:items.db",
		"ADMIN_TOKEN":   token,
		"SECRET_KEY":    key,
		"METRICS_TOKEN": metricsToken,
	}, token, key, metricsToken)
	// The client's path and request id are logged (they are the
	// client's, not secrets), so they carry a canary of their own; the
	// secrets go in headers that are never logged.
	clientCanary := randomText(t, 32)
	canaries := []string{token, key, metricsToken, clientCanary}
	for _, p := range []string{"/items/" + clientCanary, "/" + clientCanary, "/items?cursor=" + clientCanary, "/items?limit=" + clientCanary} {
		for _, secret := range []string{token, key, metricsToken} {
			req, _ := http.NewRequest("GET", in.base+p, nil)
			req.Header.Set("X-Request-ID", clientCanary[:32])
			req.Header.Set("Authorization", "Bearer "+secret)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	in.login(t, token)

	if status, _, body := scrape(t, in.base, "", ""); status != http.StatusUnauthorized {
		t.Errorf("GET /metrics without a token = %d, want 401: %.200s", status, body)
	}
	if status, _, _ := scrape(t, in.base, "", token); status != http.StatusUnauthorized {
		t.Errorf("GET /metrics with ADMIN_TOKEN as bearer = %d, want 401", status)
	}
	for _, accept := range []string{"", "application/openmetrics-text; version=1.0.0"} {
		status, _, body := scrape(t, in.base, accept, metricsToken)
		if status != http.StatusOK || !strings.Contains(body, "cache_hits_total") || !strings.Contains(body, "http_server_request_duration_seconds") {
			t.Fatalf("GET /metrics (Accept %q) with METRICS_TOKEN = %d, want 200 with the cache and HTTP metrics:\n%.500s", accept, status, body)
		}
		checkNoLeak(t, "GET /metrics (Accept "+strconv.Quote(accept)+")", body, canaries)
	}
}

// TestMetricsProtection: who may scrape under each profile, with and
// without METRICS_TOKEN, on the service's handler in process.
func TestMetricsProtection(t *testing.T) {
	t.Parallel()
	metricsToken := "mT0" + testToken // strong, and not ADMIN_TOKEN
	tests := []struct {
		name     string
		hardened bool
		token    string // METRICS_TOKEN; "" unset
		auth     string // the Authorization header; "" none
		want     int
	}{
		{"development, no token: open", false, "", "", http.StatusOK},
		{"development, token set, none sent", false, metricsToken, "", http.StatusUnauthorized},
		{"development, token set and sent", false, metricsToken, "Bearer " + metricsToken, http.StatusOK},
		{"production, no token: off", true, "", "", http.StatusNotFound},
		{"production, no token, one sent: off", true, "", "Bearer " + metricsToken, http.StatusNotFound},
		{"production, none sent", true, metricsToken, "", http.StatusUnauthorized},
		{"production, wrong token", true, metricsToken, "Bearer " + metricsToken + "x", http.StatusUnauthorized},
		{"production, prefix of the token", true, metricsToken, "Bearer " + metricsToken[:10], http.StatusUnauthorized},
		{"production, ADMIN_TOKEN sent", true, metricsToken, "Bearer " + testToken, http.StatusUnauthorized},
		{"production, basic scheme", true, metricsToken, "Basic " + metricsToken, http.StatusUnauthorized},
		{"production, token sent", true, metricsToken, "Bearer " + metricsToken, http.StatusOK},
		{"production, scheme in lower case", true, metricsToken, "bearer " + metricsToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{}
			if tt.token != "" {
				env["METRICS_TOKEN"] = tt.token
			}
			s, _ := newTestServer(t, env)
			m, err := newMetrics()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = m.shutdown(context.Background()) })
			s.metrics, s.hardened = m, tt.hardened
			srv := httptest.NewServer(s.handler())
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("GET /metrics = %d, want %d: %.200s", resp.StatusCode, tt.want, b)
			}
			if tt.want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
			if tt.want != http.StatusOK && strings.Contains(string(b), "http_server_request_duration_seconds") {
				t.Errorf("a refused scrape shows the metrics: %.200s", b)
			}
		})
	}
}

// TestMetricsTokenCheck: a weak METRICS_TOKEN stops a hardened start
// (ITEMS-E050); outside production any token passes.
func TestMetricsTokenCheck(t *testing.T) {
	t.Parallel()
	base := prodready.MapEnv{"APP_ENV": "production", "SECRET_KEY": testKey, "ADMIN_TOKEN": testToken, "DATABASE_URL": "postgres://db/app?sslmode=require"}
	tests := []struct {
		name    string
		env     prodready.MapEnv
		wantIDs []string
	}{
		{"production, strong token", prodready.MapEnv{"METRICS_TOKEN": "mT0" + testToken}, nil},
		{"production, no token", prodready.MapEnv{}, nil},
		{"production, short token", prodready.MapEnv{"METRICS_TOKEN": "metrics"}, []string{"ITEMS-E050"}},
		{"production, pattern token", prodready.MapEnv{"METRICS_TOKEN": "abcdefghijklmnopqrstuvwxyz012345"}, []string{"ITEMS-E050"}},
		{"development, short token", prodready.MapEnv{"APP_ENV": "development", "METRICS_TOKEN": "metrics"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := prodready.MapEnv{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			var cfg Config
			opts := loadOptions(env)
			opts.NoDotEnv = true
			opts.Logger = slog.New(slog.DiscardHandler)
			rep, err := prodready.LoadWithReport(context.Background(), &cfg, &opts)
			if (err != nil) != (tt.wantIDs != nil) {
				t.Errorf("LoadWithReport() error = %v, want error %v", err, tt.wantIDs != nil)
			}
			var ids []string
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.ID, "ITEMS-") {
					ids = append(ids, f.ID)
					if v := env["METRICS_TOKEN"]; v != "" && strings.Contains(f.Message+f.Hint, v) {
						t.Errorf("finding %s quotes the token", f.ID)
					}
				}
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("service findings %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}
