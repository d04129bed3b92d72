package stream

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// scope names this package to the meter and tracer providers.
const scope = "github.com/kafka-enterprise-orders/orders/internal/stream"

// instruments are the Kafka layer's metrics and tracer, made from a
// Config's providers once per pair of providers.
type instruments struct {
	metered      bool // a MeterProvider was given
	meter        metric.Meter
	tracer       trace.Tracer
	consumed     metric.Int64Counter
	produced     metric.Int64Counter
	deadLettered metric.Int64Counter
	retried      metric.Int64Counter
	aborted      metric.Int64Counter
	txDuration   metric.Float64Histogram
	clients      *clientStats
}

type providers struct {
	m metric.MeterProvider
	t trace.TracerProvider
}

var instrumentsOf sync.Map // providers → *instruments

// instruments returns the instruments of c's providers (no-ops when unset).
func (c Config) instruments() *instruments {
	p := providers{c.MeterProvider, c.TracerProvider}
	if p.m == nil {
		p.m = metricnoop.NewMeterProvider()
	}
	if p.t == nil {
		p.t = tracenoop.NewTracerProvider()
	}
	if ins, ok := instrumentsOf.Load(p); ok {
		return ins.(*instruments)
	}
	ins, err := newInstruments(p)
	if err != nil {
		c.logger().Error("kafka metrics unavailable", "error", err)
		ins, _ = newInstruments(providers{metricnoop.NewMeterProvider(), p.t})
	}
	ins.metered = err == nil && c.MeterProvider != nil
	actual, _ := instrumentsOf.LoadOrStore(p, ins)
	return actual.(*instruments)
}

func newInstruments(p providers) (*instruments, error) {
	m := p.m.Meter(scope)
	ins := &instruments{meter: m, tracer: p.t.Tracer(scope)}
	var errs [8]error
	ins.consumed, errs[0] = m.Int64Counter("orders.records.consumed", metric.WithUnit("{record}"),
		metric.WithDescription("Records a consumer group processed and committed, per topic."))
	ins.produced, errs[1] = m.Int64Counter("orders.records.produced", metric.WithUnit("{record}"),
		metric.WithDescription("Records the brokers acknowledged, per topic."))
	ins.deadLettered, errs[2] = m.Int64Counter("orders.records.dead_lettered", metric.WithUnit("{record}"),
		metric.WithDescription("Records sent to their topic's dead-letter topic, per source topic, group and error class."))
	ins.retried, errs[3] = m.Int64Counter("orders.records.retried", metric.WithUnit("{record}"),
		metric.WithDescription("Handler attempts that failed and are retried, per topic and group."))
	ins.aborted, errs[4] = m.Int64Counter("orders.transactions.aborted", metric.WithUnit("{transaction}"),
		metric.WithDescription("Exactly-once transactions aborted, per group."))
	ins.txDuration, errs[5] = m.Float64Histogram("orders.transaction.duration", metric.WithUnit("s"),
		metric.WithDescription("Time to commit an exactly-once transaction (offsets and commit), per group."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
	ins.clients, errs[6] = newClientStats(m)
	return ins, errors.Join(errs[:]...)
}

func topicAttr(topic string) attribute.KeyValue { return attribute.String("topic", topic) }
func groupAttr(group string) attribute.KeyValue { return attribute.String("group", group) }

// countConsumed counts n records of topic that group processed.
func (ins *instruments) countConsumed(ctx context.Context, group, topic string, n int64) {
	ins.consumed.Add(ctx, n, metric.WithAttributes(topicAttr(topic), groupAttr(group)))
}

// countDeadLetter counts one dead letter written by group.
func (ins *instruments) countDeadLetter(ctx context.Context, group string, dl *Message) {
	ins.deadLettered.Add(ctx, 1, metric.WithAttributes(topicAttr(dl.Header(HeaderSourceTopic)), groupAttr(group),
		attribute.String("class", dl.Header(HeaderErrorClass))))
}

// zero starts group's counters of topic at 0, so that rates and alerts
// see them before the first failure.
func (ins *instruments) zero(ctx context.Context, group, topic string) {
	at := metric.WithAttributes(topicAttr(topic), groupAttr(group))
	ins.consumed.Add(ctx, 0, at)
	ins.retried.Add(ctx, 0, at)
	for _, class := range []string{"deserialization", "validation"} {
		ins.deadLettered.Add(ctx, 0, metric.WithAttributes(topicAttr(topic), groupAttr(group), attribute.String("class", class)))
	}
}

// propagator carries W3C trace context in record headers.
var propagator = propagation.TraceContext{}

// headerCarrier adapts a record's headers to the propagator.
type headerCarrier struct{ m *Message }

func (h headerCarrier) Get(key string) string { return h.m.Header(key) }

func (h headerCarrier) Set(key, value string) {
	for i := range h.m.Headers {
		if h.m.Headers[i].Key == key {
			h.m.Headers[i].Value = []byte(value)
			return
		}
	}
	h.m.Headers = append(h.m.Headers, Header{Key: key, Value: []byte(value)})
}

func (h headerCarrier) Keys() []string {
	keys := make([]string, len(h.m.Headers))
	for i, hd := range h.m.Headers {
		keys[i] = hd.Key
	}
	return keys
}

// InjectTrace writes the span of ctx into msg's headers, so that the
// record's consumers continue its trace. Without a span it does nothing.
func InjectTrace(ctx context.Context, msg *Message) {
	if trace.SpanContextFromContext(ctx).IsValid() {
		propagator.Inject(ctx, headerCarrier{msg})
	}
}

// TraceOf returns ctx with the span context msg's headers carry, if any.
func TraceOf(ctx context.Context, msg *Message) context.Context {
	return propagator.Extract(ctx, headerCarrier{msg})
}

// startProcess starts the span of a consumer group processing msg: a child
// of the span that produced the record.
func (ins *instruments) startProcess(ctx context.Context, group string, msg *Message) (context.Context, trace.Span) {
	return ins.tracer.Start(TraceOf(ctx, msg), "process "+msg.Topic, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", msg.Topic),
			attribute.String("messaging.consumer.group.name", group),
			attribute.String("messaging.destination.partition.id", strconv.Itoa(int(msg.Partition))),
			attribute.Int64("messaging.kafka.offset", msg.Offset),
			attribute.String("messaging.kafka.message.key", string(msg.Key)),
		))
}

// startSend starts the span of producing msg, a child of ctx's span, and
// writes it into msg's headers. With no span in ctx the record starts no
// trace: it returns a span that records nothing.
func (ins *instruments) startSend(ctx context.Context, msg *Message) trace.Span {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return trace.SpanFromContext(ctx)
	}
	ctx, span := ins.tracer.Start(ctx, "send "+msg.Topic, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", msg.Topic),
			attribute.String("messaging.kafka.message.key", string(msg.Key)),
		))
	InjectTrace(ctx, msg)
	return span
}
