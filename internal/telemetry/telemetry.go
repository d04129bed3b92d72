// Package telemetry gives each service its metrics and traces, built on
// OpenTelemetry: a MeterProvider exported in Prometheus format at
// /metrics (one registry per service, so services sharing a process, as
// in `orders dev`, each show their own), and a TracerProvider that
// exports over OTLP when the standard OTEL_* environment variables ask
// for it and is a no-op otherwise. The Kafka layer carries the trace
// context in record headers (internal/stream), so one order is one trace
// across every hop.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Telemetry is one service's meter and tracer providers.
type Telemetry struct {
	// Meter and Tracer are never nil.
	Meter  metric.MeterProvider
	Tracer trace.TracerProvider

	on       bool
	registry *prometheus.Registry
	shutdown []func(context.Context) error
}

// New builds the providers of the named service.
func New(ctx context.Context, service string, opts ...Option) (*Telemetry, error) {
	o := newOptions(opts)
	res, err := resource.New(ctx, resource.WithFromEnv(),
		resource.WithAttributes(semconv.ServiceName(service)))
	if err != nil {
		return nil, fmt.Errorf("telemetry resource of %s: %w", service, err)
	}
	t := &Telemetry{registry: prometheus.NewRegistry()}
	if o.off {
		t.Meter, t.Tracer = metricnoop.NewMeterProvider(), noop.NewTracerProvider()
		return t, nil
	}
	t.on = true
	if err := t.registry.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("go metrics of %s: %w", service, err)
	}
	exporter, err := otelprom.New(otelprom.WithRegisterer(t.registry), otelprom.WithoutScopeInfo(),
		otelprom.WithResourceAsConstantLabels(attribute.NewAllowKeysFilter(semconv.ServiceNameKey)))
	if err != nil {
		return nil, fmt.Errorf("prometheus exporter of %s: %w", service, err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res))
	t.Meter = mp
	t.shutdown = append(t.shutdown, mp.Shutdown)

	processors := o.spanProcessors
	if tracesFromEnv() {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("OTLP trace exporter of %s: %w", service, err)
		}
		processors = append(processors, sdktrace.NewBatchSpanProcessor(exp))
	}
	if len(processors) == 0 {
		t.Tracer = noop.NewTracerProvider()
		return t, nil
	}
	topts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	for _, p := range processors {
		topts = append(topts, sdktrace.WithSpanProcessor(p))
	}
	tp := sdktrace.NewTracerProvider(topts...)
	t.Tracer = tp
	t.shutdown = append(t.shutdown, tp.Shutdown)
	return t, nil
}

// tracesFromEnv reports whether the OTEL_* environment asks for OTLP
// traces: an OTLP endpoint is set, or OTEL_TRACES_EXPORTER=otlp, and the
// SDK is not disabled.
func tracesFromEnv() bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	switch strings.ToLower(os.Getenv("OTEL_TRACES_EXPORTER")) {
	case "none":
		return false
	case "otlp":
		return true
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// On reports whether telemetry is on (not turned Off).
func (t *Telemetry) On() bool { return t.on }

// Metrics serves the service's metrics in Prometheus format.
func (t *Telemetry) Metrics() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{ErrorLog: nil})
}

// Shutdown flushes pending spans and stops the providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for _, fn := range t.shutdown {
		if err := fn(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("telemetry shutdown: %w", err)
	}
	return nil
}
