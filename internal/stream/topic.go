package stream

import (
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"google.golang.org/protobuf/proto"
)

// Event is what a topic carries: a generated protobuf message pointer.
type Event = proto.Message

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
	Raw *Message
}

// Message encodes v as a record for this topic; a nil v makes a tombstone.
func (t Topic[T]) Message(key string, v T) (*Message, error) {
	msg := &Message{Topic: t.Name, Key: []byte(key)}
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
func (t Topic[T]) Decode(msg *Message) (Record[T], error) {
	rec := Record[T]{Key: string(msg.Key), Raw: msg}
	if msg.Value == nil {
		rec.Tombstone = true
		return rec, nil
	}
	v, err := t.Serde.Decode(t.Name, msg.Value)
	if err != nil {
		return rec, fmt.Errorf("%s[%d]@%d: %w", t.Name, msg.Partition, msg.Offset, err)
	}
	rec.Value = v
	return rec, nil
}

// Registry is a Schema Registry connection shared by the topics of one
// service, with the service's auto-register setting.
type Registry struct {
	client       schemaregistry.Client
	autoRegister bool
}

// OpenRegistry connects to cfg's Schema Registry.
func OpenRegistry(cfg Config) (*Registry, error) {
	client, err := cfg.registry()
	if err != nil {
		return nil, err
	}
	return &Registry{client: client, autoRegister: cfg.AutoRegister}, nil
}

// NewTopic binds topic name to the protobuf type T through reg.
func NewTopic[T Event](reg *Registry, name string) (Topic[T], error) {
	serde, err := NewSerde[T](reg.client, reg.autoRegister)
	if err != nil {
		return Topic[T]{}, fmt.Errorf("serde for %s: %w", name, err)
	}
	return Topic[T]{Name: name, Serde: serde}, nil
}
