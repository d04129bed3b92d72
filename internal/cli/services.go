package cli

import (
	"context"
	"log/slog"

	"github.com/kafka-enterprise-orders/orders/connect/pgsource"
	"github.com/kafka-enterprise-orders/orders/gateway"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/fraud"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

func producerCommand() Command {
	return Command{
		Name:     "producer",
		Synopsis: "order-producer: PlaceOrder/GetOrder/ListOrders and synthetic orders to `orders`",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg orderproducer.Config
			cfg.Register(s)
			return runService(env, "order-producer", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return orderproducer.New(ctx, cfg, log)
			})
		},
	}
}

func paymentCommand() Command {
	return Command{
		Name:     "payment",
		Synopsis: "payment-service: authorizes `orders`, one payment per order to `payments` (transactions)",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg payment.Config
			cfg.Register(s)
			return runService(env, "payment-service", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return payment.New(ctx, cfg, log)
			})
		},
	}
}

func fraudCommand() Command {
	return Command{
		Name:     "fraud",
		Synopsis: "fraud-service: scores `orders` by rules, alerts to `fraud-alerts`",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg fraud.Config
			cfg.Register(s)
			return runService(env, "fraud-service", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return fraud.New(ctx, cfg, log)
			})
		},
	}
}

func analyticsCommand() Command {
	return Command{
		Name:     "analytics",
		Synopsis: "analytics-service: count and sum per country to compacted `order-analytics` (transactions)",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg analytics.Config
			cfg.Register(s)
			return runService(env, "analytics-service", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return analytics.New(ctx, cfg, log)
			})
		},
	}
}

func gatewayCommand() Command {
	return Command{
		Name:     "gateway",
		Synopsis: "gateway: REST/JSON over every service's RPCs, OpenAPI at /openapi.json",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg gateway.Config
			cfg.Register(s)
			return runService(env, "gateway", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return gateway.New(ctx, cfg, log)
			})
		},
	}
}

func pgSourceCommand() Command {
	return Command{
		Name:     "pg-source",
		Synopsis: "pg-source: Postgres → `customers` by logical replication (CDC)",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg pgsource.Config
			cfg.Register(s)
			return runService(env, "pg-source", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return pgsource.New(ctx, cfg, log)
			})
		},
	}
}
