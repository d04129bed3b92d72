package pgsource_test

import (
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/kafka"
)

// readTopic reads want records of topic from the beginning.
func readTopic(t testing.TB, cfg kafka.Config, topic string, want int) []*ckafka.Message {
	t.Helper()
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{"bootstrap.servers": cfg.Brokers, "group.id": "reader-" + topic,
		"auto.offset.reset": "earliest", "enable.auto.commit": false})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	var out []*ckafka.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < want && time.Now().Before(deadline) {
		if m, ok := c.Poll(100).(*ckafka.Message); ok {
			out = append(out, m)
		}
	}
	if len(out) < want {
		t.Fatalf("%s: %d records, want %d", topic, len(out), want)
	}
	return out
}
