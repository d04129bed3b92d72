// Package app holds what every service process shares: the common options
// (Kafka, Schema Registry, listen address, logging), logger set-up, and
// running a group of long-lived workers that stop together.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/kafka"
)

// Common are the options of every service.
type Common struct {
	Kafka  kafka.Config
	Listen string // address of the RPC and health endpoints
	Logging
}

// Register adds the common options; defaultListen is the service's default
// RPC address.
func (c *Common) Register(s *config.Set, defaultListen string) {
	c.Kafka.Register(s)
	s.String(&c.Listen, "listen-addr", defaultListen, "address to serve RPCs, health and readiness on")
	c.Logging.Register(s)
}

// Logging are the logging options of every command.
type Logging struct {
	LogLevel  string
	LogFormat string
}

// LoggingOptions returns the logging options, for code that holds a
// service's whole configuration.
func (c *Logging) LoggingOptions() *Logging { return c }

// Register adds --log-level and --log-format.
func (c *Logging) Register(s *config.Set) {
	s.String(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	s.String(&c.LogFormat, "log-format", "text", "log format: text or json")
}

// Logger builds the service's logger writing to w.
func (c *Logging) Logger(w io.Writer, service string) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(c.LogFormat) {
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
	log := slog.New(h)
	if service != "" {
		log = log.With("service", service)
	}
	return log, nil
}

// Group runs workers until the first one fails or ctx ends, then cancels the
// rest and waits for all of them. A worker that returns nil is done; the
// others carry on.
type Group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// NewGroup returns a group whose workers stop when ctx ends.
func NewGroup(ctx context.Context) *Group {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{ctx: ctx, cancel: cancel}
}

// Context is cancelled when any worker fails or the parent ends.
func (g *Group) Context() context.Context { return g.ctx }

// Go starts a named worker.
func (g *Group) Go(name string, fn func(context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := fn(g.ctx)
		if err == nil || errors.Is(err, context.Canceled) {
			return // done; the others carry on
		}
		g.mu.Lock()
		g.errs = append(g.errs, fmt.Errorf("%s: %w", name, err))
		g.mu.Unlock()
		g.cancel()
	}()
}

// Wait waits for every worker and returns their errors joined.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel()
	g.mu.Lock()
	defer g.mu.Unlock()
	return errors.Join(g.errs...)
}
