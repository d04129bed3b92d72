package e2e_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	"github.com/kafka-enterprise-orders/orders/compose/composecheck"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// checkMetrics scrapes every service of the running stack: each serves
// its metrics, they count what the stack test did, and every metric the
// Grafana dashboard and the alert rules name is exported by some service
// (a dashboard cannot name a metric that does not exist).
func checkMetrics(t *testing.T, st *devstack.Stack) {
	endpoints := map[string]string{
		"order-producer": st.OrderURL, "payment-service": st.PaymentURL, "fraud-service": st.FraudURL,
		"analytics-service": st.AnalyticsURL, "dead-letter-service": st.DeadLetterURL,
		"pg-source": st.PgSourceURL, "couchbase-sink": st.SinkURL, "gateway": st.GatewayURL,
	}
	refs, err := composecheck.ReferencedMetrics("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) == 0 {
		t.Fatal("the dashboard and alert rules name no metric")
	}
	// librdkafka reports its statistics every 10 s: scrape until they are in.
	var scrapes map[string]testenv.Metrics
	var missing []string
	testenv.WaitFor(t, time.Minute, "every metric the dashboard and the alert rules name", func() bool {
		scrapes = map[string]testenv.Metrics{}
		exported := map[string]bool{}
		for name, url := range endpoints {
			if url == "" {
				continue // left out of this stack (no Postgres or gocaves)
			}
			scrapes[name] = testenv.Scrape(t, url+"/metrics")
			for family := range scrapes[name] {
				exported[family] = true
			}
		}
		missing = missing[:0]
		for name, files := range refs {
			if name != "up" && !exported[name] { // up is made by Prometheus itself
				missing = append(missing, name+" (in "+strings.Join(files, ", ")+")")
			}
		}
		return len(missing) == 0
	}, func() string {
		sort.Strings(missing)
		return "named by the dashboard or alert rules but exported by no service:\n  " + strings.Join(missing, "\n  ")
	})
	if n := scrapes["payment-service"].Sum("orders_records_consumed_total", "group", "payment-service", "topic", "orders"); n < 2 {
		t.Errorf("payment-service counted %v orders consumed, want at least the 2 the test placed", n)
	}
	if !scrapes["order-producer"].Has("rpc_server_call_duration_seconds", "rpc_method", "orders.v1.OrderService/PlaceOrder", "rpc_response_status_code", "OK") {
		t.Errorf("order-producer measured no successful PlaceOrder: %v", scrapes["order-producer"]["rpc_server_call_duration_seconds"])
	}
	if st.SinkURL != "" && scrapes["couchbase-sink"].Sum("orders_couchbase_write_duration_seconds") < 1 {
		t.Errorf("couchbase-sink measured no write")
	}
	if st.PgSourceURL != "" {
		if rows := scrapes["pg-source"].Sum("orders_cdc_snapshot_rows_total"); rows < 1 {
			t.Errorf("pg-source counted %v snapshot rows of the seeded customers", rows)
		}
		testenv.WaitFor(t, time.Minute, "pg-source caught up (CDC lag 0 bytes)", func() bool {
			m := testenv.Scrape(t, st.PgSourceURL+"/metrics")
			return m.Has("orders_cdc_lag_bytes") && m.Sum("orders_cdc_lag_bytes") == 0
		})
	}
	// The dead-letters subtest replayed payment-service's dead letter once and discarded it.
	dl := scrapes["dead-letter-service"]
	if dl.Sum("orders_dead_letters_replayed_total", "consumer", "payment-service") < 1 || dl.Sum("orders_dead_letters_discarded_total", "consumer", "payment-service") < 1 {
		t.Errorf("dead-letter-service counted no replay or no discard of payment-service's dead letter: %v %v",
			dl["orders_dead_letters_replayed_total"], dl["orders_dead_letters_discarded_total"])
	}
	if scrapes["payment-service"].Sum("orders_service_ready") != 1 {
		t.Errorf("payment-service does not report itself ready")
	}
}
