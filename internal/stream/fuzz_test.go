package stream_test

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// FuzzDecodeOrder feeds arbitrary record values to the `orders` decoder (the
// Confluent protobuf deserializer behind a real Schema Registry) and the
// event validator: a decoded order or a *DecodeError, never a panic, and a
// decoded order is either valid or gets a validation error.
func FuzzDecodeOrder(f *testing.F) {
	serde := orderSerde(f, registryClient(f, startRegistry(f).URL()), true)
	topic := stream.Topic[*ordersv1.Order]{Name: events.OrdersTopic, Serde: serde}
	items := []*ordersv1.LineItem{{Sku: "SKU-1", Quantity: 2, UnitPriceMinor: 150}}
	good, err := topic.Message("cus-0001", &ordersv1.Order{OrderId: "ord-fuzz-1", CustomerId: "cus-0001", Country: "DE",
		Currency: "EUR", Items: items, AmountMinor: 300, CreatedAt: timestamppb.New(time.Unix(1e9, 0))})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good.Value)
	f.Add(good.Value[:6])
	f.Add([]byte{0})
	f.Add([]byte{0, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 0, 1, 2, 0, 0})
	f.Add([]byte{1, 2, 3})
	name := events.OrdersTopic
	f.Fuzz(func(t *testing.T, value []byte) {
		msg := &stream.Message{Topic: name, Value: value}
		rec, err := topic.Decode(msg)
		if err != nil {
			var de *stream.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%x: error %v is not a DecodeError", value, err)
			}
			if stream.ErrorClass(err) != "deserialization" {
				t.Fatalf("%x: class %q", value, stream.ErrorClass(err))
			}
			return
		}
		if rec.Tombstone {
			return
		}
		_ = events.ValidateOrder(rec.Value) // must not panic
	})
}
