package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// LatencyResult is the time from an order's publication to its payment
// being readable by a read_committed consumer, over every order.
type LatencyResult struct {
	Rate          int
	Orders        int
	P50, P99, Max time.Duration
}

func (r LatencyResult) String() string {
	return fmt.Sprintf("%-32s %8d orders at %d/s: p50 %s, p99 %s, max %s", "order → committed payment",
		r.Orders, r.Rate, r.P50.Round(100*time.Microsecond), r.P99.Round(100*time.Microsecond), r.Max.Round(time.Millisecond))
}

// Latency runs payment, fraud and analytics, offers n orders at a fixed
// rate per second, and measures each order's latency to its committed
// payment.
func Latency(ctx context.Context, env *Env, n, rate int) (LatencyResult, error) {
	topics, msgs, err := orders(env.Kafka, n)
	if err != nil {
		return LatencyResult{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	g := platform.NewGroup(sctx)
	defer func() { stop(); _ = g.Wait() }()
	if err := startServices(ctx, env, g); err != nil {
		return LatencyResult{}, err
	}
	var mu sync.Mutex
	sentAt := make(map[string]time.Time, n)
	latencies := make([]time.Duration, 0, n)
	payments, err := startCounter(ctx, env.Kafka, "bench-latency", events.PaymentsTopic, func(m *ckafka.Message) {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if at, ok := sentAt[string(m.Key)]; ok { // payments are keyed by order id
			latencies = append(latencies, now.Sub(at))
		}
	})
	if err != nil {
		return LatencyResult{}, err
	}
	defer payments.stop()
	if err := offer(ctx, env.Kafka, topics, msgs, rate, func(id string, at time.Time) {
		mu.Lock()
		sentAt[id] = at
		mu.Unlock()
	}); err != nil {
		return LatencyResult{}, err
	}
	if err := payments.wait(ctx, n); err != nil {
		return LatencyResult{}, err
	}
	if err := payments.stop(); err != nil {
		return LatencyResult{}, fmt.Errorf("latency: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	if len(latencies) == 0 {
		return LatencyResult{}, fmt.Errorf("latency: no payment matched an order sent")
	}
	q := func(p float64) time.Duration { return latencies[min(int(p*float64(len(latencies))), len(latencies)-1)] }
	return LatencyResult{Rate: rate, Orders: len(latencies), P50: q(0.50), P99: q(0.99), Max: latencies[len(latencies)-1]}, nil
}

// offer produces msgs at rate per second, in ticks of 10 ms, calling sent
// with each order's id (its payment's key) just before it is produced.
func offer(ctx context.Context, cfg stream.Config, topics *events.Topics, msgs []*stream.Message, rate int, sent func(string, time.Time)) error {
	p, err := stream.NewProducer(cfg, "bench-offer", stream.Linger(0))
	if err != nil {
		return err
	}
	defer p.Close(context.Background())
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	for i, m := range msgs {
		for due := int(time.Since(start).Seconds() * float64(rate)); i >= due; due = int(time.Since(start).Seconds() * float64(rate)) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
		rec, err := topics.Orders.Decode(m)
		if err != nil {
			return fmt.Errorf("offer order %d: %w", i, err)
		}
		sent(rec.Value.GetOrderId(), time.Now())
		if err := p.Produce(m, nil); err != nil {
			return fmt.Errorf("offer order %d: %w", i, err)
		}
	}
	return p.Flush(ctx)
}
