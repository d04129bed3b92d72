package testenv

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// FuzzValidators runs the request validators vs on arbitrary bytes
// decoded as each of msgs: every answer must be nil or a
// *validate.Error, never another error or a panic.
func FuzzValidators(f *testing.F, vs []rpc.Validator, msgs ...proto.Message) {
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range msgs {
			m = m.ProtoReflect().New().Interface()
			if proto.Unmarshal(b, m) != nil {
				continue
			}
			err := rpc.Validate(m, vs...)
			var ve *validate.Error
			if err != nil && !errors.As(err, &ve) {
				t.Fatalf("%T: validator returned %T %v", m, err, err)
			}
		}
	})
}
