package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"google.golang.org/protobuf/proto"
)

// Replay hands apply the records of parts that consumer group already
// consumed within lookback of the last one it consumed, oldest first per
// partition. A transform that keeps windowed state (a customer's orders of
// the last ten minutes, say) calls it from OnAssign: after a restart, a
// rebalance or a long outage the window holds what it would have held had
// the instance run all along. The window ends at the group's position, not
// at the wall clock, so a group that lags hours behind replays the right
// records. It returns how many records it replayed; records that cannot be
// decoded are skipped, since the group dead-lettered them when it read them.
func Replay[T proto.Message](ctx context.Context, cfg Config, group string, topic Topic[T], parts []Partition, lookback time.Duration, apply func(Record[T])) (n int, err error) {
	// The group's id lets it read the group's committed offsets; it never
	// joins or commits.
	c, err := rangeConsumer(cfg, "replay-"+group, group)
	if err != nil {
		return 0, fmt.Errorf("replay %s: %w", topic.Name, err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("replay %s: close: %w", topic.Name, cerr))
		}
	}()
	r := replayer{c: c, topic: topic.Name}
	ends, err := r.committed(ctx, parts)
	if err != nil || len(ends) == 0 {
		return 0, err
	}
	lastOnes := map[int32]int64{}
	for p, end := range ends {
		lastOnes[p] = end - 1
	}
	last := map[int32]time.Time{}
	if err := r.read(ctx, lastOnes, ends, func(m *kafka.Message) bool { last[m.TopicPartition.Partition] = m.Timestamp; return true }); err != nil {
		return 0, err
	}
	starts, err := r.offsetsFor(ctx, ends, last, lookback)
	if err != nil {
		return 0, err
	}
	err = r.read(ctx, starts, ends, func(m *kafka.Message) bool {
		in := FromClient(m)
		if ForAnother(in, group) {
			return true
		}
		if rec, derr := topic.Decode(in); derr == nil {
			apply(rec)
			n++
		}
		return true
	})
	return n, err
}

// rangeConsumer is a consumer for reading ranges of partitions by
// assignment: read_committed, reporting each partition's end, never
// committing. group is only a name (librdkafka wants one) unless the
// caller asks for committed offsets.
func rangeConsumer(cfg Config, role, group string) (*kafka.Consumer, error) {
	conf := cfg.base(role)
	conf["group.id"] = group
	conf["enable.auto.commit"] = false
	conf["isolation.level"] = "read_committed"
	conf["enable.partition.eof"] = true
	// A broker answers a connection's requests in order: a fetch waiting
	// for new records would hold up the offset lookups and the close.
	conf["fetch.wait.max.ms"] = 10
	conf = cfg.withExtra(conf)
	c, err := kafka.NewConsumer(&conf)
	if err != nil {
		return nil, fmt.Errorf("create consumer: %w", err)
	}
	return c, nil
}

// replayer reads ranges of one topic's partitions with an assigned consumer.
type replayer struct {
	c     *kafka.Consumer
	topic string
}

const replayTimeout = 10 * time.Second

// committed returns the group's committed offset of each partition that has
// one above zero: where the replay ends.
func (r replayer) committed(ctx context.Context, parts []Partition) (map[int32]int64, error) {
	ask := make([]kafka.TopicPartition, len(parts))
	for i, p := range parts {
		ask[i] = kafka.TopicPartition{Topic: &r.topic, Partition: p.Partition}
	}
	got, err := r.c.Committed(ask, int(timeoutFrom(ctx).Milliseconds()))
	if kerr := (kafka.Error{}); errors.As(err, &kerr) && kerr.Code() == kafka.ErrGroupIDNotFound {
		return nil, nil // a group that never committed
	}
	if err != nil {
		return nil, fmt.Errorf("replay %s: committed offsets: %w", r.topic, err)
	}
	ends := map[int32]int64{}
	for _, p := range got {
		if p.Error != nil {
			return nil, fmt.Errorf("replay %s: committed offset of partition %d: %w", r.topic, p.Partition, p.Error)
		}
		if p.Offset > 0 {
			ends[p.Partition] = int64(p.Offset)
		}
	}
	return ends, nil
}

// offsetsFor finds, per partition, the first offset whose timestamp is
// within lookback of the last record read before the end; a partition whose
// last record was not seen (a transaction marker) counts from now.
func (r replayer) offsetsFor(ctx context.Context, ends map[int32]int64, last map[int32]time.Time, lookback time.Duration) (map[int32]int64, error) {
	ask := make([]kafka.TopicPartition, 0, len(ends))
	for p := range ends {
		at, ok := last[p]
		if !ok {
			at = time.Now()
		}
		ask = append(ask, kafka.TopicPartition{Topic: &r.topic, Partition: p, Offset: kafka.Offset(at.Add(-lookback).UnixMilli())})
	}
	got, err := r.c.OffsetsForTimes(ask, int(timeoutFrom(ctx).Milliseconds()))
	if err != nil {
		return nil, fmt.Errorf("replay %s: offsets for times: %w", r.topic, err)
	}
	starts := map[int32]int64{}
	for _, p := range got {
		if p.Error != nil {
			return nil, fmt.Errorf("replay %s: offset for time of partition %d: %w", r.topic, p.Partition, p.Error)
		}
		starts[p.Partition] = ends[p.Partition] // no record that recent: nothing to replay
		if p.Offset >= 0 && int64(p.Offset) < ends[p.Partition] {
			starts[p.Partition] = int64(p.Offset)
		}
	}
	return starts, nil
}

// read hands fn every record of each partition p from starts[p] up to,
// not including, ends[p], or up to the partition's end when that comes
// first; it stops early when fn returns false.
func (r replayer) read(ctx context.Context, starts, ends map[int32]int64, fn func(*kafka.Message) bool) error {
	assign := make([]kafka.TopicPartition, 0, len(starts))
	open := map[int32]bool{}
	for p, start := range starts {
		if start < ends[p] {
			assign = append(assign, kafka.TopicPartition{Topic: &r.topic, Partition: p, Offset: kafka.Offset(start)})
			open[p] = true
		}
	}
	if len(assign) == 0 {
		return nil
	}
	if err := r.c.Assign(assign); err != nil {
		return fmt.Errorf("replay %s: assign: %w", r.topic, err)
	}
	for len(open) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("replay %s: %w", r.topic, err)
		}
		switch e := r.c.Poll(100).(type) {
		case *kafka.Message:
			p, off := e.TopicPartition.Partition, int64(e.TopicPartition.Offset)
			if !open[p] || off < starts[p] {
				continue
			}
			if off < ends[p] && !fn(e) {
				return nil
			}
			if off+1 >= ends[p] {
				delete(open, p)
			}
		case kafka.PartitionEOF:
			delete(open, e.Partition) // nothing more to read now
		case kafka.Error:
			if e.IsFatal() {
				return fmt.Errorf("replay %s: fatal: %w", r.topic, e)
			}
		}
	}
	return nil
}

// timeoutFrom bounds a broker request by ctx's deadline, or replayTimeout.
func timeoutFrom(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok && time.Until(d) < replayTimeout {
		return max(time.Until(d), time.Millisecond)
	}
	return replayTimeout
}
