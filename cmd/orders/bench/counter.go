package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// counter counts the committed records of a topic, from the start, until
// stop is called.
type counter struct {
	n      atomic.Int64
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// startCounter starts counting; observe, when given, sees every record
// counted, on the counter's goroutine.
func startCounter(ctx context.Context, cfg stream.Config, group, topic string, observe ...func(*ckafka.Message)) (*counter, error) {
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{
		"bootstrap.servers": cfg.Brokers, "group.id": group, "auto.offset.reset": "earliest",
		"enable.auto.commit": false, "isolation.level": "read_committed", "log_level": 4,
	})
	if err != nil {
		return nil, fmt.Errorf("counter for %s: %w", topic, err)
	}
	if err := c.Subscribe(topic, nil); err != nil {
		c.Close()
		return nil, fmt.Errorf("counter for %s: %w", topic, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	cnt := &counter{cancel: cancel, done: make(chan error, 1)}
	go func() {
		defer func() { cnt.done <- c.Close() }()
		for ctx.Err() == nil {
			if m, ok := c.Poll(50).(*ckafka.Message); ok {
				for _, o := range observe {
					o(m)
				}
				cnt.n.Add(1)
			}
		}
	}()
	return cnt, nil
}

// wait blocks until n records were counted.
func (c *counter) wait(ctx context.Context, n int) error {
	for c.n.Load() < int64(n) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("counted %d of %d records: %w", c.n.Load(), n, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// count returns the records counted so far.
func (c *counter) count() int { return int(c.n.Load()) }

// stop ends the count and releases the consumer; calling it again does
// nothing.
func (c *counter) stop() error {
	c.once.Do(func() {
		c.cancel()
		c.err = <-c.done
	})
	return c.err
}
