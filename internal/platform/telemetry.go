package platform

import (
	"context"
	"fmt"

	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
)

// WithTelemetry passes options to the service's telemetry (tests record
// spans with telemetry.WithSpanProcessor).
func WithTelemetry(opts ...telemetry.Option) Option {
	return func(o *options) { o.telemetry = append(o.telemetry, opts...) }
}

// instrument builds the service's telemetry and hands its providers to the
// Kafka layer and the RPC server, which serves /metrics.
func (b *Base) instrument(ctx context.Context) error {
	tel, err := telemetry.New(ctx, b.Name, b.opts.telemetry...)
	if err != nil {
		return err
	}
	b.Telemetry = tel
	if tel.On() {
		b.Common.Kafka.MeterProvider, b.Common.Kafka.TracerProvider = tel.Meter, tel.Tracer
	}
	b.OnClose(tel.Shutdown) // first registered, so run last
	rpcs, err := otelconnect.NewInterceptor(otelconnect.WithMeterProvider(tel.Meter),
		otelconnect.WithTracerProvider(tel.Tracer), otelconnect.WithPropagator(propagation.TraceContext{}),
		// The callers are the platform's own gateway and clients: their
		// trace context is the parent, so an order placed through the
		// gateway is one trace.
		otelconnect.WithTrustRemote())
	if err != nil {
		return fmt.Errorf("rpc telemetry: %w", err)
	}
	b.Server.Instrument(rpcs, tel.Metrics())
	return b.observeState(tel.Meter.Meter("github.com/kafka-enterprise-orders/orders/internal/platform"))
}

// observeState reports readiness and whether the lookup tables caught up.
func (b *Base) observeState(m metric.Meter) error {
	ready, err := m.Int64ObservableGauge("orders.service.ready",
		metric.WithDescription("1 when the service is ready (as /readyz says), else 0."))
	if err != nil {
		return fmt.Errorf("readiness gauge: %w", err)
	}
	synced, err := m.Int64ObservableGauge("orders.table.synced",
		metric.WithDescription("1 once a lookup table caught up with its topic at start, else 0."))
	if err != nil {
		return fmt.Errorf("table gauge: %w", err)
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(ready, boolValue(b.Ready.Check() == nil))
		for _, t := range b.Tables {
			o.ObserveInt64(synced, boolValue(b.tablesSynced.Load()), metric.WithAttributes(attribute.String("table", t.Name())))
		}
		return nil
	}, ready, synced)
	if err != nil {
		return fmt.Errorf("state gauges: %w", err)
	}
	return nil
}

func boolValue(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Tracer returns the service's tracer, for spans of its own (a no-op
// unless tracing is on).
func (b *Base) Tracer() trace.Tracer {
	return b.Telemetry.Tracer.Tracer("github.com/kafka-enterprise-orders/orders/services/" + b.Name)
}

// Meter returns the service's meter, for metrics of its own.
func (b *Base) Meter() metric.Meter {
	return b.Telemetry.Meter.Meter("github.com/kafka-enterprise-orders/orders/services/" + b.Name)
}
