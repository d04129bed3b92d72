//go:build !production

package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/web"
)

func devCommand() Command {
	return Command{
		Name:     "dev",
		Synopsis: "the whole platform in one process: embedded Kafka, Schema Registry, Postgres, every service",
		Setup: func(s *config.Set, env Env) Runner {
			opts := devstack.Options{Ports: devstack.DefaultPorts()}
			var logging platform.Logging
			s.String(&opts.DataDir, "data-dir", ".data", "where the broker's log and Postgres persist across restarts")
			s.Float64(&opts.Rate, "rate", 1, "synthetic orders per second (0: none)")
			s.Int64(&opts.Seed, "seed", 1, "seed of the synthetic orders")
			s.Bool(&opts.NoPostgres, "no-postgres", false, "do not start Postgres even when its binaries are installed")
			s.Bool(&opts.NoCouchbase, "no-couchbase", false, "do not start the gocaves Couchbase cluster and couchbase-sink even when bin/gocaves is built")
			s.String(&opts.KafkaBootstrap, "kafka-bootstrap", "", "an existing Kafka cluster to use instead of the embedded broker (e.g. from `orders kafka`)")
			s.Int(&opts.KafkaReplication, "kafka-replication-factor", 1, "replication factor of the topics created on --kafka-bootstrap")
			s.Int(&opts.Ports.Kafka, "kafka-port", opts.Ports.Kafka, "embedded Kafka broker port")
			s.Int(&opts.Ports.Registry, "schema-registry-port", opts.Ports.Registry, "embedded Schema Registry port")
			s.Int(&opts.Ports.Postgres, "postgres-port", opts.Ports.Postgres, "throwaway PostgreSQL port")
			s.Int(&opts.Ports.Gateway, "gateway-port", opts.Ports.Gateway, "REST gateway port")
			s.Int(&opts.Ports.Dashboard, "dashboard-port", opts.Ports.Dashboard, "web dashboard port")
			var noAuth bool
			s.Bool(&noAuth, "insecure-no-auth", false, "serve the RPCs without bearer tokens")
			s.Bool(&opts.TLS, "tls", false, "serve every service and the gateway over HTTPS, with certificates from a CA made for the run (<data-dir>/tls/ca.pem)")
			logging.Register(s)
			return func(ctx context.Context) error {
				log, err := logging.Logger(env.Stderr, "") // each service adds its name
				if err != nil {
					return err
				}
				opts.Log, opts.Auth = log, !noAuth
				if opts.Dashboard, err = web.Dist(); err != nil {
					return err
				}
				return devstack.Run(ctx, opts, func(st *devstack.Stack) { PrintWelcome(env.Stdout, st) })
			}
		},
	}
}

// PrintWelcome tells the user where everything is, with commands to paste.
func PrintWelcome(w io.Writer, st *devstack.Stack) {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("")
	line("kafka-enterprise-orders is running. Ctrl-C stops it.")
	line("")
	if st.DashboardURL != "" {
		line("  Dashboard            %s   (open it in a browser)", st.DashboardURL)
	}
	line("  Kafka bootstrap      %s", st.Brokers)
	line("  Schema Registry      %s", st.RegistryURL)
	if st.DatabaseURL != "" {
		line("  PostgreSQL           %s", st.DatabaseURL)
	}
	line("  order-producer       %s   (orders.v1.OrderService)", st.OrderURL)
	line("  payment-service      %s   (payments.v1.PaymentService)", st.PaymentURL)
	line("  fraud-service        %s   (fraud.v1.FraudService)", st.FraudURL)
	line("  analytics-service    %s   (analytics.v1.AnalyticsService)", st.AnalyticsURL)
	line("  dead-letter-service  %s   (deadletters.v1.DeadLetterService; orders dlq)", st.DeadLetterURL)
	if st.PgSourceURL != "" {
		line("  pg-source            %s   (Postgres customers → Kafka, health only)", st.PgSourceURL)
	}
	if st.SinkURL != "" {
		line("  couchbase-sink       %s   (order-analytics → Couchbase %s, bucket order_analytics)", st.SinkURL, st.CouchbaseURL)
	}
	line("  REST gateway         %s   (OpenAPI: %s/openapi.json)", st.GatewayURL, st.GatewayURL)
	if st.CAFile != "" {
		line("  TLS CA               %s   (curl --cacert, buf curl --cacert)", st.CAFile)
	}
	for _, s := range st.Skipped {
		line("  skipped              %s", s)
	}
	line("")
	bearer := ""
	if st.Token != "" {
		line("The RPCs require a bearer token. A development token (orders:read, orders:write, orders:admin; also in %s):", st.TokenFile)
		line("  export ORDERS_TOKEN=%s", st.Token)
		line("and a read-only one (orders:read):")
		line("  export ORDERS_READ_TOKEN=%s", st.ReadToken)
		line("")
		bearer = ` -H "Authorization: Bearer $ORDERS_TOKEN"`
	}
	line("Try:")
	line("  go tool -modfile=tools.mod buf curl --protocol grpc --http2-prior-knowledge --list-methods %s", st.OrderURL)
	line(`  go tool -modfile=tools.mod buf curl --protocol grpc --http2-prior-knowledge%s -d '{"customer_id":"cus-0001","country":"DE","currency":"EUR","items":[{"sku":"SKU-1001","quantity":2,"unit_price_minor":2499}]}' %s/orders.v1.OrderService/PlaceOrder`, bearer, st.OrderURL)
	line(`  curl -s%s %s/v1/orders?page_size=3`, bearer, st.GatewayURL)
	line(`  curl -s%s %s/v1/analytics/countries/DE`, bearer, st.GatewayURL)
	line(`  curl -sN%s %s/v1/analytics/countries:watch`, bearer, st.GatewayURL)
	tokenFlag := ""
	if st.Token != "" {
		tokenFlag = " --token $ORDERS_TOKEN"
	}
	line(`  go run ./cmd/orders dlq list --topic orders%s`, tokenFlag)
	line("")
	line("Metrics (Prometheus format, no token) are at /metrics on every address above, e.g.")
	line(`  curl -s %s/metrics | grep orders_consumer_lag`, st.PaymentURL)
	line("Traces go out over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.")
	line("")
	_, _ = io.WriteString(w, b.String())
}
