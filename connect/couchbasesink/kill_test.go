package couchbasesink_test

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
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
	bin := filepath.Join(t.TempDir(), "orders")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/orders").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	e := newEnv(t)
	const bucket = "killed_analytics"
	want := map[string]*analyticsv1.CountryStats{}
	for v := int64(1); v <= 3; v++ {
		for _, c := range []string{"AT", "BE", "CH", "DE", "ES", "FR", "IT", "NL"} {
			want[c] = countryStats(c, v)
			e.publish(t, c, want[c])
		}
	}

	p := startSinkProcess(t, bin, "couchbase-sink", "--kafka-brokers="+e.kcfg.Brokers, "--schema-registry-url="+e.kcfg.SchemaRegistryURL,
		"--listen-addr=127.0.0.1:0", "--couchbase-url="+e.cb.ConnStr, "--couchbase-username="+e.cb.Username,
		"--couchbase-password="+e.cb.Password, "--couchbase-bucket="+bucket, "--kafka-property=auto.commit.interval.ms=100")
	// Either way the sink had its chance to commit too early.
	testenv.WaitFor(t, 60*time.Second, "the sink retrying a write or its group at the end", func() bool {
		return p.retrying.Load() || len(testenv.GroupLag(t, e.kcfg, "couchbase-sink", events.OrderAnalyticsTopic)) == 0
	})
	p.kill()

	err := e.cluster.Buckets().CreateBucket(gocb.CreateBucketSettings{BucketSettings: gocb.BucketSettings{
		Name: bucket, BucketType: gocb.CouchbaseBucketType, RAMQuotaMB: 100}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := e.startSink(t, "--couchbase-bucket="+bucket)
	waitDocs(t, e.collection(t, bucket), want)
	s.stopExact(t, e, map[string]int64{"dead-letters": 0})
}

// sinkProcess is one `orders couchbase-sink` process, its log in the test
// log.
type sinkProcess struct {
	cmd  *exec.Cmd
	done chan error
	// retrying is set once the process logged a failed write it retries.
	retrying atomic.Bool
}

func startSinkProcess(t *testing.T, bin string, args ...string) *sinkProcess {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &sinkProcess{cmd: cmd, done: make(chan error, 1)}
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		p.scanLog(t, out)
	}()
	go func() {
		<-logged // Wait must not close the pipe before the log is read
		p.done <- cmd.Wait()
	}()
	t.Cleanup(p.kill)
	return p
}

func (p *sinkProcess) scanLog(t *testing.T, r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := s.Text()
		if strings.Contains(line, "handler failed, will retry") {
			p.retrying.Store(true)
		}
		t.Log(fmt.Sprintf("couchbase-sink: %s", line))
	}
}

// kill ends the process with SIGKILL, as a crash would; a no-op once it ended.
func (p *sinkProcess) kill() {
	if p.done == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	p.done = nil
}
