package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/kafka-enterprise-orders/orders/internal/bench"
	"github.com/kafka-enterprise-orders/orders/internal/config"
)

func benchCommand() Command {
	return Command{
		Name:     "bench",
		Synopsis: "measure the pipeline's orders/s against raw librdkafka produce+consume, on embedded brokers",
		Setup: func(s *config.Set, env Env) Runner {
			n := 20000
			s.Int(&n, "orders", n, "orders per measurement")
			return func(ctx context.Context) error {
				if n <= 0 {
					return errors.New("--orders must be positive")
				}
				quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
				var results []bench.Result
				for _, run := range []func(context.Context, *bench.Env, int) (bench.Result, error){bench.Raw, bench.Pipeline} {
					be, err := bench.NewEnv(quiet)
					if err != nil {
						return err
					}
					r, err := run(ctx, be, n)
					if cerr := be.Close(); err == nil {
						err = cerr
					}
					if err != nil {
						return err
					}
					fmt.Fprintln(env.Stdout, r)
					results = append(results, r)
				}
				fmt.Fprintf(env.Stdout, "pipeline/raw throughput ratio: %.3f\n", results[1].PerSecond()/results[0].PerSecond())
				return nil
			}
		},
	}
}
