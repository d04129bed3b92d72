package analytics

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// FuzzValidators runs the service's request validators on arbitrary
// decoded messages: a nil or *validate.Error answer, never a panic.
func FuzzValidators(f *testing.F) {
	f.Add([]byte{0x0a, 0x02, 'D', 'E'})
	f.Add([]byte{0x08, 0xff, 0xff, 0x03})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range []proto.Message{&analyticsv1.GetCountryStatsRequest{}, &analyticsv1.ListCountryStatsRequest{}, &analyticsv1.WatchCountryStatsRequest{}} {
			if proto.Unmarshal(b, m) != nil {
				continue
			}
			err := rpc.Validate(m, validators...)
			var ve *validate.Error
			if err != nil && !errors.As(err, &ve) {
				t.Fatalf("%T: validator returned %T %v", m, err, err)
			}
		}
	})
}
