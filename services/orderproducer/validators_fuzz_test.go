package orderproducer

import (
	"testing"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// FuzzValidators: the service's request validators answer nil or a
// *validate.Error for any decodable request, never panic.
func FuzzValidators(f *testing.F) {
	f.Add([]byte{0x12, 0x02, 'D', 'E'})
	f.Add([]byte{0x2a, 0x04, 0x18, 0xff, 0xff, 0x03})
	testenv.FuzzValidators(f, validators, &ordersv1.PlaceOrderRequest{}, &ordersv1.GetOrderRequest{}, &ordersv1.ListOrdersRequest{})
}
