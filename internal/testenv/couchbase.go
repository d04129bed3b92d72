package testenv

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox/caves"
)

// Couchbase starts a gocaves cluster for the test and stops it when the
// test ends. If the binary is missing, the test is skipped, unless the
// environment variable CI is set, in which case it fails.
func Couchbase(t testing.TB) caves.Cluster {
	t.Helper()
	bin, err := caves.BinPath()
	if err != nil {
		if errors.Is(err, caves.ErrBinaryNotFound) && os.Getenv("CI") == "" {
			t.Skipf("skipping Couchbase test: %v (build it with `make bin/gocaves` or scripts/build-gocaves.sh, or set %s)", err, caves.EnvBin)
		}
		t.Fatalf("caves: %v (build it with `make bin/gocaves` or scripts/build-gocaves.sh, or set %s)", err, caves.EnvBin)
	}
	p, err := caves.StartProcess(context.Background(), bin)
	if err != nil {
		t.Fatalf("caves: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("caves: %v", err)
		}
		if t.Failed() {
			t.Logf("gocaves output (tail):\n%s", p.Output())
		}
	})
	return p.Cluster
}
