package testenv

import (
	"context"
	"errors"
	"testing"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox/caves"
)

// Couchbase starts a gocaves cluster for the test and stops it when the
// test ends. A missing binary skips the test, or fails it under CI (see
// Required).
func Couchbase(t testing.TB) caves.Cluster {
	t.Helper()
	bin, err := caves.BinPath()
	if err != nil {
		if errors.Is(err, caves.ErrBinaryNotFound) {
			Required(t, "gocaves (build it with `make bin/gocaves` or scripts/build-gocaves.sh, or set "+caves.EnvBin+")", err)
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
