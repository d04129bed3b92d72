package testenv

import (
	"sync"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// Collector reads a topic from the beginning, like any read_committed
// downstream consumer, and keeps every record.
type Collector[T stream.Event] struct {
	mu   sync.Mutex
	recs []stream.Record[T]
}

// Collect starts a Collector on topic that reads until the test ends.
func Collect[T stream.Event](t testing.TB, cfg stream.Config, topic stream.Topic[T]) *Collector[T] {
	c := &Collector[T]{}
	Run(t, "collector of "+topic.Name, stream.NewTable(cfg, topic, func(r stream.Record[T]) {
		c.mu.Lock()
		c.recs = append(c.recs, r)
		c.mu.Unlock()
	}).Run)
	return c
}

// All returns the records read so far, in the order they were read.
func (c *Collector[T]) All() []stream.Record[T] {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]stream.Record[T](nil), c.recs...)
}

// Latest returns the last value read per key.
func (c *Collector[T]) Latest() map[string]T {
	out := map[string]T{}
	for _, r := range c.All() {
		out[r.Key] = r.Value
	}
	return out
}
