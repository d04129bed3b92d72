package rpc

import (
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// strictJSON is Connect's JSON codec, except that a request naming a field
// the message does not have is refused (InvalidArgument) instead of having
// the field dropped. The gateway decodes the same way, so the two fronts
// agree, and a misspelt optional field such as "orderid" (the idempotency
// key) is an error rather than a request without it. Clients generated
// from the contracts never send unknown fields; binary protobuf keeps its
// usual tolerance for them.
type strictJSON struct{ name string }

// strictJSONCodecs replaces both names Connect serves JSON under.
func strictJSONCodecs() []connect.HandlerOption {
	return []connect.HandlerOption{connect.WithCodec(strictJSON{"json"}), connect.WithCodec(strictJSON{"json; charset=utf-8"})}
}

func (c strictJSON) Name() string { return c.name }

func (strictJSON) Marshal(m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a protobuf message", m)
	}
	b, err := protojson.MarshalOptions{}.Marshal(pm)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", m, err)
	}
	return b, nil
}

func (strictJSON) Unmarshal(b []byte, m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return fmt.Errorf("%T is not a protobuf message", m)
	}
	if len(b) == 0 {
		return errors.New("zero-length payload is not a valid JSON object")
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(b, pm); err != nil {
		return fmt.Errorf("unmarshal into %T: %w", m, err)
	}
	return nil
}
