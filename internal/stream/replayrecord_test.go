package stream_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestReplayRecordIsTheOriginalAddressedToItsConsumer: the record a replay
// writes is the failed record (key, value, own headers) without the
// failure headers, addressed to the group that failed, with its count.
func TestReplayRecordIsTheOriginalAddressedToItsConsumer(t *testing.T) {
	orig := &stream.Message{Topic: "orders", Partition: 2, Offset: 41, Key: []byte("cus-1"), Value: []byte("v"),
		Headers: []stream.Header{{Key: "traceparent", Value: []byte("00-abc")}}}
	dl := stream.DeadLetter(orig, "fraud-service", stream.Invalid(errors.New("bad")), time.Now())
	dl.Partition, dl.Offset = 0, 7
	r := stream.ReplayRecord(dl, "orders.dlq-0-7", 1)
	if r.Topic != "orders" || string(r.Key) != "cus-1" || string(r.Value) != "v" {
		t.Fatalf("replay record %+v is not the original", r)
	}
	var keys []string
	for _, h := range r.Headers {
		keys = append(keys, h.Key)
	}
	want := []string{"traceparent", stream.HeaderReplayFor, stream.HeaderReplayCount, stream.HeaderReplayOf}
	if !slices.Equal(keys, want) {
		t.Errorf("headers %v, want %v", keys, want)
	}
	if r.Header(stream.HeaderReplayFor) != "fraud-service" || r.Header(stream.HeaderReplayOf) != "orders.dlq-0-7" {
		t.Errorf("addressed to %q, from %q", r.Header(stream.HeaderReplayFor), r.Header(stream.HeaderReplayOf))
	}
	// It fails again: its dead letter carries the count.
	again := stream.DeadLetter(r, "fraud-service", stream.Invalid(errors.New("still bad")), time.Now())
	if stream.ReplayCount(again) != 1 || stream.ReplayCount(dl) != 0 {
		t.Errorf("replay counts %d and %d, want 1 and 0", stream.ReplayCount(again), stream.ReplayCount(dl))
	}
	if !stream.ForAnother(r, "payment-service") || stream.ForAnother(r, "fraud-service") || stream.ForAnother(orig, "payment-service") {
		t.Error("ForAnother: a replay is for its group alone; a record without the header for every group")
	}
}

// TestConsumersSkipReplaysForOthers: a consumer group handles ordinary
// records and replays addressed to it, and skips (and commits past) replays
// addressed to another group; a table, which belongs to no group, applies
// every record.
func TestConsumersSkipReplaysForOthers(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topics, prod := singlePartitionOrders(t, ctx, cfg)
	publish := func(id, to string) {
		msg, err := topics.Orders.Message("cus-0001", &ordersv1.Order{OrderId: id, CreatedAt: timestamppb.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if to != "" {
			msg.Headers = []stream.Header{{Key: stream.HeaderReplayFor, Value: []byte(to)}}
		}
		if err := prod.ProduceSync(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	publish("ord-plain", "")
	publish("ord-for-other", "other-group")
	publish("ord-for-me", "me")
	publish("ord-last", "")

	var mu sync.Mutex
	var handled, tabled []string
	table := stream.NewTable(cfg, topics.Orders, func(r stream.Record[*ordersv1.Order]) {
		mu.Lock()
		defer mu.Unlock()
		tabled = append(tabled, r.Value.GetOrderId())
	})
	stopTable := testenv.Run(t, "table", table.Run)
	defer stopTable()
	stopConsume := testenv.Run(t, "consume", func(ctx context.Context) error {
		return stream.Consume(ctx, cfg, stream.ConsumerOptions{Group: "me", DeadLetters: prod}, topics.Orders,
			func(_ context.Context, r stream.Record[*ordersv1.Order]) error {
				mu.Lock()
				defer mu.Unlock()
				handled = append(handled, r.Value.GetOrderId())
				return nil
			})
	})
	defer stopConsume()
	testenv.WaitFor(t, 30*time.Second, "the last order handled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(handled, "ord-last")
	})
	if err := table.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"ord-plain", "ord-for-me", "ord-last"}; !slices.Equal(handled, want) {
		t.Errorf("group me handled %v, want %v", handled, want)
	}
	if want := []string{"ord-plain", "ord-for-other", "ord-for-me", "ord-last"}; !slices.Equal(tabled, want) {
		t.Errorf("the table applied %v, want %v", tabled, want)
	}
}
