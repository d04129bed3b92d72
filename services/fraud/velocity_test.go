package fraud_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
)

// TestVelocityHistorySurvivesRestart scores three orders of one customer,
// restarts the fraud worker, and sends the customer's fourth order. The
// new worker recalls the first three from Kafka, so the fourth exceeds
// max_orders=3 and is flagged, as it would have been without the restart.
// Another customer's orders, in the same window, do not count.
func TestVelocityHistorySurvivesRestart(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`{"velocity": {"enabled": true, "score": 30, "max_orders": 3, "window": "10m"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fcfg := fraud.Config{Common: platform.Common{Kafka: cfg}, RulesFile: rules, Group: "fraud-service", TransactionalID: "fraud-velocity-test"}
	prod, err := stream.NewProducer(cfg, "orders")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close(context.Background()) })
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	place := func(id, customer string) {
		t.Helper()
		items := []*ordersv1.LineItem{{Sku: "SKU-1001", Name: "Cups", Quantity: 1, UnitPriceMinor: 2499}}
		o := &ordersv1.Order{OrderId: id, CustomerId: customer, Country: "DE", Currency: "EUR", Items: items,
			AmountMinor: events.Total(items), CreatedAt: timestamppb.Now(), Source: ordersv1.OrderSource_ORDER_SOURCE_API}
		if err := pub.Publish(context.Background(), customer, o); err != nil {
			t.Fatal(err)
		}
	}

	first := startFraud(t, fcfg)
	for i := 1; i <= 3; i++ {
		place(fmt.Sprintf("ord-vel-a-%d", i), "cus-0001")
		place(fmt.Sprintf("ord-vel-b-%d", i), "cus-0002")
	}
	testenv.WaitFor(t, 60*time.Second, "six orders scored", func() bool { return first.Stats.Get("orders.scored") == 6 })
	if n := first.Stats.Get("alerts"); n != 0 {
		t.Fatalf("%d alerts for three orders per customer, want none", n)
	}
	first.stop()

	second := startFraud(t, fcfg)
	place("ord-vel-a-4", "cus-0001")
	testenv.WaitFor(t, 60*time.Second, "fourth order scored", func() bool { return second.Stats.Get("orders.scored") == 1 })
	msgs := testenv.ReadTopic(t, cfg, events.FraudAlertsTopic, 1, 30*time.Second)
	rec, err := topics.FraudAlerts.Decode(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	alert := rec.Value
	if alert.GetOrderId() != "ord-vel-a-4" || !slices.ContainsFunc(alert.GetRules(), func(h *fraudv1.RuleHit) bool {
		return h.GetRule() == "velocity" && h.GetReason() == "4 orders within 10m0s, more than 3"
	}) {
		t.Errorf("alert = %v, want ord-vel-a-4 flagged for 4 orders within 10m", alert)
	}
	if n := second.Stats.Get("alerts"); n != 1 {
		t.Errorf("%d alerts after the restart, want 1", n)
	}
}

type runningFraud struct {
	*fraud.Service
	stop func()
}

// startFraud runs a fraud service until stop or the end of the test, and
// waits until it is ready: its partitions assigned and its state restored.
func startFraud(t *testing.T, cfg fraud.Config) *runningFraud {
	t.Helper()
	svc, err := fraud.New(context.Background(), cfg, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	r := &runningFraud{Service: svc, stop: testenv.Run(t, "fraud-service", svc.Run)}
	testenv.WaitFor(t, 60*time.Second, "fraud-service ready", func() bool { return svc.Ready.Check() == nil })
	return r
}
