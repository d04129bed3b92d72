package testenv

import (
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/kafka"
)

// ReadTopic reads topic from the beginning, read_committed, until want raw
// records arrived, and fails the test if they do not within timeout.
func ReadTopic(t testing.TB, cfg kafka.Config, topic string, want int, timeout time.Duration) []*ckafka.Message {
	t.Helper()
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{
		"bootstrap.servers": cfg.Brokers, "group.id": "reader-" + topic, "auto.offset.reset": "earliest",
		"enable.auto.commit": false, "isolation.level": "read_committed", "log_level": 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	var out []*ckafka.Message
	deadline := time.Now().Add(timeout)
	for len(out) < want && time.Now().Before(deadline) {
		if m, ok := c.Poll(100).(*ckafka.Message); ok {
			out = append(out, m)
		}
	}
	if len(out) < want {
		t.Fatalf("%s: %d records after %s, want %d", topic, len(out), timeout, want)
	}
	return out
}
