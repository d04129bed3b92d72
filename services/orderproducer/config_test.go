package orderproducer

import (
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
)

func parse(t *testing.T, args ...string) Config {
	t.Helper()
	var c Config
	s := config.New("order-producer", "test", config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	c.Register(s)
	if err := s.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigDefaultsGenerateOneOrderPerSecond(t *testing.T) {
	c := parse(t)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if d, on := c.period(); !on || d != time.Second || c.Seed != 1 || c.Customers != seed.DefaultCustomers || c.Count != 0 {
		t.Errorf("defaults: period %v on=%v seed %d customers %d count %d", d, on, c.Seed, c.Customers, c.Count)
	}
}

func TestConfigPeriod(t *testing.T) {
	cases := []struct {
		args []string
		want time.Duration
		on   bool
	}{
		{[]string{"--rate", "4"}, 250 * time.Millisecond, true},
		{[]string{"--rate", "0"}, 0, false},
		{[]string{"--rate", "-1"}, 0, true}, // flat out
		{[]string{"--rate", "0", "--interval", "5s"}, 5 * time.Second, true},
		{[]string{"--rate", "100", "--interval", "2s"}, 2 * time.Second, true}, // interval overrides rate
	}
	for _, c := range cases {
		d, on := parse(t, c.args...).period()
		if d != c.want || on != c.on {
			t.Errorf("%v: period %v on=%v, want %v on=%v", c.args, d, on, c.want, c.on)
		}
	}
}

func TestConfigValidateRejectsBadCombinations(t *testing.T) {
	for _, args := range [][]string{
		{"--interval", "-1s"},
		{"--count", "-1"},
		{"--customers", "0"},
	} {
		if err := parse(t, args...).Validate(); err == nil {
			t.Errorf("%v: Validate passed, want an error", args)
		}
	}
}
