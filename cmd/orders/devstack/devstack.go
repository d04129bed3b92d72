// Package devstack runs the whole platform in one process: an embedded
// Kafka-protocol broker and Schema Registry, a throwaway PostgreSQL when
// the machine has its binaries, every service and the REST gateway, on
// fixed localhost ports. It is `orders dev` (and `make run`), and what the
// end-to-end tests start.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kafka-enterprise-orders/orders/gateway"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/auth"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/rpc"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox/caves"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/couchbasesink"
	"github.com/kafka-enterprise-orders/orders/services/deadletters"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
	"github.com/kafka-enterprise-orders/orders/services/pgsource"
)

// Ports are where the stack listens; zero picks a free port.
type Ports struct {
	Kafka, Registry, Postgres                                                       int
	Order, Payment, Fraud, Analytics, PgSource, CouchbaseSink, DeadLetters, Gateway int
	Dashboard                                                                       int
}

// DefaultPorts are the documented fixed ports of `orders dev`.
func DefaultPorts() Ports {
	return Ports{Kafka: 9092, Registry: 8081, Postgres: 55432,
		Order: 7001, Payment: 7002, Fraud: 7003, Analytics: 7004, PgSource: 7005, CouchbaseSink: 7006, DeadLetters: 7007, Gateway: 8080,
		Dashboard: 7080}
}

// Options configure the stack.
type Options struct {
	// DataDir keeps the broker's log and Postgres across restarts; empty
	// uses a temporary directory removed at the end.
	DataDir string
	Ports   Ports
	// Rate is the synthetic order rate per second (0: none).
	Rate float64
	// Seed seeds the synthetic generator.
	Seed int64
	// NoPostgres skips Postgres even when its binaries are installed.
	NoPostgres bool
	// KafkaBootstrap, when set, is an existing Kafka cluster (such as
	// `orders kafka`) used instead of the embedded broker; its topics get
	// replication factor KafkaReplication.
	KafkaBootstrap   string
	KafkaReplication int
	// NoCouchbase skips the gocaves Couchbase cluster and the couchbase-sink
	// even when the gocaves binary is built (make bin/gocaves).
	NoCouchbase bool
	// Auth makes every service require bearer tokens, signed by a
	// development key made for this run; Stack.Token and Stack.ReadToken
	// carry tokens, and <data-dir>/dev-token the first.
	Auth bool
	// TLS makes every service and the gateway serve HTTPS with
	// certificates from a CA made for this run (Stack.CAFile), and the
	// gateway verify the services with it.
	TLS bool
	// Dashboard is the built web dashboard (package web's Dist), served
	// with the services' APIs on one origin; nil serves none.
	Dashboard fs.FS
	Log       *slog.Logger
}

// Stack is a running platform, handed to the ready callback of Run.
type Stack struct {
	Brokers       string
	RegistryURL   string
	DatabaseURL   string // empty when Postgres was skipped
	OrderURL      string
	PaymentURL    string
	FraudURL      string
	AnalyticsURL  string
	DeadLetterURL string
	PgSourceURL   string // health and readiness only; empty without Postgres
	SinkURL       string // couchbase-sink health and readiness; empty without gocaves
	CouchbaseURL  string // the gocaves cluster's connection string
	GatewayURL    string
	DashboardURL  string // empty without Options.Dashboard
	// Skipped says what was left out and why.
	Skipped []string
	// Token (orders:read, orders:write and orders:admin) and ReadToken (orders:read)
	// are bearer tokens for the RPCs when Options.Auth is set.
	Token, ReadToken string
	// TokenFile holds Token.
	TokenFile string
	// CAFile is the CA that signed the servers' certificates, with TLS.
	CAFile string

	Producer    *orderproducer.Service
	Payment     *payment.Service
	Fraud       *fraud.Service
	Analytics   *analytics.Service
	DeadLetters *deadletters.Service

	managed map[string]*managed // by service name: StopService, StartService
}

// Run starts the stack, calls ready once every service is ready, and runs
// until ctx ends; then it stops everything, services first.
func Run(ctx context.Context, opts Options, ready func(*Stack)) (err error) {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	dataDir, cleanup, err := dataDir(opts.DataDir)
	if err != nil {
		return err
	}
	defer cleanup()

	brokers := opts.KafkaBootstrap
	if brokers == "" {
		broker, err := sandbox.StartBroker(sandbox.BrokerPort(opts.Ports.Kafka), sandbox.BrokerDataDir(filepath.Join(dataDir, "kafka")))
		if err != nil {
			return err
		}
		defer broker.Close()
		brokers = broker.BootstrapServers()
		log.Info("embedded Kafka broker", "bootstrap", brokers, "data", filepath.Join(dataDir, "kafka"))
	} else {
		log.Info("Kafka cluster", "bootstrap", brokers)
	}
	registry, err := sandbox.StartRegistry(opts.Ports.Registry, filepath.Join(dataDir, "schemas.json"))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, registry.Close()) }()
	st := &Stack{Brokers: brokers, RegistryURL: registry.URL()}
	log.Info("embedded Schema Registry", "url", st.RegistryURL)

	if opts.NoPostgres {
		st.Skipped = append(st.Skipped, "Postgres: --no-postgres")
	} else if pg, err := startPostgres(ctx, dataDir, opts.Ports.Postgres); err != nil {
		st.Skipped = append(st.Skipped, "Postgres: "+err.Error())
	} else {
		defer pg.Stop()
		st.DatabaseURL = pg.URL("orders")
		log.Info("throwaway PostgreSQL", "url", st.DatabaseURL)
	}

	kcfg := stream.Config{Brokers: st.Brokers, SchemaRegistryURL: st.RegistryURL, AutoRegister: true,
		Partitions: 3, ReplicationFactor: max(opts.KafkaReplication, 1)}
	g := platform.NewGroup(ctx)
	sctx := g.Context()
	w := wiring{ctx: sctx, log: log, kafka: kcfg}
	if opts.TLS {
		if w.tls, err = devTLS(dataDir, st); err != nil {
			return err
		}
		log.Info("RPCs and the gateway serve HTTPS", "ca", st.CAFile)
	}
	if opts.Auth {
		if w.auth, err = devAuth(dataDir, st); err != nil {
			return err
		}
		log.Info("RPCs require bearer tokens", "jwks", w.auth.JWKSFile, "token_file", st.TokenFile)
	}
	defer func() {
		if err != nil {
			w.closeUnserved()
		}
	}()
	// Customers reach Kafka through pg-source's change capture when
	// Postgres runs; without it the seeded catalog is published directly.
	var pgSource *pgsource.Service
	if st.DatabaseURL != "" {
		cfg := pgsource.DefaultConfig()
		cfg.DatabaseURL = st.DatabaseURL
		if pgSource, st.PgSourceURL, err = wire(&w, pgsource.Name, opts.Ports.PgSource, cfg, pgsource.New); err != nil {
			return err
		}
	} else if err := publishCatalog(sctx, kcfg); err != nil {
		return err
	}
	if !opts.NoCouchbase {
		if err := startCouchbase(&w, opts.Ports.CouchbaseSink, st); err != nil {
			st.Skipped = append(st.Skipped, "Couchbase: "+err.Error())
		}
	}
	pcfg := orderproducer.DefaultConfig()
	pcfg.Rate, pcfg.Seed = opts.Rate, opts.Seed
	if st.Producer, st.OrderURL, err = wire(&w, orderproducer.Name, opts.Ports.Order, pcfg, orderproducer.New); err != nil {
		return err
	}
	paycfg := payment.DefaultConfig()
	paycfg.TransactionalID = payment.Name + "-dev"
	if st.Payment, st.PaymentURL, err = wire(&w, payment.Name, opts.Ports.Payment, paycfg, payment.New); err != nil {
		return err
	}
	fcfg := fraud.DefaultConfig()
	fcfg.TransactionalID = fraud.Name + "-dev"
	if st.Fraud, st.FraudURL, err = wire(&w, fraud.Name, opts.Ports.Fraud, fcfg, fraud.New); err != nil {
		return err
	}
	acfg := analytics.DefaultConfig()
	acfg.TransactionalID = analytics.Name + "-dev"
	if st.Analytics, st.AnalyticsURL, err = wire(&w, analytics.Name, opts.Ports.Analytics, acfg, analytics.New); err != nil {
		return err
	}
	if st.DeadLetters, st.DeadLetterURL, err = wire(&w, deadletters.Name, opts.Ports.DeadLetters, deadletters.DefaultConfig(), deadletters.New); err != nil {
		return err
	}
	gw, err := gateway.New(sctx, gateway.Config{OrderURL: st.OrderURL, PaymentURL: st.PaymentURL, FraudURL: st.FraudURL, AnalyticsURL: st.AnalyticsURL,
		DeadLetterURL: st.DeadLetterURL, TLS: w.tls, Backend: rpc.ClientTLS{CAFile: st.CAFile}}, log.With("service", "gateway"))
	if err != nil {
		return err
	}
	gln, gurl, err := w.listen(opts.Ports.Gateway)
	if err != nil {
		return err
	}
	gw.Listener, st.GatewayURL = gln, gurl
	var dash *dashboard
	var dln net.Listener
	if opts.Dashboard != nil {
		transport, err := w.transport(st.CAFile)
		if err != nil {
			return err
		}
		if dash, err = newDashboard(opts.Dashboard, st, transport); err != nil {
			return err
		}
		if dln, st.DashboardURL, err = w.listen(opts.Ports.Dashboard); err != nil {
			return err
		}
		w.unserved = append(w.unserved, dln)
	}
	services := w.services
	st.managed = map[string]*managed{}
	for _, s := range services {
		st.managed[s.name] = s
	}

	// pg-source goes first: once it streams, its snapshot of the customers
	// is in Kafka, so payment and fraud restore a complete customer table
	// before their first order instead of judging it by the defaults.
	for i, s := range services {
		g.Go(s.name, s.run)
		if i == 0 && pgSource != nil {
			if waitReady(sctx, pgSource.CheckReady) != nil {
				return g.Wait() // stopped, or pg-source failed: the group has its error
			}
		}
	}
	g.Go("gateway", gw.Run)
	if dash != nil {
		g.Go("dashboard", func(ctx context.Context) error { return serveDashboard(ctx, dash, dln, &w.tls) })
	}
	g.Go("ready", func(ctx context.Context) error {
		for _, s := range services {
			if err := waitReady(ctx, s.ready); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
		if ready != nil {
			ready(st)
		}
		return nil
	})
	return g.Wait()
}

func waitReady(ctx context.Context, ready func() error) error {
	for {
		if ready() == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func dataDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("data dir: %w", err)
		}
		abs, err := filepath.Abs(dir)
		return abs, func() {}, err
	}
	tmp, err := os.MkdirTemp("", "orders-dev-")
	if err != nil {
		return "", nil, fmt.Errorf("data dir: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // postgres runs as its own user
		return "", nil, fmt.Errorf("data dir: %w", err)
	}
	return tmp, func() { _ = os.RemoveAll(tmp) }, nil
}

// startPostgres starts (or restarts) the dev database and applies the
// schema and seed rows, idempotently.
func startPostgres(ctx context.Context, dataDir string, port int) (*sandbox.Postgres, error) {
	if err := os.Chmod(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	pg, err := sandbox.StartPostgres(ctx, filepath.Join(dataDir, "postgres"), port)
	if err != nil {
		return nil, err
	}
	if err := pg.CreateDatabase(ctx, "orders"); err != nil {
		return nil, errors.Join(err, pg.Stop())
	}
	if err := customers.Apply(ctx, pg.URL("orders")); err != nil {
		return nil, errors.Join(err, pg.Stop())
	}
	return pg, nil
}

// publishCatalog publishes the seeded customers to `customers`.
func publishCatalog(ctx context.Context, cfg stream.Config) error {
	topics, err := events.Open(cfg)
	if err != nil {
		return err
	}
	if err := stream.EnsureTopics(ctx, cfg, false, stream.TopicSpec{Name: events.CustomersTopic, Compact: true}); err != nil {
		return err
	}
	prod, err := stream.NewProducer(cfg, "dev-customers")
	if err != nil {
		return err
	}
	pub := stream.Publisher[*customersv1.Customer]{Producer: prod, Topic: topics.Customers}
	for _, c := range seed.Customers(seed.DefaultCustomers) {
		if err := pub.PublishAsync(c.CustomerId, c, nil); err != nil {
			return errors.Join(err, prod.Close(ctx))
		}
	}
	return prod.Close(ctx)
}

// startCouchbase starts the gocaves test cluster (stopped with the
// stack) and wires a couchbase-sink writing `order-analytics` into it.
func startCouchbase(w *wiring, port int, st *Stack) error {
	bin, err := caves.BinPath()
	if err != nil {
		return fmt.Errorf("%w (build it with make bin/gocaves)", err)
	}
	proc, err := caves.StartProcess(w.ctx, bin)
	if err != nil {
		return err
	}
	context.AfterFunc(w.ctx, func() { _ = proc.Stop() })
	st.CouchbaseURL = proc.ConnStr
	w.log.Info("gocaves Couchbase test cluster", "connstr", proc.ConnStr)
	cfg := couchbasesink.DefaultConfig()
	// gocaves keeps nothing across restarts while the broker does: a group of
	// its own per run makes the sink refill the fresh cluster from the
	// compacted topic.
	cfg.Group = couchbasesink.Name + "-dev-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	cfg.Couchbase = couchbasesink.Couchbase{URL: proc.ConnStr, Username: proc.Username, Password: proc.Password,
		Bucket: "order_analytics", Scope: couchbasesink.DefaultScope, Collection: couchbasesink.DefaultCollection, CreateBucket: true}
	_, st.SinkURL, err = wire(w, couchbasesink.Name, port, cfg, couchbasesink.New)
	return err
}

// wiring collects the services of the stack as they are built, each with
// the listener it will serve on.
type wiring struct {
	ctx      context.Context
	log      *slog.Logger
	kafka    stream.Config
	auth     auth.Config
	tls      rpc.TLS
	services []*managed
	unserved []net.Listener
}

// runnable is what every service of the stack is.
type runnable interface {
	Run(context.Context) error
	CheckReady() error
}

// listen binds a loopback port (0: any free one) and returns its URL
// (https:// when the stack serves TLS).
func (w *wiring) listen(port int) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, "", fmt.Errorf("listen on port %d: %w", port, err)
	}
	scheme := "http://"
	if w.tls.Enabled() {
		scheme = "https://"
	}
	return ln, scheme + ln.Addr().String(), nil
}

// wire binds port, then builds the named service from cfg (its Kafka
// options replaced by the stack's) to serve on it, and adds it to w. It
// returns the service and its URL.
func wire[S runnable, C any, P interface {
	*C
	CommonOptions() *platform.Common
}](w *wiring, name string, port int, cfg C, build func(context.Context, C, *slog.Logger, ...platform.Option) (S, error)) (svc S, url string, err error) {
	ln, url, err := w.listen(port)
	if err != nil {
		return svc, "", err
	}
	w.unserved = append(w.unserved, ln)
	common := P(&cfg).CommonOptions()
	common.Kafka, common.Auth, common.TLS, common.Reflection = w.kafka, w.auth, w.tls, true
	if svc, err = build(w.ctx, cfg, w.log.With("service", name), platform.WithListener(ln)); err != nil {
		return svc, "", err
	}
	addr, log := ln.Addr().String(), w.log.With("service", name)
	again := func() (runnable, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		svc, err := build(w.ctx, cfg, log, platform.WithListener(ln))
		if err != nil {
			_ = ln.Close()
		}
		return svc, err
	}
	w.services = append(w.services, newManaged(name, svc, again))
	return svc, url, nil
}

// devTLS makes a CA in dataDir/tls and a server certificate for loopback
// signed by it, and returns the servers' TLS configuration.
func devTLS(dataDir string, st *Stack) (rpc.TLS, error) {
	dir := filepath.Join(dataDir, "tls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return rpc.TLS{}, fmt.Errorf("tls: %w", err)
	}
	ca, err := sandbox.NewCA()
	if err != nil {
		return rpc.TLS{}, err
	}
	if st.CAFile, err = ca.WriteCert(dir); err != nil {
		return rpc.TLS{}, err
	}
	cert, key, err := ca.Issue(dir, "server", false, "127.0.0.1", "::1", "localhost")
	if err != nil {
		return rpc.TLS{}, err
	}
	return rpc.TLS{CertFile: cert, KeyFile: key}, nil
}

// devAuth makes a development signing key, writes its JWKS into dataDir,
// mints the stack's tokens and returns the services' auth configuration.
func devAuth(dataDir string, st *Stack) (auth.Config, error) {
	issuer, err := auth.NewDevIssuer("orders-dev")
	if err != nil {
		return auth.Config{}, err
	}
	cfg, err := issuer.WriteJWKS(filepath.Join(dataDir, "dev-jwks.json"))
	if err != nil {
		return auth.Config{}, err
	}
	const ttl = 30 * 24 * time.Hour
	if st.Token, err = issuer.Token("developer", ttl, auth.ScopeRead, auth.ScopeWrite, auth.ScopeAdmin); err != nil {
		return auth.Config{}, err
	}
	if st.ReadToken, err = issuer.Token("reader", ttl, auth.ScopeRead); err != nil {
		return auth.Config{}, err
	}
	st.TokenFile = filepath.Join(dataDir, "dev-token")
	if err := os.WriteFile(st.TokenFile, []byte(st.Token+"\n"), 0o600); err != nil {
		return auth.Config{}, fmt.Errorf("write %s: %w", st.TokenFile, err)
	}
	return cfg, nil
}

// transport reaches the stack's services: over TLS trusting the stack's CA
// when it serves TLS.
func (w *wiring) transport(caFile string) (http.RoundTripper, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if w.tls.Enabled() {
		cfg, err := rpc.ClientTLS{CAFile: caFile}.Config()
		if err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
		t.TLSClientConfig = cfg
	}
	return t, nil
}

// closeUnserved closes the listeners of a stack that failed to start.
func (w *wiring) closeUnserved() {
	for _, ln := range w.unserved {
		_ = ln.Close()
	}
}
