package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Serde encodes and decodes one protobuf message type in the Confluent wire
// format (magic byte, schema id, message indexes, protobuf bytes), with the
// topic-name subject strategy ("<topic>-value").
//
// The Confluent serializer and deserializer do the registry work; once they
// have resolved a topic's schema id (encode) or proven that a header names
// this message type (decode), the Serde reuses the header and marshals or
// unmarshals the payload directly, which is several times faster and
// byte-for-byte the same wire format.
type Serde[T proto.Message] struct {
	ser   *protobuf.Serializer
	deser *protobuf.Deserializer
	name  protoreflect.FullName

	encodeHeaders sync.Map // topic → wire header of T's schema
	knownHeaders  sync.Map // wire header → struct{}: proven to hold T
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
	if h, ok := s.encodeHeaders.Load(topic); ok {
		header := h.([]byte)
		out := make([]byte, len(header), len(header)+proto.Size(msg))
		copy(out, header)
		out, err := proto.MarshalOptions{}.MarshalAppend(out, msg)
		if err != nil {
			return nil, fmt.Errorf("serialize %s for %s: %w", s.name, topic, err)
		}
		return out, nil
	}
	b, err := s.ser.Serialize(topic, msg)
	if err != nil {
		return nil, fmt.Errorf("serialize %s for %s: %w", s.name, topic, err)
	}
	if payload, err := proto.Marshal(msg); err == nil && len(b) > len(payload) && bytes.Equal(b[len(b)-len(payload):], payload) {
		s.encodeHeaders.Store(topic, bytes.Clone(b[:len(b)-len(payload)]))
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
	header, err := wireHeader(b)
	if err != nil {
		return zero, &DecodeError{Err: err}
	}
	if _, known := s.knownHeaders.Load(string(header)); known {
		msg := newMessage[T]()
		if err := proto.Unmarshal(b[len(header):], msg); err != nil {
			return zero, &DecodeError{Err: err}
		}
		return msg, nil
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
	if header != nil {
		s.knownHeaders.Store(string(header), struct{}{})
	}
	return msg, nil
}

// Confluent wire format: magic byte 0 and a 4-byte schema id, or magic
// byte 1 and a 16-byte schema GUID, then the payload.
const (
	magicV0, magicV0Header = 0, 5
	magicV1, magicV1Header = 1, 17
)

// wireHeader returns the Confluent wire-format header of b (magic byte,
// schema id or GUID, protobuf message indexes), or nil for an unknown magic
// byte, which the deserializer reports. It rejects what the Confluent
// deserializer does not check itself: values too short for their magic byte
// (it would index past them) and message-index counts larger than the value
// (it would allocate them).
func wireHeader(b []byte) ([]byte, error) {
	n := 0
	switch b[0] {
	case magicV0:
		n = magicV0Header
	case magicV1:
		n = magicV1Header
	default:
		return nil, nil
	}
	if len(b) < n {
		return nil, fmt.Errorf("value of %d bytes is too short for the Confluent wire format header", len(b))
	}
	count, used := binary.Varint(b[n:])
	if used <= 0 || count < 0 || count > int64(len(b)-n-used) {
		return nil, fmt.Errorf("invalid protobuf message-index count in the Confluent wire format header")
	}
	n += used
	for range count {
		if _, used = binary.Varint(b[n:]); used <= 0 {
			return nil, fmt.Errorf("invalid protobuf message index in the Confluent wire format header")
		}
		n += used
	}
	return b[:n], nil
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
