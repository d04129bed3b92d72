package deadletters

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/kafka-enterprise-orders/orders/gen/deadletters/v1/deadlettersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

const restored = "ledger restored"

// Service is a wired dead-letter-service; Run starts it.
type Service struct {
	*platform.Base
	cfg      Config
	ledger   *ledger
	resolved *resolved
	// writing serializes this instance's replays and discards; instances
	// fence each other through the shared transactional id.
	writing sync.Mutex
}

// New wires the service.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(stream.TopicSpec{Name: events.DeadLetterLedgerTopic, Compact: true}),
		platform.WaitsFor(restored),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	s := &Service{Base: base, cfg: cfg, ledger: newLedger()}
	if s.resolved, err = newResolved(base.Meter()); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	s.Tables = stream.TableSet{stream.NewTable(base.Kafka(), base.Topics.Ledger, s.ledger.apply)}
	s.Go("restore", s.SyncTablesThen(restored))
	path, h := deadlettersv1connect.NewDeadLetterServiceHandler(handler{s}, s.Server.HandlerOptions(validators...)...)
	s.Server.Handle(deadlettersv1connect.DeadLetterServiceName, path, h)
	return s, nil
}
