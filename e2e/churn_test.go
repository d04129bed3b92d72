package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
)

// TestGroupSurvivesMemberChurn is an operator scaling payment workers:
// two `orders payment` processes share the default group (classic
// protocol, default session and poll timeouts) while orders stream in,
// and one of them is SIGKILLed every 6 s and started again. Once the churn
// ends every order must get exactly one payment.
//
// On the unpatched embedded broker the group wedged here for good: members
// killed while they waited in JoinGroup were never expired, and the join
// deadline was pushed back by every retried join (third_party/kfake).
func TestGroupSurvivesMemberChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the orders binary and churns processes for a minute")
	}
	bin := testenv.OrdersBinary(t)
	cfg, _ := testenv.Kafka(t)
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	common := []string{"payment", "--kafka-brokers=" + cfg.Brokers, "--schema-registry-url=" + cfg.SchemaRegistryURL,
		"--listen-addr=127.0.0.1:0", "--failure-rate=0"}
	payments := testenv.Collect(t, cfg, topics.Payments)

	stable := testenv.StartProcess(t, bin, append(common, "--transactional-id=payment-churn-a")...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	orders := make(chan []string, 1)
	var publisher sync.WaitGroup
	publisher.Add(1)
	go func() {
		defer publisher.Done()
		ids, err := publishAtRate(ctx, cfg, topics, 300)
		if err != nil {
			t.Error(err)
		}
		orders <- ids
	}()
	t.Cleanup(func() { cancel(); publisher.Wait() })

	const kills = 8
	var churned *testenv.Process
	for i := range kills {
		churned = testenv.SpawnProcess(t, bin, append(common, "--transactional-id=payment-churn-b")...)
		time.Sleep(6 * time.Second)
		if i < kills-1 {
			churned.Kill()
		}
	}
	cancel()
	ids := <-orders
	t.Logf("%d orders published during %d kills", len(ids), kills-1)

	// A killed member leaves the group only when its session (45 s) times
	// out; the group then rebalances and both members go on.
	testenv.WaitForAll(t, 4*time.Minute, "a payment for every order", func() []string {
		return testenv.Absent(ids, payments.Latest())
	})
	stable.Terminate(t)
	churned.Terminate(t)
	if got := len(payments.All()); got != len(ids) {
		t.Errorf("%d payment records for %d orders: want exactly one each", got, len(ids))
	}
}

// publishAtRate publishes generated orders at about rate per second until
// ctx ends, then flushes and returns the ids of those published.
func publishAtRate(ctx context.Context, cfg stream.Config, topics *events.Topics, rate int) ([]string, error) {
	prod, err := stream.NewProducer(cfg, "churn-test")
	if err != nil {
		return nil, fmt.Errorf("churn publisher: %w", err)
	}
	defer prod.Close(context.Background())
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	gen := orderproducer.NewGenerator(7, 50, "churn")
	tick := time.NewTicker(time.Second / 10)
	defer tick.Stop()
	var ids []string
	for ctx.Err() == nil {
		for range rate / 10 {
			o := gen.Next(time.Now())
			if err := pub.PublishAsync(o.GetCustomerId(), o, nil); err != nil {
				return ids, fmt.Errorf("publish order %d: %w", len(ids), err)
			}
			ids = append(ids, o.GetOrderId())
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	if err := prod.Flush(context.Background()); err != nil {
		return ids, fmt.Errorf("flush orders: %w", err)
	}
	return slices.Clip(ids), nil
}
