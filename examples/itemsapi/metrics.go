package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/prodready/prodready"
)

// serviceMetrics are the service's metrics: an OpenTelemetry SDK
// MeterProvider whose reader is the Prometheus exporter, on a registry of
// its own (never prometheus.DefaultRegisterer: no global state), served
// by GET /metrics. The cache of items reports to the same provider (see
// cache.Options.MeterProvider), and the middleware below adds the HTTP
// requests.
type serviceMetrics struct {
	provider *sdkmetric.MeterProvider
	handler  http.Handler // the exposition of the registry
	duration metric.Float64Histogram
	active   metric.Int64UpDownCounter
}

// httpDurationBuckets are the bucket bounds, in seconds, that the
// OpenTelemetry semantic conventions advise for http.server.request.duration.
var httpDurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// newMetrics builds the provider, the exporter and the HTTP instruments.
// Metric names are translated the Prometheus way whatever the
// prometheus/common validation scheme says: "cache.hits" with unit {hit}
// becomes cache_hits_total, "http.server.request.duration" in s becomes
// http_server_request_duration_seconds. The resource is only
// service.name=itemsapi: nothing from the environment (OTEL_RESOURCE_ATTRIBUTES
// is not read) reaches target_info.
func newMetrics() (*serviceMetrics, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, err
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, err
	}
	exp, err := otelprom.New(
		otelprom.WithRegisterer(reg),
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
	)
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(exp),
		sdkmetric.WithResource(resource.NewSchemaless(attribute.String("service.name", "itemsapi"))),
	)
	m := &serviceMetrics{
		provider: mp,
		// OpenMetrics when the scraper's Accept header asks for it, the
		// text format 0.0.4 otherwise.
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}),
	}
	meter := mp.Meter("github.com/prodready/prodready/examples/itemsapi")
	m.duration, err = meter.Float64Histogram("http.server.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP requests, by method, route pattern and status; its _count is the request count."),
		metric.WithExplicitBucketBoundaries(httpDurationBuckets...))
	if err != nil {
		return nil, err
	}
	m.active, err = meter.Int64UpDownCounter("http.server.active_requests", metric.WithUnit("{request}"),
		metric.WithDescription("HTTP requests being served."))
	if err != nil {
		return nil, err
	}
	return m, nil
}

// shutdown stops the provider; a scrape after it gets what the registry
// holds without the OpenTelemetry metrics.
func (m *serviceMetrics) shutdown(ctx context.Context) error {
	return m.provider.Shutdown(ctx)
}

// knownMethods are the methods that become the http.request.method
// attribute as they are; any other is "_OTHER", as the semantic
// conventions ask, so that a client cannot create series at will.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// httpMetrics measures every request that h serves: its duration by
// method, route and status, and the requests in flight. The route is the
// mux's pattern without its method ("/items/{id}"), never the request's
// path, which is the client's to choose (ids, canaries, junk) and would
// make a series per path; a request no route matches has no http.route
// attribute. A panic passing through is measured as a 500 and goes on.
func (s *server) httpMetrics(mux *http.ServeMux, h http.Handler) http.Handler {
	m := s.metrics
	if m == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		method := r.Method
		if !knownMethods[method] {
			method = "_OTHER"
		}
		methodAttr := metric.WithAttributeSet(attribute.NewSet(attribute.String("http.request.method", method)))
		m.active.Add(r.Context(), 1, methodAttr)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			m.active.Add(r.Context(), -1, methodAttr)
			status := sw.status
			if v := recover(); v != nil {
				status = http.StatusInternalServerError
				defer panic(v)
			} else if status == 0 {
				status = http.StatusOK
			}
			attrs := []attribute.KeyValue{
				attribute.String("http.request.method", method),
				attribute.Int("http.response.status_code", status),
			}
			if route := routeOf(mux, r); route != "" {
				attrs = append(attrs, attribute.String("http.route", route))
			}
			m.duration.Record(r.Context(), time.Since(start).Seconds(), metric.WithAttributeSet(attribute.NewSet(attrs...)))
		}()
		h.ServeHTTP(sw, r)
	})
}

// routeOf returns the path of the mux pattern that r matches
// ("GET /items/{id}" gives "/items/{id}"), or "".
func routeOf(mux *http.ServeMux, r *http.Request) string {
	_, pattern := mux.Handler(r)
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
}

// serveMetrics answers GET /metrics with the registry's exposition.
//
// Who may scrape: with METRICS_TOKEN set, only a request with the header
// "Authorization: Bearer <METRICS_TOKEN>", under every profile. Without
// it, anyone under a profile that is not hardened (development, testing),
// and no one under a hardened one: the answer is 404, as for a path that
// does not exist (start-up logs that metrics are off). The
// counts themselves hold no secret (no value, key or path is a label),
// but they tell an outsider the traffic and hit ratio.
func (s *server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.metrics == nil {
		writeError(w, http.StatusNotFound, codeNotFound, "no such path: "+quote(r.URL.Path), nil)
		return
	}
	token := s.cfg.MetricsToken
	switch {
	case token.IsSet():
		if !bearerMatches(r.Header.Get("Authorization"), token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			writeError(w, http.StatusUnauthorized, codeUnauthorized, "GET /metrics needs the header Authorization: Bearer followed by METRICS_TOKEN", nil)
			return
		}
	case s.hardened:
		writeError(w, http.StatusNotFound, codeNotFound, "no such path: "+quote(r.URL.Path), nil)
		return
	}
	s.metrics.handler.ServeHTTP(w, r)
}

// bearerMatches reports whether header is "Bearer <token>" (the scheme in
// any case, RFC 9110). It compares SHA-256 digests in constant time, so
// neither the content nor the length of the token leaks through timing.
func bearerMatches(header string, token prodready.Secret) bool {
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(cred)))
	want := sha256.Sum256([]byte(token.Reveal()))
	return hmac.Equal(got[:], want[:])
}

// metricsChecks are the deploy checks of GET /metrics' protection.
func metricsChecks() []prodready.Check {
	return []prodready.Check{
		{
			ID:       "ITEMS-E050",
			Severity: prodready.SeverityError,
			Title:    "METRICS_TOKEN is weak under a hardened profile",
			Run: func(_ context.Context, in *prodready.CheckInput) []prodready.Finding {
				c, ok := in.Config.(*Config)
				if !ok || !in.Profile.Hardened() || !c.MetricsToken.IsSet() {
					return nil
				}
				if err := prodready.CheckKeyStrength(c.MetricsToken); err != nil {
					return []prodready.Finding{{
						Key:     "METRICS_TOKEN",
						Message: "weak token: want at least 32 random bytes, not a word or a pattern",
						Hint:    "set METRICS_TOKEN to the output of prodready gen-secret, and give Prometheus the same in its scrape config (authorization: credentials_file)",
						Origin:  in.Origin("METRICS_TOKEN"),
					}}
				}
				return nil
			},
		},
	}
}
