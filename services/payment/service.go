package payment

import (
	"context"
	"log/slog"
	"time"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/gen/payments/v1/paymentsv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

const (
	restored = "payments and customers restored"
	assigned = "consumer assigned"
)

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "payment-service"

// Service is a wired payment-service; Run starts it.
type Service struct {
	*platform.Base
	cfg       Config
	state     *State
	customers *customers.Lookup
	now       func() time.Time
}

// New wires the service.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(stream.TopicSpec{Name: events.OrdersTopic}, stream.TopicSpec{Name: events.PaymentsTopic}, stream.TopicSpec{Name: events.CustomersTopic, Compact: true}),
		platform.WaitsFor(restored, assigned),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	s := &Service{Base: base, cfg: cfg, state: NewState(cfg.Views), customers: customers.NewLookup(log), now: time.Now}
	s.Tables = stream.TableSet{
		stream.NewTable(base.Kafka(), base.Topics.Payments, s.state.ApplyPayment),
		s.customers.Table(base.Kafka(), base.Topics),
	}
	s.Go("restore", s.SyncTablesThen(restored))
	s.Go("payments", s.work)
	path, h := paymentsv1connect.NewPaymentServiceHandler(handler{s.state}, s.Server.HandlerOptions(validators...)...)
	s.Server.Handle(paymentsv1connect.PaymentServiceName, path, h)
	return s, nil
}

// work runs the exactly-once loop orders → payments.
func (s *Service) work(ctx context.Context) error {
	opts := stream.TransformOptions{
		Group: s.cfg.Group, TransactionalID: s.cfg.TransactionalID, Linger: s.cfg.BatchLinger,
		TransactionTimeout: s.cfg.TransactionTimeout,
		// Payments committed by earlier owners of these partitions are
		// known before their orders are seen again.
		OnAssign:     s.SyncOnAssign(assigned),
		BeforeCommit: s.BeforeCommit(), OnDeadLetter: s.CountDeadLetter,
		Stall: s.WatchGroup(),
	}
	return stream.RunTransform(ctx, s.Kafka(), opts, s.Topics.Orders, s.state.ResetPending, s.authorize)
}

// authorize decides one order; a redelivered order yields nothing.
func (s *Service) authorize(ctx context.Context, rec stream.Record[*ordersv1.Order]) ([]*stream.Message, error) {
	o, err := events.OrderOf(rec)
	if err != nil {
		return nil, err
	}
	if !s.state.Claim(o.GetOrderId()) {
		s.Stats.Add("orders.duplicate", 1)
		return nil, nil
	}
	p := s.cfg.Rules.Decide(o, s.customers.Get(o.GetCustomerId()), s.now())
	msg, err := s.Topics.Payments.Message(o.GetOrderId(), p)
	if err != nil {
		return nil, err
	}
	s.count(ctx, p)
	return []*stream.Message{msg}, nil
}

func (s *Service) count(ctx context.Context, p *paymentsv1.Payment) {
	if p.Status == paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED {
		s.Stats.Add("payments.authorized", 1)
	} else {
		s.Stats.Add("payments.declined", 1)
	}
	s.Log.DebugContext(ctx, "payment decided", "order_id", p.OrderId, "status", p.Status.String(),
		"reason", p.DeclineReason.String(), "amount_minor", p.AmountMinor, "currency", p.Currency)
}
