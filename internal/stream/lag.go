package stream

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// lagEvery is how often a consumer loop measures its lag.
const lagEvery = 5 * time.Second

// lagMeter reports a group member's lag: for each partition it owns, the
// records from the group's committed offset to the partition's end (its
// last stable offset, for a read_committed reader). A transactional topic
// at rest shows one record per partition: the marker that ends the last
// transaction, which a reader never commits past (Kafka's own tools show
// the same).
//
// The consumer loop that owns it calls observe; the metrics reader calls
// the gauge's callback from its own goroutine.
type lagMeter struct {
	group string
	reg   metric.Registration

	mu   sync.Mutex
	lags map[kafka.TopicPartition]int64 // Topic pointers are the loop's own copies

	checkedAt time.Time // owned by the loop
}

// newLag registers the lag gauge of one consumer loop; close unregisters it.
// Without metrics it returns nil, which measures nothing.
func (ins *instruments) newLag(group string) *lagMeter {
	if !ins.metered {
		return nil
	}
	l := &lagMeter{group: group, lags: map[kafka.TopicPartition]int64{}}
	gauge, err := ins.meter.Int64ObservableGauge("orders.consumer.lag", metric.WithUnit("{record}"),
		metric.WithDescription("Records waiting on a partition: from the group's committed offset to the end, reported by the member that owns the partition."))
	if err != nil {
		return l
	}
	l.reg, _ = ins.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		for tp, lag := range l.lags {
			o.ObserveInt64(gauge, lag, metric.WithAttributes(topicAttr(*tp.Topic), groupAttr(group),
				attribute.String("partition", strconv.Itoa(int(tp.Partition)))))
		}
		return nil
	}, gauge)
	return l
}

// observe measures the lag of the partitions c owns, at most every lagEvery.
func (l *lagMeter) observe(c *kafka.Consumer) error {
	if l == nil || time.Since(l.checkedAt) < lagEvery {
		return nil
	}
	l.checkedAt = time.Now()
	owned, err := c.Assignment()
	if err != nil {
		return fmt.Errorf("assignment: %w", err)
	}
	lags := make(map[kafka.TopicPartition]int64, len(owned))
	if len(owned) > 0 {
		committed, err := c.Committed(owned, 5000)
		if err != nil {
			return fmt.Errorf("committed offsets: %w", err)
		}
		for _, p := range committed {
			low, high, err := c.QueryWatermarkOffsets(*p.Topic, p.Partition, 5000)
			if err != nil {
				return fmt.Errorf("end offset of %s[%d]: %w", *p.Topic, p.Partition, err)
			}
			pos := int64(p.Offset)
			if pos < 0 {
				pos = low
			}
			topic := *p.Topic
			lags[kafka.TopicPartition{Topic: &topic, Partition: p.Partition}] = max(high-pos, 0)
		}
	}
	l.mu.Lock()
	l.lags = lags
	l.mu.Unlock()
	return nil
}

// reassigned makes the next observe measure at once, and forgets the
// partitions this member no longer owns: called when partitions are
// assigned or revoked.
func (l *lagMeter) reassigned() {
	if l == nil {
		return
	}
	l.checkedAt = time.Time{}
	l.mu.Lock()
	l.lags = map[kafka.TopicPartition]int64{}
	l.mu.Unlock()
}

// close stops reporting the loop's lag.
func (l *lagMeter) close() {
	if l != nil && l.reg != nil {
		_ = l.reg.Unregister()
	}
}
