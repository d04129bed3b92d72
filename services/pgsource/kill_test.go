package pgsource_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestKilledWithChangesInFlight runs pg-source as an `orders pg-source`
// process. Once it streams, the broker stops answering produce requests,
// so the records of the next changes stay in flight, unacknowledged, while
// pg-source reads them from the WAL and keeps reporting its position to
// Postgres. It is then killed with SIGKILL, the broker answers again and a
// new pg-source starts from the slot: every row's final version arrives,
// because no position past an unacknowledged record was ever confirmed.
func TestKilledWithChangesInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the orders binary")
	}
	h := newHarness(t)
	if h.broker == nil {
		t.Skip("holds produce requests with the embedded broker's fault injection, which a real Kafka cluster (ORDERS_TEST_KAFKA=real) lacks")
	}
	bin := testenv.OrdersBinary(t)
	// Produce requests go unanswered while blocked: the records stay in the
	// producer, neither written nor acknowledged.
	var blocked, held atomic.Bool
	cluster := h.broker.Cluster()
	cluster.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if blocked.Load() {
			held.Store(true)
			return nil, nil, true
		}
		return nil, nil, false
	})

	p := testenv.StartProcess(t, bin, "pg-source", "--database-url="+h.dbURL, "--kafka-brokers="+h.kcfg.Brokers,
		"--schema-registry-url="+h.kcfg.SchemaRegistryURL, "--listen-addr=127.0.0.1:0")
	testenv.WaitFor(t, 60*time.Second, "snapshot", func() bool { return h.live() == seed.DefaultCustomers })
	h.exec(`UPDATE customers SET name = 'Acknowledged' WHERE id = 'cus-0001'`)
	testenv.WaitFor(t, 60*time.Second, "a change before the block", func() bool { c, _ := h.get("cus-0001"); return c.GetName() == "Acknowledged" })

	blocked.Store(true)
	for v := 1; v <= 5; v++ {
		h.exec(`UPDATE customers SET name = 'Version ' || $1::int WHERE id IN
			(SELECT id FROM customers WHERE id LIKE 'cus-00%' ORDER BY id LIMIT 20)`, v)
	}
	h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
		SELECT 'cus-kill-' || g, 'Inserted', 'kill' || g || '@example.com', 'DE', 'LOW', 1000, 'EUR' FROM generate_series(10, 29) AS g`)
	h.exec(`DELETE FROM customers WHERE id IN ('cus-0030', 'cus-0031')`)
	testenv.WaitFor(t, 60*time.Second, "a produce request held", held.Load)
	// pg-source reports its position every second: two reports after all
	// changes were sent to it, and it has reported at least once with every
	// change read.
	sent := walSentBeyond(t, h, currentLSN(t, h))
	waitReplies(t, h, sent, 2)

	p.Kill()
	blocked.Store(false)
	h.start()
	checkFinalVersions(t, h)
	h.checkRepublishes()
}

// currentLSN is the server's WAL position now.
func currentLSN(t *testing.T, h *harness) string {
	t.Helper()
	var lsn string
	query(t, h, func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), "SELECT pg_current_wal_lsn()::text").Scan(&lsn)
	})
	return lsn
}

// walSentBeyond waits until the walsender of pg-source's slot sent WAL up
// to lsn and returns the time of its last reply then.
func walSentBeyond(t *testing.T, h *harness, lsn string) time.Time {
	t.Helper()
	var reply time.Time
	testenv.WaitFor(t, 60*time.Second, "WAL sent to pg-source up to "+lsn, func() bool {
		var done bool
		query(t, h, func(conn *pgx.Conn) error {
			return conn.QueryRow(context.Background(), `SELECT r.sent_lsn >= $1::pg_lsn, COALESCE(r.reply_time, 'epoch')
				FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
				WHERE s.slot_name = 'orders_pg_source'`, lsn).Scan(&done, &reply)
		})
		return done
	})
	return reply
}

// waitReplies waits until pg-source sent n more status reports after since.
func waitReplies(t *testing.T, h *harness, since time.Time, n int) {
	t.Helper()
	for i := range n {
		testenv.WaitFor(t, 30*time.Second, fmt.Sprintf("status report %d of pg-source", i+1), func() bool {
			var reply time.Time
			query(t, h, func(conn *pgx.Conn) error {
				return conn.QueryRow(context.Background(), `SELECT COALESCE(r.reply_time, 'epoch')
					FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
					WHERE s.slot_name = 'orders_pg_source'`).Scan(&reply)
			})
			if reply.After(since) {
				since = reply
				return true
			}
			return false
		})
	}
}

// checkFinalVersions waits until the topic's latest value of every row is
// the row as it is in Postgres, and every deleted row is a tombstone.
func checkFinalVersions(t *testing.T, h *harness) {
	t.Helper()
	want := map[string]string{}
	query(t, h, func(conn *pgx.Conn) error {
		rows, err := conn.Query(context.Background(), "SELECT id, name FROM customers")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			want[id] = name
		}
		return rows.Err()
	})
	testenv.WaitForAll(t, 60*time.Second, "every row's final version", func() []string {
		h.mu.Lock()
		defer h.mu.Unlock()
		var missing []string
		for id, name := range want {
			if c := h.latest[id]; c.GetName() != name {
				missing = append(missing, fmt.Sprintf("%s %q (have %q)", id, name, c.GetName()))
			}
		}
		for id, c := range h.latest {
			if _, ok := want[id]; !ok && c != nil {
				missing = append(missing, "tombstone of "+id)
			}
		}
		return missing
	})
}

func query(t *testing.T, h *harness, fn func(*pgx.Conn) error) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := fn(conn); err != nil {
		t.Fatal(err)
	}
}
