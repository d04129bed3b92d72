package stream_test

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// startRegistry starts an embedded Schema Registry that stops with the test.
func startRegistry(tb testing.TB) *sandbox.Registry {
	tb.Helper()
	reg, err := sandbox.StartRegistry(0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = reg.Close() })
	return reg
}

// registryClient is a Schema Registry client for url.
func registryClient(tb testing.TB, url string) schemaregistry.Client {
	tb.Helper()
	client, err := stream.NewRegistryClient(stream.Config{SchemaRegistryURL: url})
	if err != nil {
		tb.Fatal(err)
	}
	return client
}

// orderSerde is an Order serde on client.
func orderSerde(tb testing.TB, client schemaregistry.Client, autoRegister bool) *stream.Serde[*ordersv1.Order] {
	tb.Helper()
	serde, err := stream.NewSerde[*ordersv1.Order](client, autoRegister)
	if err != nil {
		tb.Fatal(err)
	}
	return serde
}
