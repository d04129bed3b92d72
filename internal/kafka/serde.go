package kafka

import (
	"encoding/binary"
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
	if err := checkWireHeader(b); err != nil {
		return zero, &DecodeError{Err: err}
	}
	v, err := s.deserialize(topic, b)
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

// Confluent wire format: magic byte 0 and a 4-byte schema id, or magic
// byte 1 and a 16-byte schema GUID, then the payload.
const (
	magicV0, magicV0Header = 0, 5
	magicV1, magicV1Header = 1, 17
)

// checkWireHeader rejects what the Confluent deserializer does not check
// itself: values too short for their magic byte (it would index past them)
// and protobuf message-index counts larger than the value (it would
// allocate them).
func checkWireHeader(b []byte) error {
	header := 0
	switch b[0] {
	case magicV0:
		header = magicV0Header
	case magicV1:
		header = magicV1Header
	default:
		return nil // the deserializer reports the unknown magic byte
	}
	if len(b) < header {
		return fmt.Errorf("value of %d bytes is too short for the Confluent wire format header", len(b))
	}
	count, n := binary.Varint(b[header:])
	if n <= 0 || count < 0 || count > int64(len(b)-header-n) {
		return fmt.Errorf("invalid protobuf message-index count in the Confluent wire format header")
	}
	return nil
}

// deserialize calls the Confluent deserializer, turning a panic on
// malformed input into a decode error: a poison record must not crash the
// service.
func (s *Serde[T]) deserialize(topic string, b []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &DecodeError{Err: fmt.Errorf("malformed record: %v", r)}
		}
	}()
	return s.deser.Deserialize(topic, b)
}
