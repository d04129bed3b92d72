package sandbox_test

import (
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// TestRegistryKeepsSchemasAcrossRestarts: records written before a restart
// (with the broker's data kept) still decode afterwards, and new schemas
// get new ids.
func TestRegistryKeepsSchemasAcrossRestarts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "schemas.json")
	order := &ordersv1.Order{OrderId: "ord-kept-1", CreatedAt: timestamppb.New(time.Unix(1e9, 0))}

	reg, err := sandbox.StartRegistry(0, file)
	if err != nil {
		t.Fatal(err)
	}
	orders := serde[*ordersv1.Order](t, reg)
	before, err := orders.Encode("orders", order)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orders.Encode("analytics.orders-by-country", order); err != nil { // same schema, second subject
		t.Fatal(err)
	}
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}

	reg, err = sandbox.StartRegistry(0, file)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	got, err := serde[*ordersv1.Order](t, reg).Decode("orders", before)
	if err != nil || !proto.Equal(got, order) {
		t.Fatalf("record from before the restart: %v, %v", got, err)
	}
	pay, err := serde[*paymentsv1.Payment](t, reg).Encode("payments", &paymentsv1.Payment{OrderId: "ord-kept-1"})
	if err != nil {
		t.Fatal(err)
	}
	if pay[4] == before[4] {
		t.Errorf("a new schema reused id %d", pay[4])
	}
}

func serde[T stream.Event](t *testing.T, reg *sandbox.Registry) *stream.Serde[T] {
	t.Helper()
	client, err := stream.NewRegistryClient(stream.Config{SchemaRegistryURL: reg.URL()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := stream.NewSerde[T](client, true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
