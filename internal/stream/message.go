package stream

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Message is one Kafka record: to produce (Topic, Key, Value, Headers and
// optionally Timestamp; the key picks the partition) or as read (with
// Partition and Offset too). A nil Value is a tombstone.
type Message struct {
	Topic      string
	Partition  int32
	Offset     int64
	Key, Value []byte
	Headers    []Header
	Timestamp  time.Time
}

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

// Partition is one partition of a topic, as assigned to a consumer.
type Partition struct {
	Topic     string
	Partition int32
}

// Header returns the value of the message's last header named key, or "".
func (m *Message) Header(key string) string {
	for i := len(m.Headers) - 1; i >= 0; i-- {
		if m.Headers[i].Key == key {
			return string(m.Headers[i].Value)
		}
	}
	return ""
}

// FromClient converts a record read with confluent-kafka-go, for tests
// and tools that read topics with the client directly.
func FromClient(m *kafka.Message) *Message {
	out := &Message{Partition: m.TopicPartition.Partition, Offset: int64(m.TopicPartition.Offset),
		Key: m.Key, Value: m.Value, Timestamp: m.Timestamp}
	if m.TopicPartition.Topic != nil {
		out.Topic = *m.TopicPartition.Topic
	}
	if len(m.Headers) > 0 {
		out.Headers = make([]Header, len(m.Headers))
		for i, h := range m.Headers {
			out.Headers[i] = Header{Key: h.Key, Value: h.Value}
		}
	}
	return out
}

// toClient converts m for producing: the partition is left to the
// partitioner (by key).
func (m *Message) toClient() *kafka.Message {
	topic := m.Topic
	out := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Key:            m.Key, Value: m.Value, Timestamp: m.Timestamp,
	}
	if len(m.Headers) > 0 {
		out.Headers = make([]kafka.Header, len(m.Headers))
		for i, h := range m.Headers {
			out.Headers[i] = kafka.Header{Key: h.Key, Value: h.Value}
		}
	}
	return out
}

// assigned converts an assignment.
func assigned(parts []kafka.TopicPartition) []Partition {
	out := make([]Partition, len(parts))
	for i, p := range parts {
		if p.Topic != nil {
			out[i].Topic = *p.Topic
		}
		out[i].Partition = p.Partition
	}
	return out
}
