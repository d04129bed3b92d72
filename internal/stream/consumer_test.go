package stream_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestConsumeOutlastsAnOutageLongerThanThePollInterval: a handler whose
// downstream is down for longer than max.poll.interval.ms is retried while
// the consumer keeps polling (partitions paused), so it stays in its group,
// stores the offset when the write finally succeeds, and commits it.
func TestConsumeOutlastsAnOutageLongerThanThePollInterval(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	cfg.Extra = ckafka.ConfigMap{"session.timeout.ms": 6000, "max.poll.interval.ms": 6000}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	topics, prod := singlePartitionOrders(t, ctx, cfg)
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	for _, id := range []string{"ord-outage-1", "ord-outage-2", "ord-outage-3"} {
		if err := pub.Publish(ctx, "cus-0001", &ordersv1.Order{OrderId: id, CreatedAt: timestamppb.Now()}); err != nil {
			t.Fatal(err)
		}
	}

	var mu sync.Mutex
	handled := map[string]int{}
	var outageEnds time.Time
	handle := func(_ context.Context, r stream.Record[*ordersv1.Order]) error {
		mu.Lock()
		defer mu.Unlock()
		if outageEnds.IsZero() {
			outageEnds = time.Now().Add(9 * time.Second) // longer than max.poll.interval.ms
		}
		if time.Now().Before(outageEnds) {
			return errors.New("downstream unavailable")
		}
		handled[r.Value.GetOrderId()]++
		return nil
	}
	opts := stream.ConsumerOptions{Group: "outage", DeadLetters: prod, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- stream.Consume(cctx, cfg, opts, topics.Orders, handle) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(handled)
		mu.Unlock()
		if n == 3 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Consume gave up during the outage: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("handled %v after 60s", handled)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Consume: %v", err)
	}

	// Everything was committed: the group has nothing left to deliver.
	var again []string
	actx, astop := context.WithTimeout(ctx, 8*time.Second)
	defer astop()
	if err := stream.Consume(actx, cfg, opts, topics.Orders, func(_ context.Context, r stream.Record[*ordersv1.Order]) error {
		again = append(again, r.Value.GetOrderId())
		return nil
	}); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("redelivered after commit: %v", again)
	}
	for id, n := range handled {
		if n != 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
}

// singlePartitionOrders creates `orders` with one partition and returns the
// platform's topics and a producer, closed when the test ends.
func singlePartitionOrders(t *testing.T, ctx context.Context, cfg stream.Config) (*events.Topics, *stream.Producer) {
	t.Helper()
	if err := stream.EnsureTopics(ctx, cfg, true, stream.TopicSpec{Name: events.OrdersTopic, Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	topics, err := events.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	prod, err := stream.NewProducer(cfg, t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close(context.Background()) })
	return topics, prod
}
