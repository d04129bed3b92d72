// Command orders is the kafka-enterprise-orders platform in one binary:
// `orders dev` runs everything embedded, `orders <service>` runs one
// service against a real Kafka cluster. See `orders --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
