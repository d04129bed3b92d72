package platform

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/kafka-enterprise-orders/orders/internal/auth"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/store"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
)

// Common are the options of every service.
type Common struct {
	Kafka  stream.Config
	Listen string       // address of the RPC and health endpoints
	Views  store.Limits // bounds of the query views
	Auth   auth.Config  // bearer tokens the RPCs require
	TLS    rpc.TLS      // the RPC endpoint's certificate
	// InsecureNoAuth allows serving RPCs without authentication on an
	// address other than loopback.
	InsecureNoAuth bool
	// Reflection serves gRPC server reflection.
	Reflection bool
	Logging
}

// DefaultCommon returns the common options' defaults, with listen as the
// RPC address.
func DefaultCommon(listen string) Common {
	return Common{Kafka: stream.DefaultConfig(), Listen: listen, Logging: Logging{LogLevel: "info", LogFormat: "text"}}
}

// CommonOptions returns the common options, for code that holds a
// service's whole configuration.
func (c *Common) CommonOptions() *Common { return c }

// Register adds the common options; defaultListen is the service's default
// RPC address.
func (c *Common) Register(s *config.Set, defaultListen string) {
	c.Kafka.Register(s)
	s.String(&c.Listen, "listen-addr", defaultListen, "address to serve RPCs, health and readiness on")
	c.Auth.Register(s)
	c.TLS.Register(s)
	s.Bool(&c.InsecureNoAuth, "insecure-no-auth", false, "serve RPCs without authentication on an address other than loopback")
	s.Bool(&c.Reflection, "reflection", false, "serve gRPC server reflection (buf curl --list-methods, grpcurl)")
	s.Int(&c.Views.Items, "view-items", store.DefaultLimits.Items, "most items a query view keeps (orders, payments, fraud alerts); the oldest beyond it are evicted and answer NotFound")
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
	log := slog.New(telemetry.LogHandler(h)) // lines logged with a traced context carry its trace_id
	if service != "" {
		log = log.With("service", service)
	}
	return log, nil
}
