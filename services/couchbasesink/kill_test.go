package couchbasesink_test

import (
	"testing"
	"time"

	"github.com/couchbase/gocb/v2"

	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// TestKilledBetweenWriteAndCommit runs couchbase-sink as an `orders
// couchbase-sink` process (committing offsets every 100 ms) against a
// bucket that does not exist yet, so its writes fail and are retried. Once
// it is retrying, or its group committed every record, it is killed with
// SIGKILL; then the bucket is created and a new sink starts in the same
// group: every key's final document is in Couchbase, because no offset was
// committed before its write.
func TestKilledBetweenWriteAndCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the orders binary")
	}
	bin := testenv.OrdersBinary(t)
	e := newEnv(t)
	const bucket = "killed_analytics"
	want := map[string]*analyticsv1.CountryStats{}
	for v := int64(1); v <= 3; v++ {
		for _, c := range []string{"AT", "BE", "CH", "DE", "ES", "FR", "IT", "NL"} {
			want[c] = countryStats(c, v)
			e.publish(t, c, want[c])
		}
	}

	p := testenv.SpawnProcess(t, bin, "couchbase-sink", "--kafka-brokers="+e.kcfg.Brokers, "--schema-registry-url="+e.kcfg.SchemaRegistryURL,
		"--listen-addr=127.0.0.1:0", "--couchbase-url="+e.cb.ConnStr, "--couchbase-username="+e.cb.Username,
		"--couchbase-password="+e.cb.Password, "--couchbase-bucket="+bucket, "--kafka-property=auto.commit.interval.ms=100")
	// Either way the sink had its chance to commit too early.
	testenv.WaitFor(t, 60*time.Second, "the sink retrying a write or its group at the end", func() bool {
		return p.Logged("handler failed, will retry") || len(testenv.GroupLag(t, e.kcfg, "couchbase-sink", events.OrderAnalyticsTopic)) == 0
	})
	p.Kill()

	err := e.cluster.Buckets().CreateBucket(gocb.CreateBucketSettings{BucketSettings: gocb.BucketSettings{
		Name: bucket, BucketType: gocb.CouchbaseBucketType, RAMQuotaMB: 100}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := e.startSink(t, "--couchbase-bucket="+bucket)
	waitDocs(t, e.collection(t, bucket), want)
	s.stopExact(t, e, map[string]int64{"dead-letters": 0})
}
