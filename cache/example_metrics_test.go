package cache_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/prodready/prodready"
	"github.com/prodready/prodready/cache"
)

// A Cache reports its counts and durations to an OpenTelemetry
// MeterProvider. A service wires the SDK's provider with an exporter (the
// reference service uses the Prometheus one); here a manual reader
// collects once.
func ExampleOptions_meterProvider() {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	c, err := cache.New[string](ctx, prodready.Base{}, &cache.Options{MeterProvider: mp, Name: "greetings"})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_ = c.Set(ctx, "en", "hello")
	_, _, _ = c.Get(ctx, "en") // hit
	_, _, _ = c.Get(ctx, "fr") // miss

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok && (m.Name == "cache.hits" || m.Name == "cache.misses") {
			name, _ := sum.DataPoints[0].Attributes.Value("cache.name")
			fmt.Printf("%s %s{cache.name=%s} %d\n", m.Name, m.Unit, name.AsString(), sum.DataPoints[0].Value)
		}
	}
	// Output:
	// cache.hits {hit}{cache.name=greetings} 1
	// cache.misses {miss}{cache.name=greetings} 1
}
