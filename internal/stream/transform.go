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

// TransformOptions configures Transform.
type TransformOptions struct {
	// Group is the consumer group id.
	Group string
	// TransactionalID must be stable per instance (e.g. "<group>-<host>"), so
	// that a restarted instance fences its crashed predecessor and aborts
	// its open transaction.
	TransactionalID string
	// MaxBatch and Linger bound one transaction: at most MaxBatch input
	// records, collected for at most Linger. Zero means 5000 and 50ms.
	MaxBatch int
	Linger   time.Duration
	// TransactionTimeout is transaction.timeout.ms; zero means 30s.
	TransactionTimeout time.Duration
	// OnAssign runs after partitions are assigned and before any of their
	// records is transformed: the place to restore state for them.
	OnAssign func(ctx context.Context, parts []Partition) error
	// EndBatch, when set, runs after every record of a batch was
	// transformed; its records are produced in the same transaction. It lets
	// a stateful transform publish one update per key per batch instead of
	// one per input record.
	EndBatch func(ctx context.Context) ([]*Message, error)
	// Stall, when set, watches the group's progress (see StallWatch).
	Stall *StallWatch
	// OnDeadLetter, when set, sees each dead letter this loop writes: the
	// seam for counting them.
	OnDeadLetter func(*Message)
	// BeforeCommit, when set, runs before each commit; an error abandons the
	// transaction uncommitted, exactly as a crash would. It is the seam for
	// fault injection and instrumentation.
	BeforeCommit func(ctx context.Context, batch int) error
}

// TransformFunc turns one input record into the records to publish. An
// error of class deserialization or validation dead-letters the input (in
// the same transaction); any other error aborts the transaction.
type TransformFunc[T proto.Message] func(ctx context.Context, rec Record[T]) ([]*Message, error)

// Transform runs an exactly-once consume-transform-produce loop until ctx
// ends or an error occurs: each batch of inputs, its outputs, its dead
// letters and its input offsets are committed in one Kafka transaction. On
// an error the transaction is aborted and Transform returns; callers rebuild
// their state and start again (see Supervise), resuming from the last
// committed offsets. Readers of the outputs use read_committed.
func Transform[T proto.Message](ctx context.Context, cfg Config, opts TransformOptions, topic Topic[T], fn TransformFunc[T]) (err error) {
	t, err := newTransformer(ctx, cfg, opts, topic, fn)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, t.close()) }()
	return t.run(ctx)
}

type transformer[T proto.Message] struct {
	opts     TransformOptions
	topic    Topic[T]
	fn       TransformFunc[T]
	log      *slog.Logger
	producer *Producer
	consumer *kafka.Consumer
	batch    []*kafka.Message
	// deadLetters are the batch's dead letters, counted once committed.
	deadLetters []*Message
	ins         *instruments
	lag         *lagMeter
	// failed holds an error raised inside the rebalance callback.
	failed error
}

func newTransformer[T proto.Message](ctx context.Context, cfg Config, opts TransformOptions, topic Topic[T], fn TransformFunc[T]) (*transformer[T], error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 5000
	}
	if opts.Linger <= 0 {
		opts.Linger = 50 * time.Millisecond
	}
	if opts.TransactionTimeout <= 0 {
		opts.TransactionTimeout = 30 * time.Second
	}
	producer, err := newProducer(cfg, cfg.transactionalConfig(opts.Group, opts.TransactionalID, opts.TransactionTimeout))
	if err != nil {
		return nil, err
	}
	// Fences any earlier instance with this id and aborts its open
	// transaction. Bounded, so that a coordinator that cannot finish an
	// earlier transaction shows up as a logged restart, not a silent wait.
	ictx, cancel := context.WithTimeout(ctx, 2*opts.TransactionTimeout)
	defer cancel()
	if err := producer.client().InitTransactions(ictx); err != nil {
		_ = producer.Close(ctx)
		return nil, fmt.Errorf("%s: init transactions: %w", opts.Group, err)
	}
	cconf := cfg.consumerConfig(opts.Group, opts.Group)
	cconf["enable.auto.commit"] = false
	consumer, err := kafka.NewConsumer(&cconf)
	if err != nil {
		_ = producer.Close(ctx)
		return nil, fmt.Errorf("create consumer %s: %w", opts.Group, err)
	}
	t := &transformer[T]{
		opts: opts, topic: topic, fn: fn, producer: producer, consumer: consumer,
		log: cfg.logger().With("group", opts.Group, "topic", topic.Name),
		ins: cfg.instruments(),
	}
	t.lag = t.ins.newLag(opts.Group)
	t.ins.zero(ctx, opts.Group, topic.Name)
	t.ins.aborted.Add(ctx, 0, metric.WithAttributes(groupAttr(opts.Group)))
	if err := consumer.SubscribeTopics([]string{topic.Name}, t.rebalance(ctx)); err != nil {
		return nil, errors.Join(fmt.Errorf("subscribe %s: %w", opts.Group, err), t.close())
	}
	return t, nil
}

// close releases both clients without committing anything further.
func (t *transformer[T]) close() error {
	t.lag.close()
	cerr := t.consumer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	perr := t.producer.Close(ctx)
	if cerr != nil {
		cerr = fmt.Errorf("close consumer %s: %w", t.opts.Group, cerr)
	}
	return errors.Join(cerr, perr)
}

// rebalance commits the batch in flight before partitions are taken away,
// and lets the owner restore state before new partitions are processed.
func (t *transformer[T]) rebalance(ctx context.Context) kafka.RebalanceCb {
	return func(c *kafka.Consumer, ev kafka.Event) error {
		t.lag.reassigned()
		switch e := ev.(type) {
		case kafka.RevokedPartitions:
			t.log.Info("partitions revoked", "partitions", partitionList(e.Partitions))
			if err := t.commitBatchDetached(ctx); err != nil && t.failed == nil {
				t.failed = err
			}
		case kafka.AssignedPartitions:
			t.log.Info("partitions assigned", "partitions", partitionList(e.Partitions))
			if t.opts.OnAssign != nil && t.failed == nil {
				if err := t.opts.OnAssign(ctx, assigned(e.Partitions)); err != nil {
					t.failed = fmt.Errorf("%s: prepare assigned partitions: %w", t.opts.Group, err)
				}
			}
		}
		return nil
	}
}

func (t *transformer[T]) run(ctx context.Context) error {
	for {
		deadline := time.Now().Add(t.opts.Linger)
		for len(t.batch) < t.opts.MaxBatch && time.Now().Before(deadline) && t.failed == nil && ctx.Err() == nil {
			if err := t.poll(ctx); err != nil {
				return err
			}
		}
		if t.failed != nil {
			return t.failed
		}
		t.opts.Stall.observe(t.consumer, t.opts.Group, t.topic.Name, t.log)
		if err := t.lag.observe(t.consumer); err != nil {
			t.log.Debug("consumer lag unknown", "error", err)
		}
		// The batch in flight is finished and committed even on shutdown.
		if err := t.commitBatchDetached(ctx); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// commitBatchDetached commits with a context that outlives a cancelled ctx
// by up to one transaction timeout, so shutdown finishes the work in flight.
func (t *transformer[T]) commitBatchDetached(ctx context.Context) error {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.opts.TransactionTimeout)
	defer cancel()
	return t.commitBatch(c)
}

func (t *transformer[T]) poll(ctx context.Context) error {
	switch e := t.consumer.Poll(10).(type) {
	case *kafka.Message:
		return t.transform(ctx, e)
	case kafka.Error:
		if e.IsFatal() {
			return fmt.Errorf("%s: fatal consumer error: %w", t.opts.Group, e)
		}
		t.log.Warn("kafka consumer", "error", e.Error())
	case *kafka.Stats:
		t.ins.clients.record(e)
	}
	return nil
}

// transform produces the outputs of one input record at once, in the
// batch's transaction, which the batch's first record begins: the work of a
// batch overlaps with fetching its next records.
func (t *transformer[T]) transform(ctx context.Context, msg *kafka.Message) error {
	if len(t.batch) == 0 {
		if err := t.producer.client().BeginTransaction(); err != nil {
			return fmt.Errorf("%s: begin transaction: %w", t.opts.Group, err)
		}
	}
	t.batch = append(t.batch, msg)
	if err := t.produceOutputs(ctx, msg); err != nil {
		t.batch, t.deadLetters = nil, nil
		return t.abort(ctx, err)
	}
	return nil
}

// commitBatch finishes the open transaction: the batch's end-of-batch
// outputs, its input offsets, the commit.
func (t *transformer[T]) commitBatch(ctx context.Context) error {
	if len(t.batch) == 0 {
		return nil
	}
	batch, deadLetters := t.batch, t.deadLetters
	t.batch, t.deadLetters = nil, nil
	p := t.producer.client()
	if t.opts.EndBatch != nil {
		outs, err := t.opts.EndBatch(ctx)
		if err == nil {
			err = t.produce(outs)
		}
		if err != nil {
			return t.abort(ctx, err)
		}
	}
	meta, err := t.consumer.GetConsumerGroupMetadata()
	if err != nil {
		return t.abort(ctx, fmt.Errorf("group metadata: %w", err))
	}
	started := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 2*t.opts.TransactionTimeout)
	defer cancel()
	defer t.overdue(sctx, "send offsets to transaction")()
	if err := p.SendOffsetsToTransaction(sctx, nextOffsets(batch), meta); err != nil {
		return t.abort(ctx, fmt.Errorf("send offsets to transaction: %w", err))
	}
	if t.opts.BeforeCommit != nil {
		if err := t.opts.BeforeCommit(ctx, len(batch)); err != nil {
			return fmt.Errorf("%s: transaction abandoned: %w", t.opts.Group, err)
		}
	}
	if err := t.commitTransaction(ctx, p, 2*t.opts.TransactionTimeout); err != nil {
		return t.abort(ctx, fmt.Errorf("commit transaction: %w", err))
	}
	t.opts.Stall.committed()
	t.committed(ctx, batch, deadLetters, time.Since(started))
	return nil
}

// committed counts a committed batch: its records, its dead letters and
// the commit's duration.
func (t *transformer[T]) committed(ctx context.Context, batch []*kafka.Message, deadLetters []*Message, took time.Duration) {
	group := metric.WithAttributes(groupAttr(t.opts.Group))
	t.ins.txDuration.Record(ctx, took.Seconds(), group)
	per := map[string]int64{}
	for _, m := range batch {
		per[*m.TopicPartition.Topic]++
	}
	for topic, n := range per {
		t.ins.countConsumed(ctx, t.opts.Group, topic, n)
	}
	for _, dl := range deadLetters {
		t.ins.countDeadLetter(ctx, t.opts.Group, dl)
	}
}

// commitTransaction commits, calling again while librdkafka says the
// error is retriable (a coordinator that moved or is loading) or the call
// timed out (it waits at most the transaction timeout), as its
// transactional API asks, for up to limit. A commit still unfinished then
// is given up, so that a transaction that cannot complete shows as a
// logged restart (which fences it) instead of a silent wait.
func (t *transformer[T]) commitTransaction(ctx context.Context, p *kafka.Producer, limit time.Duration) error {
	give := time.Now().Add(limit)
	for {
		err := p.CommitTransaction(ctx)
		var kerr kafka.Error
		if err == nil || !errors.As(err, &kerr) || ctx.Err() != nil || time.Now().After(give) {
			return err
		}
		if !kerr.IsRetriable() && kerr.Code() != kafka.ErrTimedOut {
			return err
		}
		t.log.Warn("commit not finished, calling again", "error", err)
	}
}

// overdue warns when a blocking librdkafka call is still running a few
// seconds after ctx's deadline, which librdkafka does not always keep (see
// transactionalConfig); the returned func, deferred, ends the watch.
func (t *transformer[T]) overdue(ctx context.Context, call string) (stop func()) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return func() {}
	}
	started := time.Now()
	timer := time.AfterFunc(time.Until(deadline)+5*time.Second, func() {
		t.log.Warn("kafka call still blocked past its timeout", "call", call, "waiting", time.Since(started).Round(time.Second))
	})
	return func() { timer.Stop() }
}

// produceOutputs transforms msg and produces its outputs, or its dead
// letter when it cannot be decoded or is invalid.
func (t *transformer[T]) produceOutputs(ctx context.Context, msg *kafka.Message) error {
	in := FromClient(msg)
	if ForAnother(in, t.opts.Group) {
		return nil // another group's replay: its offset commits with the batch
	}
	ctx, span := t.ins.startProcess(ctx, t.opts.Group, in)
	defer span.End()
	rec, err := t.topic.Decode(in)
	var outs []*Message
	if err == nil {
		outs, err = t.fn(ctx, rec)
	}
	if err != nil {
		if ErrorClass(err) == "" {
			return err
		}
		dl := DeadLetter(in, t.opts.Group, err, time.Now())
		logDeadLetter(ctx, t.log, dl, err)
		if t.opts.OnDeadLetter != nil {
			t.opts.OnDeadLetter(dl)
		}
		outs = []*Message{dl}
		t.deadLetters = append(t.deadLetters, dl)
		span.SetStatus(codes.Error, "dead-lettered")
	}
	for _, out := range outs {
		InjectTrace(ctx, out)
	}
	return t.produce(outs)
}

func (t *transformer[T]) produce(outs []*Message) error {
	for _, out := range outs {
		if err := t.producer.Produce(out, nil); err != nil {
			return err
		}
	}
	return nil
}

// abort aborts the open transaction, waiting at most the transaction
// timeout, and returns cause.
func (t *transformer[T]) abort(ctx context.Context, cause error) error {
	cause = fmt.Errorf("%s: %w", t.opts.Group, cause)
	t.ins.aborted.Add(ctx, 1, metric.WithAttributes(groupAttr(t.opts.Group)))
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.opts.TransactionTimeout)
	defer cancel()
	if err := t.producer.client().AbortTransaction(actx); err != nil {
		return errors.Join(cause, fmt.Errorf("abort transaction: %w", err))
	}
	return cause
}

// nextOffsets returns, per partition, the offset after the last record of batch.
func nextOffsets(batch []*kafka.Message) []kafka.TopicPartition {
	type key struct {
		topic string
		part  int32
	}
	last := map[key]kafka.TopicPartition{}
	var order []key
	for _, m := range batch {
		k := key{*m.TopicPartition.Topic, m.TopicPartition.Partition}
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = next(m.TopicPartition)
	}
	out := make([]kafka.TopicPartition, len(order))
	for i, k := range order {
		out[i] = last[k]
	}
	return out
}

// Supervise runs fn until ctx ends, starting it again with backoff after
// each error, so that a worker whose transaction failed rebuilds its state
// and resumes from the last committed offsets.
func Supervise(ctx context.Context, log *slog.Logger, name string, fn func(context.Context) error) error {
	b := backoff{min: 200 * time.Millisecond, max: 10 * time.Second}
	for {
		started := time.Now()
		err := fn(ctx)
		if ctx.Err() != nil || err == nil {
			return nil
		}
		if time.Since(started) > time.Minute {
			b.reset() // it ran well for a while: start backing off afresh
		}
		wait := b.next()
		log.Error("worker stopped, restarting", "worker", name, "error", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// RunTransform runs Transform under Supervise until ctx ends. reset runs
// before every start, to drop working state that an aborted transaction may
// have touched; state is then restored in opts.OnAssign.
func RunTransform[T proto.Message](ctx context.Context, cfg Config, opts TransformOptions, topic Topic[T], reset func(), fn TransformFunc[T]) error {
	return Supervise(ctx, cfg.logger(), opts.Group, func(ctx context.Context) error {
		if reset != nil {
			reset()
		}
		return Transform(ctx, cfg, opts, topic, fn)
	})
}
