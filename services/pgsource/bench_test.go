package pgsource_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// jdbcPollInterval is the Confluent JDBC source connector's default
// poll.interval.ms: the baseline pg-source is measured against.
const jdbcPollInterval = 5 * time.Second

// BenchmarkChangeLatency measures Postgres commit → record readable in
// Kafka over 1000 single-row inserts, one at a time, and reports the median
// and p99 next to the JDBC source's poll interval. Run with -benchtime=1x.
func BenchmarkChangeLatency(b *testing.B) {
	const changes = 1000
	for range b.N {
		h := newHarness(b)
		h.start()
		testenv.WaitFor(b, 60*time.Second, "snapshot", func() bool { return h.live() == seed.DefaultCustomers })
		seen := testenv.WatchKeys(b, h.kcfg, events.CustomersTopic)
		lat := make([]time.Duration, 0, changes)
		for i := range changes {
			key := fmt.Sprintf("cus-lat-%d-%d", b.N, i)
			h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
				VALUES ($1, 'Latency', 'lat@example.com', 'DE', 'LOW', 1000, 'EUR')`, key)
			committed := time.Now() // the commit has been acknowledged to the client
			got := <-seen
			for got.Key != key {
				got = <-seen
			}
			lat = append(lat, got.At.Sub(committed))
		}
		slices.Sort(lat)
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(jdbcPollInterval.Milliseconds())/2/(float64(p50.Microseconds())/1000), "x-faster-than-jdbc-mean")
		b.Logf("%d single-row changes: p50 %s, p99 %s, max %s; JDBC source polls every %s (mean wait %s)",
			changes, p50, p99, lat[len(lat)-1], jdbcPollInterval, jdbcPollInterval/2)
	}
}

// BenchmarkBulkThroughput measures 100k rows inserted in one statement,
// from commit to the last record readable in Kafka. Run with -benchtime=1x.
func BenchmarkBulkThroughput(b *testing.B) {
	const rows = 100_000
	for range b.N {
		h := newHarness(b)
		h.start()
		testenv.WaitFor(b, 60*time.Second, "snapshot", func() bool { return h.live() == seed.DefaultCustomers })
		seen := testenv.WatchKeys(b, h.kcfg, events.CustomersTopic)
		h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
			SELECT 'cus-bulk-' || g, 'Bulk ' || g, 'bulk' || g || '@example.com', 'DE', 'LOW', 100000, 'EUR'
			FROM generate_series(1, $1) AS g`, rows)
		committed := time.Now()
		var last time.Time
		for range rows {
			last = (<-seen).At
		}
		d := last.Sub(committed)
		b.ReportMetric(rows/d.Seconds(), "rows/s")
		b.Logf("%d rows: last record in Kafka %s after commit (%.0f rows/s)", rows, d, rows/d.Seconds())
	}
}
