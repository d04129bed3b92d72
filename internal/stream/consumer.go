package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/protobuf/proto"
)

// ConsumerOptions configures Consume.
type ConsumerOptions struct {
	// Group is the consumer group id; members share the topic's partitions.
	Group string
	// DeadLetters receives records that cannot be decoded or are invalid.
	DeadLetters *Producer
	// OnAssign, when set, runs after partitions are assigned and before
	// their records are handled (for example to catch up a lookup table).
	OnAssign func(ctx context.Context, parts []Partition) error
	// Stall, when set, watches the group's progress (see StallWatch).
	Stall *StallWatch
	// OnDeadLetter, when set, sees each dead letter this loop writes: the
	// seam for counting them.
	OnDeadLetter func(*Message)
	// Backoff bounds the wait between retries of a failing handler; zero
	// means 100ms to 10s.
	MinBackoff, MaxBackoff time.Duration
}

// Consume runs an at-least-once consumer-group loop over topic until ctx
// ends. handle is called for every record in partition order; its output
// must be durable when it returns nil, since the record's offset is stored
// for commit right after. A handler error of class deserialization or
// validation (see Invalid) sends the record to the dead-letter topic; any
// other error is retried with backoff, holding only that record's partition
// position. On return every stored offset has been committed.
func Consume[T proto.Message](ctx context.Context, cfg Config, opts ConsumerOptions, topic Topic[T], handle func(context.Context, Record[T]) error) (err error) {
	conf := cfg.consumerConfig(opts.Group, opts.Group)
	c, err := kafka.NewConsumer(&conf)
	if err != nil {
		return fmt.Errorf("create consumer %s: %w", opts.Group, err)
	}
	defer func() {
		// Close commits the stored offsets and leaves the group.
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close consumer %s: %w", opts.Group, cerr))
		}
	}()
	log := cfg.logger().With("group", opts.Group, "topic", topic.Name)
	ins := cfg.instruments()
	lag := ins.newLag(opts.Group)
	defer lag.close()
	ins.zero(ctx, opts.Group, topic.Name)
	var assignErr error
	rebalance := func(c *kafka.Consumer, ev kafka.Event) error {
		lag.reassigned()
		if e, ok := ev.(kafka.AssignedPartitions); ok {
			log.Info("partitions assigned", "partitions", partitionList(e.Partitions))
			if opts.OnAssign != nil {
				assignErr = opts.OnAssign(ctx, assigned(e.Partitions))
			}
		}
		return nil
	}
	if err := c.SubscribeTopics([]string{topic.Name}, rebalance); err != nil {
		return fmt.Errorf("subscribe %s to %s: %w", opts.Group, topic.Name, err)
	}
	loop := &consumeLoop{c: c, log: log, group: opts.Group, stall: opts.Stall, ins: ins,
		retry: backoff{min: opts.MinBackoff, max: opts.MaxBackoff}}
	for ctx.Err() == nil {
		opts.Stall.observe(c, opts.Group, topic.Name, log)
		if err := lag.observe(c); err != nil {
			log.Debug("consumer lag unknown", "error", err)
		}
		ev := c.Poll(100)
		if assignErr != nil {
			return fmt.Errorf("%s: prepare assigned partitions: %w", opts.Group, assignErr)
		}
		switch e := ev.(type) {
		case *kafka.Message:
			err := loop.handle(ctx, e, func() error { return process(ctx, log, ins, opts, topic, e, handle) })
			if err != nil && !errors.Is(err, errPartitionLost) {
				return err
			}
		case kafka.Error:
			if e.IsFatal() {
				return fmt.Errorf("%s: fatal consumer error: %w", opts.Group, e)
			}
			log.Warn("kafka consumer", "error", e.Error())
		case *kafka.Stats:
			ins.clients.record(e)
		}
	}
	return nil
}

// errPartitionLost means a record's partition was taken away while its
// handler was being retried; the new owner handles the record.
var errPartitionLost = errors.New("partition reassigned while retrying")

// consumeLoop handles one record at a time for Consume.
type consumeLoop struct {
	c     *kafka.Consumer
	log   *slog.Logger
	group string
	stall *StallWatch
	ins   *instruments
	retry backoff
}

// handle runs fn until it succeeds, then stores the record's offset. While
// waiting between attempts it keeps polling with every partition paused, so
// the consumer stays in its group however long the outage lasts.
func (l *consumeLoop) handle(ctx context.Context, msg *kafka.Message, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			l.retry.reset()
			if _, err := l.c.StoreOffsets([]kafka.TopicPartition{next(msg.TopicPartition)}); err != nil {
				return fmt.Errorf("%s: store offset: %w", l.group, err)
			}
			l.stall.committed() // auto-commit sends it within the commit interval
			l.ins.countConsumed(ctx, l.group, *msg.TopicPartition.Topic, 1)
			return nil
		}
		l.ins.retried.Add(ctx, 1, metric.WithAttributes(topicAttr(*msg.TopicPartition.Topic), groupAttr(l.group)))
		wait := l.retry.next()
		l.log.Warn("handler failed, will retry", "error", err, "in", wait)
		if err := l.idle(ctx, wait, msg.TopicPartition); err != nil {
			return err
		}
	}
}

// idle polls for d with all partitions paused. A record from a partition
// assigned meanwhile is put back (seek) for after the retry. It fails with
// errPartitionLost when tp is no longer assigned at the end.
func (l *consumeLoop) idle(ctx context.Context, d time.Duration, tp kafka.TopicPartition) error {
	paused, err := l.c.Assignment()
	if err != nil {
		return fmt.Errorf("%s: assignment: %w", l.group, err)
	}
	if err := l.c.Pause(paused); err != nil {
		return fmt.Errorf("%s: pause: %w", l.group, err)
	}
	defer func() { _ = l.c.Resume(paused) }() // partitions revoked meanwhile are simply gone
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if ctx.Err() != nil {
			return fmt.Errorf("gave up retrying: %w", ctx.Err())
		}
		l.stall.observe(l.c, l.group, *tp.Topic, l.log)
		switch e := l.c.Poll(100).(type) {
		case *kafka.Message:
			back := []kafka.TopicPartition{e.TopicPartition}
			if err := l.c.Seek(e.TopicPartition, 0); err != nil {
				return fmt.Errorf("%s: seek back: %w", l.group, err)
			}
			if err := l.c.Pause(back); err != nil {
				return fmt.Errorf("%s: pause: %w", l.group, err)
			}
			paused = append(paused, back...)
		case kafka.Error:
			l.log.Warn("kafka consumer", "error", e.Error())
		}
	}
	owned, err := l.c.Assignment()
	if err != nil {
		return fmt.Errorf("%s: assignment: %w", l.group, err)
	}
	for _, p := range owned {
		if *p.Topic == *tp.Topic && p.Partition == tp.Partition {
			return nil
		}
	}
	l.log.Info("partition reassigned while retrying; its new owner takes over", "partition", tp.Partition)
	return errPartitionLost
}

// process decodes and handles one record, dead-lettering permanent failures.
func process[T proto.Message](ctx context.Context, log *slog.Logger, ins *instruments, opts ConsumerOptions, topic Topic[T], msg *kafka.Message, handle func(context.Context, Record[T]) error) error {
	in := FromClient(msg)
	if ForAnother(in, opts.Group) {
		return nil // another group's replay
	}
	ctx, span := ins.startProcess(ctx, opts.Group, in)
	defer span.End()
	rec, err := topic.Decode(in)
	if err == nil {
		err = handle(ctx, rec)
	}
	if err == nil || ErrorClass(err) == "" {
		if err != nil {
			span.RecordError(err)
		}
		return err
	}
	span.SetStatus(codes.Error, "dead-lettered")
	if opts.DeadLetters == nil {
		return fmt.Errorf("no dead-letter producer for %s: %w", topic.Name, err)
	}
	dl := DeadLetter(in, opts.Group, err, time.Now())
	logDeadLetter(ctx, log, dl, err)
	if err := opts.DeadLetters.ProduceSync(ctx, dl); err != nil {
		return err
	}
	ins.countDeadLetter(ctx, opts.Group, dl)
	if opts.OnDeadLetter != nil {
		opts.OnDeadLetter(dl)
	}
	return nil
}

// next returns the offset to commit after consuming tp.
func next(tp kafka.TopicPartition) kafka.TopicPartition {
	tp.Offset++
	tp.Metadata = nil
	tp.Error = nil
	return tp
}

func partitionList(parts []kafka.TopicPartition) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = fmt.Sprintf("%s[%d]", *p.Topic, p.Partition)
	}
	return out
}

// backoff doubles a wait between min and max.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.min <= 0 {
		b.min = 100 * time.Millisecond
	}
	if b.max <= 0 {
		b.max = 10 * time.Second
	}
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }
