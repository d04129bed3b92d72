package testenv_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestReadToEnd writes a committed and an aborted transaction and a plain
// record to a three-partition topic: read_committed sees the committed and
// plain records, read_uncommitted the aborted ones too, and an empty topic
// drains to nothing.
func TestReadToEnd(t *testing.T) {
	cfg, _ := testenv.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const topic, empty = "drained", "empty"
	if err := stream.EnsureTopics(ctx, cfg, false, stream.TopicSpec{Name: topic}, stream.TopicSpec{Name: empty}); err != nil {
		t.Fatal(err)
	}
	p, err := ckafka.NewProducer(&ckafka.ConfigMap{"bootstrap.servers": cfg.Brokers, "transactional.id": "drain-test", "log_level": 4, "go.delivery.reports": false})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.InitTransactions(ctx); err != nil {
		t.Fatal(err)
	}
	send := func(prefix string, n int) {
		for i := range n {
			tn := topic
			msg := &ckafka.Message{TopicPartition: ckafka.TopicPartition{Topic: &tn, Partition: int32(i % 3)}, Key: fmt.Appendf(nil, "%s-%d", prefix, i)}
			if err := p.Produce(msg, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, commit := range []bool{true, false} {
		if err := p.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if commit {
			send("committed", 6)
			err = p.CommitTransaction(ctx)
		} else {
			send("aborted", 4)
			// Written to the log first: an abort purges what is unsent.
			if left := p.Flush(30000); left != 0 {
				t.Fatalf("%d records unsent", left)
			}
			err = p.AbortTransaction(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	plain, err := stream.NewProducer(cfg, "drain-test-plain")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close(ctx)
	if err := plain.ProduceSync(ctx, &stream.Message{Topic: topic, Key: []byte("plain")}); err != nil {
		t.Fatal(err)
	}

	keys := func(msgs []*ckafka.Message) map[string]int {
		out := map[string]int{}
		for _, m := range msgs {
			out[string(m.Key)]++
		}
		return out
	}
	committed := keys(testenv.ReadRawToEnd(t, cfg, topic, testenv.ReadCommitted))
	uncommitted := keys(testenv.ReadRawToEnd(t, cfg, topic, testenv.ReadUncommitted))
	want := map[string]int{"plain": 1}
	for i := range 6 {
		want[fmt.Sprintf("committed-%d", i)] = 1
	}
	if fmt.Sprint(committed) != fmt.Sprint(want) {
		t.Errorf("read_committed: %v, want %v", committed, want)
	}
	for i := range 4 {
		want[fmt.Sprintf("aborted-%d", i)] = 1
	}
	if fmt.Sprint(uncommitted) != fmt.Sprint(want) {
		t.Errorf("read_uncommitted: %v, want %v", uncommitted, want)
	}
	if got := testenv.ReadRawToEnd(t, cfg, empty, testenv.ReadCommitted); len(got) != 0 {
		t.Errorf("empty topic: %d records", len(got))
	}
}
