package stream_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestStallWatchReportsAGroupWithoutProgress: a group whose only member
// holds its partition but commits nothing while orders wait is reported
// stalled once the timeout passes, and no longer once it commits again. A
// group that has read everything is never stalled, however long it idles.
func TestStallWatchReportsAGroupWithoutProgress(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	topics, prod := singlePartitionOrders(t, ctx, cfg)
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	publish := func(id string) {
		t.Helper()
		o := &ordersv1.Order{OrderId: id, CustomerId: "cus-0001", CreatedAt: timestamppb.Now()}
		if err := pub.Publish(ctx, o.CustomerId, o); err != nil {
			t.Fatal(err)
		}
	}

	const timeout = 3 * time.Second
	watch := stream.NewStallWatch(timeout)
	var healthy atomic.Bool
	var handled atomic.Int64
	healthy.Store(true)
	testenv.Run(t, "consumer", func(ctx context.Context) error {
		return stream.Consume(ctx, cfg, stream.ConsumerOptions{Group: "stall-test", Stall: watch, MaxBackoff: 200 * time.Millisecond}, topics.Orders,
			func(context.Context, stream.Record[*ordersv1.Order]) error {
				if !healthy.Load() {
					return errors.New("downstream is down")
				}
				handled.Add(1)
				return nil
			})
	})

	publish("ord-stall-1")
	testenv.WaitFor(t, 30*time.Second, "the first order handled", func() bool { return handled.Load() == 1 })
	// Caught up and idle for several timeouts: not stalled.
	idleUntil := time.Now().Add(3 * timeout)
	for time.Now().Before(idleUntil) {
		if err := watch.Err(); err != nil {
			t.Fatalf("an idle, caught-up group reported: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	healthy.Store(false)
	publish("ord-stall-2")
	publish("ord-stall-3")
	testenv.WaitFor(t, 30*time.Second, "the stall reported", func() bool { return watch.Err() != nil })
	if msg := watch.Err().Error(); !strings.Contains(msg, "stall-test stalled") || !strings.Contains(msg, "2 records waiting") {
		t.Errorf("stall error %q: want the group and the 2 waiting records named", msg)
	}

	healthy.Store(true)
	testenv.WaitFor(t, 30*time.Second, "the waiting orders handled", func() bool { return handled.Load() == 3 })
	if err := watch.Err(); err != nil {
		t.Errorf("after progress: %v, want no stall", err)
	}
}
