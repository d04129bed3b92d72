package cli

import (
	"context"
	"log/slog"

	"github.com/kafka-enterprise-orders/orders/gateway"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/couchbasesink"
	"github.com/kafka-enterprise-orders/orders/services/deadletters"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
	"github.com/kafka-enterprise-orders/orders/services/pgsource"
)

func producerCommand() Command {
	return service("producer", "order-producer: PlaceOrder/GetOrder/ListOrders and synthetic orders to `orders`",
		orderproducer.Name, orderproducer.New)
}

func paymentCommand() Command {
	return service("payment", "payment-service: authorizes `orders`, one payment per order to `payments` (transactions)",
		payment.Name, payment.New)
}

func fraudCommand() Command {
	return service("fraud", "fraud-service: scores `orders` by rules, alerts to `fraud-alerts` (transactions)",
		fraud.Name, fraud.New)
}

func analyticsCommand() Command {
	return service("analytics", "analytics-service: count and sum per country to compacted `order-analytics` (transactions)",
		analytics.Name, analytics.New)
}

func pgSourceCommand() Command {
	return service("pg-source", "pg-source: Postgres → `customers` by logical replication (CDC)",
		pgsource.Name, pgsource.New)
}

func couchbaseSinkCommand() Command {
	return service("couchbase-sink", "couchbase-sink: `order-analytics` → Couchbase documents (upsert by key, delete on tombstone)",
		couchbasesink.Name, couchbasesink.New)
}

func deadLettersCommand() Command {
	return service("dead-letters", "dead-letter-service: lists, replays and discards the dead letters of every topic (DeadLetterService)",
		deadletters.Name, deadletters.New)
}

func gatewayCommand() Command {
	return service("gateway", "gateway: REST/JSON over every service's RPCs, OpenAPI at /openapi.json",
		"gateway", func(ctx context.Context, cfg gateway.Config, log *slog.Logger, _ ...platform.Option) (*gateway.Gateway, error) {
			return gateway.New(ctx, cfg, log)
		})
}

// serviceConfig is a service's options: registered on a flag set, with
// logging options among them.
type serviceConfig[C any] interface {
	*C
	Register(s *config.Set)
	LoggingOptions() *platform.Logging
}

// service declares the command that runs one service: its options are
// registered on the command's flag set, then build wires it and it runs
// until the context ends.
func service[C any, S serviceRunner, P serviceConfig[C]](name, synopsis, logName string, build func(context.Context, C, *slog.Logger, ...platform.Option) (S, error)) Command {
	return Command{
		Name:     name,
		Synopsis: synopsis,
		Setup: func(s *config.Set, env Env) Runner {
			var cfg C
			P(&cfg).Register(s)
			return runService(env, logName, P(&cfg).LoggingOptions(), func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return build(ctx, cfg, log)
			})
		},
	}
}
