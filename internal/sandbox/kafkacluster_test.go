package sandbox_test

import (
	"context"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// TestKafkaClusterSurvivesANodeKill starts a real 3-node Apache Kafka
// cluster, creates a topic replicated to all three nodes, kills one node,
// still writes with acks=all (two in-sync replicas), restarts the node and
// reads back every record.
func TestKafkaClusterSurvivesANodeKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three JVMs")
	}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := sandbox.StartKafkaCluster(ctx, t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	cfg := stream.Config{Brokers: c.Bootstrap(), Partitions: 1, ReplicationFactor: 3}
	if err := stream.EnsureTopics(ctx, cfg, false, stream.TopicSpec{Name: "cluster-test"}); err != nil {
		t.Fatal(err)
	}
	prod, err := stream.NewProducer(cfg, "cluster-test")
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(context.Background())
	topic := "cluster-test"
	send := func(v string) {
		t.Helper()
		msg := &stream.Message{Topic: topic, Value: []byte(v)}
		if err := prod.ProduceSync(ctx, msg); err != nil {
			t.Fatalf("produce %s: %v", v, err)
		}
	}
	t.Log("cluster up", time.Since(t0))
	send("before")
	t.Log("sent before", time.Since(t0))
	if err := c.Kill(2); err != nil {
		t.Fatal(err)
	}
	t.Log("killed", time.Since(t0))
	send("during")
	t.Log("sent during", time.Since(t0))
	if err := c.Restart(ctx, 2); err != nil {
		t.Fatal(err)
	}
	t.Log("restarted", time.Since(t0))
	send("after")
	t.Log("sent after", time.Since(t0))

	cons, err := ckafka.NewConsumer(&ckafka.ConfigMap{"bootstrap.servers": c.Bootstrap(), "group.id": "cluster-test", "auto.offset.reset": "earliest"})
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	if err := cons.Assign([]ckafka.TopicPartition{{Topic: &topic, Partition: 0, Offset: ckafka.OffsetBeginning}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 3 && ctx.Err() == nil {
		if m, err := cons.ReadMessage(time.Second); err == nil {
			got = append(got, string(m.Value))
		}
	}
	if want := []string{"before", "during", "after"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("read %q, want %q", got, want)
	}
}
