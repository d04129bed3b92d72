// Package rpc serves a service's Connect-RPC handlers the same way
// everywhere: one HTTP/1.1 + h2c endpoint answering Connect, gRPC and
// gRPC-Web; optional gRPC server reflection (v1 and v1alpha), optional
// bearer-token authentication (package auth), and the gRPC health
// service; /healthz and /readyz; request validation; size limits; and
// graceful shutdown.
package rpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"golang.org/x/net/netutil"
)

// MaxRequestBytes bounds every request message, MaxResponseBytes every
// response message (a backstop: List pages stop at store.Limits.PageBytes).
const (
	MaxRequestBytes  = 1 << 20
	MaxResponseBytes = 16 << 20
)

// Server is a service's RPC endpoint.
type Server struct {
	mux      *http.ServeMux
	names    []string
	checker  *grpchealth.StaticChecker
	ready    atomic.Pointer[func() error]
	log      *slog.Logger
	shutdown time.Duration
	limits   connect.Interceptor // shared by every service mounted
	auth     connect.Interceptor // nil: calls are not authenticated
	observe  connect.Interceptor // nil: calls are not measured or traced
	reflect  bool
	tls      *tls.Config // nil: cleartext HTTP/1.1 and h2c

	once    sync.Once
	handler http.Handler
}

// NewServer returns a server with health endpoints and nothing else yet.
func NewServer(log *slog.Logger) *Server {
	s := &Server{mux: http.NewServeMux(), checker: grpchealth.NewStaticChecker(), log: log, shutdown: 10 * time.Second,
		limits: LimitInterceptor()}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", s.readyz)
	return s
}

// HandlerOptions returns the options every service handler is built with:
// error logging, the stream cap and unary deadline of LimitInterceptor,
// authentication when Authenticate was called, errors mapped to Connect codes, validation of requests
// by vs, size limits, and JSON that refuses unknown fields (see
// strictJSON).
func (s *Server) HandlerOptions(vs ...Validator) []connect.HandlerOption {
	var interceptors []connect.Interceptor
	if s.observe != nil {
		interceptors = append(interceptors, s.observe)
	}
	interceptors = append(interceptors, LoggingInterceptor(s.log), s.limits)
	if s.auth != nil {
		interceptors = append(interceptors, s.auth)
	}
	interceptors = append(interceptors, ErrorInterceptor(), ValidationInterceptor(vs...))
	return append([]connect.HandlerOption{
		connect.WithInterceptors(interceptors...),
		connect.WithReadMaxBytes(MaxRequestBytes),
		connect.WithSendMaxBytes(MaxResponseBytes),
	}, strictJSONCodecs()...)
}

// Handle mounts a generated Connect handler, e.g. the result of
// ordersv1connect.NewOrderServiceHandler, and registers its service name
// for reflection and health.
func (s *Server) Handle(serviceName, path string, h http.Handler) {
	s.mux.Handle(path, h)
	s.names = append(s.names, serviceName)
}

// Instrument makes every service mounted afterwards measure and trace its
// calls with i (otelconnect's), and serves metrics at GET /metrics, which,
// like /healthz, needs no token.
func (s *Server) Instrument(i connect.Interceptor, metrics http.Handler) {
	s.observe = i
	s.mux.Handle("GET /metrics", metrics)
}

// Authenticate makes every service mounted afterwards check its callers
// with i (see package auth).
func (s *Server) Authenticate(i connect.Interceptor) { s.auth = i }

// ServeTLS makes the server speak HTTPS (HTTP/2 and HTTP/1.1) with cfg.
func (s *Server) ServeTLS(cfg *tls.Config) { s.tls = cfg }

// EnableReflection serves gRPC server reflection (off by default: it
// tells anyone what the API holds).
func (s *Server) EnableReflection() { s.reflect = true }

// SetReady installs the readiness check behind /readyz and the gRPC health
// status: nil means ready.
func (s *Server) SetReady(check func() error) { s.ready.Store(&check) }

func (s *Server) readyErr() error {
	if check := s.ready.Load(); check != nil {
		return (*check)()
	}
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if err := s.readyErr(); err != nil {
		http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Handler returns the complete HTTP handler (RPCs, health, and reflection
// when enabled).
// Mount every service before the first call.
func (s *Server) Handler() http.Handler {
	s.once.Do(func() {
		if s.reflect {
			reflector := grpcreflect.NewStaticReflector(s.names...)
			s.mux.Handle(grpcreflect.NewHandlerV1(reflector))
			s.mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
		}
		s.mux.Handle(grpchealth.NewHandler(healthChecker{s}))
		s.handler = s.mux
	})
	return s.handler
}

// healthChecker reports SERVING only when ready.
type healthChecker struct{ s *Server }

func (h healthChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	known := req.Service == ""
	for _, n := range h.s.names {
		known = known || n == req.Service
	}
	if !known {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("unknown service %q", req.Service))
	}
	if h.s.readyErr() != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// Serve listens on addr until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener serves on ln until ctx ends, then shuts down gracefully.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := NewHTTPServer(s.Handler())
	srv.TLSConfig = s.tls
	s.log.Info("serving RPCs", "addr", ln.Addr().String(), "tls", s.tls != nil, "services", s.names)
	return ServeHTTP(ctx, srv, ln, s.shutdown)
}

// NewHTTPServer returns an http.Server speaking HTTP/1.1 and cleartext
// HTTP/2 (h2c), as gRPC clients need, that cuts off slow clients (see
// slowClientGuard and the timeouts in limits.go).
func NewHTTPServer(h http.Handler) *http.Server { return newHTTPServer(h, BodyTimeout, WriteTimeout) }

func newHTTPServer(h http.Handler, bodyTimeout, writeTimeout time.Duration) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true) // with a TLSConfig
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           slowClientGuard(h, bodyTimeout, writeTimeout),
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// ServeHTTP serves srv on ln (HTTPS when srv has a TLSConfig), at most
// MaxConnections at once, until ctx ends, then gives in-flight requests
// up to grace to finish. Streaming handlers end on their own when the
// service's context ends (see package broadcast).
func ServeHTTP(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() {
		ln := netutil.LimitListener(ln, MaxConnections)
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}
