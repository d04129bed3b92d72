package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/rpc"
)

// dashboard serves the web dashboard's files and, from the same origin
// (so the browser needs no CORS), the services' Connect APIs, and their
// readiness and metrics under /_services/<name>/. With tokens required, it
// adds the stack's development token to what it forwards: the dashboard
// is a development tool on loopback.
type dashboard struct {
	assets   fs.FS
	files    http.Handler
	index    []byte
	names    []string                          // services present, in display order
	backends map[string]*url.URL               // by service name
	apis     map[string]*httputil.ReverseProxy // by Connect service path prefix
	checks   map[string]*httputil.ReverseProxy // by service name
	token    string
}

// newDashboard builds the dashboard of st from the built app in assets.
func newDashboard(assets fs.FS, st *Stack, transport http.RoundTripper) (*dashboard, error) {
	index, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	d := &dashboard{assets: assets, files: http.FileServerFS(assets), index: index, backends: map[string]*url.URL{},
		apis: map[string]*httputil.ReverseProxy{}, checks: map[string]*httputil.ReverseProxy{}, token: st.Token}
	services := []struct{ name, url, api string }{
		{"order-producer", st.OrderURL, "orders.v1.OrderService"},
		{"payment-service", st.PaymentURL, "payments.v1.PaymentService"},
		{"fraud-service", st.FraudURL, "fraud.v1.FraudService"},
		{"analytics-service", st.AnalyticsURL, "analytics.v1.AnalyticsService"},
		{"dead-letter-service", st.DeadLetterURL, "deadletters.v1.DeadLetterService"},
		{"pg-source", st.PgSourceURL, ""},
		{"couchbase-sink", st.SinkURL, ""},
		{"gateway", st.GatewayURL, ""},
	}
	for _, s := range services {
		if s.url == "" {
			continue // not in this stack
		}
		u, err := url.Parse(s.url)
		if err != nil {
			return nil, fmt.Errorf("dashboard: %s at %q: %w", s.name, s.url, err)
		}
		d.names = append(d.names, s.name)
		d.backends[s.name] = u
		d.checks[s.name] = d.proxy(s.name, u, transport)
		if s.api != "" {
			d.apis["/"+s.api+"/"] = d.proxy(s.name, u, transport)
		}
	}
	return d, nil
}

// proxy forwards to u, streaming responses as they come, and answers 502
// naming the service when it cannot be reached.
func (d *dashboard) proxy(name string, u *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = u.Host
			if d.token != "" && r.Out.Header.Get("Authorization") == "" {
				r.Out.Header.Set("Authorization", "Bearer "+d.token)
			}
		},
		Transport:     transport,
		FlushInterval: -1, // server streams (WatchCountryStats) go out as they come
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, name+" is unavailable: "+unwrapAll(err), http.StatusBadGateway)
		},
	}
}

func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/_services"); ok {
		d.serveService(w, r, rest)
		return
	}
	for prefix, p := range d.apis {
		if strings.HasPrefix(r.URL.Path, prefix) {
			// A stream lasts as long as the page watches it.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
			p.ServeHTTP(w, r)
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if name := strings.TrimPrefix(r.URL.Path, "/"); name != "" {
		if _, err := fs.Stat(d.fileSystem(), name); err == nil {
			d.files.ServeHTTP(w, r)
			return
		}
	}
	// The app's own pages (and /) are its index.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(d.index)
}

// serveService answers /_services (the names) and /_services/<name>/readyz
// or /metrics.
func (d *dashboard) serveService(w http.ResponseWriter, r *http.Request, rest string) {
	if rest == "" || rest == "/" {
		list := make([]map[string]string, len(d.names))
		for i, n := range d.names {
			list[i] = map[string]string{"name": n}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(list)
		return
	}
	name, what, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	p, ok := d.checks[name]
	if !ok || (what != "readyz" && what != "metrics") || r.Method != http.MethodGet {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	r = r.Clone(r.Context())
	r.URL.Path = "/" + what
	p.ServeHTTP(w, r)
}

// fileSystem is the FS behind files (for existence checks).
func (d *dashboard) fileSystem() fs.FS { return d.assets }

// unwrapAll is the innermost error's text: "connection refused" rather
// than the whole dial chain.
func unwrapAll(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// serveDashboard serves d on ln until ctx ends.
func serveDashboard(ctx context.Context, d http.Handler, ln net.Listener, tls *rpc.TLS) error {
	srv := rpc.NewHTTPServer(d)
	if tls.Enabled() {
		cfg, err := tls.ServerConfig()
		if err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		srv.TLSConfig = cfg
	}
	if err := rpc.ServeHTTP(ctx, srv, ln, 5*time.Second); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}
