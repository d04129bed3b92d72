package composecheck_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-enterprise-orders/orders/compose/composecheck"
)

func TestMetricNames(t *testing.T) {
	cases := []struct {
		name, expr string
		want       []string
	}{
		{"bare selector", `orders_service_ready`, []string{"orders_service_ready"}},
		{"selector with matchers", `orders_consumer_lag{group="payment-service", topic=~"orders|payments"}`,
			[]string{"orders_consumer_lag"}},
		{"label values that look like metrics", `orders_records_consumed_total{topic="orders_records_produced_total", group!~"rate(x)"}`,
			[]string{"orders_records_consumed_total"}},
		{"escaped quotes and braces in a matcher", `orders_consumer_lag{group="a\"}b{", topic='c\'d'}`,
			[]string{"orders_consumer_lag"}},
		{"backtick string with a backslash", "orders_consumer_lag{group=`a\\`}",
			[]string{"orders_consumer_lag"}},
		{"function and range", `rate(orders_records_consumed_total[5m])`, []string{"orders_records_consumed_total"}},
		{"function name with a space before (", `rate (orders_records_consumed_total [5m])`, []string{"orders_records_consumed_total"}},
		{"aggregation with by before the body", `sum by (group, topic) (rate(orders_records_consumed_total{group=~"$group"}[$__rate_interval]))`,
			[]string{"orders_records_consumed_total"}},
		{"aggregation with by after the body", `sum(orders_consumer_lag) by (group)`, []string{"orders_consumer_lag"}},
		{"without, upper-case keywords", `SUM WITHOUT (partition, instance) (orders_consumer_lag)`, []string{"orders_consumer_lag"}},
		{"histogram quantile", `histogram_quantile(0.99, sum by (le, rpc_method) (rate(rpc_server_call_duration_seconds_bucket[5m])))`,
			[]string{"rpc_server_call_duration_seconds"}},
		{"histogram _sum / _count", `rate(orders_transaction_duration_seconds_sum[5m]) / rate(orders_transaction_duration_seconds_count[5m])`,
			[]string{"orders_transaction_duration_seconds"}},
		{"on, ignoring, group_left with labels", `sum by (code) (rate(rpc_server_call_duration_seconds_count{code!~"ok|"}[5m])) / ignoring (code) group_left sum(rate(rpc_server_call_duration_seconds_count[5m]))`,
			[]string{"rpc_server_call_duration_seconds"}},
		{"group_right label list then a metric", `orders_table_synced * on (service_name) group_right (table, slot) orders_cdc_lag_bytes`,
			[]string{"orders_cdc_lag_bytes", "orders_table_synced"}},
		{"group_left without a label list", `orders_service_ready * on (instance) group_left up`,
			[]string{"orders_service_ready", "up"}},
		{"set operators and bool", `orders_service_ready == bool 0 and on (instance) up unless orders_table_synced or vector(1)`,
			[]string{"orders_service_ready", "orders_table_synced", "up"}},
		{"offset, negative offset, @", `orders_consumer_lag offset 5m - orders_consumer_lag offset -1h30m + orders_cdc_lag_bytes @ 1609746000 + orders_cdc_lag_seconds @ start()`,
			[]string{"orders_cdc_lag_bytes", "orders_cdc_lag_seconds", "orders_consumer_lag"}},
		{"subquery", `max_over_time(deriv(orders_consumer_lag[5m])[30m:1m])`, []string{"orders_consumer_lag"}},
		{"numbers: float, exponent, hex, Inf, NaN", `orders_cdc_lag_bytes > 64 * 1024 * 1024 + 1.5e-3 - 0x1F + .5 and orders_cdc_lag_seconds != Inf and orders_table_synced != NaN`,
			[]string{"orders_cdc_lag_bytes", "orders_cdc_lag_seconds", "orders_table_synced"}},
		{"string arguments", `label_replace(orders_consumer_lag, "dst_label", "$1", "group", "(.*)-service") + count_values("le", orders_service_ready)`,
			[]string{"orders_consumer_lag", "orders_service_ready"}},
		{"topk with a parameter", `topk by (topic) (5, orders_consumer_lag)`, []string{"orders_consumer_lag"}},
		{"keywords that are label names in grouping", `count by (group, on, bool) (orders_records_retried_total)`,
			[]string{"orders_records_retried_total"}},
		{"comment", "orders_service_ready # == 0 and fake_metric\n  == 0", []string{"orders_service_ready"}},
		{"__name__ matcher", `{__name__="orders_service_ready", job="orders"}`, []string{"orders_service_ready"}},
		{"regex __name__ matcher names no metric", `{__name__=~"orders_.+"}`, []string{}},
		{"quoted metric name (UTF-8 syntax)", `{"orders_couchbase_write_retries_total", collection="_default"}`,
			[]string{"orders_couchbase_write_retries_total"}},
		{"Grafana variables", `sum(rate(orders_records_dead_lettered_total{group=~"$group", topic=~"${topic:regex}"}[$__rate_interval])) / $__interval_ms * ${factor}`,
			[]string{"orders_records_dead_lettered_total"}},
		{"Grafana variable glued to a name", `orders_kafka_client_${direction}_bytes_total + orders_$kind`, []string{}},
		{"old Grafana [[var]]", `rate(orders_records_produced_total[[[interval]]])`, []string{"orders_records_produced_total"}},
		{"recording-rule style name with colons", `job:orders_records_consumed:rate5m > 0`, []string{"job:orders_records_consumed:rate5m"}},
		{"absent and up", `absent(up{job="orders"})`, []string{"up"}},
		{"time functions only", `time() - vector(0)`, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := composecheck.MetricNames(tc.expr)
			if err != nil {
				t.Fatalf("MetricNames(%q): %v", tc.expr, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("MetricNames(%q) = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

func TestMetricNamesRejectsBrokenExpressions(t *testing.T) {
	for _, expr := range []string{
		`rate(orders_consumer_lag[5m]`,
		`orders_consumer_lag{group="x"`,
		`orders_consumer_lag{group="x}`,
		`sum(orders_consumer_lag))`,
		`orders_consumer_lag[5m`,
		`orders_consumer_lag}`,
	} {
		if got, err := composecheck.MetricNames(expr); err == nil {
			t.Errorf("MetricNames(%q) = %q, want an error", expr, got)
		}
	}
}

// exportedFamilies are the metric families the Go services export (base
// names of histograms, counters with _total), as the services define them.
var exportedFamilies = []string{
	"orders_records_consumed_total", "orders_records_produced_total", "orders_records_dead_lettered_total",
	"orders_records_retried_total", "orders_transactions_aborted_total", "orders_cdc_snapshot_rows_total",
	"orders_couchbase_write_retries_total", "orders_kafka_client_tx_bytes_total", "orders_kafka_client_rx_bytes_total",
	"orders_kafka_client_tx_messages_total", "orders_kafka_client_rx_messages_total",
	"orders_consumer_lag", "orders_table_synced", "orders_service_ready", "orders_cdc_lag_bytes", "orders_cdc_lag_seconds",
	"orders_kafka_client_queued_messages",
	"orders_transaction_duration_seconds", "orders_couchbase_write_duration_seconds", "rpc_server_call_duration_seconds",
}

// TestReferencedMetricsOfTheRealFiles: the dashboard and the alert rules
// use every exported family, and nothing else but Prometheus's `up`.
func TestReferencedMetricsOfTheRealFiles(t *testing.T) {
	got, err := composecheck.ReferencedMetrics(root)
	if err != nil {
		t.Fatal(err)
	}
	dash, alerts := "compose/observability/grafana/dashboards/orders.json", composecheck.AlertRulesFile
	for name, files := range got {
		if !slices.Contains(exportedFamilies, name) && !slices.Contains(composecheck.PrometheusMadeSeries, name) {
			t.Errorf("%s references %s, which the services do not export", files, name)
		}
	}
	for _, name := range exportedFamilies {
		if !slices.Contains(got[name], dash) {
			t.Errorf("the dashboard does not show %s (referenced by %v)", name, got[name])
		}
	}
	if !slices.Contains(got["up"], dash) || !slices.Contains(got["up"], alerts) {
		t.Errorf("up is referenced by %v, want the dashboard and the alerts", got["up"])
	}
	for _, name := range []string{"orders_consumer_lag", "orders_records_dead_lettered_total", "orders_service_ready",
		"orders_cdc_lag_bytes", "orders_cdc_lag_seconds", "orders_transactions_aborted_total"} {
		if !slices.Equal(got[name], []string{dash, alerts}) { // sorted
			t.Errorf("%s is referenced by %v, want [%s %s]", name, got[name], dash, alerts)
		}
	}
}

// TestReferencedMetricsReadsEveryPlace runs the extractor on a made-up tree:
// nested row panels, the old rows layout, query variables, recording rules.
func TestReferencedMetricsReadsEveryPlace(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("compose/observability/grafana/dashboards/a.json", `{
	  "panels": [
	    {"type": "timeseries", "id": 1, "targets": [{"refId": "A", "expr": "rate(a_total[5m])"}, {"refId": "B", "query": "not promql"}]},
	    {"type": "row", "id": 2, "collapsed": true, "panels": [
	      {"type": "timeseries", "id": 3, "targets": [{"refId": "A", "expr": "histogram_quantile(0.9, rate(h_seconds_bucket[1m]))"}]}
	    ]}
	  ],
	  "templating": {"list": [
	    {"name": "g", "type": "query", "datasource": {"type": "prometheus", "uid": "prometheus"}, "query": {"query": "label_values(v_gauge{job=\"x\", k=~\"a,b\"}, group)"}},
	    {"name": "l", "type": "query", "query": "label_values(group)"},
	    {"name": "n", "type": "query", "query": "label_names()"},
	    {"name": "q", "type": "query", "query": "query_result(topk(3, q_total))"},
	    {"name": "j", "type": "query", "datasource": {"type": "jaeger", "uid": "jaeger"}, "query": "services"},
	    {"name": "c", "type": "custom", "query": "a,b"}
	  ]}
	}`)
	write("compose/observability/grafana/dashboards/b.json", `{"rows": [{"panels": [{"id": 1, "targets": [{"expr": "a_total + old_gauge"}]}]}]}`)
	write("compose/observability/prometheus/alerts.yml", `groups:
  - name: g
    rules:
      - record: job:a:rate5m
        expr: sum by (job) (rate(a_total[5m]))
      - alert: A
        expr: job:a:rate5m > 0 and up == 1
`)
	got, err := composecheck.ReferencedMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b, rules := "compose/observability/grafana/dashboards/a.json", "compose/observability/grafana/dashboards/b.json", composecheck.AlertRulesFile
	want := map[string][]string{
		"a_total":   {a, b, rules}, // sorted
		"h_seconds": {a},
		"v_gauge":   {a},
		"q_total":   {a},
		"old_gauge": {b},
		"up":        {rules},
	}
	if len(got) != len(want) {
		t.Errorf("got %d names %v, want %d %v", len(got), got, len(want), want)
	}
	for name, files := range want {
		if !slices.Equal(got[name], files) {
			t.Errorf("%s: referenced by %v, want %v", name, got[name], files)
		}
	}

	// A broken expression fails, naming the file and the panel.
	write("compose/observability/grafana/dashboards/b.json", `{"panels": [{"id": 7, "title": "T", "targets": [{"refId": "A", "expr": "rate(x[5m]"}]}]}`)
	if _, err := composecheck.ReferencedMetrics(dir); err == nil || !strings.Contains(err.Error(), `b.json: panel 7 "T", target A`) {
		t.Errorf("broken expression: err = %v", err)
	}
	// No dashboard at all is an error, not an empty answer.
	if err := os.RemoveAll(filepath.Join(dir, "compose/observability/grafana/dashboards")); err != nil {
		t.Fatal(err)
	}
	if _, err := composecheck.ReferencedMetrics(dir); err == nil || !strings.Contains(err.Error(), "no Grafana dashboard") {
		t.Errorf("no dashboards: err = %v", err)
	}
}
