package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"google.golang.org/protobuf/proto"
)

// Table is a global view of a topic: it reads every partition from the
// beginning (read_committed, no consumer group) and hands each record to an
// apply function, which keeps whatever state its owner needs. Every
// instance of a service sees the whole topic, as a lookup table or query
// view should.
type Table[T proto.Message] struct {
	cfg   Config
	topic Topic[T]
	apply func(Record[T])
	log   *slog.Logger

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every position change
	position map[int32]int64

	// clientMu guards the consumer's life: Sync reads with it held, Run
	// closes it only under the write lock.
	clientMu sync.RWMutex
	client   *kafka.Consumer // set once Run has assigned the partitions
	parts    []int32
}

// NewTable returns a table over topic; apply is called from Run's goroutine,
// one record at a time, in partition order.
func NewTable[T proto.Message](cfg Config, topic Topic[T], apply func(Record[T])) *Table[T] {
	return &Table[T]{
		cfg: cfg, topic: topic, apply: apply, log: cfg.logger().With("table", topic.Name),
		changed: make(chan struct{}), position: map[int32]int64{},
	}
}

// Run reads the topic until ctx ends. Records that cannot be decoded are
// logged and skipped: the table does not own the topic, its consumers'
// dead-letter topics hold the evidence. A replayed dead letter (see
// ReplayRecord) is applied like any record: it may be the first time the
// record decodes, or a copy of one the table holds, so apply functions
// must be idempotent by key, as a view of a topic is.
func (t *Table[T]) Run(ctx context.Context) (err error) {
	conf := t.cfg.base("table-" + t.topic.Name)
	conf["group.id"] = "table-" + t.topic.Name // required by librdkafka, never committed
	conf["enable.auto.commit"] = false
	conf["isolation.level"] = "read_committed"
	conf["enable.partition.eof"] = true
	conf = t.cfg.withExtra(conf)
	c, err := kafka.NewConsumer(&conf)
	if err != nil {
		return fmt.Errorf("table %s: create consumer: %w", t.topic.Name, err)
	}
	defer func() {
		t.clientMu.Lock()
		defer t.clientMu.Unlock()
		t.client = nil
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("table %s: close: %w", t.topic.Name, cerr))
		}
	}()
	parts, err := partitions(ctx, c, t.topic.Name)
	if err != nil {
		return fmt.Errorf("table %s: %w", t.topic.Name, err)
	}
	assign := make([]kafka.TopicPartition, len(parts))
	for i, p := range parts {
		assign[i] = kafka.TopicPartition{Topic: &t.topic.Name, Partition: p, Offset: kafka.OffsetBeginning}
	}
	if err := c.Assign(assign); err != nil {
		return fmt.Errorf("table %s: assign: %w", t.topic.Name, err)
	}
	t.clientMu.Lock()
	t.client, t.parts = c, parts
	t.clientMu.Unlock()
	for ctx.Err() == nil {
		switch e := c.Poll(100).(type) {
		case *kafka.Message:
			t.applyRecord(e)
			t.advance(e.TopicPartition.Partition, int64(e.TopicPartition.Offset)+1)
		case kafka.PartitionEOF:
			t.advance(e.Partition, int64(e.Offset))
		case kafka.Error:
			if e.IsFatal() {
				return fmt.Errorf("table %s: fatal: %w", t.topic.Name, e)
			}
			t.log.Warn("kafka table consumer", "error", e.Error())
		case *kafka.Stats:
			t.cfg.instruments().clients.record(e)
		}
	}
	return nil
}

func (t *Table[T]) applyRecord(msg *kafka.Message) {
	rec, err := t.topic.Decode(FromClient(msg))
	if err != nil {
		t.log.Warn("skipping undecodable record", "error", err)
		return
	}
	t.apply(rec)
}

func (t *Table[T]) advance(part int32, pos int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if pos <= t.position[part] {
		return
	}
	t.position[part] = pos
	close(t.changed)
	t.changed = make(chan struct{})
}

// Sync waits until the table has applied every record committed to the
// topic before the call. It is how a service knows its state is restored.
func (t *Table[T]) Sync(ctx context.Context) error {
	want, err := t.endOffsets(ctx)
	if err != nil {
		return err
	}
	return t.waitFor(ctx, want)
}

// endOffsets asks the brokers for every partition's end (the last stable
// offset, as the table reads committed records only), once Run has started.
func (t *Table[T]) endOffsets(ctx context.Context) (map[int32]int64, error) {
	for {
		t.clientMu.RLock()
		if c := t.client; c != nil {
			defer t.clientMu.RUnlock()
			want := map[int32]int64{}
			for _, p := range t.parts {
				high, err := endOffset(ctx, c, t.topic.Name, p)
				if err != nil {
					return nil, fmt.Errorf("table %s: %w", t.topic.Name, err)
				}
				want[p] = high
			}
			return want, nil
		}
		t.clientMu.RUnlock()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("table %s: not running: %w", t.topic.Name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (t *Table[T]) waitFor(ctx context.Context, want map[int32]int64) error {
	for {
		t.mu.Lock()
		behind := false
		for p, off := range want {
			if off > 0 && t.position[p] < off {
				behind = true
			}
		}
		changed := t.changed
		t.mu.Unlock()
		if !behind {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("table %s: wait for catch-up: %w", t.topic.Name, ctx.Err())
		case <-changed:
		}
	}
}

// endOffset returns a partition's end offset, retrying while its leader
// moves (a new topic, a failover): a real cluster answers "not leader" or
// "leader not available" for a while before it settles.
func endOffset(ctx context.Context, c *kafka.Consumer, topic string, part int32) (int64, error) {
	for {
		_, high, err := c.QueryWatermarkOffsets(topic, part, 10000)
		if err == nil || !transientLeaderError(err) {
			if err != nil {
				return 0, fmt.Errorf("end offset of partition %d: %w", part, err)
			}
			return high, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("end offset of partition %d: %w", part, errors.Join(err, ctx.Err()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// transientLeaderError reports errors that clear once partition leadership
// settles.
func transientLeaderError(err error) bool {
	var kerr kafka.Error
	if !errors.As(err, &kerr) {
		return false
	}
	switch kerr.Code() {
	case kafka.ErrNotLeaderForPartition, kafka.ErrLeaderNotAvailable, kafka.ErrUnknownTopicOrPart, kafka.ErrUnknownPartition,
		kafka.ErrNotCoordinator, kafka.ErrTimedOut, kafka.ErrRequestTimedOut, kafka.ErrTransport:
		return true
	}
	return kerr.IsRetriable()
}

// partitions lists the topic's partitions, waiting for the topic to exist.
func partitions(ctx context.Context, c *kafka.Consumer, topic string) ([]int32, error) {
	for {
		md, err := c.GetMetadata(&topic, false, 5000)
		if err == nil {
			if tm, ok := md.Topics[topic]; ok && tm.Error.Code() == kafka.ErrNoError && len(tm.Partitions) > 0 {
				out := make([]int32, len(tm.Partitions))
				for i, p := range tm.Partitions {
					out[i] = p.ID
				}
				return out, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("metadata of %s: %w", topic, errors.Join(err, ctx.Err()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Name returns the table's topic.
func (t *Table[T]) Name() string { return t.topic.Name }

// View is what TableSet needs of a Table, whatever its type.
type View interface {
	Name() string
	Run(ctx context.Context) error
	Sync(ctx context.Context) error
}

// TableSet runs several tables and syncs them together.
type TableSet []View

// Sync waits until every table caught up with its topic.
func (ts TableSet) Sync(ctx context.Context) error {
	for _, t := range ts {
		if err := t.Sync(ctx); err != nil {
			return err
		}
	}
	return nil
}
