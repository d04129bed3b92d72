package deadletters

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// decode fills res with msg's value decoded as its source topic's type,
// or with why it does not decode and the raw value. A registry that cannot
// be reached is an error: "does not decode" must mean the record.
func (s *Service) decode(msg *stream.Message, res *deadlettersv1.GetDeadLetterResponse) error {
	source := msg.Header(stream.HeaderSourceTopic)
	if msg.Header(stream.HeaderValueDropped) != "" {
		res.DecodeError = "the dead letter was written without its value (too large)"
		return nil
	}
	v, err := s.Topics.DecodeAny(source, &stream.Message{Topic: source, Key: msg.Key, Value: msg.Value})
	switch {
	case errors.Is(err, events.ErrUnknownTopic):
		res.DecodeError, res.RawValue = fmt.Sprintf("%s is not a topic of the platform", source), msg.Value
		return nil
	case err != nil && stream.ErrorClass(err) != "":
		res.DecodeError, res.RawValue = err.Error(), msg.Value
		return nil
	case err != nil:
		return fmt.Errorf("decode %s: %w", res.GetDeadLetter().GetId(), err)
	case v == nil:
		res.DecodeError = "a tombstone (no value)"
		return nil
	}
	b, err := protojson.Marshal(v)
	if err != nil {
		return fmt.Errorf("decode %s: %w", res.GetDeadLetter().GetId(), err)
	}
	res.Value = &structpb.Value{}
	if err := protojson.Unmarshal(b, res.Value); err != nil {
		return fmt.Errorf("decode %s: %w", res.GetDeadLetter().GetId(), err)
	}
	res.ValueType = string(v.ProtoReflect().Descriptor().FullName())
	return nil
}

// headerText shows a header value as text, escaped when it is not UTF-8.
func headerText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	q := strconv.Quote(string(b))
	return q[1 : len(q)-1]
}
