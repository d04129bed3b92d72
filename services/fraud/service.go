package fraud

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	"github.com/kafka-enterprise-orders/orders/gen/fraud/v1/fraudv1connect"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

const (
	restored = "alerts and customers restored"
	assigned = "consumer assigned"
)

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "fraud-service"

// Service is a wired fraud-service; Run starts it.
type Service struct {
	*platform.Base
	cfg       Config
	rules     RuleSet
	engine    *Engine
	alerts    *store.Recent[*fraudv1.FraudAlert]
	customers *customers.Lookup
}

// New wires the service.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	rules, err := cfg.LoadRules()
	if err != nil {
		return nil, err
	}
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(stream.TopicSpec{Name: events.OrdersTopic}, stream.TopicSpec{Name: events.FraudAlertsTopic}, stream.TopicSpec{Name: events.CustomersTopic, Compact: true}),
		platform.WaitsFor(restored, assigned),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	s := &Service{Base: base, cfg: cfg, rules: rules, alerts: store.NewRecent[*fraudv1.FraudAlert](cfg.Views), customers: customers.NewLookup(log)}
	s.Tables = stream.TableSet{
		stream.NewTable(base.Kafka(), base.Topics.FraudAlerts, func(r stream.Record[*fraudv1.FraudAlert]) {
			if !r.Tombstone {
				s.alerts.Put(r.Value.GetOrderId(), r.Value)
			}
		}),
		s.customers.Table(base.Kafka(), base.Topics),
	}
	s.Go("restore", s.SyncTablesThen(restored))
	s.Go("scoring", s.work)
	path, h := fraudv1connect.NewFraudServiceHandler(handler{alerts: s.alerts, rules: rules.Describe()}, s.Server.HandlerOptions(validators...)...)
	s.Server.Handle(fraudv1connect.FraudServiceName, path, h)
	return s, nil
}

// work runs the loop orders → fraud-alerts in transactions, so that an
// alert is published once per order even across restarts.
func (s *Service) work(ctx context.Context) error {
	synced := s.SyncOnAssign(assigned)
	opts := stream.TransformOptions{
		Group: s.cfg.Group, TransactionalID: s.cfg.TransactionalID, BeforeCommit: s.BeforeCommit(), OnDeadLetter: s.CountDeadLetter,
		Stall: s.WatchGroup(),
		OnAssign: func(ctx context.Context, parts []stream.Partition) error {
			if err := s.recall(ctx, parts); err != nil {
				return err
			}
			return synced(ctx, parts)
		},
	}
	reset := func() { s.engine = NewEngine(s.rules) }
	return stream.RunTransform(ctx, s.Kafka(), opts, s.Topics.Orders, reset, s.score)
}

// recall rebuilds the velocity history of the assigned partitions from the
// orders this group scored within the last window. Orders are keyed by
// customer, so the partitions hold every order of their customers: the
// history is as complete as if this worker had scored them itself.
func (s *Service) recall(ctx context.Context, parts []stream.Partition) error {
	if !s.rules.Velocity.Enabled {
		return nil
	}
	lookback := time.Duration(s.rules.Velocity.Window) + time.Minute // and the producers' clock skew
	n, err := stream.Replay(ctx, s.Kafka(), s.cfg.Group, s.Topics.Orders, parts, lookback, func(r stream.Record[*ordersv1.Order]) {
		if !r.Tombstone && events.ValidateOrder(r.Value) == nil {
			s.engine.Recall(r.Value)
		}
	})
	if err != nil {
		return fmt.Errorf("velocity history: %w", err)
	}
	s.Log.Info("velocity history recalled", "orders", n, "partitions", len(parts))
	return nil
}

// score evaluates one order and returns its alert, if any.
func (s *Service) score(_ context.Context, rec stream.Record[*ordersv1.Order]) ([]*stream.Message, error) {
	o, err := events.OrderOf(rec)
	if err != nil {
		return nil, err
	}
	s.Stats.Add("orders.scored", 1)
	alert := s.engine.Evaluate(o, s.customers.Get(o.GetCustomerId()))
	if alert == nil {
		return nil, nil
	}
	msg, err := s.Topics.FraudAlerts.Message(o.GetOrderId(), alert)
	if err != nil {
		return nil, err
	}
	s.Stats.Add("alerts", 1)
	s.Log.Debug("fraud alert", "order_id", o.GetOrderId(), "score", alert.GetScore(), "rules", len(alert.GetRules()))
	return []*stream.Message{msg}, nil
}
