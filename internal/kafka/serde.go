package kafka

import (
	"errors"
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Serde encodes and decodes one protobuf message type in the Confluent wire
// format (magic byte, schema id, message indexes, protobuf bytes), with the
// topic-name subject strategy ("<topic>-value").
type Serde[T proto.Message] struct {
	ser   *protobuf.Serializer
	deser *protobuf.Deserializer
	name  protoreflect.FullName
}

// NewSerde builds a Serde over a registry client. With autoRegister off the
// schema must already be registered under the subject.
func NewSerde[T proto.Message](client schemaregistry.Client, autoRegister bool) (*Serde[T], error) {
	serCfg := protobuf.NewSerializerConfig()
	serCfg.AutoRegisterSchemas = autoRegister
	serCfg.UseLatestVersion = !autoRegister
	serCfg.CacheSchemas = true
	ser, err := protobuf.NewSerializer(client, serde.ValueSerde, serCfg)
	if err != nil {
		return nil, fmt.Errorf("protobuf serializer: %w", err)
	}
	deser, err := protobuf.NewDeserializer(client, serde.ValueSerde, protobuf.NewDeserializerConfig())
	if err != nil {
		return nil, fmt.Errorf("protobuf deserializer: %w", err)
	}
	s := &Serde[T]{ser: ser, deser: deser, name: newMessage[T]().ProtoReflect().Descriptor().FullName()}
	deser.MessageFactory = s.factory
	return s, nil
}

func newMessage[T proto.Message]() T {
	var zero T
	return zero.ProtoReflect().Type().New().Interface().(T)
}

// factory refuses a record written with another message type.
func (s *Serde[T]) factory(_ string, name string) (any, error) {
	if protoreflect.FullName(name) != s.name {
		return nil, &DecodeError{Err: fmt.Errorf("record holds %s, want %s", name, s.name)}
	}
	return newMessage[T](), nil
}

// Encode serializes msg for topic, registering its schema if allowed.
func (s *Serde[T]) Encode(topic string, msg T) ([]byte, error) {
	b, err := s.ser.Serialize(topic, msg)
	if err != nil {
		return nil, fmt.Errorf("serialize %s for %s: %w", s.name, topic, err)
	}
	return b, nil
}

// Decode parses a record value of topic. A malformed record yields a
// *DecodeError; a registry that cannot be reached yields a plain error, which
// callers retry.
func (s *Serde[T]) Decode(topic string, b []byte) (T, error) {
	var zero T
	if len(b) == 0 {
		return zero, &DecodeError{Err: errors.New("empty value")}
	}
	v, err := s.deser.Deserialize(topic, b)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			return zero, de
		}
		if isPermanentDecodeError(err) {
			return zero, &DecodeError{Err: err}
		}
		return zero, fmt.Errorf("deserialize %s from %s: %w", s.name, topic, err)
	}
	msg, ok := v.(T)
	if !ok {
		return zero, &DecodeError{Err: fmt.Errorf("record decoded as %T, want %s", v, s.name)}
	}
	return msg, nil
}
