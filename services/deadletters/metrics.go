package deadletters

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
)

// resolved counts the dead letters replayed and discarded, per source
// topic and consumer group.
type resolved struct {
	replayed, discarded metric.Int64Counter
}

func newResolved(m metric.Meter) (*resolved, error) {
	var r resolved
	var err error
	if r.replayed, err = m.Int64Counter("orders.dead_letters.replayed", metric.WithUnit("{record}"),
		metric.WithDescription("Dead letters replayed to their source topic, per source topic and consumer group.")); err != nil {
		return nil, fmt.Errorf("replayed counter: %w", err)
	}
	if r.discarded, err = m.Int64Counter("orders.dead_letters.discarded", metric.WithUnit("{record}"),
		metric.WithDescription("Dead letters discarded by an operator, per source topic and consumer group.")); err != nil {
		return nil, fmt.Errorf("discarded counter: %w", err)
	}
	return &r, nil
}

// count adds to c the letters whose transaction committed.
func count(ctx context.Context, c metric.Int64Counter, letters []letter, committed []*deadlettersv1.Outcome) {
	ok := make(map[string]bool, len(committed))
	for _, o := range committed {
		ok[o.GetId()] = true
	}
	for _, l := range letters {
		if ok[l.dl.GetId()] {
			c.Add(ctx, 1, metric.WithAttributes(attribute.String("topic", l.dl.GetSource()), attribute.String("consumer", l.dl.GetConsumer())))
		}
	}
}
