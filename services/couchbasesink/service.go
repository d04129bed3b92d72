package couchbasesink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/couchbase/gocb/v2"

	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// connected is the readiness condition met once the bucket answers KV.
const connected = "couchbase bucket connected"

// assigned is the readiness condition of one topic's consumer.
func assigned(topic string) string { return "consumer " + topic + " assigned" }

// Name is the service's name: its logs, Kafka client ids and health
// endpoint say it.
const Name = "couchbase-sink"

// Service is a wired couchbase-sink; Run starts it.
type Service struct {
	*platform.Base
	cfg     Config
	cluster *gocb.Cluster
	bucket  *gocb.Bucket
	coll    *gocb.Collection
	dlq     *stream.Producer
	metrics *writeMetrics
	// setUp is closed once bucket and coll are set and, with
	// --create-bucket, the keyspace exists; writes wait for it.
	setUp chan struct{}
}

// New wires the service. It connects lazily: an unreachable cluster or a
// missing bucket delays readiness and the writes, which are retried, rather
// than failing the start.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...platform.Option) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conditions := []string{connected}
	for _, t := range cfg.Topics {
		conditions = append(conditions, assigned(t))
	}
	base, err := platform.New(ctx, Name, cfg.Common, log, append([]platform.Option{
		platform.Owns(topicSpecs(cfg.Topics)...),
		platform.WaitsFor(conditions...),
	}, opts...)...)
	if err != nil {
		return nil, err
	}
	s := &Service{Base: base, cfg: cfg, setUp: make(chan struct{})}
	if s.metrics, err = newWriteMetrics(base.Meter(), cfg.Couchbase.Collection); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	if s.cluster, err = connect(cfg.Couchbase); err != nil {
		return nil, err
	}
	// Closers run after every worker stopped: no write is in flight.
	s.OnClose(func(context.Context) error { return s.cluster.Close(nil) })
	if !cfg.Couchbase.CreateBucket {
		// Otherwise connectBucket opens it once it exists.
		s.openBucket()
		close(s.setUp)
	}
	if s.dlq, err = s.NewProducer("dead-letters"); err != nil {
		_ = s.cluster.Close(nil)
		return nil, err
	}
	s.Go("couchbase", s.connectBucket)
	for _, t := range cfg.Topics {
		consume := sinkable[t].consumer(s.Topics)
		s.Go("sink "+t, func(ctx context.Context) error { return s.sink(ctx, t, consume) })
	}
	return s, nil
}

// connect opens the cluster; gocb dials in the background.
func connect(cb Couchbase) (*gocb.Cluster, error) {
	opts := gocb.ClusterOptions{Authenticator: gocb.PasswordAuthenticator{Username: cb.Username, Password: cb.Password}}
	if cb.CAFile != "" {
		tlsCfg, err := rpc.ClientTLS{CAFile: cb.CAFile}.Config()
		if err != nil {
			return nil, fmt.Errorf("couchbase-sink: --couchbase-ca: %w", err)
		}
		opts.SecurityConfig.TLSRootCAs = tlsCfg.RootCAs
	}
	cluster, err := gocb.Connect(cb.URL, opts)
	if err != nil {
		return nil, fmt.Errorf("couchbase-sink: connect to %s: %w", cb.URL, err)
	}
	return cluster, nil
}

// sink copies one topic into the collection until ctx ends.
func (s *Service) sink(ctx context.Context, topic string, consume consumeFunc) error {
	opts := stream.ConsumerOptions{
		Group:        s.cfg.Group,
		DeadLetters:  s.dlq,
		Stall:        s.WatchGroup(),
		OnDeadLetter: s.CountDeadLetter,
		OnAssign: func(context.Context, []stream.Partition) error {
			s.Ready.Done(assigned(topic))
			return nil
		},
	}
	err := consume(ctx, s.Kafka(), opts, s.write)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // stopped while retrying a write: the record was not committed
	}
	return err
}
