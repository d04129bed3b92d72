package pgsource_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/proto"

	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/platform"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/seed"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/pgsource"
)

// harness is a Postgres with the seeded customers, an embedded broker, and
// a reader of the `customers` topic.
type harness struct {
	t      testing.TB
	pg     *sandbox.Postgres
	dbURL  string
	kcfg   stream.Config
	broker *sandbox.Broker
	topics *events.Topics

	mu      sync.Mutex
	latest  map[string]*customersv1.Customer // nil value: tombstone
	records map[string][]*customersv1.Customer
	total   int
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	ctx := context.Background()
	pg := testenv.Postgres(t)
	if err := pg.CreateDatabase(ctx, "orders"); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, pg: pg, dbURL: pg.URL("orders"), latest: map[string]*customersv1.Customer{}, records: map[string][]*customersv1.Customer{}}
	if err := customers.Apply(ctx, h.dbURL); err != nil {
		t.Fatal(err)
	}
	h.kcfg, h.broker = testenv.Kafka(t)
	var err error
	if h.topics, err = events.Open(h.kcfg); err != nil {
		t.Fatal(err)
	}
	if err := stream.EnsureTopics(ctx, h.kcfg, true, stream.TopicSpec{Name: events.CustomersTopic, Compact: true}); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- stream.NewTable(h.kcfg, h.topics.Customers, func(r stream.Record[*customersv1.Customer]) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.latest[r.Key] = r.Value
			h.records[r.Key] = append(h.records[r.Key], r.Value)
			h.total++
		}).Run(rctx)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return h
}

// start runs a pg-source until the returned stop is called.
func (h *harness) start() (stop func()) {
	h.t.Helper()
	return h.startAs(h.dbURL)
}

// startAs runs a pg-source connecting with dbURL.
func (h *harness) startAs(dbURL string) (stop func()) {
	h.t.Helper()
	cfg := pgsource.Config{Common: platform.Common{Kafka: h.kcfg}, DatabaseURL: dbURL, Publication: "orders_cdc", Slot: "orders_pg_source"}
	svc, err := pgsource.New(context.Background(), cfg, testenv.Logger(h.t).With("service", "pg-source"))
	if err != nil {
		h.t.Fatal(err)
	}
	stop = testenv.Run(h.t, "pg-source", svc.Run)
	testenv.WaitFor(h.t, 30*time.Second, "pg-source streaming", func() bool { return svc.Ready.Check() == nil })
	return stop
}

func (h *harness) exec(sql string, args ...any) {
	h.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		h.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
}

func (h *harness) get(id string) (*customersv1.Customer, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.latest[id]
	return c, ok
}

func (h *harness) live() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.latest {
		if c != nil {
			n++
		}
	}
	return n
}

// checkRepublishes fails when a key's history has an older value come back
// after a newer one: a restart may only repeat the latest values, as
// idempotent re-publishes of the same key and value.
func (h *harness) checkRepublishes() {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, recs := range h.records {
		var distinct []*customersv1.Customer
		for i, r := range recs {
			if i > 0 && proto.Equal(r, recs[i-1]) {
				continue // re-published as it was
			}
			for _, earlier := range distinct {
				if r != nil && proto.Equal(r, earlier) {
					h.t.Errorf("%s: an older value was published again after a newer one", id)
				}
			}
			distinct = append(distinct, r)
		}
	}
}

// TestSnapshotThenChanges: a new slot publishes every existing row, then
// inserts, updates and deletes (as tombstones) follow.
func TestSnapshotThenChanges(t *testing.T) {
	h := newHarness(t)
	h.start()
	testenv.WaitFor(t, 30*time.Second, "snapshot of the seeded customers", func() bool { return h.live() == seed.DefaultCustomers })
	want := seed.Customers(1)[0]
	got, _ := h.get(want.CustomerId)
	if got.GetName() != want.Name || got.GetCreditLimitMinor() != want.CreditLimitMinor || got.GetRiskTier() != want.RiskTier || got.GetUpdatedAt() == nil {
		t.Fatalf("snapshot row = %v, want %v", got, want)
	}

	h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
		VALUES ('cus-9001', 'New Person', 'new@example.com', 'FR', 'MEDIUM', 123400, 'EUR')`)
	h.exec(`UPDATE customers SET credit_limit_minor = 777700, risk_tier = 'HIGH' WHERE id = 'cus-0001'`)
	h.exec(`DELETE FROM customers WHERE id = 'cus-0002'`)
	testenv.WaitFor(t, 60*time.Second, "insert, update and delete", func() bool {
		ins, _ := h.get("cus-9001")
		upd, _ := h.get("cus-0001")
		del, seen := h.get("cus-0002")
		return ins.GetCountry() == "FR" && upd.GetCreditLimitMinor() == 777700 && seen && del == nil
	})
	if upd, _ := h.get("cus-0001"); upd.GetRiskTier() != customersv1.RiskTier_RISK_TIER_HIGH {
		t.Errorf("updated risk tier = %v", upd.GetRiskTier())
	}

	// A row that is not a valid customer goes to customers.dlq, not lost.
	h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
		VALUES ('not-a-customer-id', 'Bad', 'bad@example.com', 'ZZ', 'LOW', 1, 'EUR')`)
	dlq := testenv.ReadTopic(t, h.kcfg, stream.DeadLetterTopic(events.CustomersTopic), 1, 30*time.Second)
	if dlq[0].Header(stream.HeaderErrorClass) != "validation" || string(dlq[0].Key) != "not-a-customer-id" {
		t.Errorf("dead letter = key %q headers %v", dlq[0].Key, dlq[0].Headers)
	}
}

// TestResumesAfterSourceRestart: changes made while pg-source is down
// arrive after it restarts; the snapshot is not repeated.
func TestResumesAfterSourceRestart(t *testing.T) {
	h := newHarness(t)
	stop := h.start()
	testenv.WaitFor(t, 30*time.Second, "snapshot", func() bool { return h.live() == seed.DefaultCustomers })
	h.exec(`UPDATE customers SET name = 'Before Stop' WHERE id = 'cus-0003'`)
	testenv.WaitFor(t, 60*time.Second, "change before stop", func() bool { c, _ := h.get("cus-0003"); return c.GetName() == "Before Stop" })
	stop()

	for i := range 50 {
		h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
			VALUES ($1, 'While Down', 'down@example.com', 'DE', 'LOW', 1000, 'EUR')`, fmt.Sprintf("cus-down-%02d", i))
	}
	h.exec(`UPDATE customers SET name = 'While Down' WHERE id = 'cus-0004'`)
	h.exec(`DELETE FROM customers WHERE id = 'cus-0005'`)
	h.start()
	testenv.WaitFor(t, 30*time.Second, "changes made while stopped", func() bool {
		c, _ := h.get("cus-0004")
		d, seen := h.get("cus-0005")
		last, _ := h.get("cus-down-49")
		return c.GetName() == "While Down" && seen && d == nil && last != nil
	})
	// Customers are spread over partitions, which arrive in any order.
	testenv.WaitFor(t, 30*time.Second, "every live customer", func() bool { return h.live() >= seed.DefaultCustomers+49 })
	if n := h.live(); n != seed.DefaultCustomers+50-1 {
		t.Errorf("%d live customers, want %d", n, seed.DefaultCustomers+49)
	}
	h.mu.Lock()
	untouched := len(h.records["cus-0150"])
	h.mu.Unlock()
	if untouched != 1 {
		t.Errorf("cus-0150 published %d times; the snapshot must not be repeated", untouched)
	}
	h.checkRepublishes()
}

// TestResumesAfterPostgresRestart: Postgres goes away mid-stream and comes
// back; pg-source reconnects and picks up from its slot.
func TestResumesAfterPostgresRestart(t *testing.T) {
	h := newHarness(t)
	h.start()
	testenv.WaitFor(t, 30*time.Second, "snapshot", func() bool { return h.live() == seed.DefaultCustomers })
	h.exec(`UPDATE customers SET name = 'Before Restart' WHERE id = 'cus-0006'`)
	if err := h.pg.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // pg-source sees the connection drop
	if err := h.pg.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.exec(`UPDATE customers SET name = 'After Restart' WHERE id = 'cus-0007'`)
	h.exec(`DELETE FROM customers WHERE id = 'cus-0008'`)
	testenv.WaitFor(t, 60*time.Second, "changes around the Postgres restart", func() bool {
		a, _ := h.get("cus-0006")
		b, _ := h.get("cus-0007")
		c, seen := h.get("cus-0008")
		return a.GetName() == "Before Restart" && b.GetName() == "After Restart" && seen && c == nil
	})
	h.checkRepublishes()
}

// TestBulkLoad: 100k rows inserted in one statement all reach Kafka.
func TestBulkLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk load in -short mode")
	}
	h := newHarness(t)
	h.start()
	testenv.WaitFor(t, 30*time.Second, "snapshot", func() bool { return h.live() == seed.DefaultCustomers })
	const rows = 100_000
	began := time.Now()
	h.exec(`INSERT INTO customers (id, name, email, country, risk_tier, credit_limit_minor, currency)
		SELECT 'cus-bulk-' || g, 'Bulk ' || g, 'bulk' || g || '@example.com', 'DE', 'LOW', 100000, 'EUR'
		FROM generate_series(1, $1) AS g`, rows)
	testenv.WaitFor(t, 5*time.Minute, "bulk rows", func() bool { return h.live() == seed.DefaultCustomers+rows })
	t.Logf("%d rows committed and published in %s (%.0f rows/s, reader included)", rows, time.Since(began), rows/time.Since(began).Seconds())
}

// TestRunsAsALeastPrivilegeRole: with GrantsSQL applied by the owner,
// pg-source works as a role that has REPLICATION and nothing more, and that
// role can read the customers but not change them.
func TestRunsAsALeastPrivilegeRole(t *testing.T) {
	h := newHarness(t)
	h.exec(`CREATE ROLE orders_cdc LOGIN REPLICATION PASSWORD 'cdc-test'`)
	h.exec(pgsource.GrantsSQL("orders_cdc", "orders_cdc"))
	u, err := url.Parse(h.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("orders_cdc", "cdc-test")
	h.startAs(u.String())
	testenv.WaitFor(t, 30*time.Second, "snapshot of the seeded customers", func() bool { return h.live() == seed.DefaultCustomers })
	h.exec(`UPDATE customers SET credit_limit_minor = 424200 WHERE id = 'cus-0003'`)
	testenv.WaitFor(t, 60*time.Second, "an update", func() bool { c, _ := h.get("cus-0003"); return c.GetCreditLimitMinor() == 424200 })

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE customers SET credit_limit_minor = 1 WHERE id = 'cus-0003'`); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("the replication role changed a customer: %v", err)
	}
}
