package pgsource

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pglogrepl"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// progress is what the CDC metrics report: how far the server's WAL is
// ahead of what Kafka acknowledged, and the snapshot's rows. The source
// updates it; the metrics reader reads it.
type progress struct {
	acks *acks
	slot string

	mu         sync.Mutex
	serverEnd  pglogrepl.LSN // the server's WAL end, from its keepalives and data
	lastCommit time.Time     // commit time of the last transaction received
	snapshot   metric.Int64Counter
}

// newProgress registers the CDC metrics of slot on m.
func newProgress(m metric.Meter, a *acks, slot string) (*progress, error) {
	p := &progress{acks: a, slot: slot}
	lagBytes, err := m.Int64ObservableGauge("orders.cdc.lag.bytes", metric.WithUnit("By"),
		metric.WithDescription("WAL bytes the server wrote that Kafka has not acknowledged yet."))
	if err != nil {
		return nil, fmt.Errorf("cdc lag gauge: %w", err)
	}
	lagTime, err := m.Float64ObservableGauge("orders.cdc.lag", metric.WithUnit("s"),
		metric.WithDescription("While WAL is waiting, the age of the last transaction received; 0 when caught up."))
	if err != nil {
		return nil, fmt.Errorf("cdc lag gauge: %w", err)
	}
	if p.snapshot, err = m.Int64Counter("orders.cdc.snapshot.rows", metric.WithUnit("{row}"),
		metric.WithDescription("Rows published by the initial snapshot of a new slot.")); err != nil {
		return nil, fmt.Errorf("snapshot counter: %w", err)
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		bytes, age := p.lag(time.Now())
		attrs := metric.WithAttributes(attribute.String("slot", p.slot))
		o.ObserveInt64(lagBytes, bytes, attrs)
		o.ObserveFloat64(lagTime, age.Seconds(), attrs)
		return nil
	}, lagBytes, lagTime)
	if err != nil {
		return nil, fmt.Errorf("cdc lag gauges: %w", err)
	}
	return p, nil
}

// lag returns the WAL bytes not acknowledged yet and, when there are any,
// the age of the last transaction received.
func (p *progress) lag(now time.Time) (int64, time.Duration) {
	safe, _ := p.acks.position()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.serverEnd <= safe {
		return 0, 0
	}
	var age time.Duration
	if !p.lastCommit.IsZero() {
		age = max(now.Sub(p.lastCommit), 0)
	}
	return int64(p.serverEnd - safe), age
}

// sawServerEnd records the server's WAL end.
func (p *progress) sawServerEnd(end pglogrepl.LSN) {
	p.mu.Lock()
	p.serverEnd = max(p.serverEnd, end)
	p.mu.Unlock()
}

// sawCommit records a transaction received.
func (p *progress) sawCommit(end pglogrepl.LSN, at time.Time) {
	p.mu.Lock()
	p.serverEnd = max(p.serverEnd, end)
	p.lastCommit = at
	p.mu.Unlock()
}
