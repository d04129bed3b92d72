package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ErrUnknownTopic means a topic does not exist.
var ErrUnknownTopic = errors.New("unknown topic")

// ErrNoRecord means no committed record is at the position asked for.
var ErrNoRecord = errors.New("no such record")

// Position is a record's place in its topic.
type Position struct {
	Partition int32
	Offset    int64
}

// Scan hands fn the committed records of topic, partition by partition in
// order, from each partition's position in from (its first record when
// absent) up to its end when Scan was called. It stops when fn returns
// false or an error. It is for tools that read a topic without joining a
// group: the dead-letter service lists the dead-letter topics with it.
func Scan(ctx context.Context, cfg Config, topic string, from map[int32]int64, fn func(*Message) (bool, error)) (err error) {
	c, err := rangeConsumer(cfg, "scan", "scan-"+topic)
	if err != nil {
		return fmt.Errorf("scan %s: %w", topic, err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("scan %s: close: %w", topic, cerr))
		}
	}()
	parts, err := existingPartitions(c, topic)
	if err != nil {
		return err
	}
	r := replayer{c: c, topic: topic}
	var ferr error
	for _, p := range parts {
		low, high, err := watermarks(ctx, c, topic, p)
		if err != nil {
			return err
		}
		start := max(low, from[p])
		more := true
		err = r.read(ctx, map[int32]int64{p: start}, map[int32]int64{p: high}, func(m *kafka.Message) bool {
			more, ferr = fn(FromClient(m))
			return more && ferr == nil
		})
		if err != nil || ferr != nil {
			return errors.Join(err, ferr)
		}
		if !more {
			return nil
		}
	}
	return nil
}

// ReadAt returns the committed record of topic at pos, or ErrNoRecord when
// there is none (an offset past the end, or that of a transaction marker or
// an aborted record).
func ReadAt(ctx context.Context, cfg Config, topic string, pos Position) (msg *Message, err error) {
	c, err := rangeConsumer(cfg, "read", "read-"+topic)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", topic, err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("read %s: close: %w", topic, cerr))
		}
	}()
	parts, err := existingPartitions(c, topic)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(parts, pos.Partition) {
		return nil, fmt.Errorf("%s has no partition %d: %w", topic, pos.Partition, ErrNoRecord)
	}
	low, high, err := watermarks(ctx, c, topic, pos.Partition)
	if err != nil {
		return nil, err
	}
	if pos.Offset < low || pos.Offset >= high {
		return nil, fmt.Errorf("%s[%d]@%d: %w", topic, pos.Partition, pos.Offset, ErrNoRecord)
	}
	r := replayer{c: c, topic: topic}
	err = r.read(ctx, map[int32]int64{pos.Partition: pos.Offset}, map[int32]int64{pos.Partition: pos.Offset + 1}, func(m *kafka.Message) bool {
		msg = FromClient(m)
		return false
	})
	if err != nil {
		return nil, err
	}
	if msg == nil || msg.Offset != pos.Offset {
		return nil, fmt.Errorf("%s[%d]@%d: %w", topic, pos.Partition, pos.Offset, ErrNoRecord)
	}
	return msg, nil
}

// existingPartitions lists topic's partitions, or fails with
// ErrUnknownTopic.
func existingPartitions(c *kafka.Consumer, topic string) ([]int32, error) {
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	tm, ok := md.Topics[topic]
	if !ok || tm.Error.Code() == kafka.ErrUnknownTopicOrPart || tm.Error.Code() == kafka.ErrUnknownTopic {
		return nil, fmt.Errorf("%s: %w", topic, ErrUnknownTopic)
	}
	if tm.Error.Code() != kafka.ErrNoError {
		return nil, fmt.Errorf("metadata of %s: %w", topic, tm.Error)
	}
	out := make([]int32, len(tm.Partitions))
	for i, p := range tm.Partitions {
		out[i] = p.ID
	}
	slices.Sort(out)
	return out, nil
}

// watermarks returns a partition's first and next offsets, retrying
// while its leader moves.
func watermarks(ctx context.Context, c *kafka.Consumer, topic string, part int32) (low, high int64, err error) {
	high, err = endOffset(ctx, c, topic, part)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", topic, err)
	}
	low, _, err = c.QueryWatermarkOffsets(topic, part, int(timeoutFrom(ctx).Milliseconds()))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: first offset of partition %d: %w", topic, part, err)
	}
	return low, high, nil
}
