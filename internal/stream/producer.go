package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/protobuf/proto"
)

// Producer is an idempotent librdkafka producer (acks=all,
// enable.idempotence) that reports each delivery to a callback.
type Producer struct {
	p    *kafka.Producer
	log  *slog.Logger
	ins  *instruments
	done chan struct{}
}

// DeliveryFunc receives the outcome of one produce: the record as
// written (with its partition and offset) and nil once the brokers
// acknowledged it.
type DeliveryFunc func(*Message, error)

// A ProducerOption adjusts one producer.
type ProducerOption func(kafka.ConfigMap)

// Linger sets how long the producer waits to fill a batch (linger.ms;
// the default is 5 ms): zero for a latency-bound source.
func Linger(d time.Duration) ProducerOption {
	return func(m kafka.ConfigMap) { m["linger.ms"] = int(d.Milliseconds()) }
}

// NewProducer connects a producer; role ends up in its client.id.
func NewProducer(cfg Config, role string, opts ...ProducerOption) (*Producer, error) {
	conf := cfg.producerConfig(role)
	for _, o := range opts {
		o(conf)
	}
	return newProducer(cfg, conf)
}

func newProducer(cfg Config, conf kafka.ConfigMap) (*Producer, error) {
	p, err := kafka.NewProducer(&conf)
	if err != nil {
		return nil, fmt.Errorf("create producer: %w", err)
	}
	prod := &Producer{p: p, log: cfg.logger(), ins: cfg.instruments(), done: make(chan struct{})}
	go prod.dispatch()
	return prod, nil
}

// dispatch runs until the producer is closed, routing delivery reports to
// the callback stored in each message's Opaque.
func (p *Producer) dispatch() {
	defer close(p.done)
	for ev := range p.p.Events() {
		switch e := ev.(type) {
		case *kafka.Message:
			var err error
			if e.TopicPartition.Error != nil {
				err = fmt.Errorf("deliver to %s: %w", *e.TopicPartition.Topic, e.TopicPartition.Error)
			} else {
				p.ins.produced.Add(context.Background(), 1, metric.WithAttributes(topicAttr(*e.TopicPartition.Topic)))
			}
			if cb, ok := e.Opaque.(DeliveryFunc); ok {
				cb(FromClient(e), err)
			}
		case kafka.Error:
			p.log.Warn("kafka producer", "error", e.Error(), "fatal", e.IsFatal())
		case *kafka.Stats:
			p.ins.clients.record(e)
		}
	}
}

// Produce sends msg without waiting; done (optional) runs once the brokers
// acknowledged it or gave up. When librdkafka's queue is full it waits for
// room, so a flat-out producer is paced by the brokers.
func (p *Producer) Produce(msg *Message, done DeliveryFunc) error {
	return p.produce(msg.toClient(), done)
}

func (p *Producer) produce(msg *kafka.Message, done DeliveryFunc) error {
	if done != nil {
		msg.Opaque = done
	}
	for {
		err := p.p.Produce(msg, nil)
		var kerr kafka.Error
		if errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
			p.p.Flush(10)
			continue
		}
		if err != nil {
			return fmt.Errorf("produce to %s: %w", *msg.TopicPartition.Topic, err)
		}
		return nil
	}
}

// ProduceSync sends msg and waits until the brokers acknowledged it. When
// ctx holds a span, the record continues its trace.
func (p *Producer) ProduceSync(ctx context.Context, msg *Message) error {
	span := p.ins.startSend(ctx, msg)
	defer span.End()
	res := make(chan error, 1)
	if err := p.Produce(msg, func(_ *Message, err error) { res <- err }); err != nil {
		span.RecordError(err)
		return err
	}
	select {
	case err := <-res:
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "not delivered")
		}
		return err
	case <-ctx.Done():
		return fmt.Errorf("produce to %s: %w", msg.Topic, ctx.Err())
	}
}

// Flush waits until every produced message is delivered or ctx ends.
func (p *Producer) Flush(ctx context.Context) error {
	for p.p.Flush(100) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("flush producer: %d messages undelivered: %w", p.p.Len(), err)
		}
	}
	return nil
}

// client is the librdkafka producer, for transactions.
func (p *Producer) client() *kafka.Producer { return p.p }

// Close flushes for up to the given context and releases the client.
func (p *Producer) Close(ctx context.Context) error {
	err := p.Flush(ctx)
	p.p.Close()
	<-p.done
	return err
}

// Publisher publishes one message type to one topic.
type Publisher[T proto.Message] struct {
	Producer *Producer
	Topic    Topic[T]
}

// Publish sends v under key and waits for the acknowledgement.
func (p Publisher[T]) Publish(ctx context.Context, key string, v T) error {
	msg, err := p.Topic.Message(key, v)
	if err != nil {
		return err
	}
	return p.Producer.ProduceSync(ctx, msg)
}

// PublishAsync sends v under key; done (optional) receives the outcome.
func (p Publisher[T]) PublishAsync(key string, v T, done DeliveryFunc) error {
	msg, err := p.Topic.Message(key, v)
	if err != nil {
		return err
	}
	return p.Producer.Produce(msg, done)
}

// Counter counts deliveries and failures, for async publishers.
type Counter struct {
	mu        sync.Mutex
	Delivered int64
	Failed    int64
	LastErr   error
}

// Done is a DeliveryFunc that counts.
func (c *Counter) Done(_ *Message, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.Failed++
		c.LastErr = err
		return
	}
	c.Delivered++
}

// Snapshot returns the counts so far.
func (c *Counter) Snapshot() (delivered, failed int64, lastErr error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Delivered, c.Failed, c.LastErr
}
