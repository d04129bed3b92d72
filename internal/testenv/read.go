package testenv

import (
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// ReadTopic reads topic from the beginning, read_committed, until want raw
// records arrived, and fails the test if they do not within timeout.
func ReadTopic(t testing.TB, cfg stream.Config, topic string, want int, timeout time.Duration) []*stream.Message {
	t.Helper()
	c, err := newConsumer(cfg, "reader-"+topic, ReadCommitted, ckafka.ConfigMap{"auto.offset.reset": "earliest"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	var out []*stream.Message
	deadline := time.Now().Add(timeout)
	for len(out) < want && time.Now().Before(deadline) {
		if m, ok := c.Poll(100).(*ckafka.Message); ok {
			out = append(out, stream.FromClient(m))
		}
	}
	if len(out) < want {
		t.Fatalf("%s: %d records after %s, want %d", topic, len(out), timeout, want)
	}
	return out
}

// Sighting is a record's key and the time it became readable.
type Sighting struct {
	Key string
	At  time.Time
}

// WatchKeys reports the key of every record written to topic from now on,
// with the time it became readable, until the test ends. It does not
// decode, so that the reader is not what a latency measurement measures.
func WatchKeys(t testing.TB, cfg stream.Config, topic string) <-chan Sighting {
	t.Helper()
	c, err := newConsumer(cfg, "watch-"+topic, ReadCommitted, ckafka.ConfigMap{"auto.offset.reset": "latest", "fetch.wait.max.ms": 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	// Wait for the assignment, then let the consumer resolve "latest",
	// so that the watch starts before the first record to see.
	for parts, err := c.Assignment(); len(parts) == 0; parts, err = c.Assignment() {
		if err != nil {
			t.Fatal(err)
		}
		c.Poll(50)
	}
	for settle := time.Now().Add(time.Second); time.Now().Before(settle); {
		c.Poll(50)
	}
	out := make(chan Sighting, 200_000)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if m, ok := c.Poll(20).(*ckafka.Message); ok {
				out <- Sighting{string(m.Key), time.Now()}
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done; c.Close() })
	return out
}
