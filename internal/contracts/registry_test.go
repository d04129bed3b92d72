package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
)

// realEnv is testenv.BrokerEnv, spelled out (this package stays free of the
// platform's Kafka code): `make test`'s real-cluster pass sets it to "real".
const realEnv = "ORDERS_TEST_KAFKA"

// TestRegistryRefusesIncompatibleChange is the registry's half of the
// contract checks (buf breaking is the other): on a real Apicurio Registry
// with BACKWARD compatibility, the platform's event schemas are registered
// the way its producers register them (confluent-kafka-go's protobuf
// serializer, auto-register, subject <topic>-value), every record decodes
// again through the registry, and then, under the orders-value subject, a
// changed field type is refused (HTTP 409), both through the REST API and
// from a producer built against the changed contract, while a new optional
// field is accepted.
func TestRegistryRefusesIncompatibleChange(t *testing.T) {
	if os.Getenv(realEnv) != "real" {
		t.Skipf("starts Apicurio Registry (a JVM); runs with %s=real", realEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, err := sandbox.ResolveApicurio(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	reg, err := sandbox.StartApicurio(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Apicurio Registry %s answering after %s", sandbox.ApicurioVersion, time.Since(t0).Round(time.Millisecond))
	defer func() {
		if err := reg.Close(); err != nil {
			t.Error(err)
		}
	}()

	now := timestamppb.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	events := []struct {
		topic string // as in internal/events
		msg   proto.Message
	}{
		{"orders", &ordersv1.Order{OrderId: "ord-1", CustomerId: "cus-0042", Country: "DE", Currency: "EUR",
			Items:       []*ordersv1.LineItem{{Sku: "SKU-1001", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250}},
			AmountMinor: 2500, CreatedAt: now, Source: ordersv1.OrderSource_ORDER_SOURCE_API}},
		{"payments", &paymentsv1.Payment{PaymentId: "pay-ord-1", OrderId: "ord-1", CustomerId: "cus-0042",
			Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_DECLINED, DeclineReason: paymentsv1.DeclineReason_DECLINE_REASON_CREDIT_LIMIT_EXCEEDED,
			Detail: "over the limit", AmountMinor: 2500, Currency: "EUR", ProcessedAt: now}},
		{"fraud-alerts", &fraudv1.FraudAlert{AlertId: "alert-ord-1", OrderId: "ord-1", CustomerId: "cus-0042", Score: 40,
			Rules:   []*fraudv1.RuleHit{{Rule: "high_amount", Score: 40, Reason: "amount 25.00 EUR >= threshold 20.00 EUR"}},
			Country: "DE", AmountMinor: 2500, Currency: "EUR", CreatedAt: now}},
		{"order-analytics", &analyticsv1.CountryStats{Country: "DE", OrderCount: 1,
			Totals: []*analyticsv1.CurrencyTotal{{Currency: "EUR", OrderCount: 1, AmountMinor: 2500}}, UpdatedAt: now}},
		{"customers", &customersv1.Customer{CustomerId: "cus-0042", Name: "Ada", Email: "ada@example.com", Country: "DE",
			RiskTier: customersv1.RiskTier_RISK_TIER_MEDIUM, CreditLimitMinor: 100000, Currency: "EUR", UpdatedAt: now}},
	}

	// Register by producing, as the platform's producers do
	// (internal/stream.NewSerde with auto-register).
	client := registryClient(t, reg.URL())
	ser := serializer(t, client)
	records := make([][]byte, len(events))
	for i, e := range events {
		if records[i], err = ser.Serialize(e.topic, e.msg); err != nil {
			t.Fatalf("serialize %s for %s: %v", e.msg.ProtoReflect().Descriptor().FullName(), e.topic, err)
		}
	}
	subjects, err := client.GetAllSubjects()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(subjects)
	want := []string{"customers-value", "fraud-alerts-value", "order-analytics-value", "orders-value", "payments-value"}
	if fmt.Sprint(subjects) != fmt.Sprint(want) {
		t.Errorf("subjects %v, want %v", subjects, want)
	}

	// Round trip: a consumer with its own client fetches each writer schema
	// by the id in the record from the registry.
	deser, err := protobuf.NewDeserializer(registryClient(t, reg.URL()), serde.ValueSerde, protobuf.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events { // the types this consumer knows
		if err := deser.ProtoRegistry.RegisterMessage(e.msg.ProtoReflect().Type()); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range events {
		got, err := deser.Deserialize(e.topic, records[i])
		if err != nil {
			t.Fatalf("deserialize the %s record: %v", e.topic, err)
		}
		if m, ok := got.(proto.Message); !ok || !proto.Equal(m, e.msg) {
			t.Errorf("%s round trip: got %v, want %v", e.topic, got, e.msg)
		}
	}

	// The contract's own text, as a producer's developer would change it.
	src, err := os.ReadFile("../../proto/orders/v1/order.proto")
	if err != nil {
		t.Fatal(err)
	}
	order := string(src)
	retyped := replaceOnce(t, order, "\n  int64 amount_minor = 6;\n", "\n  string amount_minor = 6;\n")
	added := replaceOnce(t, order, "\n  OrderSource source = 8;\n}\n",
		"\n  OrderSource source = 8;\n  // Coupon applied at checkout, if any.\n  optional string coupon_code = 9;\n}\n")

	if code, body := register(t, reg.URL(), "orders-value", retyped); code != http.StatusConflict {
		t.Errorf("register orders.v1.Order with amount_minor retyped int64 → string: HTTP %d %s, want 409", code, body)
	} else {
		t.Logf("retyped field refused: %s", body)
	}

	// A producer built against the retyped contract gets the 409 too, and
	// publishes nothing.
	_, err = serializer(t, registryClient(t, reg.URL())).Serialize("orders", retypedOrder(t))
	var rerr *rest.Error
	if !errors.As(err, &rerr) || rerr.Code != http.StatusConflict {
		t.Errorf("serialize a retyped orders.v1.Order: %v, want a 409 from the registry", err)
	}

	if versions, err := client.GetAllVersions("orders-value"); err != nil || len(versions) != 1 {
		t.Errorf("orders-value versions after the refusals: %v, %v; want [1]", versions, err)
	}

	if code, body := register(t, reg.URL(), "orders-value", added); code != http.StatusOK {
		t.Errorf("register orders.v1.Order with a new optional field: HTTP %d %s, want 200", code, body)
	}
	if versions, err := client.GetAllVersions("orders-value"); err != nil || len(versions) != 2 {
		t.Errorf("orders-value versions after the compatible change: %v, %v; want [1 2]", versions, err)
	}
}

func registryClient(t *testing.T, url string) schemaregistry.Client {
	t.Helper()
	c, err := schemaregistry.NewClient(schemaregistry.NewConfig(url))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serializer is configured as internal/stream.NewSerde's with auto-register.
func serializer(t *testing.T, c schemaregistry.Client) *protobuf.Serializer {
	t.Helper()
	cfg := protobuf.NewSerializerConfig()
	cfg.AutoRegisterSchemas = true
	cfg.UseLatestVersion = false
	cfg.CacheSchemas = true
	s, err := protobuf.NewSerializer(c, serde.ValueSerde, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func replaceOnce(t *testing.T, s, old, repl string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("proto/orders/v1/order.proto holds %q %d times, want once", old, n)
	}
	return strings.Replace(s, old, repl, 1)
}

// retypedOrder is an orders.v1.Order whose amount_minor is a string, built
// from the generated descriptor with that one field's type changed.
func retypedOrder(t *testing.T) proto.Message {
	t.Helper()
	fdp := protodesc.ToFileDescriptorProto(ordersv1.File_orders_v1_order_proto)
	changed := false
	for _, m := range fdp.GetMessageType() {
		if m.GetName() != "Order" {
			continue
		}
		for _, f := range m.GetField() {
			if f.GetName() == "amount_minor" {
				f.Type = descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()
				changed = true
			}
		}
	}
	if !changed {
		t.Fatal("orders.v1.Order has no amount_minor")
	}
	fd, err := protodesc.NewFile(fdp, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	md := fd.Messages().ByName("Order")
	msg := dynamicpb.NewMessage(md)
	msg.Set(md.Fields().ByName("order_id"), protoreflect.ValueOfString("ord-2"))
	msg.Set(md.Fields().ByName("amount_minor"), protoreflect.ValueOfString("25.00"))
	return msg
}

// register posts a PROTOBUF schema to subject through the REST API and
// returns the HTTP status and body.
func register(t *testing.T, url, subject, schema string) (int, string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"schemaType": "PROTOBUF", "schema": schema})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url+"/subjects/"+subject+"/versions", "application/vnd.schemaregistry.v1+json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(out))
}
