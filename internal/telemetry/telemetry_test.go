package telemetry_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
)

func TestMetricsAreServedInPrometheusFormatWithTheServiceName(t *testing.T) {
	tel, err := telemetry.New(context.Background(), "payment-service")
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	c, err := tel.Meter.Meter("test").Int64Counter("orders.things")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 3)
	body := get(t, tel)
	if !strings.Contains(body, `orders_things_total{service_name="payment-service"} 3`) {
		t.Errorf("/metrics lacks the counter with its service:\n%s", body)
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics lacks the Go runtime's metrics")
	}
}

func TestOffExportsNothing(t *testing.T) {
	tel, err := telemetry.New(context.Background(), "payment-service", telemetry.Off())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := tel.Meter.Meter("test").Int64Counter("orders.things")
	c.Add(context.Background(), 3)
	if body := get(t, tel); strings.Contains(body, "orders_things") || tel.On() {
		t.Errorf("telemetry off exported:\n%s", body)
	}
	if _, span := tel.Tracer.Tracer("test").Start(context.Background(), "x"); span.SpanContext().IsValid() {
		t.Errorf("telemetry off traced")
	}
}

func TestTracingFollowsTheEnvironment(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:1/v1/traces"}, true},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_TRACES_EXPORTER": "none"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SDK_DISABLED": "true"}, false},
	} {
		for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED"} {
			t.Setenv(k, c.env[k])
		}
		tel, err := telemetry.New(context.Background(), "svc")
		if err != nil {
			t.Fatal(err)
		}
		_, span := tel.Tracer.Tracer("test").Start(context.Background(), "x")
		if got := span.SpanContext().IsValid(); got != c.want {
			t.Errorf("env %v: tracing %v, want %v", c.env, got, c.want)
		}
		span.End()
		_ = tel.Shutdown(context.Background()) // nothing listens at the endpoint
	}
}

func TestLogLinesCarryTheTraceID(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tel, err := telemetry.New(context.Background(), "svc", telemetry.WithSpanProcessor(spans))
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	var out bytes.Buffer
	log := slog.New(telemetry.LogHandler(slog.NewTextHandler(&out, nil))).With("service", "svc")
	ctx, span := tel.Tracer.Tracer("test").Start(context.Background(), "x")
	log.InfoContext(ctx, "traced")
	log.Info("untraced")
	span.End()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if want := "trace_id=" + span.SpanContext().TraceID().String(); !strings.Contains(lines[0], want) {
		t.Errorf("traced line %q lacks %s", lines[0], want)
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("untraced line %q has a trace_id", lines[1])
	}
}

func get(t *testing.T, tel *telemetry.Telemetry) string {
	t.Helper()
	srv := httptest.NewServer(tel.Metrics())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
