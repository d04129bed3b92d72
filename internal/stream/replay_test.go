package stream_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestReplayWindowEndsAtTheGroupPosition writes ten records a minute apart,
// three hours ago, and commits offset 7 for a group that lags behind. A
// replay with a three-minute lookback returns offsets 3 to 6: the window
// ends at the last record the group consumed, not at the wall clock, and
// nothing past the committed offset is replayed.
func TestReplayWindowEndsAtTheGroupPosition(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topics, prod := singlePartitionOrders(t, ctx, cfg)
	base := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	for i := range 10 {
		msg, err := topics.Orders.Message("cus-0001", &ordersv1.Order{OrderId: fmt.Sprintf("ord-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		msg.Timestamp = base.Add(time.Duration(i) * time.Minute)
		if err := prod.ProduceSync(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	commit(t, cfg, "lagging", events.OrdersTopic, 7)

	parts := []stream.Partition{{Topic: topics.Orders.Name, Partition: 0}}
	replay := func(group string, lookback time.Duration) []string {
		var ids []string
		n, err := stream.Replay(ctx, cfg, group, topics.Orders, parts, lookback, func(r stream.Record[*ordersv1.Order]) {
			ids = append(ids, r.Value.GetOrderId())
		})
		if err != nil || n != len(ids) {
			t.Fatalf("Replay(%s) = %d, %v; applied %d", group, n, err, len(ids))
		}
		return ids
	}
	if got, want := replay("lagging", 3*time.Minute), []string{"ord-3", "ord-4", "ord-5", "ord-6"}; !slices.Equal(got, want) {
		t.Errorf("replayed %v, want %v", got, want)
	}
	if got := replay("lagging", 24*time.Hour); len(got) != 7 {
		t.Errorf("a long lookback replayed %v, want ord-0 to ord-6", got)
	}
	if got := replay("new-group", time.Hour); len(got) != 0 {
		t.Errorf("a group without committed offsets replayed %v", got)
	}
}

// commit stores offset for partition 0 of topic in group, as a consumer of
// the group would have.
func commit(t *testing.T, cfg stream.Config, group, topic string, offset int64) {
	t.Helper()
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{"bootstrap.servers": cfg.Brokers, "group.id": group, "log_level": 4})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.CommitOffsets([]ckafka.TopicPartition{{Topic: &topic, Partition: 0, Offset: ckafka.Offset(offset)}}); err != nil {
		t.Fatal(err)
	}
}
