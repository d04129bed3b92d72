package couchbasesink

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// writeMetrics measure the writes to Couchbase.
type writeMetrics struct {
	duration metric.Float64Histogram
	retries  metric.Int64Counter
	attrs    metric.MeasurementOption
}

func newWriteMetrics(m metric.Meter, collection string) (*writeMetrics, error) {
	w := &writeMetrics{attrs: metric.WithAttributes(attribute.String("collection", collection))}
	var err error
	if w.duration, err = m.Float64Histogram("orders.couchbase.write.duration", metric.WithUnit("s"),
		metric.WithDescription("Time for Couchbase to acknowledge a document upsert or remove."),
		metric.WithExplicitBucketBoundaries(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)); err != nil {
		return nil, fmt.Errorf("couchbase write histogram: %w", err)
	}
	if w.retries, err = m.Int64Counter("orders.couchbase.write.retries", metric.WithUnit("{write}"),
		metric.WithDescription("Couchbase writes that failed and are retried.")); err != nil {
		return nil, fmt.Errorf("couchbase retry counter: %w", err)
	}
	w.retries.Add(context.Background(), 0, w.attrs)
	return w, nil
}

// traced runs one Couchbase mutation in a span (a child of the record's)
// and measures it.
func (s *Service) traced(ctx context.Context, op, key string, fn func(context.Context) error) error {
	ctx, span := s.Tracer().Start(ctx, "couchbase "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "couchbase"), attribute.String("db.operation.name", op),
			attribute.String("db.collection.name", s.cfg.Couchbase.Collection), attribute.String("key", key)))
	defer span.End()
	started := time.Now()
	err := fn(ctx)
	s.metrics.duration.Record(ctx, time.Since(started).Seconds(), s.metrics.attrs)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, op+" failed")
	}
	return err
}
