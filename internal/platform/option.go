package platform

import (
	"context"
	"net"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
)

// An Option configures New.
type Option func(*options)

type options struct {
	owned        []stream.TopicSpec
	conditions   []string
	listener     net.Listener
	summaryEvery time.Duration
	beforeCommit func(ctx context.Context, batch int) error
	telemetry    []telemetry.Option
}

// Owns names the topics the service creates (with their dead-letter
// topics) when they do not exist yet.
func Owns(specs ...stream.TopicSpec) Option {
	return func(o *options) { o.owned = append(o.owned, specs...) }
}

// WaitsFor names conditions readiness waits for (see Readiness).
func WaitsFor(conditions ...string) Option {
	return func(o *options) { o.conditions = append(o.conditions, conditions...) }
}

// WithListener serves the RPC endpoint on ln instead of listening on
// Common.Listen: the dev stack and tests bind their own ports.
func WithListener(ln net.Listener) Option {
	return func(o *options) { o.listener = ln }
}

// WithSummaryInterval sets how often the info-level summary line is
// logged; the default is DefaultSummaryInterval.
func WithSummaryInterval(d time.Duration) Option {
	return func(o *options) { o.summaryEvery = d }
}

// WithBeforeCommit runs fn inside every transaction of the service's
// exactly-once loops, just before its commit; an error abandons the
// transaction uncommitted, exactly as a crash would. It is the seam for
// fault injection in tests.
func WithBeforeCommit(fn func(ctx context.Context, batch int) error) Option {
	return func(o *options) { o.beforeCommit = fn }
}

// DefaultSummaryInterval is how often the summary line is logged unless
// WithSummaryInterval says otherwise.
const DefaultSummaryInterval = 10 * time.Second

func newOptions(opts []Option) options {
	o := options{summaryEvery: DefaultSummaryInterval}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
