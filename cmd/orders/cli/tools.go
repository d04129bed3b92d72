package cli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
)

func seedSQLCommand() Command {
	return Command{
		Name:     "seed-sql",
		Synopsis: "print compose/db/init.sql: the customers schema and seed rows",
		Setup: func(s *config.Set, env Env) Runner {
			n := seed.DefaultCustomers
			s.Int(&n, "customers", seed.DefaultCustomers, "number of customers to seed")
			return func(context.Context) error {
				return customers.WriteInitSQL(env.Stdout, seed.Customers(n))
			}
		},
	}
}

func probeCommand() Command {
	return Command{
		Name:     "probe",
		Synopsis: "exit 0 when a URL answers 200 (container health checks): orders probe http://127.0.0.1:7001/readyz",
		Setup: func(s *config.Set, env Env) Runner {
			var timeout time.Duration
			s.Duration(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
			return func(ctx context.Context) error {
				if len(s.Args()) != 1 {
					return fmt.Errorf("want exactly one URL, got %d arguments", len(s.Args()))
				}
				ctx, cancel := context.WithTimeout(ctx, timeout)
				defer cancel()
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Args()[0], nil)
				if err != nil {
					return fmt.Errorf("probe: %w", err)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return fmt.Errorf("probe: %w", err)
				}
				defer res.Body.Close()
				if res.StatusCode != http.StatusOK {
					return fmt.Errorf("probe %s: %s", s.Args()[0], res.Status)
				}
				return nil
			}
		},
	}
}
