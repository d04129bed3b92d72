package kafka

import (
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"google.golang.org/protobuf/proto"
)

// Message is what a topic carries: a generated protobuf message pointer.
type Message = proto.Message

// Topic binds a topic name to the protobuf type of its values.
type Topic[T proto.Message] struct {
	Name  string
	Serde *Serde[T]
}

// Record is one decoded record.
type Record[T proto.Message] struct {
	Key   string
	Value T // zero (nil) for a tombstone
	// Tombstone is true for a record with a null value (a compacted delete).
	Tombstone bool
	// Raw is the record as read, for headers, partition and offset.
	Raw *kafka.Message
}

// Message encodes v as a record for this topic; a nil v makes a tombstone.
func (t Topic[T]) Message(key string, v T) (*kafka.Message, error) {
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &t.Name, Partition: kafka.PartitionAny},
		Key:            []byte(key),
	}
	if any(v) == nil || !v.ProtoReflect().IsValid() {
		return msg, nil
	}
	b, err := t.Serde.Encode(t.Name, v)
	if err != nil {
		return nil, err
	}
	msg.Value = b
	return msg, nil
}

// Decode turns a raw record of this topic into a Record.
func (t Topic[T]) Decode(msg *kafka.Message) (Record[T], error) {
	rec := Record[T]{Key: string(msg.Key), Raw: msg}
	if msg.Value == nil {
		rec.Tombstone = true
		return rec, nil
	}
	v, err := t.Serde.Decode(t.Name, msg.Value)
	if err != nil {
		return rec, fmt.Errorf("%s[%d]@%d: %w", t.Name, msg.TopicPartition.Partition, msg.TopicPartition.Offset, err)
	}
	rec.Value = v
	return rec, nil
}
