package stream_test

import (
	"bytes"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// TestSerdeFastPathIsTheConfluentWireFormat: after the first record the
// Serde skips the Confluent serializer and deserializer; its bytes must be
// the ones they produce, and another type's records must still be refused.
func TestSerdeFastPathIsTheConfluentWireFormat(t *testing.T) {
	client := registryClient(t, startRegistry(t).URL())
	orders := orderSerde(t, client, true)
	o := &ordersv1.Order{OrderId: "ord-fast-1", CustomerId: "cus-0001", Country: "DE", Currency: "EUR",
		AmountMinor: 42, CreatedAt: timestamppb.New(time.Unix(1e9, 0))}
	first, err := orders.Encode("orders", o) // through the Confluent serializer
	if err != nil {
		t.Fatal(err)
	}
	second, err := orders.Encode("orders", o) // fast path
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("fast path wrote %x, Confluent wrote %x", second, first)
	}
	for range 2 { // slow path, then fast path
		got, err := orders.Decode("orders", second)
		if err != nil || !proto.Equal(got, o) {
			t.Fatalf("decode = %v, %v", got, err)
		}
	}
	// A Payment written to the same topic has another schema id: refused.
	payments, err := stream.NewSerde[*paymentsv1.Payment](client, true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := payments.Encode("orders", &paymentsv1.Payment{OrderId: "ord-fast-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orders.Decode("orders", p); stream.ErrorClass(err) != "deserialization" {
		t.Fatalf("decoding a Payment as an Order: %v", err)
	}
}

// TestSerdeWithoutAutoRegister is the production mode: a schema must be
// registered beforehand (from CI), and the latest registered version is
// used.
func TestSerdeWithoutAutoRegister(t *testing.T) {
	client := registryClient(t, startRegistry(t).URL())
	strict := orderSerde(t, client, false)
	o := &ordersv1.Order{OrderId: "ord-strict-1"}
	if _, err := strict.Encode("orders", o); err == nil {
		t.Fatal("encoded without a registered schema")
	}
	// Registered out of band (here by an auto-registering serde), it works.
	auto := orderSerde(t, client, true)
	want, err := auto.Encode("orders", o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := strict.Encode("orders", o)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("strict encode = %x, %v; want %x", got, err, want)
	}
}
