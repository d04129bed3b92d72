package couchbasesink

import (
	"context"
	"maps"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// record is a decoded record of any sinkable topic.
type record struct {
	Topic string
	Key   string
	// Value is the decoded message; nil for a tombstone.
	Value proto.Message
	Raw   *stream.Message
}

// writeFunc makes one record durable in Couchbase (see Service.write).
type writeFunc func(context.Context, record) error

// consumeFunc runs an at-least-once stream.Consume loop over one topic,
// decoding each record with the topic's protobuf type and handing it to
// write as a plain proto.Message.
type consumeFunc func(ctx context.Context, cfg stream.Config, opts stream.ConsumerOptions, write writeFunc) error

// sinkTopic is a topic the sink can copy.
type sinkTopic struct {
	// compact is the topic's cleanup policy, used when the sink creates it.
	compact bool
	// consumer binds the topic to its protobuf type.
	consumer func(*events.Topics) consumeFunc
}

// sinkable is the one place that maps a topic name to its message type; the
// types themselves come from events.Topics.
var sinkable = map[string]sinkTopic{
	events.OrderAnalyticsTopic: {compact: true, consumer: func(t *events.Topics) consumeFunc { return consumer(t.OrderAnalytics) }},
	events.CustomersTopic:      {compact: true, consumer: func(t *events.Topics) consumeFunc { return consumer(t.Customers) }},
	events.OrdersTopic:         {consumer: func(t *events.Topics) consumeFunc { return consumer(t.Orders) }},
	events.PaymentsTopic:       {consumer: func(t *events.Topics) consumeFunc { return consumer(t.Payments) }},
	events.FraudAlertsTopic:    {consumer: func(t *events.Topics) consumeFunc { return consumer(t.FraudAlerts) }},
}

// SupportedTopics lists the topics the sink can copy, sorted.
func SupportedTopics() []string { return slices.Sorted(maps.Keys(sinkable)) }

// consumer adapts a typed topic to a consumeFunc. A record that does not
// decode as T never reaches write: stream.Consume dead-letters it with class
// "deserialization".
func consumer[T proto.Message](topic stream.Topic[T]) consumeFunc {
	return func(ctx context.Context, cfg stream.Config, opts stream.ConsumerOptions, write writeFunc) error {
		return stream.Consume(ctx, cfg, opts, topic, func(ctx context.Context, r stream.Record[T]) error {
			rec := record{Topic: topic.Name, Key: r.Key, Raw: r.Raw}
			if !r.Tombstone {
				rec.Value = r.Value
			}
			return write(ctx, rec)
		})
	}
}

// topicSpecs are the configured topics as the sink creates them if missing.
func topicSpecs(topics []string) []stream.TopicSpec {
	specs := make([]stream.TopicSpec, len(topics))
	for i, t := range topics {
		specs[i] = stream.TopicSpec{Name: t, Compact: sinkable[t].compact}
	}
	return specs
}
