// Package gateway is the REST/JSON front of the platform: grpc-gateway
// handlers, generated from the HTTP rules in http_rules.yaml, translate
// JSON requests into gRPC calls to each service's Connect endpoint (which
// speaks gRPC over h2c). It also serves the OpenAPI document at
// /openapi.json, and /healthz and /readyz.
package gateway

import (
	"context"
	"crypto/tls"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/telemetry"
)

// OpenAPI is the generated OpenAPI (Swagger 2.0) document of every route.
//
//go:embed openapi/orders.swagger.json
var OpenAPI []byte

// DefaultListen is the gateway's default address.
const DefaultListen = "127.0.0.1:8080"

// Config configures the gateway.
type Config struct {
	Listen        string
	OrderURL      string
	PaymentURL    string
	FraudURL      string
	AnalyticsURL  string
	DeadLetterURL string
	// AllowedOrigins are the web origins (scheme://host[:port]) besides the
	// gateway's own whose pages may call it from a browser.
	AllowedOrigins []string
	// TLS is the gateway's own certificate; Backend how it trusts (and
	// authenticates to) https:// services.
	TLS     rpc.TLS
	Backend rpc.ClientTLS
	platform.Logging
}

// Register adds the gateway's options.
func (c *Config) Register(s *config.Set) {
	s.String(&c.Listen, "listen-addr", DefaultListen, "address to serve REST/JSON, /openapi.json, health and readiness on")
	s.String(&c.OrderURL, "order-service-url", "http://127.0.0.1:7001", "order-producer's RPC endpoint (http:// for h2c, https:// for TLS)")
	s.String(&c.PaymentURL, "payment-service-url", "http://127.0.0.1:7002", "payment-service's RPC endpoint")
	s.String(&c.FraudURL, "fraud-service-url", "http://127.0.0.1:7003", "fraud-service's RPC endpoint")
	s.String(&c.AnalyticsURL, "analytics-service-url", "http://127.0.0.1:7004", "analytics-service's RPC endpoint")
	s.String(&c.DeadLetterURL, "dead-letter-service-url", "http://127.0.0.1:7007", "dead-letter-service's RPC endpoint")
	c.TLS.Register(s)
	c.Backend.Register(s, "backend", "services")
	s.List(&c.AllowedOrigins, "allowed-origins", nil, "web origins (scheme://host[:port]) besides the gateway's own whose pages may call it from a browser")
	c.Logging.Register(s)
}

// Gateway is a wired gateway; Run serves it.
type Gateway struct {
	cfg      Config
	log      *slog.Logger
	conns    []*grpc.ClientConn
	backends map[string]*grpc.ClientConn
	handler  http.Handler
	// Telemetry holds the gateway's meter and tracer providers.
	Telemetry *telemetry.Telemetry
	// serverTLS is the gateway's own TLS configuration; nil serves
	// cleartext HTTP/1.1 and h2c.
	serverTLS *tls.Config
	// Listener, when set before Run, is served instead of Config.Listen.
	Listener net.Listener
}

// New dials the services (lazily: a service that is down yet only fails
// its own routes) and builds the HTTP handler.
// Its calls to the services carry the trace context of the request.
func New(ctx context.Context, cfg Config, log *slog.Logger, opts ...telemetry.Option) (*Gateway, error) {
	g := &Gateway{cfg: cfg, log: log, backends: map[string]*grpc.ClientConn{}}
	tel, err := telemetry.New(ctx, "gateway", opts...)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.Telemetry = tel
	traced := grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tel.Tracer),
		otelgrpc.WithMeterProvider(tel.Meter), otelgrpc.WithPropagators(propagation.TraceContext{})))
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.HTTPBodyMarshaler{Marshaler: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}}),
	)
	register := []struct {
		name, url string
		reg       func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
	}{
		{"orders.v1.OrderService", cfg.OrderURL, ordersv1.RegisterOrderServiceHandler},
		{"payments.v1.PaymentService", cfg.PaymentURL, paymentsv1.RegisterPaymentServiceHandler},
		{"fraud.v1.FraudService", cfg.FraudURL, fraudv1.RegisterFraudServiceHandler},
		{"analytics.v1.AnalyticsService", cfg.AnalyticsURL, analyticsv1.RegisterAnalyticsServiceHandler},
		{"deadletters.v1.DeadLetterService", cfg.DeadLetterURL, deadlettersv1.RegisterDeadLetterServiceHandler},
	}
	backendTLS, err := cfg.Backend.Config()
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if cfg.TLS.Enabled() {
		if g.serverTLS, err = cfg.TLS.ServerConfig(); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	for _, r := range register {
		conn, err := dial(r.url, backendTLS, traced)
		if err != nil {
			g.close()
			return nil, fmt.Errorf("gateway: %s at %q: %w", r.name, r.url, err)
		}
		g.conns = append(g.conns, conn)
		g.backends[r.name] = conn
		if err := r.reg(ctx, mux, conn); err != nil {
			g.close()
			return nil, fmt.Errorf("gateway: register %s: %w", r.name, err)
		}
	}
	root := http.NewServeMux()
	root.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(OpenAPI)
	})
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	root.HandleFunc("GET /readyz", g.readyz)
	root.Handle("GET /metrics", tel.Metrics())
	root.Handle("/", browserSafe(limitBody(mux, rpc.MaxRequestBytes), cfg.AllowedOrigins))
	g.handler = otelhttp.NewHandler(root, "gateway", otelhttp.WithTracerProvider(tel.Tracer),
		otelhttp.WithMeterProvider(tel.Meter), otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path }))
	return g, nil
}

// dial connects to a service URL: http://host:port over cleartext HTTP/2,
// https://host:port over TLS with tlsCfg.
func dial(raw string, tlsCfg *tls.Config, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("want a URL like http://host:port or https://host:port, got %q", raw)
	}
	var creds credentials.TransportCredentials
	switch u.Scheme {
	case "http":
		creds = insecure.NewCredentials()
	case "https":
		creds = credentials.NewTLS(tlsCfg)
	default:
		return nil, fmt.Errorf("want an http:// (h2c) or https:// endpoint, got %q", raw)
	}
	conn, err := grpc.NewClient("dns:///"+u.Host, append(opts, grpc.WithTransportCredentials(creds))...)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	return conn, nil
}

// limitBody rejects request bodies over limit with 413.
func limitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, 8, "request body too large")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// readyz is ready when every service answers its gRPC health check.
func (g *Gateway) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var notReady []string
	for name, conn := range g.backends {
		res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: name})
		if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			notReady = append(notReady, name)
		}
	}
	if len(notReady) > 0 {
		http.Error(w, "not ready: "+strings.Join(notReady, ", "), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Handler is the gateway's HTTP handler.
func (g *Gateway) Handler() http.Handler { return g.handler }

// Run serves until ctx ends, then closes the connections to the services.
func (g *Gateway) Run(ctx context.Context) error {
	defer g.close()
	ln := g.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", g.cfg.Listen); err != nil {
			return fmt.Errorf("gateway: listen on %s: %w", g.cfg.Listen, err)
		}
	}
	srv := rpc.NewHTTPServer(g.handler)
	srv.TLSConfig = g.serverTLS
	g.log.Info("serving REST/JSON", "addr", ln.Addr().String(), "tls", srv.TLSConfig != nil, "openapi", "/openapi.json")
	if err := rpc.ServeHTTP(ctx, srv, ln, 10*time.Second); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

func (g *Gateway) close() {
	for _, c := range g.conns {
		_ = c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := g.Telemetry.Shutdown(ctx); err != nil {
		g.log.Warn("gateway telemetry", "error", err)
	}
}
