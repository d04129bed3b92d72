package pgsource

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pglogrepl"

	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

const streaming = "streaming changes"

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "pg-source"

// Service is a wired pg-source; Run starts it.
type Service struct {
	*platform.Base
	cfg      Config
	producer *stream.Producer
	acks     *acks
	progress *progress
}

// New wires pg-source: the customers topic and its producer.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(stream.TopicSpec{Name: events.CustomersTopic, Compact: true}),
		platform.WaitsFor(streaming),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	// Changes go out at once (the default linger is 5 ms); under load
	// librdkafka still batches whatever queued up meanwhile.
	producer, err := base.NewProducer("customers", stream.Linger(0))
	if err != nil {
		return nil, err
	}
	s := &Service{Base: base, cfg: cfg, producer: producer, acks: &acks{}}
	if s.progress, err = newProgress(base.Meter(), s.acks, cfg.Slot); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	s.Go("replication", func(ctx context.Context) error {
		return stream.Supervise(ctx, log, "pg-source", s.runOnce)
	})
	return s, nil
}

// runOnce captures changes over one replication connection.
func (s *Service) runOnce(ctx context.Context) error {
	src := &source{
		cfg: s.cfg, log: s.Log, topic: s.Topics.Customers, producer: s.producer, acks: s.acks,
		stats: s.Stats, progress: s.progress, tracer: s.Tracer(), relations: map[uint32]*pglogrepl.RelationMessage{},
		onLive: func() { s.Ready.Done(streaming) },
	}
	return src.run(ctx)
}
