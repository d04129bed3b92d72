package e2e_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/couchbasesink"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// TestAnOrderIsOneTrace places one order and follows it, through the trace
// context in the Kafka records' headers, from PlaceOrder to the Couchbase
// write: one trace whose spans link each hop to the one before it.
func TestAnOrderIsOneTrace(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	traced := platform.WithTelemetry(telemetry.WithSpanProcessor(spans))
	p := startPlatform(t, nil, traced)
	sink := startSink(t, p.cfg, traced)
	testenv.WaitFor(t, 60*time.Second, "couchbase-sink ready", func() bool { return sink.Ready.Check() == nil })

	res, err := p.orders.PlaceOrder(context.Background(), &ordersv1.PlaceOrderRequest{
		OrderId: "ord-traced", CustomerId: "cus-0001", Country: "DE", Currency: "EUR", Items: []*ordersv1.LineItem{item("sku-1", 1, 1999)},
	})
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	var root sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.Name() == "orders.v1.OrderService/PlaceOrder" {
			root = s
		}
	}
	if root == nil {
		t.Fatalf("no PlaceOrder span among %v", names(spans.Ended()))
	}
	id := root.SpanContext().TraceID()
	var inTrace map[trace.SpanID]sdktrace.ReadOnlySpan
	var write sdktrace.ReadOnlySpan
	testenv.WaitFor(t, 60*time.Second, "the order's Couchbase write in its trace", func() bool {
		inTrace, write = map[trace.SpanID]sdktrace.ReadOnlySpan{}, nil
		for _, s := range spans.Ended() {
			if s.SpanContext().TraceID() != id {
				continue
			}
			inTrace[s.SpanContext().SpanID()] = s
			if s.Name() == "couchbase upsert" {
				write = s
			}
		}
		return write != nil && p.payment.Stats.Get("payments.authorized") == 1
	})
	if res.GetOrder().GetOrderId() != "ord-traced" {
		t.Fatalf("placed %v", res.GetOrder())
	}

	// The write's ancestors, each the parent of the next: every hop in order.
	want := []string{
		"order-producer: orders.v1.OrderService/PlaceOrder",
		"order-producer: send orders",
		"analytics-service: process orders",
		"analytics-service: process analytics.orders-by-country",
		"couchbase-sink: process order-analytics",
		"couchbase-sink: couchbase upsert",
	}
	var chain []string
	for s := write; s != nil; s = inTrace[s.Parent().SpanID()] {
		chain = append([]string{service(s) + ": " + s.Name()}, chain...)
		if !s.Parent().IsValid() {
			break
		}
	}
	if strings.Join(chain, " → ") != strings.Join(want, " → ") {
		t.Errorf("the Couchbase write's ancestry:\n got %s\nwant %s", strings.Join(chain, " → "), strings.Join(want, " → "))
	}
	// Payment and fraud continue the same record's trace.
	send := root
	for _, s := range inTrace {
		if s.Name() == "send orders" {
			send = s
		}
	}
	for _, svc := range []string{"payment-service", "fraud-service"} {
		found := false
		for _, s := range inTrace {
			if service(s) == svc && s.Name() == "process orders" && s.Parent().SpanID() == send.SpanContext().SpanID() {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s span processing the order as a child of its send span; trace has %v", svc, namesOf(inTrace))
		}
	}
	// One trace: every span but the root has its parent in it.
	for _, s := range inTrace {
		if s != root && inTrace[s.Parent().SpanID()] == nil {
			t.Errorf("span %s of %s has a parent outside the trace", s.Name(), service(s))
		}
	}
}

// TestMetricsCountWhatWasProcessed scrapes payment-service's /metrics: its
// consumer lag shows the orders waiting, returns to zero once they are
// paid, and its counters match the records processed and produced.
func TestMetricsCountWhatWasProcessed(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	publishCustomers(t, cfg, topics)
	if err := stream.EnsureTopics(context.Background(), cfg, true, stream.TopicSpec{Name: events.OrdersTopic}, stream.TopicSpec{Name: events.PaymentsTopic}); err != nil {
		t.Fatal(err)
	}
	const n = 500
	publishOrders(t, cfg, topics, n)

	// The first commit waits until the test saw the lag.
	sawLag := make(chan struct{})
	gate := func(ctx context.Context, _ int) error {
		select {
		case <-sawLag:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	svc, err := payment.New(context.Background(), payment.Config{Common: common(cfg), Group: "payment-service", TransactionalID: "payment-metrics",
		Rules: payment.Rules{MinAmount: 1, MaxAmount: 1_000_000, DefaultCreditLimit: 1_000_000}},
		testenv.Logger(t).With("service", "payment"), platform.WithBeforeCommit(gate))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	stop := testenv.Run(t, "payment", svc.Run)
	defer stop()
	lag := func() float64 {
		return testenv.Scrape(t, srv.URL+"/metrics").Sum("orders_consumer_lag", "group", "payment-service", "topic", "orders")
	}
	testenv.WaitFor(t, 60*time.Second, "consumer lag of the orders waiting", func() bool { return lag() == n })
	close(sawLag)
	testenv.WaitFor(t, 60*time.Second, "consumer lag back to zero", func() bool { return lag() == 0 })

	m := testenv.Scrape(t, srv.URL+"/metrics")
	checks := []struct {
		what string
		got  float64
		want float64
	}{
		{"orders consumed", m.Sum("orders_records_consumed_total", "group", "payment-service", "topic", "orders"), n},
		{"payments produced", m.Sum("orders_records_produced_total", "topic", "payments"), n},
		{"dead letters", m.Sum("orders_records_dead_lettered_total"), 0},
		{"transactions aborted", m.Sum("orders_transactions_aborted_total"), 0},
		{"ready", m.Sum("orders_service_ready", "service_name", payment.Name), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: /metrics says %v, want %v", c.what, c.got, c.want)
		}
	}
	if commits := m.Sum("orders_transaction_duration_seconds", "group", "payment-service"); commits < 1 {
		t.Errorf("no transaction commit measured")
	}
	if !m.Has("orders_table_synced", "table", "customers") {
		t.Errorf("no table sync state for customers")
	}
}

// publishOrders publishes n synthetic orders of seeded customers.
func publishOrders(t *testing.T, cfg stream.Config, topics *events.Topics, n int) {
	t.Helper()
	prod, err := stream.NewProducer(cfg, "orders")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(context.Background())
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	gen := orderproducer.NewGenerator(5, 20, "m")
	for range n {
		o := gen.Next(time.Now())
		if err := pub.PublishAsync(o.CustomerId, o, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := prod.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// startSink runs couchbase-sink on gocaves, configured by flags.
func startSink(t *testing.T, kcfg stream.Config, opts ...platform.Option) *couchbasesink.Service {
	t.Helper()
	cb := testenv.Couchbase(t)
	var cfg couchbasesink.Config
	set := config.New("couchbase-sink", "test", config.WithOutput(io.Discard),
		config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	cfg.Register(set)
	if err := set.Parse([]string{"--listen-addr=", "--create-bucket", "--couchbase-url=" + cb.ConnStr,
		"--couchbase-username=" + cb.Username, "--couchbase-password=" + cb.Password}); err != nil {
		t.Fatal(err)
	}
	cfg.Kafka = kcfg
	svc, err := couchbasesink.New(context.Background(), cfg, testenv.Logger(t).With("service", "couchbase-sink"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Run(t, "couchbase-sink", svc.Run)
	return svc
}

func service(s sdktrace.ReadOnlySpan) string {
	for _, kv := range s.Resource().Attributes() {
		if kv.Key == "service.name" {
			return kv.Value.AsString()
		}
	}
	return "?"
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = service(s) + ": " + s.Name()
	}
	return out
}

func namesOf(spans map[trace.SpanID]sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, service(s)+": "+s.Name())
	}
	return out
}
