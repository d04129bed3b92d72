package telemetry

import sdktrace "go.opentelemetry.io/otel/sdk/trace"

// Option configures New.
type Option func(*options)

type options struct {
	spanProcessors []sdktrace.SpanProcessor
	off            bool
}

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithSpanProcessor adds a span processor (tests record spans in memory
// with one), which turns tracing on whatever the environment says.
func WithSpanProcessor(p sdktrace.SpanProcessor) Option {
	return func(o *options) { o.spanProcessors = append(o.spanProcessors, p) }
}

// Off turns metrics and traces off, whatever the environment says: the
// providers are no-ops and /metrics is empty (benchmarks measure the
// platform without them with it).
func Off() Option {
	return func(o *options) { o.off = true }
}
