package testenv

import (
	"sync"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/kafka"
)

// Collector reads a topic from the beginning, like any read_committed
// downstream consumer, and keeps every record.
type Collector[T kafka.Message] struct {
	mu   sync.Mutex
	recs []kafka.Record[T]
}

// Collect starts a Collector on topic that reads until the test ends.
func Collect[T kafka.Message](t testing.TB, cfg kafka.Config, topic kafka.Topic[T]) *Collector[T] {
	c := &Collector[T]{}
	Run(t, "collector of "+topic.Name, kafka.NewTable(cfg, topic, func(r kafka.Record[T]) {
		c.mu.Lock()
		c.recs = append(c.recs, r)
		c.mu.Unlock()
	}).Run)
	return c
}

// All returns the records read so far, in the order they were read.
func (c *Collector[T]) All() []kafka.Record[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]kafka.Record[T](nil), c.recs...)
}

// Latest returns the last value read per key.
func (c *Collector[T]) Latest() map[string]T {
	out := map[string]T{}
	for _, r := range c.All() {
		out[r.Key] = r.Value
	}
	return out
}
