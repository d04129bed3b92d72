// Package platform is the runtime every service is built on: the options
// every service shares (Kafka, listen address, logging), and Base, which
// opens the topics, creates the ones the service owns, serves the RPC
// endpoint, runs the lookup tables and the service's workers, tracks
// readiness, logs a periodic summary and shuts everything down together.
// Options go through New (Owns, WaitsFor, WithListener, ...).
//
// A service reads: config → platform.New (wiring) → its Kafka loop →
// its RPC handler → its state.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/auth"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
)

// Base holds a service's shared machinery.
type Base struct {
	Name   string
	Common Common
	Log    *slog.Logger
	Topics *events.Topics
	Server *rpc.Server
	Ready  *Readiness
	Stats  *Stats
	// Telemetry holds the service's meter and tracer providers.
	Telemetry *telemetry.Telemetry
	// Tables are run for the life of the service and synced by SyncTables.
	Tables stream.TableSet

	opts         options
	tablesSynced atomic.Bool // set once the tables first caught up
	workers      []worker
	closers      []func(context.Context) error
}

type worker struct {
	name string
	fn   func(context.Context) error
}

// New opens the topics and creates those the service owns (Owns), with
// their dead-letter topics.
func New(ctx context.Context, name string, common Common, log *slog.Logger, opts ...Option) (*Base, error) {
	o := newOptions(opts)
	common.Kafka.ClientID = name
	common.Kafka.Logger = log
	topics, err := events.Open(common.Kafka)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(o.owned) > 0 {
		if err := stream.EnsureTopics(ctx, common.Kafka, true, o.owned...); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	b := &Base{
		Name: name, Common: common, Log: log, Topics: topics,
		Server: rpc.NewServer(log), Ready: NewReadiness(o.conditions...), Stats: NewStats(), opts: o,
	}
	b.Server.SetReady(b.Ready.Check)
	if err := b.instrument(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := b.secure(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// secure turns on TLS, authentication and reflection as configured, and
// refuses to serve unauthenticated RPCs beyond loopback unless told to.
func (b *Base) secure(ctx context.Context) error {
	if b.Common.Reflection {
		b.Server.EnableReflection()
	}
	if b.Common.TLS.Enabled() {
		cfg, err := b.Common.TLS.ServerConfig()
		if err != nil {
			return err
		}
		b.Server.ServeTLS(cfg)
	}
	if b.Common.Auth.Enabled() {
		v, err := auth.NewVerifier(ctx, b.Common.Auth)
		if err != nil {
			return err
		}
		b.Server.Authenticate(auth.Interceptor(v))
		return nil
	}
	addr := b.Common.Listen
	if b.opts.listener != nil {
		addr = b.opts.listener.Addr().String()
	}
	if addr != "" && !loopback(addr) && !b.Common.InsecureNoAuth {
		return fmt.Errorf("refusing to serve RPCs on %s without authentication: set --auth-jwks-url or --auth-jwks-file (with --auth-issuer), listen on loopback, or pass --insecure-no-auth", addr)
	}
	return nil
}

// loopback reports whether addr (host:port) only listens on loopback.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BeforeCommit is the hook given by WithBeforeCommit, or nil: services
// pass it to their exactly-once loops.
func (b *Base) BeforeCommit() func(ctx context.Context, batch int) error {
	return b.opts.beforeCommit
}

// CheckReady returns nil once the service is ready, else why not.
func (b *Base) CheckReady() error { return b.Ready.Check() }

// Kafka returns the service's Kafka config (client id and logger set).
func (b *Base) Kafka() stream.Config { return b.Common.Kafka }

// Go adds a worker that runs for the life of the service.
func (b *Base) Go(name string, fn func(context.Context) error) {
	b.workers = append(b.workers, worker{name, fn})
}

// OnClose adds a clean-up step run after every worker stopped.
func (b *Base) OnClose(fn func(context.Context) error) { b.closers = append(b.closers, fn) }

// NewProducer returns an idempotent producer closed with the service.
func (b *Base) NewProducer(role string, opts ...stream.ProducerOption) (*stream.Producer, error) {
	p, err := stream.NewProducer(b.Kafka(), role, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name, err)
	}
	b.OnClose(p.Close)
	return p, nil
}

// WatchGroup returns a stall watch for one of the service's consumer
// groups; while it reports a stall the service is not ready.
func (b *Base) WatchGroup() *stream.StallWatch {
	w := stream.NewStallWatch(b.Kafka().StallTimeout)
	b.Ready.Require(w.Err)
	return w
}

// SyncTablesThen returns a worker that waits until every table caught up,
// marks condition done and logs msg.
func (b *Base) SyncTablesThen(condition string) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := b.Tables.Sync(ctx); err != nil {
			return err
		}
		b.tablesSynced.Store(true)
		b.Ready.Done(condition)
		b.Log.Info(condition)
		return nil
	}
}

// Handler serves the service's RPCs, health and reflection.
func (b *Base) Handler() http.Handler { return b.Server.Handler() }

// Run runs tables, workers, the summary log and (when an address is
// configured) the RPC server until ctx ends or one of them fails, then
// closes what the service opened.
func (b *Base) Run(ctx context.Context) error {
	g := NewGroup(ctx)
	for _, t := range b.Tables {
		g.Go("table "+t.Name(), t.Run)
	}
	for _, w := range b.workers {
		g.Go(w.name, w.fn)
	}
	switch {
	case b.opts.listener != nil:
		g.Go("rpc", func(ctx context.Context) error { return b.Server.ServeListener(ctx, b.opts.listener) })
	case b.Common.Listen != "":
		g.Go("rpc", func(ctx context.Context) error { return b.Server.Serve(ctx, b.Common.Listen) })
	}
	g.Go("summary", func(ctx context.Context) error { return b.Stats.LogEvery(ctx, b.Log, b.opts.summaryEvery) })
	b.Log.Info("started")
	err := g.Wait()
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := len(b.closers) - 1; i >= 0; i-- {
		if cerr := b.closers[i](cctx); cerr != nil && err == nil {
			err = cerr
		}
	}
	b.Log.Info("stopped", "error", err)
	return err
}

// CountDeadLetter is the services' OnDeadLetter hook: it counts dead
// letters in the summary, and apart those written without their value.
func (b *Base) CountDeadLetter(dl *stream.Message) {
	b.Stats.Add("dead-letters", 1)
	if dl.Header(stream.HeaderValueDropped) != "" {
		b.Stats.Add("dead-letters.value-dropped", 1)
	}
}

// SyncOnAssign returns a stream.TransformOptions.OnAssign hook: before newly
// assigned partitions are processed, every table catches up (so state
// committed by their earlier owner is known), then condition is marked done.
func (b *Base) SyncOnAssign(condition string) func(context.Context, []stream.Partition) error {
	return func(ctx context.Context, _ []stream.Partition) error {
		if err := b.Tables.Sync(ctx); err != nil {
			return err
		}
		b.Ready.Done(condition)
		return nil
	}
}
