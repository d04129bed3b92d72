package orderproducer

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

const restored = "order view restored"

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "order-producer"

// Service is a wired order-producer; Run starts it.
type Service struct {
	*platform.Base
	cfg      Config
	view     *View
	producer *stream.Producer
}

// New wires the service: topics, producer, view tables and RPC handler.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(stream.TopicSpec{Name: events.OrdersTopic}, stream.TopicSpec{Name: events.PaymentsTopic}, stream.TopicSpec{Name: events.FraudAlertsTopic}),
		platform.WaitsFor(restored),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	producer, err := base.NewProducer("orders")
	if err != nil {
		return nil, err
	}
	s := &Service{Base: base, cfg: cfg, view: NewView(cfg.Views), producer: producer}
	k, t := base.Kafka(), base.Topics
	s.Tables = stream.TableSet{
		stream.NewTable(k, t.Orders, s.view.ApplyOrder),
		stream.NewTable(k, t.Payments, s.view.ApplyPayment),
		stream.NewTable(k, t.FraudAlerts, s.view.ApplyAlert),
	}
	s.Go("restore", s.SyncTablesThen(restored))
	if period, on := cfg.period(); on {
		s.Go("generator", func(ctx context.Context) error { return s.generate(ctx, period) })
	}
	h := &handler{
		view: s.view, restored: func() bool { return s.Ready.Met(restored) }, publish: stream.Publisher[*ordersv1.Order]{Producer: producer, Topic: t.Orders},
		now: time.Now, stats: s.Stats, inFlight: map[string]chan struct{}{},
	}
	path, hh := ordersv1connect.NewOrderServiceHandler(h, s.Server.HandlerOptions(validators...)...)
	s.Server.Handle(ordersv1connect.OrderServiceName, path, hh)
	return s, nil
}

// generate publishes synthetic orders every period (0: flat out) until ctx
// ends or Count orders were sent.
func (s *Service) generate(ctx context.Context, period time.Duration) error {
	// The run id (start time, base 36) keeps order ids unique across restarts.
	gen := NewGenerator(s.cfg.Seed, s.cfg.Customers, strconv.FormatInt(time.Now().Unix(), 36))
	var tick <-chan time.Time
	if period > 0 {
		t := time.NewTicker(period)
		defer t.Stop()
		tick = t.C
	}
	s.Log.Info("generating synthetic orders", "every", period, "count", s.cfg.Count)
	for n := 0; s.cfg.Count == 0 || n < s.cfg.Count; n++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				return nil
			case <-tick:
			}
		} else if ctx.Err() != nil {
			return nil
		}
		if err := s.publishSynthetic(ctx, gen.Next(time.Now())); err != nil {
			return err
		}
	}
	if err := s.producer.Flush(ctx); err != nil {
		return err
	}
	s.Log.Info("synthetic generator done", "count", s.cfg.Count)
	<-ctx.Done() // the service keeps answering queries
	return nil
}

// publishSynthetic sends one generated order, which starts its trace.
func (s *Service) publishSynthetic(ctx context.Context, o *ordersv1.Order) error {
	ctx, span := s.Tracer().Start(ctx, "generate order", trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("order_id", o.OrderId)))
	defer span.End()
	msg, err := s.Topics.Orders.Message(o.CustomerId, o)
	if err != nil {
		return fmt.Errorf("synthetic order: %w", err)
	}
	stream.InjectTrace(ctx, msg)
	if err := s.producer.Produce(msg, s.delivered(o)); err != nil {
		return fmt.Errorf("publish synthetic order: %w", err)
	}
	return nil
}

func (s *Service) delivered(o *ordersv1.Order) stream.DeliveryFunc {
	return func(_ *stream.Message, err error) {
		if err != nil {
			s.Stats.Add("orders.failed", 1)
			s.Log.Warn("synthetic order not delivered", "order_id", o.OrderId, "error", err)
			return
		}
		s.Stats.Add("orders.synthetic", 1)
		s.Log.Debug("order placed", "order_id", o.OrderId, "customer_id", o.CustomerId,
			"country", o.Country, "amount_minor", o.AmountMinor, "currency", o.Currency)
	}
}
