package stream_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestOversizedPoisonRecordsDoNotHoldUpTheirPartition: two poison records
// close to the record size limit, whose errors quote the bad field in full,
// are dead-lettered and the good record behind them is processed. The
// first dead letter keeps its value with the error text cut; the second,
// which would not fit even so, is written without its value and counted.
func TestOversizedPoisonRecordsDoNotHoldUpTheirPartition(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	topics, prod := singlePartitionOrders(t, ctx, cfg)
	const out = "oversized-out"
	if err := stream.EnsureTopics(ctx, cfg, false, stream.TopicSpec{Name: out, Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	pub := stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: topics.Orders}
	sizes := []int{800 << 10, 950 << 10, 12}
	bigKey := "cus-" + strings.Repeat("k", 950<<10) // the third poison: its key alone is too large
	for i, n := range sizes {
		if i == 2 {
			if err := pub.Publish(ctx, bigKey, &ordersv1.Order{OrderId: "ord-big-key", CreatedAt: timestamppb.Now()}); err != nil {
				t.Fatalf("publish order with a %d-byte key: %v", len(bigKey), err)
			}
		}
		id := fmt.Sprintf("ord-%d-", i) + strings.Repeat("x", n)
		if err := pub.Publish(ctx, "cus-0001", &ordersv1.Order{OrderId: id, CreatedAt: timestamppb.Now()}); err != nil {
			t.Fatalf("publish order of %d bytes: %v", n, err)
		}
	}

	var mu sync.Mutex
	var deadLetters, withoutValue int
	opts := stream.TransformOptions{
		Group: "oversized", TransactionalID: "oversized-1",
		OnDeadLetter: func(dl *stream.Message) {
			mu.Lock()
			defer mu.Unlock()
			deadLetters++
			if dl.Header(stream.HeaderValueDropped) != "" {
				withoutValue++
			}
		},
	}
	// The error quotes the whole bad field, as a validator's might.
	transform := func(_ context.Context, rec stream.Record[*ordersv1.Order]) ([]*stream.Message, error) {
		id := rec.Value.GetOrderId()
		if len(id) > 100 {
			return nil, stream.Invalid(fmt.Errorf("order_id %q is longer than 100 bytes", id))
		}
		if len(rec.Key) > 100 {
			return nil, stream.Invalid(fmt.Errorf("key %q is longer than 100 bytes", rec.Key))
		}
		return []*stream.Message{{Topic: out, Key: []byte(id), Value: []byte("ok")}}, nil
	}
	testenv.Run(t, "transform", func(ctx context.Context) error {
		return stream.RunTransform(ctx, cfg, opts, topics.Orders, nil, transform)
	})

	if got := testenv.ReadTopic(t, cfg, out, 1, time.Minute); string(got[0].Key) != "ord-2-xxxxxxxxxxxx" {
		t.Fatalf("output %q, want the good order's", got[0].Key)
	}
	dls := testenv.ReadTopic(t, cfg, stream.DeadLetterTopic(topics.Orders.Name), 3, time.Minute)
	for i, dl := range dls {
		if msg := dl.Header(stream.HeaderErrorMessage); len(msg) > stream.MaxErrorText+64 || !strings.Contains(msg, "more bytes)") {
			t.Errorf("dead letter %d: error text of %d bytes, want it cut to about %d", i, len(msg), stream.MaxErrorText)
		}
	}
	if len(dls[0].Value) < sizes[0] || dls[0].Header(stream.HeaderValueDropped) != "" {
		t.Errorf("first dead letter: value of %d bytes, %s=%q; want the value kept", len(dls[0].Value), stream.HeaderValueDropped, dls[0].Header(stream.HeaderValueDropped))
	}
	dropped, _ := strconv.Atoi(dls[1].Header(stream.HeaderValueDropped))
	if len(dls[1].Value) != 0 || dropped < sizes[1] {
		t.Errorf("second dead letter: value of %d bytes, %s=%q; want the value left out and its size named", len(dls[1].Value), stream.HeaderValueDropped, dls[1].Header(stream.HeaderValueDropped))
	}
	keyDropped, _ := strconv.Atoi(dls[2].Header(stream.HeaderKeyDropped))
	if len(dls[2].Key) > 1024 || keyDropped < len(bigKey) || dls[2].Header(stream.HeaderSourceOffset) == "" {
		t.Errorf("third dead letter: key of %d bytes, %s=%q; want the key cut and its size named, the source offset kept",
			len(dls[2].Key), stream.HeaderKeyDropped, dls[2].Header(stream.HeaderKeyDropped))
	}
	mu.Lock()
	defer mu.Unlock()
	if deadLetters < 3 || withoutValue < 2 {
		t.Errorf("counted %d dead letters, %d without value; want 3 and 2", deadLetters, withoutValue)
	}
}
