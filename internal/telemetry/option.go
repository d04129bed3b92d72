package telemetry

import sdktrace "go.opentelemetry.io/otel/sdk/trace"

// Option configures New.
type Option func(*options)

type options struct {
	spanProcessors []sdktrace.SpanProcessor
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
