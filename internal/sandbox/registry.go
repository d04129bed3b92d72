package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// Registry is an in-process Schema Registry speaking the Confluent REST API.
// It does not check compatibility; `buf breaking` does that for the contracts.
type Registry struct {
	srv *http.Server
	ln  net.Listener
	reg *srfake.Registry
	err chan error
}

// StartRegistry serves a registry on 127.0.0.1:port (0 picks a free port).
func StartRegistry(port int) (*Registry, error) {
	ln, err := loopbackListen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("start schema registry: %w", err)
	}
	r := &Registry{
		ln:  ln,
		reg: srfake.NewRegistry(),
		err: make(chan error, 1),
	}
	r.srv = &http.Server{Handler: r.reg.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { r.err <- r.srv.Serve(ln) }()
	return r, nil
}

// URL returns the registry's base URL.
func (r *Registry) URL() string { return "http://" + r.ln.Addr().String() }

// Fake exposes the underlying registry for inspection in tests.
func (r *Registry) Fake() *srfake.Registry { return r.reg }

// Close stops serving and waits for the server to finish.
func (r *Registry) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop schema registry: %w", err)
	}
	if err := <-r.err; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("schema registry: %w", err)
	}
	return nil
}

func loopbackListen(network, address string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", address, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		address = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", address, err)
	}
	return ln, nil
}
