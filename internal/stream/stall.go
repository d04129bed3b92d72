package stream

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// DefaultStallTimeout is how long a group may go without committed progress
// while records wait before its members report it stalled: more than a
// session timeout (45 s) and a rebalance round after it.
const DefaultStallTimeout = 2 * time.Minute

// StallWatch tells whether a member's consumer group makes progress.
//
// The group is stalled when, for longer than the timeout, its committed
// offsets on the topic have not moved while records wait behind them. A
// partition has records waiting when its end offset grew since the group
// last moved, or stands more than one past the committed offset (one is
// the marker that ends a committed transaction, which a read_committed
// reader never commits past). A member with no partitions in a healthy
// group is not stalled: the watch looks at the whole group's commits. A
// group with nothing new to read is never stalled.
//
// The consumer loop that owns the watch calls it as it runs; Err may be
// called from any goroutine (readiness checks).
type StallWatch struct {
	timeout time.Duration
	every   time.Duration

	mu  sync.Mutex
	err error

	// Owned by the consumer loop.
	committedAt time.Time        // this member's last commit
	checkedAt   time.Time        // last look at the group's offsets
	offsets     map[int32]int64  // the group's committed offsets at movedAt
	ends        map[int32]int64  // the partitions' end offsets at movedAt
	movedAt     time.Time        // when the group's offsets last moved (or nothing waited)
	now         func() time.Time // for tests
}

// NewStallWatch returns a watch that reports a stall after timeout (zero
// means DefaultStallTimeout).
func NewStallWatch(timeout time.Duration) *StallWatch {
	if timeout <= 0 {
		timeout = DefaultStallTimeout
	}
	return &StallWatch{timeout: timeout, every: min(timeout/6, 5*time.Second), now: time.Now}
}

// Err returns why the group is stalled, or nil. A nil watch never is.
func (w *StallWatch) Err() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// committed records that this member committed progress.
func (w *StallWatch) committed() {
	if w == nil {
		return
	}
	w.committedAt = w.now()
	w.movedAt = w.committedAt
	// The broker may learn of the commit later (auto-commit): take the
	// next look at the group's offsets as the new starting point.
	w.offsets, w.ends = nil, nil
	w.set(nil, nil)
}

// observe looks at the group's committed offsets of topic now and then,
// and updates the verdict. Lookup failures are logged and leave it as is.
func (w *StallWatch) observe(c *kafka.Consumer, group, topic string, log *slog.Logger) {
	if w == nil {
		return
	}
	now := w.now()
	if w.movedAt.IsZero() {
		w.movedAt = now
	}
	if now.Sub(w.committedAt) < w.timeout || now.Sub(w.checkedAt) < w.every {
		return
	}
	w.checkedAt = now
	offsets, ends, err := groupOffsets(c, topic)
	if err != nil {
		log.Warn("consumer group progress unknown", "error", err)
		return
	}
	if !maps.Equal(offsets, w.offsets) {
		w.offsets, w.ends, w.movedAt = offsets, ends, now
	}
	var lag int64
	for p, end := range ends {
		if end > w.ends[p] || end > offsets[p]+1 {
			lag += end - offsets[p]
		}
	}
	if lag == 0 {
		w.movedAt = now
	}
	if now.Sub(w.movedAt) <= w.timeout {
		w.set(nil, log)
		return
	}
	assigned, _ := c.Assignment()
	w.set(fmt.Errorf("consumer group %s stalled: no committed progress on %s for %s with %d records waiting (this member has %d partitions)",
		group, topic, now.Sub(w.movedAt).Round(time.Second), lag, len(assigned)), log)
}

// set records the verdict, logging when it changes.
func (w *StallWatch) set(err error, log *slog.Logger) {
	w.mu.Lock()
	was := w.err
	w.err = err
	w.mu.Unlock()
	switch {
	case log == nil:
	case err != nil && was == nil:
		log.Error("consumer group stalled", "error", err)
	case err == nil && was != nil:
		log.Info("consumer group makes progress again")
	}
}

// groupOffsets returns the group's committed offset per partition of topic
// (the log start when none) and the partitions' end offsets.
func groupOffsets(c *kafka.Consumer, topic string) (committed, ends map[int32]int64, err error) {
	md, err := c.GetMetadata(&topic, false, 5000)
	if err != nil {
		return nil, nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	tm, ok := md.Topics[topic]
	if !ok || tm.Error.Code() != kafka.ErrNoError {
		return nil, nil, fmt.Errorf("metadata of %s: %v", topic, tm.Error)
	}
	parts := make([]kafka.TopicPartition, len(tm.Partitions))
	for i, p := range tm.Partitions {
		parts[i] = kafka.TopicPartition{Topic: &topic, Partition: p.ID}
	}
	positions, err := c.Committed(parts, 5000)
	if err != nil {
		return nil, nil, fmt.Errorf("committed offsets of %s: %w", topic, err)
	}
	committed, ends = make(map[int32]int64, len(parts)), make(map[int32]int64, len(parts))
	var errs []error
	for _, p := range positions {
		low, high, err := c.QueryWatermarkOffsets(topic, p.Partition, 5000)
		if err != nil {
			errs = append(errs, fmt.Errorf("end offset of %s[%d]: %w", topic, p.Partition, err))
			continue
		}
		pos := int64(p.Offset)
		if pos < 0 {
			pos = low
		}
		committed[p.Partition], ends[p.Partition] = pos, high
	}
	return committed, ends, errors.Join(errs...)
}
