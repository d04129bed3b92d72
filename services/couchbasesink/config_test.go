package couchbasesink_test

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/services/couchbasesink"
)

func parse(t *testing.T, env map[string]string, args ...string) (couchbasesink.Config, error) {
	t.Helper()
	var cfg couchbasesink.Config
	set := config.New("couchbase-sink", "test", config.WithOutput(io.Discard),
		config.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	cfg.Register(set)
	if err := set.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cfg, cfg.Validate()
}

// TestConfigDefaultsAndEnvironment checks the defaults the Compose file and
// the connector twin rely on, and the ORDERS_* fallbacks.
func TestConfigDefaultsAndEnvironment(t *testing.T) {
	cfg, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	cb := cfg.Couchbase
	if cfg.Listen != "127.0.0.1:7006" || cb.URL != "couchbase://127.0.0.1" || cb.Username != "Administrator" ||
		cb.Password != "password" || cb.Bucket != "order_analytics" || cb.Scope != "_default" ||
		cb.Collection != "_default" || cb.CreateBucket || cb.Durability != "majority" || cfg.Group != "couchbase-sink" ||
		!slices.Equal(cfg.Topics, []string{"order-analytics"}) {
		t.Errorf("defaults = %+v", cfg)
	}
	cfg, err = parse(t, map[string]string{
		"ORDERS_COUCHBASE_URL": "couchbase://couchbase", "ORDERS_COUCHBASE_BUCKET": "b",
		"ORDERS_TOPICS": "payments, fraud-alerts", "ORDERS_CREATE_BUCKET": "true",
	}, "--couchbase-bucket=flag-wins")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Couchbase.URL != "couchbase://couchbase" || cfg.Couchbase.Bucket != "flag-wins" || !cfg.Couchbase.CreateBucket ||
		!slices.Equal(cfg.Topics, []string{"payments", "fraud-alerts"}) {
		t.Errorf("from environment = %+v", cfg)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--topics=order-analytics,analytics.orders-by-country"}, `cannot copy "analytics.orders-by-country"`},
		{[]string{"--topics=orders,orders"}, `names "orders" twice`},
		{[]string{"--topics= , "}, "names no topic"},
		{[]string{"--couchbase-scope=s"}, "exists only in scope _default"},
		{[]string{"--couchbase-bucket="}, "must not be empty"},
		{[]string{"--couchbase-durability=quorum"}, `--couchbase-durability "quorum"`},
	} {
		_, err := parse(t, nil, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := parse(t, nil, "--topics=order-analytics,payments,fraud-alerts,orders,customers",
		"--couchbase-scope=s", "--couchbase-collection=c"); err != nil {
		t.Errorf("every supported topic in a named collection: %v", err)
	}
}

func TestCheckKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"DE": true, "ord-0001": true, strings.Repeat("k", 250): true,
		"": false, strings.Repeat("k", 251): false, "\xff\xfe": false,
	} {
		if err := couchbasesink.CheckKey(key); (err == nil) != ok {
			t.Errorf("CheckKey(%.20q) = %v, want ok=%v", key, err, ok)
		}
	}
}
