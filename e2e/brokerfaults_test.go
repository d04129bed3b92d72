// Package e2e_test holds the end-to-end tests that need what the embedded
// broker cannot show: a real 3-node Apache Kafka cluster whose nodes are
// killed, restarted and failed over while orders stream through the
// exactly-once services.
package e2e_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/app"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/kafka"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/services/analytics"
	"github.com/kafka-enterprise-orders/orders/services/orderproducer"
	"github.com/kafka-enterprise-orders/orders/services/payment"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// faultRun is one run of payment- and analytics-service on the real
// cluster while orders stream in and a fault strikes.
type faultRun struct {
	t       *testing.T
	cluster *sandbox.KafkaCluster
	cfg     kafka.Config
	topics  *events.Topics
	// published counts orders handed to the producer so far.
	published atomic.Int64
	// paymentCommit, when set, runs inside payment's open transaction
	// before each commit.
	paymentCommit func(ctx context.Context, batch int) error
	// paymentTxTimeout, when set, is payment's transaction timeout.
	paymentTxTimeout time.Duration
	// serviceCfg and publisherCfg are the Kafka configuration of the
	// services and of the order publisher; cfg is the test's own readers'.
	serviceCfg, publisherCfg kafka.Config
}

const (
	faultOrders = 2000
	paymentTxID = "payment-fault"
)

// TestLeaderKilled: the leaders of orders[0] and payments[0] are
// SIGKILLed mid-stream, one after the other, and started again.
func TestLeaderKilled(t *testing.T) {
	runFault(t, nil, func(f *faultRun) {
		f.waitPublished(faultOrders / 4)
		for _, tp := range []string{events.OrdersTopic, events.PaymentsTopic} {
			leader := f.leader(tp, 0)
			f.t.Logf("SIGKILL node %d, leader of %s[0], after %d orders", leader, tp, f.published.Load())
			f.must(f.cluster.Kill(leader))
			time.Sleep(3 * time.Second)
			f.must(f.cluster.Restart(context.Background(), leader))
			f.waitInSync()
		}
	})
}

// TestRollingRestart: every node in turn is shut down and started again
// under load, each once the previous one is back in sync.
func TestRollingRestart(t *testing.T) {
	runFault(t, nil, func(f *faultRun) {
		f.waitPublished(faultOrders / 5)
		for _, node := range f.cluster.Nodes() {
			f.t.Logf("restart node %d after %d orders", node, f.published.Load())
			f.must(f.cluster.Stop(node))
			f.must(f.cluster.Restart(context.Background(), node))
			f.waitInSync()
		}
	})
}

// TestTransactionCoordinatorFailover: the node that coordinates payment's
// and analytics' transactions is SIGKILLed while a payment transaction is
// open (from inside it, just before its commit), with analytics' open too.
// It stays down past payment's transaction timeout, so the coordinator
// that takes over aborts that transaction: payment must find its commit
// refused, fence itself off, and redo the batch from its committed offsets.
func TestTransactionCoordinatorFailover(t *testing.T) {
	var killed atomic.Bool
	var f *faultRun
	hook := func(ctx context.Context, batch int) error {
		if f == nil || f.published.Load() < faultOrders/3 || !killed.CompareAndSwap(false, true) {
			return nil
		}
		node := f.leader("__transaction_state", transactionPartition(paymentTxID))
		f.t.Logf("SIGKILL node %d, coordinator of %s, inside a transaction of %d orders", node, paymentTxID, batch)
		if err := f.cluster.Kill(node); err != nil {
			return fmt.Errorf("kill coordinator: %w", err)
		}
		go func() { // the commit that follows meets a dead coordinator
			time.Sleep(coordinatorDown)
			if err := f.cluster.Restart(context.Background(), node); err != nil {
				f.t.Errorf("restart node %d: %v", node, err)
			}
		}()
		return nil
	}
	runFault(t, func(r *faultRun) {
		f = r
		r.paymentCommit = hook
		r.paymentTxTimeout = paymentTxTimeout
	}, func(f *faultRun) {
		testenv.WaitFor(t, 3*time.Minute, "the coordinator killed", killed.Load)
		time.Sleep(coordinatorDown + time.Second)
		f.waitInSync()
	})
	// The fault did strike: the payments topic holds the records of at
	// least one aborted transaction.
	committed := len(testenv.ReadRawToEnd(t, f.cfg, f.topics.Payments.Name, testenv.ReadCommitted))
	all := len(testenv.ReadRawToEnd(t, f.cfg, f.topics.Payments.Name, testenv.ReadUncommitted))
	t.Logf("payments: %d records, %d of them committed", all, committed)
	if all == committed {
		t.Error("no payment transaction was aborted: the coordinator failover did not strike inside one")
	}
}

const (
	// paymentTxTimeout is payment's transaction timeout in the coordinator
	// failover test, and coordinatorDown how long its coordinator stays
	// down: longer than the timeout plus the cluster's broker session
	// timeout (6 s), after which another node takes the coordination over.
	paymentTxTimeout = 4 * time.Second
	coordinatorDown  = 12 * time.Second
)

// TestConsumerGroupProtocol runs the leader kill with KIP-848 consumer
// groups (group.protocol=consumer) instead of the classic protocol.
func TestConsumerGroupProtocol(t *testing.T) {
	runFault(t, func(f *faultRun) { f.serviceCfg.Extra = ckafka.ConfigMap{"group.protocol": "consumer"} }, func(f *faultRun) {
		f.waitPublished(faultOrders / 3)
		leader := f.leader(events.OrdersTopic, 0)
		f.t.Logf("SIGKILL node %d, leader of orders[0], after %d orders", leader, f.published.Load())
		f.must(f.cluster.Kill(leader))
		time.Sleep(3 * time.Second)
		f.must(f.cluster.Restart(context.Background(), leader))
		f.waitInSync()
	})
}

// runFault starts payment and analytics on the real cluster, streams
// faultOrders orders at about 150 a second while fault runs, and then
// checks exactly one payment per order, exact per-country totals, and
// that no order was lost.
func runFault(t *testing.T, setup func(*faultRun), fault func(*faultRun)) {
	if testing.Short() {
		t.Skip("runs a real Kafka cluster")
	}
	f := &faultRun{t: t, cluster: testenv.RealCluster(t), cfg: testenv.RealKafka(t)}
	f.serviceCfg, f.publisherCfg = f.cfg, f.cfg
	if setup != nil {
		setup(f)
	}
	f.switchOff(os.Getenv(SwitchEnv))
	var err error
	if f.topics, err = events.Open(f.cfg); err != nil {
		t.Fatal(err)
	}
	stop := f.startServices()
	payments := testenv.Collect(t, f.cfg, f.topics.Payments)
	stats := testenv.Collect(t, f.cfg, f.topics.OrderAnalytics)

	orders := orderproducer.NewGenerator(11, 50, "fault")
	sent := make([]*ordersv1.Order, faultOrders)
	for i := range sent {
		sent[i] = orders.Next(time.Now())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	published := make(chan error, 1)
	go func() { published <- f.publish(ctx, sent) }()
	fault(f)
	if err := <-published; err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(sent))
	for i, o := range sent {
		ids[i] = o.GetOrderId()
	}
	testenv.WaitForAll(t, 4*time.Minute, "a payment per order", func() []string {
		return testenv.Absent(ids, payments.Latest())
	})
	testenv.WaitFor(t, 4*time.Minute, "every order counted", func() bool {
		var n int64
		for _, cs := range stats.Latest() {
			n += cs.GetOrderCount()
		}
		return n >= int64(len(ids))
	})
	stop()

	inputs := testenv.ReadToEnd(t, f.cfg, f.topics.Orders)
	if got := keysOf(inputs, func(o *ordersv1.Order) string { return o.GetOrderId() }); len(inputs) != len(ids) || len(testenv.Absent(ids, got)) > 0 {
		t.Errorf("orders topic holds %d records, %d distinct ids, for %d sent; missing %s", len(inputs), len(got), len(ids), testenv.Missing(testenv.Absent(ids, got)))
	}
	paid := testenv.ReadToEnd(t, f.cfg, f.topics.Payments)
	if got := keysOf(paid, nil); len(paid) != len(ids) || len(testenv.Absent(ids, got)) > 0 {
		t.Errorf("%d payment records for %d orders (%d distinct): want exactly one each", len(paid), len(ids), len(got))
	}
	checkTotals(t, testenv.ReadToEnd(t, f.cfg, f.topics.OrderAnalytics), sent)
}

// startServices runs payment and analytics in-process until the returned
// stop (or the test's end), and waits until both are ready.
func (f *faultRun) startServices() (stop func()) {
	t := f.t
	ctx := context.Background()
	log := testenv.Logger(t)
	common := app.Common{Kafka: f.serviceCfg}
	pay, err := payment.New(ctx, payment.Config{Common: common, Group: "payment-service", TransactionalID: paymentTxID,
		TransactionTimeout: f.paymentTxTimeout,
		Rules:              payment.Rules{MinAmount: 1, MaxAmount: 10000, DefaultCreditLimit: 1000}}, log.With("service", "payment"))
	if err != nil {
		t.Fatal(err)
	}
	pay.BeforeCommit = f.paymentCommit
	an, err := analytics.New(ctx, analytics.Config{Common: common, Group: "analytics-service", TransactionalID: f.analyticsTxID()}, log.With("service", "analytics"))
	if err != nil {
		t.Fatal(err)
	}
	stops := []func(){testenv.Run(t, "payment-service", pay.Run), testenv.Run(t, "analytics-service", an.Run)}
	testenv.WaitFor(t, 2*time.Minute, "services ready", func() bool { return pay.Ready.Check() == nil && an.Ready.Check() == nil })
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// analyticsTxID picks analytics' transactional id so that both of its
// transactional producers share payment's transaction coordinator.
func (f *faultRun) analyticsTxID() string {
	want := transactionPartition(paymentTxID)
	for i := 0; ; i++ {
		id := fmt.Sprintf("analytics-fault-%d", i)
		if transactionPartition(id) == want && transactionPartition(id+"-repartition") == want {
			return id
		}
	}
}

// publish sends the orders at about 150 a second.
func (f *faultRun) publish(ctx context.Context, orders []*ordersv1.Order) error {
	prod, err := kafka.NewProducer(f.publisherCfg, "fault-test")
	if err != nil {
		return fmt.Errorf("publisher: %w", err)
	}
	defer prod.Close(context.Background())
	pub := kafka.Publisher[*ordersv1.Order]{Producer: prod, Topic: f.topics.Orders}
	var mu sync.Mutex
	var failed []error
	for i, o := range orders {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err := pub.PublishAsync(o.GetCustomerId(), o, func(_ *ckafka.Message, err error) {
			if err != nil {
				mu.Lock()
				failed = append(failed, err)
				mu.Unlock()
			}
		})
		if err != nil {
			return fmt.Errorf("publish order %d: %w", i, err)
		}
		f.published.Add(1)
		time.Sleep(6 * time.Millisecond)
	}
	if err := prod.Flush(ctx); err != nil {
		return fmt.Errorf("flush orders: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		return fmt.Errorf("%d orders not delivered, first: %w", len(failed), failed[0])
	}
	return nil
}

// SwitchEnv names a guarantee to switch off in every fault test, to see
// the tests fail without it:
//   - "idempotence": the order publisher produces with acks=1 and without
//     idempotence, so a leader that dies can lose or duplicate orders;
//   - "read_committed": the services read with read_uncommitted, so they
//     see the records of aborted transactions.
const SwitchEnv = "ORDERS_FAULT_SWITCH_OFF"

func (f *faultRun) switchOff(guarantee string) {
	switch guarantee {
	case "":
	case "idempotence":
		f.publisherCfg.Extra = ckafka.ConfigMap{"enable.idempotence": false, "acks": "1"}
	case "read_committed":
		extra := ckafka.ConfigMap{"isolation.level": "read_uncommitted"}
		for k, v := range f.serviceCfg.Extra {
			extra[k] = v
		}
		f.serviceCfg.Extra = extra
	default:
		f.t.Fatalf("%s=%q: want idempotence or read_committed", SwitchEnv, guarantee)
	}
	if guarantee != "" {
		f.t.Logf("guarantee switched off: %s", guarantee)
	}
}

func (f *faultRun) waitPublished(n int) {
	testenv.WaitFor(f.t, 2*time.Minute, fmt.Sprintf("%d orders published", n), func() bool { return f.published.Load() >= int64(n) })
}

func (f *faultRun) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// leader returns the node that leads topic[partition].
func (f *faultRun) leader(topic string, partition int32) int {
	var leader int
	testenv.WaitFor(f.t, time.Minute, "the leader of "+topic, func() bool {
		md, err := f.metadata(&topic)
		if err != nil {
			return false
		}
		for _, p := range md.Topics[topic].Partitions {
			if p.ID == partition && p.Leader > 0 {
				leader = int(p.Leader)
				return true
			}
		}
		return false
	})
	return leader
}

// waitInSync waits until every partition has all its replicas in sync.
func (f *faultRun) waitInSync() {
	var lagging []string
	testenv.WaitFor(f.t, 3*time.Minute, "every replica in sync", func() bool {
		md, err := f.metadata(nil)
		if err != nil {
			return false
		}
		lagging = lagging[:0]
		for name, tm := range md.Topics {
			for _, p := range tm.Partitions {
				if len(p.Isrs) < len(p.Replicas) || p.Leader < 1 {
					lagging = append(lagging, fmt.Sprintf("%s[%d]", name, p.ID))
				}
			}
		}
		return len(lagging) == 0
	}, func() string { return fmt.Sprint(lagging) })
}

func (f *faultRun) metadata(topic *string) (*ckafka.Metadata, error) {
	admin, err := ckafka.NewAdminClient(&ckafka.ConfigMap{"bootstrap.servers": f.cluster.Bootstrap(), "log_level": 3})
	if err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	defer admin.Close()
	md, err := admin.GetMetadata(topic, topic == nil, 5000)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return md, nil
}

// transactionPartition is the __transaction_state partition (of 3, the
// sandbox cluster's setting) that coordinates id: Kafka takes Java's
// String.hashCode of the id, without its sign bit, modulo the partitions.
func transactionPartition(id string) int32 {
	var h int32
	for _, c := range id { // ASCII ids: one UTF-16 unit per rune
		h = 31*h + c
	}
	return (h & 0x7fffffff) % 3
}

// checkTotals compares the latest statistics per country with those of
// the orders sent, summed here line by line, in both directions.
func checkTotals(t *testing.T, stats []kafka.Record[*analyticsv1.CountryStats], sent []*ordersv1.Order) {
	t.Helper()
	type key struct{ country, currency string }
	want := map[key][2]int64{}
	wantOrders := map[string]int64{}
	for _, o := range sent {
		var amount int64
		for _, it := range o.GetItems() {
			amount += int64(it.GetQuantity()) * it.GetUnitPriceMinor()
		}
		k := key{o.GetCountry(), o.GetCurrency()}
		want[k] = [2]int64{want[k][0] + 1, want[k][1] + amount}
		wantOrders[o.GetCountry()]++
	}
	got := map[key][2]int64{}
	gotOrders := map[string]int64{}
	for _, cs := range keysOf(stats, nil) {
		gotOrders[cs.GetCountry()] = cs.GetOrderCount()
		for _, tot := range cs.GetTotals() {
			got[key{cs.GetCountry(), tot.GetCurrency()}] = [2]int64{tot.GetOrderCount(), tot.GetAmountMinor()}
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s/%s: %d orders, %d minor units; want %d, %d", k.country, k.currency, got[k][0], got[k][1], w[0], w[1])
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s/%s: %d orders counted, none sent", k.country, k.currency, g[0])
		}
	}
	for c, w := range wantOrders {
		if gotOrders[c] != w {
			t.Errorf("%s: %d orders counted, want %d", c, gotOrders[c], w)
		}
	}
	if len(gotOrders) != len(wantOrders) {
		t.Errorf("statistics for %d countries, want %d", len(gotOrders), len(wantOrders))
	}
}

// keysOf returns the latest value per key (per id(value) when id is set).
func keysOf[T kafka.Message](recs []kafka.Record[T], id func(T) string) map[string]T {
	out := make(map[string]T, len(recs))
	for _, r := range recs {
		k := r.Key
		if id != nil {
			k = id(r.Value)
		}
		out[k] = r.Value
	}
	return out
}
