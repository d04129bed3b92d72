// Package cli is the `orders` command: one binary whose subcommands run each
// service, the embedded dev stack and the benchmarks. Every subcommand reads
// its options from flags with environment-variable fallbacks (package
// config), so the same binary runs on a laptop, in Compose and in CI.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
)

// Command is one subcommand.
type Command struct {
	Name     string
	Synopsis string
	// Setup registers the command's options on a fresh Set and returns the
	// function that runs it once the options are parsed.
	Setup func(s *config.Set, env Env) Runner
}

// Runner runs a parsed command until ctx ends.
type Runner func(ctx context.Context) error

// Env is what a command may use of its surroundings.
type Env struct {
	Stdout, Stderr io.Writer
}

// Flags returns the command's option set, for help texts and checks.
func (c Command) Flags() *config.Set {
	s := config.New(c.Name, c.Synopsis, config.WithOutput(io.Discard))
	c.Setup(s, Env{Stdout: io.Discard, Stderr: io.Discard})
	return s
}

// Commands lists every subcommand, in help order.
func Commands() []Command {
	services := []Command{
		producerCommand(), paymentCommand(), fraudCommand(), analyticsCommand(),
		pgSourceCommand(), couchbaseSinkCommand(), deadLettersCommand(), gatewayCommand(),
	}
	return append(append(services, devTools()...), dlqCommand(), seedSQLCommand(), probeCommand())
}

// Lookup finds a subcommand by name.
func Lookup(name string) (Command, bool) {
	i := slices.IndexFunc(Commands(), func(c Command) bool { return c.Name == name })
	if i < 0 {
		return Command{}, false
	}
	return Commands()[i], true
}

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := Lookup(args[0])
	if !ok {
		fmt.Fprintf(env.Stderr, "orders: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	s := config.New(cmd.Name, cmd.Synopsis, config.WithOutput(env.Stderr))
	run := cmd.Setup(s, env)
	if err := s.Parse(args[1:]); err != nil {
		if errors.Is(err, config.ErrHelp) {
			return 0
		}
		fmt.Fprintf(env.Stderr, "orders %s: %v\n", cmd.Name, err)
		return 2
	}
	if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.Stderr, "orders %s: %v\n", cmd.Name, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("orders runs the kafka-enterprise-orders platform.\n\nUsage: orders <command> [flags]\n\nCommands:\n")
	for _, c := range Commands() {
		fmt.Fprintf(&b, "  %-15s %s\n", c.Name, c.Synopsis)
	}
	b.WriteString("\nEvery flag --foo-bar can also be set as the environment variable ORDERS_FOO_BAR.\n")
	b.WriteString("Run 'orders <command> --help' for a command's flags.\n")
	_, _ = io.WriteString(w, b.String())
}

// serviceRunner is what each service package offers: wire, then run.
type serviceRunner interface{ Run(context.Context) error }

// runService builds a logger from the logging options and runs the service
// that build wires.
func runService(env Env, name string, logging *platform.Logging, build func(context.Context, *slog.Logger) (serviceRunner, error)) Runner {
	return func(ctx context.Context) error {
		log, err := logging.Logger(env.Stderr, name)
		if err != nil {
			return err
		}
		svc, err := build(ctx, log)
		if err != nil {
			return err
		}
		return svc.Run(ctx)
	}
}
