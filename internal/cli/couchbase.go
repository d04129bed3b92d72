package cli

import (
	"context"
	"log/slog"

	"github.com/kafka-enterprise-orders/orders/connect/couchbasesink"
	"github.com/kafka-enterprise-orders/orders/internal/config"
)

func couchbaseSinkCommand() Command {
	return Command{
		Name:     "couchbase-sink",
		Synopsis: "couchbase-sink: `order-analytics` → Couchbase documents (upsert by key, delete on tombstone)",
		Setup: func(s *config.Set, env Env) Runner {
			var cfg couchbasesink.Config
			cfg.Register(s)
			return runService(env, "couchbase-sink", &cfg.Logging, func(ctx context.Context, log *slog.Logger) (serviceRunner, error) {
				return couchbasesink.New(ctx, cfg, log)
			})
		},
	}
}
