package pgsource_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/catalog"
	"github.com/kafka-enterprise-orders/orders/internal/events"
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
		testenv.WaitFor(b, 60*time.Second, "snapshot", func() bool { return h.live() == catalog.DefaultCustomers })
		seen := keyWatcher(b, h)
		lat := make([]time.Duration, 0, changes)
		for i := range changes {
			key := fmt.Sprintf("cus-lat-%d-%d", b.N, i)
			h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
				VALUES ($1, 'Latency', 'lat@example.com', 'DE', 'LOW', 1000, 'EUR')`, key)
			committed := time.Now() // the commit has been acknowledged to the client
			got := <-seen
			for got.key != key {
				got = <-seen
			}
			lat = append(lat, got.at.Sub(committed))
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
		testenv.WaitFor(b, 60*time.Second, "snapshot", func() bool { return h.live() == catalog.DefaultCustomers })
		seen := keyWatcher(b, h)
		h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
			SELECT 'cus-bulk-' || g, 'Bulk ' || g, 'bulk' || g || '@example.com', 'DE', 'LOW', 100000, 'EUR'
			FROM generate_series(1, $1) AS g`, rows)
		committed := time.Now()
		var last time.Time
		for range rows {
			last = (<-seen).at
		}
		d := last.Sub(committed)
		b.ReportMetric(rows/d.Seconds(), "rows/s")
		b.Logf("%d rows: last record in Kafka %s after commit (%.0f rows/s)", rows, d, rows/d.Seconds())
	}
}

type sighting struct {
	key string
	at  time.Time
}

// keyWatcher reports the key of every new record of `customers` with the
// time it became readable (no decoding, so the reader is not the limit).
func keyWatcher(b testing.TB, h *harness) <-chan sighting {
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{"bootstrap.servers": h.kcfg.Brokers, "group.id": "latency-watch",
		"auto.offset.reset": "latest", "enable.auto.commit": false, "fetch.wait.max.ms": 5, "log_level": 4})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Subscribe(events.CustomersTopic, nil); err != nil {
		b.Fatal(err)
	}
	// Wait for the assignment so that "latest" is before the first change.
	for len(mustAssignment(b, c)) == 0 {
		c.Poll(50)
	}
	for settle := time.Now().Add(time.Second); time.Now().Before(settle); {
		c.Poll(50) // let the consumer resolve "latest" before the first change
	}
	out := make(chan sighting, 200_000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if m, ok := c.Poll(20).(*ckafka.Message); ok {
				out <- sighting{string(m.Key), time.Now()}
			}
		}
	}()
	b.Cleanup(func() { cancel(); <-done; c.Close() })
	return out
}

func mustAssignment(b testing.TB, c *ckafka.Consumer) []ckafka.TopicPartition {
	parts, err := c.Assignment()
	if err != nil {
		b.Fatal(err)
	}
	return parts
}
