//go:build !production

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/bench"
	"github.com/kafka-enterprise-orders/orders/internal/config"
)

func benchCommand() Command {
	return Command{
		Name:     "bench",
		Synopsis: "measure the pipeline's orders/s against raw librdkafka produce+consume, and its latency at a fixed rate, on the embedded broker and a real cluster",
		Setup: func(s *config.Set, env Env) Runner {
			n, rate, latencyOrders := 20000, 1000, 10000
			brokers := []string{"kfake"}
			nodes := 3
			s.Int(&n, "orders", n, "orders per throughput measurement")
			s.Int(&rate, "latency-rate", rate, "offered orders per second of the latency measurement (0: none)")
			s.Int(&latencyOrders, "latency-orders", latencyOrders, "orders of the latency measurement")
			s.List(&brokers, "brokers", brokers, "brokers to measure on, each fresh per measurement: kfake (embedded) and/or real (Apache Kafka)")
			s.Int(&nodes, "real-nodes", nodes, "nodes of the real Apache Kafka cluster")
			return func(ctx context.Context) error {
				if n <= 0 || latencyOrders <= 0 || rate < 0 {
					return errors.New("--orders and --latency-orders must be positive, --latency-rate not negative")
				}
				for _, b := range brokers {
					var clusterNodes int
					switch b {
					case "kfake":
					case "real":
						clusterNodes = nodes
					default:
						return fmt.Errorf("--brokers: %q is neither kfake nor real", b)
					}
					fmt.Fprintf(env.Stdout, "== %s\n", b)
					if err := benchOn(ctx, env.Stdout, clusterNodes, n, rate, latencyOrders); err != nil {
						return fmt.Errorf("%s: %w", b, err)
					}
				}
				return nil
			}
		},
	}
}

// benchOn runs each measurement on a fresh broker of its own.
func benchOn(ctx context.Context, w io.Writer, nodes, n, rate, latencyOrders int) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	fresh := func(measure func(*bench.Env) (fmt.Stringer, error)) (fmt.Stringer, error) {
		be, err := bench.NewEnv(ctx, quiet, nodes)
		if err != nil {
			return nil, err
		}
		r, err := measure(be)
		if cerr := be.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			fmt.Fprintln(w, r)
		}
		return r, err
	}
	var results []bench.Result
	for _, run := range []func(context.Context, *bench.Env, int) (bench.Result, error){bench.Raw, bench.Pipeline, bench.MeteredPipeline, bench.ObservedPipeline, bench.Pipeline} {
		r, err := fresh(func(be *bench.Env) (fmt.Stringer, error) { return run(ctx, be, n) })
		if err != nil {
			return err
		}
		results = append(results, r.(bench.Result))
	}
	// The plain pipeline runs first and last, so that warming up and
	// drift do not count against the observed runs between them.
	off := (results[1].PerSecond() + results[4].PerSecond()) / 2
	fmt.Fprintf(w, "pipeline/raw throughput ratio: %.3f\n", off/results[0].PerSecond())
	fmt.Fprintf(w, "metrics on/off pipeline throughput ratio: %.3f\n", results[2].PerSecond()/off)
	fmt.Fprintf(w, "metrics and traces on/off pipeline throughput ratio: %.3f\n", results[3].PerSecond()/off)
	if rate == 0 {
		return nil
	}
	_, err := fresh(func(be *bench.Env) (fmt.Stringer, error) { return bench.Latency(ctx, be, latencyOrders, rate) })
	return err
}
