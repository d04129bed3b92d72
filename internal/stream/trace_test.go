package stream_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

func TestTraceContextTravelsInRecordHeaders(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "send")
	defer span.End()
	msg := &stream.Message{Topic: "orders", Headers: []stream.Header{{Key: "traceparent", Value: []byte("stale")}, {Key: "other", Value: []byte("kept")}}}
	stream.InjectTrace(ctx, msg)
	if len(msg.Headers) != 2 || msg.Header("other") != "kept" {
		t.Fatalf("headers %v: want traceparent replaced in place and the rest kept", msg.Headers)
	}
	got := trace.SpanContextFromContext(stream.TraceOf(context.Background(), msg))
	if !got.IsRemote() || got.TraceID() != span.SpanContext().TraceID() || got.SpanID() != span.SpanContext().SpanID() {
		t.Errorf("extracted %v, want the span %v", got, span.SpanContext())
	}
	plain := &stream.Message{Topic: "orders"}
	stream.InjectTrace(context.Background(), plain)
	if len(plain.Headers) != 0 {
		t.Errorf("a context without a span wrote headers %v", plain.Headers)
	}
}
