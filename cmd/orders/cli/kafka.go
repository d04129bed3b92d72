//go:build !production

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
)

func kafkaCommand() Command {
	return Command{
		Name:     "kafka",
		Synopsis: "a real Apache Kafka cluster (KRaft) on loopback, resolved with Maven: orders kafka --nodes 3",
		Setup: func(s *config.Set, env Env) Runner {
			var nodes int
			var dir string
			s.Int(&nodes, "nodes", 3, "combined broker/controller nodes (1 or 3)")
			s.String(&dir, "data-dir", filepath.Join(".data", "apache-kafka"), "where the nodes keep their logs (emptied at start)")
			return func(ctx context.Context) (err error) {
				if err := os.RemoveAll(dir); err != nil {
					return fmt.Errorf("empty %s: %w", dir, err)
				}
				c, err := sandbox.StartKafkaCluster(ctx, dir, nodes)
				if err != nil {
					return err
				}
				defer func() { err = errors.Join(err, c.Close()) }()
				fmt.Fprintf(env.Stdout, "\nApache Kafka %s, %d nodes, is running. Ctrl-C stops it.\n\n  bootstrap  %s\n  data       %s\n\nRun the platform on it:\n  go run ./cmd/orders dev --kafka-bootstrap %s --kafka-replication-factor %d\n\n",
					sandbox.KafkaVersion, nodes, c.Bootstrap(), dir, c.Bootstrap(), min(nodes, 3))
				<-ctx.Done()
				return nil
			}
		},
	}
}
