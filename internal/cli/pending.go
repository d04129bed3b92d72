package cli

import (
	"context"
	"fmt"

	"github.com/kafka-enterprise-orders/orders/internal/config"
)

// notBuilt is the runner of a command whose service does not exist yet: it
// says so and fails rather than pretend to run.
func notBuilt(name string) Runner {
	return func(context.Context) error { return fmt.Errorf("%s is not built yet", name) }
}

func benchCommand() Command {
	return Command{Name: "bench", Synopsis: "measure pipeline throughput against raw librdkafka on an embedded broker",
		Setup: func(*config.Set, Env) Runner { return notBuilt("bench") }}
}
