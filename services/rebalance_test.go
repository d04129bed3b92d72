package services_test

import (
	"context"
	"testing"
	"time"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/kafka"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// TestRebalanceKeepsExactlyOnce scales the payment-service out and back in
// while orders stream: a second instance joins the group (partitions move
// to it), then the first leaves (they move back). Every order still gets
// exactly one payment.
func TestRebalanceKeepsExactlyOnce(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	publishCustomers(t, cfg, topics)
	payments := testenv.Collect(t, cfg, topics.Payments)

	start := func(txnID string) (stop func()) {
		svc, err := payment.New(context.Background(), payment.Config{Common: common(cfg), Group: "payment-service", TransactionalID: txnID,
			Rules: payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000}}, testenv.Logger(t).With("instance", txnID))
		if err != nil {
			t.Fatal(err)
		}
		return testenv.Run(t, txnID, svc.Run)
	}

	prod, err := kafka.NewProducer(cfg, "rebalance-test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(context.Background())
	pub := kafka.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	gen := orderproducer.NewGenerator(9, 20, "")
	placed := map[string]bool{}
	send := func(n int) {
		for range n {
			o := gen.Next(time.Now())
			placed[o.OrderId] = true
			if err := pub.PublishAsync(o.CustomerId, o, nil); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // a steady stream, spread over the rebalances
		}
		if err := prod.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	stopA := start("payment-a")
	send(300)
	start("payment-b") // scale out: partitions move while orders flow
	send(300)
	stopA() // scale in: A commits what it has and leaves
	send(300)
	testenv.WaitFor(t, 120*time.Second, "a payment per order", func() bool { return len(payments.All()) >= len(placed) })
	time.Sleep(time.Second) // let any duplicate arrive

	checkOnePaymentEach(t, payments, placed)
}
