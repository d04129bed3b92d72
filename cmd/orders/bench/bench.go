// Package bench measures the platform on the embedded broker: the
// end-to-end pipeline (orders → payments and per-country statistics,
// through every service, transactions included) against raw librdkafka
// produce+consume of the same records in the same run. `orders bench` and
// the Go benchmarks report both and their ratio.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// Result is one measurement.
type Result struct {
	Name string
	// Records is how many records the measurement counted arriving at its
	// end (raw: consumed; pipeline: payments), not how many it sent.
	Records  int
	Duration time.Duration
	Detail   string // optional breakdown
}

// PerSecond is the throughput.
func (r Result) PerSecond() float64 { return float64(r.Records) / r.Duration.Seconds() }

func (r Result) String() string {
	s := fmt.Sprintf("%-32s %8d records in %-10s %10.0f/s", r.Name, r.Records, r.Duration.Round(time.Millisecond), r.PerSecond())
	if r.Detail != "" {
		s += "  (" + r.Detail + ")"
	}
	return s
}

// Env is an embedded broker and registry for one run.
type Env struct {
	Kafka   stream.Config
	broker  *sandbox.Broker
	cluster *sandbox.KafkaCluster
	dir     string
	reg     *sandbox.Registry
}

// NewEnv starts a registry and a fresh broker: the embedded one when nodes
// is 0, else a real Apache Kafka cluster of that many nodes (topics
// replicated min(nodes, 3) times). Close stops them.
func NewEnv(ctx context.Context, log *slog.Logger, nodes int) (env *Env, err error) {
	r, err := sandbox.StartRegistry(0)
	if err != nil {
		return nil, err
	}
	e := &Env{reg: r, Kafka: stream.Config{SchemaRegistryURL: r.URL(), AutoRegister: true, Partitions: 3, ReplicationFactor: 1, Logger: log}}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
		}
	}()
	if nodes == 0 {
		if e.broker, err = sandbox.StartBroker(); err != nil {
			return nil, err
		}
		e.Kafka.Brokers = e.broker.BootstrapServers()
		return e, nil
	}
	if e.dir, err = os.MkdirTemp("", "orders-bench-kafka-"); err != nil {
		return nil, fmt.Errorf("bench cluster dir: %w", err)
	}
	if e.cluster, err = sandbox.StartKafkaCluster(ctx, e.dir, nodes); err != nil {
		return nil, err
	}
	e.Kafka.Brokers, e.Kafka.ReplicationFactor = e.cluster.Bootstrap(), min(nodes, 3)
	return e, nil
}

// Close stops the broker and registry.
func (e *Env) Close() error {
	err := e.reg.Close()
	if e.broker != nil {
		e.broker.Close()
	}
	if e.cluster != nil {
		err = errors.Join(err, e.cluster.Close())
	}
	if e.dir != "" {
		err = errors.Join(err, os.RemoveAll(e.dir))
	}
	return err
}

// orders opens the topics and returns n encoded synthetic orders.
func orders(cfg stream.Config, n int) (*events.Topics, []*stream.Message, error) {
	topics, err := events.Open(cfg)
	if err != nil {
		return nil, nil, err
	}
	gen := orderproducer.NewGenerator(1, 200, "bench")
	out := make([]*stream.Message, n)
	for i := range out {
		o := gen.Next(time.Now())
		msg, err := topics.Orders.Message(o.CustomerId, o)
		if err != nil {
			return nil, nil, err
		}
		out[i] = msg
	}
	return topics, out, nil
}

// Raw produces the records to a fresh topic with an idempotent librdkafka
// producer and consumes them back with a librdkafka consumer: the floor
// any pipeline on this broker stands on.
func Raw(ctx context.Context, env *Env, n int) (Result, error) {
	_, msgs, err := orders(env.Kafka, n)
	if err != nil {
		return Result{}, err
	}
	const topic = "bench.raw"
	if err := stream.EnsureTopics(ctx, env.Kafka, false, stream.TopicSpec{Name: topic}); err != nil {
		return Result{}, err
	}
	for _, m := range msgs {
		m.Topic = topic
	}
	count, err := startCounter(ctx, env.Kafka, "bench-raw", topic)
	if err != nil {
		return Result{}, err
	}
	defer count.stop()
	start := time.Now()
	if err := produceAll(ctx, env.Kafka, msgs); err != nil {
		return Result{}, err
	}
	if err := count.wait(ctx, n); err != nil {
		return Result{}, err
	}
	d := time.Since(start)
	if err := count.stop(); err != nil {
		return Result{}, fmt.Errorf("raw: %w", err)
	}
	return Result{Name: "raw librdkafka produce+consume", Records: count.count(), Duration: d}, nil
}

// Pipeline runs payment, fraud and analytics services with metrics and
// traces off, publishes the orders flat out, and measures until every
// payment is committed and the committed per-country statistics count
// every order.
func Pipeline(ctx context.Context, env *Env, n int) (Result, error) {
	return pipeline(ctx, env, n, "pipeline end to end", telemetry.Off())
}

// MeteredPipeline is Pipeline with metrics on and traces off.
func MeteredPipeline(ctx context.Context, env *Env, n int) (Result, error) {
	return pipeline(ctx, env, n, "pipeline, metrics on")
}

// ObservedPipeline is Pipeline with metrics on and every span recorded and
// exported (to an exporter that drops them): the cost of observability.
func ObservedPipeline(ctx context.Context, env *Env, n int) (Result, error) {
	spans := sdktrace.NewBatchSpanProcessor(tracetest.NewNoopExporter())
	defer func() { _ = spans.Shutdown(context.Background()) }()
	return pipeline(ctx, env, n, "pipeline, metrics and traces on", telemetry.WithSpanProcessor(spans))
}

func pipeline(ctx context.Context, env *Env, n int, name string, tel ...telemetry.Option) (Result, error) {
	topics, msgs, err := orders(env.Kafka, n)
	if err != nil {
		return Result{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	g := platform.NewGroup(sctx)
	defer func() { stop(); _ = g.Wait() }()
	if err := startServices(ctx, env, g, platform.WithTelemetry(tel...)); err != nil {
		return Result{}, err
	}
	payments, err := startCounter(ctx, env.Kafka, "bench-payments", events.PaymentsTopic)
	if err != nil {
		return Result{}, err
	}
	defer payments.stop()
	counted := countOrders(g, env.Kafka, topics)
	start := time.Now()
	if err := produceAll(ctx, env.Kafka, msgs); err != nil {
		return Result{}, err
	}
	if err := payments.wait(ctx, n); err != nil {
		return Result{}, err
	}
	paid := time.Since(start)
	if err := counted.wait(ctx, n); err != nil {
		return Result{}, err
	}
	d := time.Since(start)
	if err := payments.stop(); err != nil {
		return Result{}, fmt.Errorf("pipeline: %w", err)
	}
	return Result{Name: name, Records: payments.count(), Duration: d,
		Detail: fmt.Sprintf("all payments after %s; statistics count %d orders", paid.Round(time.Millisecond), counted.count())}, nil
}

// startServices runs payment, fraud and analytics in g and waits until
// they are ready.
func startServices(ctx context.Context, env *Env, g *platform.Group, opts ...platform.Option) error {
	sctx := g.Context()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	common := platform.Common{Kafka: env.Kafka} // no RPC endpoint
	pcfg, fcfg, acfg := payment.DefaultConfig(), fraud.DefaultConfig(), analytics.DefaultConfig()
	pcfg.Common, pcfg.TransactionalID = common, "bench-payment"
	fcfg.Common, fcfg.TransactionalID = common, "bench-fraud"
	acfg.Common, acfg.TransactionalID = common, "bench-analytics"
	pay, err := payment.New(sctx, pcfg, quiet, opts...)
	if err != nil {
		return err
	}
	fr, err := fraud.New(sctx, fcfg, quiet, opts...)
	if err != nil {
		return err
	}
	an, err := analytics.New(sctx, acfg, quiet, opts...)
	if err != nil {
		return err
	}
	for name, s := range map[string]interface{ Run(context.Context) error }{"payment": pay, "fraud": fr, "analytics": an} {
		g.Go(name, s.Run)
	}
	for pay.Ready.Check() != nil || fr.Ready.Check() != nil || an.Ready.Check() != nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func produceAll(ctx context.Context, cfg stream.Config, msgs []*stream.Message) error {
	p, err := stream.NewProducer(cfg, "bench")
	if err != nil {
		return err
	}
	var c stream.Counter
	for _, m := range msgs {
		if err := p.Produce(m, c.Done); err != nil {
			return errors.Join(err, p.Close(ctx))
		}
	}
	if err := p.Close(ctx); err != nil {
		return err
	}
	if _, failed, last := c.Snapshot(); failed > 0 {
		return fmt.Errorf("%d records not delivered: %w", failed, last)
	}
	return nil
}

// countOrders follows `order-analytics` and counts the orders its latest
// per-country statistics add up to.
func countOrders(g *platform.Group, cfg stream.Config, topics *events.Topics) *counter {
	c := &counter{}
	var mu sync.Mutex
	latest := map[string]int64{}
	table := stream.NewTable(cfg, topics.OrderAnalytics, func(r stream.Record[*analyticsv1.CountryStats]) {
		mu.Lock()
		defer mu.Unlock()
		c.n.Add(r.Value.GetOrderCount() - latest[r.Key])
		latest[r.Key] = r.Value.GetOrderCount()
	})
	g.Go("statistics", table.Run)
	return c
}
