package e2e_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

// TestPaymentDedupeRedeliveredOrder publishes the same order again while
// its payment's transaction waits to commit, again once the payment is
// committed, and again after the payment-service restarted; another order
// comes twice in a row. Every order gets exactly one payment, and each
// instance counts the copies it dropped.
func TestPaymentDedupeRedeliveredOrder(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	publishCustomers(t, cfg, topics)
	payments := testenv.Collect(t, cfg, topics.Payments)
	ctx := context.Background()

	start := func(name string, beforeCommit func(context.Context, int) error) (*payment.Service, func()) {
		svc, err := payment.New(ctx, payment.Config{Common: common(cfg), Group: "payment-service", TransactionalID: "payment-dedupe",
			Rules: payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000}}, testenv.Logger(t).With("instance", name),
			platform.WithBeforeCommit(beforeCommit))
		if err != nil {
			t.Fatal(err)
		}
		stop := testenv.Run(t, name, svc.Run)
		testenv.WaitFor(t, 60*time.Second, name+" ready", func() bool { return svc.Ready.Check() == nil })
		return svc, stop
	}

	prod, err := stream.NewProducer(cfg, "dedupe-test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	// Every order is cus-0001's: one partition, read in the order sent.
	publish := func(orders ...*ordersv1.Order) {
		t.Helper()
		for _, o := range orders {
			if err := pub.PublishAsync(o.CustomerId, o, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := prod.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	paid := func(ids ...string) func() []string {
		return func() []string {
			latest := payments.Latest()
			var missing []string
			for _, id := range ids {
				if latest[id] == nil {
					missing = append(missing, id)
				}
			}
			return missing
		}
	}

	// The first transaction holds its commit until released.
	holding, release := make(chan struct{}), make(chan struct{})
	var commits atomic.Int64
	hold := func(ctx context.Context, _ int) error {
		if commits.Add(1) > 1 {
			return nil
		}
		close(holding)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("first commit held: %w", ctx.Err())
		}
	}
	a, stopA := start("payment-a", hold)

	twice, adjacent, sentinel := validOrder("ord-dup-twice"), validOrder("ord-dup-adjacent"), validOrder("ord-sentinel")
	publish(twice)
	select {
	case <-holding:
	case <-time.After(60 * time.Second):
		t.Fatal("no transaction reached its commit within 60s")
	}
	if latest := payments.Latest(); len(latest) != 0 {
		t.Fatalf("payments %v visible before the first commit", latest)
	}
	// Before its payment commits: the copy is acknowledged by the broker
	// while the first transaction still waits.
	publish(twice, adjacent, adjacent)
	close(release)
	testenv.WaitForAll(t, 60*time.Second, "payments of the first orders", paid(twice.OrderId, adjacent.OrderId))

	// After its payment committed.
	publish(twice)
	stopA()
	if got := a.Stats.Get("orders.duplicate"); got != 3 {
		t.Errorf("first instance dropped %d copies, want 3 (two of %s, one of %s)", got, twice.OrderId, adjacent.OrderId)
	}

	// Across a restart: a new instance restores the payments.
	b, stopB := start("payment-b", nil)
	publish(twice, sentinel)
	// The sentinel comes after the last copy in the same partition: once
	// its payment is committed, so is the copy's fate.
	testenv.WaitForAll(t, 60*time.Second, "the sentinel's payment", paid(sentinel.OrderId))
	stopB()
	if got := b.Stats.Get("orders.duplicate"); got != 1 {
		t.Errorf("restarted instance dropped %d copies, want 1 (of %s)", got, twice.OrderId)
	}

	got := map[string]int{}
	for _, r := range testenv.ReadToEnd(t, cfg, topics.Payments) {
		got[r.Key]++
		if r.Value.GetStatus() != paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED {
			t.Errorf("payment of %s: %v, want authorized", r.Key, r.Value)
		}
	}
	want := map[string]int{twice.OrderId: 1, adjacent.OrderId: 1, sentinel.OrderId: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("payments per order %v, want %v", got, want)
	}
}
