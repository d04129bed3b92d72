package e2e_test

import (
	"context"
	"testing"
	"time"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// TestRebalanceKeepsExactlyOnce scales the payment-service out and back in
// while orders stream: a second instance joins the group (partitions move
// to it), then the first leaves (they move back). Every order still gets
// exactly one payment, and both instances decided payments.
func TestRebalanceKeepsExactlyOnce(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	publishCustomers(t, cfg, topics)
	payments := testenv.Collect(t, cfg, topics.Payments)

	start := func(txnID string) (*payment.Service, func()) {
		svc, err := payment.New(context.Background(), payment.Config{Common: common(cfg), Group: "payment-service", TransactionalID: txnID,
			Rules: payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000}}, testenv.Logger(t).With("instance", txnID))
		if err != nil {
			t.Fatal(err)
		}
		stop := testenv.Run(t, txnID, svc.Run)
		// Ready once its payments are restored and it has partitions.
		testenv.WaitFor(t, 60*time.Second, txnID+" ready", func() bool { return svc.Ready.Check() == nil })
		return svc, stop
	}

	prod, err := stream.NewProducer(cfg, "rebalance-test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(context.Background())
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	gen := orderproducer.NewGenerator(9, 20, "")
	var placed []string
	send := func(n int) {
		for range n {
			o := gen.Next(time.Now())
			placed = append(placed, o.OrderId)
			if err := pub.PublishAsync(o.CustomerId, o, nil); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // a steady stream, spread over the rebalances
		}
		if err := prod.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	a, stopA := start("payment-a")
	send(300)
	b, stopB := start("payment-b") // scale out: partitions move while orders flow
	send(300)
	stopA() // scale in: A commits what it has and leaves
	send(300)
	testenv.WaitForAll(t, 120*time.Second, "a payment per order", missingKeys(payments.Latest, placed))
	stopB()

	decided := func(s *payment.Service) int64 {
		return s.Stats.Get("payments.authorized") + s.Stats.Get("payments.declined")
	}
	t.Logf("payments decided: %d by A, %d by B", decided(a), decided(b))
	for name, s := range map[string]*payment.Service{"A": a, "B": b} {
		if decided(s) == 0 {
			t.Errorf("instance %s decided no payment: the partitions never moved", name)
		}
	}
	checkOnePaymentEach(t, testenv.ReadToEnd(t, cfg, topics.Payments), placed)
}
