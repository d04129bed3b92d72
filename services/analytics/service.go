package analytics

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/gen/analytics/v1/analyticsv1connect"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/broadcast"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

const (
	restored = "country statistics restored"
	assigned = "consumers assigned"
)

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "analytics-service"

// Service is a wired analytics-service; Run starts it.
type Service struct {
	*platform.Base
	cfg     Config
	work    *Aggregates
	view    *store.Sorted[*analyticsv1.CountryStats]
	updates *broadcast.Hub[*analyticsv1.CountryStats]
	now     func() time.Time
	// traces holds, per country the batch changed, the trace of the last
	// order counted: its statistics record continues that trace. Owned by
	// the aggregate loop.
	traces map[string]trace.SpanContext
}

// New wires the service.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(stream.TopicSpec{Name: events.OrdersTopic},
			stream.TopicSpec{Name: events.OrdersByCountryTopic},
			stream.TopicSpec{Name: events.OrderAnalyticsTopic, Compact: true}),
		platform.WaitsFor(restored, assigned),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	s := &Service{
		Base: base, cfg: cfg, work: NewAggregates(), view: store.NewSorted[*analyticsv1.CountryStats](),
		updates: broadcast.NewHub[*analyticsv1.CountryStats](), now: time.Now,
		traces: map[string]trace.SpanContext{},
	}
	s.Tables = stream.TableSet{stream.NewTable(base.Kafka(), base.Topics.OrderAnalytics, s.applyStats)}
	s.Go("restore", s.SyncTablesThen(restored))
	s.Go("repartition", s.repartition)
	s.Go("aggregate", s.aggregate)
	// Watch streams end as soon as the service stops, so that the RPC
	// server's graceful shutdown does not wait for them.
	s.Go("watchers", func(ctx context.Context) error {
		<-ctx.Done()
		s.updates.Close()
		return nil
	})
	path, h := analyticsv1connect.NewAnalyticsServiceHandler(handler{view: s.view, updates: s.updates}, s.Server.HandlerOptions(validators...)...)
	s.Server.Handle(analyticsv1connect.AnalyticsServiceName, path, h)
	return s, nil
}

// applyStats feeds the query view and the watchers from `order-analytics`.
func (s *Service) applyStats(rec stream.Record[*analyticsv1.CountryStats]) {
	if rec.Tombstone {
		s.view.Delete(rec.Key)
		return
	}
	s.view.Put(rec.Value.GetCountry(), rec.Value)
	s.updates.Publish(rec.Value)
}

// repartition is stage one: orders (keyed by customer) → orders keyed by
// country, validated, in transactions.
func (s *Service) repartition(ctx context.Context) error {
	opts := stream.TransformOptions{
		Group: s.cfg.Group + "-repartition", TransactionalID: s.cfg.TransactionalID + "-repartition",
		BeforeCommit: s.BeforeCommit(), OnDeadLetter: s.CountDeadLetter, Stall: s.WatchGroup(),
	}
	return stream.RunTransform(ctx, s.Kafka(), opts, s.Topics.Orders, nil,
		func(_ context.Context, rec stream.Record[*ordersv1.Order]) ([]*stream.Message, error) {
			o, err := events.OrderOf(rec)
			if err != nil {
				return nil, err
			}
			msg, err := s.Topics.OrdersByCountry.Message(o.GetCountry(), o)
			if err != nil {
				return nil, err
			}
			return []*stream.Message{msg}, nil
		})
}

// aggregate is stage two: orders by country → updated country statistics,
// in transactions, with the state restored from `order-analytics` on every
// assignment.
func (s *Service) aggregate(ctx context.Context) error {
	sync := s.SyncOnAssign(assigned)
	opts := stream.TransformOptions{
		Group: s.cfg.Group, TransactionalID: s.cfg.TransactionalID,
		OnAssign: func(ctx context.Context, parts []stream.Partition) error {
			if err := sync(ctx, parts); err != nil {
				return err
			}
			s.work.Reset(s.view.All())
			return nil
		},
		EndBatch:     s.publishChanges,
		BeforeCommit: s.BeforeCommit(), OnDeadLetter: s.CountDeadLetter,
		Stall: s.WatchGroup(),
	}
	return stream.RunTransform(ctx, s.Kafka(), opts, s.Topics.OrdersByCountry, nil, s.count)
}

// count adds one order to its country's totals; the change is published
// at the end of the batch.
func (s *Service) count(ctx context.Context, rec stream.Record[*ordersv1.Order]) ([]*stream.Message, error) {
	o, err := events.OrderOf(rec)
	if err != nil {
		return nil, err
	}
	s.work.Add(o, s.now())
	s.traces[o.GetCountry()] = trace.SpanContextFromContext(ctx)
	return nil, nil
}

// publishChanges publishes, in the batch's transaction, the new statistics
// of every country the batch changed: one record per country per batch.
func (s *Service) publishChanges(context.Context) ([]*stream.Message, error) {
	changed, traces := s.work.Drain(), s.traces
	s.traces = map[string]trace.SpanContext{}
	out := make([]*stream.Message, 0, len(changed))
	for _, cs := range changed {
		msg, err := s.Topics.OrderAnalytics.Message(cs.GetCountry(), cs)
		if err != nil {
			return nil, err
		}
		if sc, ok := traces[cs.GetCountry()]; ok {
			stream.InjectTrace(trace.ContextWithSpanContext(context.Background(), sc), msg)
		}
		out = append(out, msg)
		s.Log.Debug("country statistics updated", "country", cs.GetCountry(), "orders", cs.GetOrderCount())
	}
	s.Stats.Add("analytics.updates", int64(len(out)))
	return out, nil
}

// Watchers returns the number of open WatchCountryStats streams.
func (s *Service) Watchers() int { return s.updates.Subscribers() }
