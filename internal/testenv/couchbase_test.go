package testenv_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/couchbase/gocb/v2"

	"github.com/kafka-enterprise-orders/orders/internal/sandbox/caves"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

type order struct {
	ID      string   `json:"id"`
	Country string   `json:"country"`
	Amount  float64  `json:"amount"`
	Items   []string `json:"items"`
}

func connect(t *testing.T, c caves.Cluster) *gocb.Cluster {
	t.Helper()
	cluster, err := gocb.Connect(c.ConnStr, gocb.ClusterOptions{
		Authenticator: gocb.PasswordAuthenticator{Username: c.Username, Password: c.Password},
		TimeoutsConfig: gocb.TimeoutsConfig{
			ConnectTimeout:    10 * time.Second,
			KVTimeout:         5 * time.Second,
			ManagementTimeout: 10 * time.Second,
		},
	})
	if err != nil {
		t.Fatalf("gocb.Connect(%q): %v", c.ConnStr, err)
	}
	t.Cleanup(func() {
		if err := cluster.Close(nil); err != nil {
			t.Logf("close gocb cluster: %v", err)
		}
	})
	return cluster
}

func openBucket(t *testing.T, cluster *gocb.Cluster, name string) *gocb.Bucket {
	t.Helper()
	b := cluster.Bucket(name)
	err := b.WaitUntilReady(20*time.Second, &gocb.WaitUntilReadyOptions{
		ServiceTypes: []gocb.ServiceType{gocb.ServiceTypeKeyValue},
	})
	if err != nil {
		t.Fatalf("bucket %q WaitUntilReady: %v", name, err)
	}
	return b
}

// roundTrip upserts a document, reads it back, removes it and checks that it
// is gone.
func roundTrip(t *testing.T, coll *gocb.Collection, key string) {
	t.Helper()
	want := order{ID: key, Country: "NL", Amount: 42.5, Items: []string{"book", "pen"}}

	up, err := coll.Upsert(key, want, nil)
	if err != nil {
		t.Fatalf("Upsert(%q): %v", key, err)
	}
	if up.Cas() == 0 {
		t.Errorf("Upsert(%q) returned CAS 0", key)
	}

	res, err := coll.Get(key, nil)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	var got order
	if err := res.Content(&got); err != nil {
		t.Fatalf("Get(%q) content: %v", key, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get(%q) = %+v, want %+v", key, got, want)
	}
	if res.Cas() != up.Cas() {
		t.Errorf("Get(%q) CAS = %d, want upsert's %d", key, res.Cas(), up.Cas())
	}

	if _, err := coll.Remove(key, nil); err != nil {
		t.Fatalf("Remove(%q): %v", key, err)
	}
	if _, err := coll.Get(key, nil); !errors.Is(err, gocb.ErrDocumentNotFound) {
		t.Fatalf("Get(%q) after Remove: err = %v, want gocb.ErrDocumentNotFound", key, err)
	}
}

func TestGocbAgainstCaves(t *testing.T) {
	c := testenv.Couchbase(t)
	if c.Bucket != "default" || c.Username == "" || !strings.HasPrefix(c.ConnStr, "couchbase://127.0.0.1:") {
		t.Fatalf("unexpected cluster details: %+v", c)
	}
	cluster := connect(t, c)
	bucket := openBucket(t, cluster, c.Bucket)

	t.Run("DefaultCollection", func(t *testing.T) {
		roundTrip(t, bucket.DefaultCollection(), "order-1")
	})

	t.Run("NamedScopeAndCollection", func(t *testing.T) {
		mgr := bucket.CollectionsV2()
		if err := mgr.CreateScope("orders", nil); err != nil {
			t.Fatalf("CreateScope: %v", err)
		}
		if err := mgr.CreateCollection("orders", "analytics", nil, nil); err != nil {
			t.Fatalf("CreateCollection: %v", err)
		}
		scopes, err := mgr.GetAllScopes(nil)
		if err != nil {
			t.Fatalf("GetAllScopes: %v", err)
		}
		if !hasCollection(scopes, "orders", "analytics") {
			t.Fatalf("GetAllScopes = %+v, want orders.analytics in it", scopes)
		}
		roundTrip(t, bucket.Scope("orders").Collection("analytics"), "order-2")
	})

	t.Run("CreateBucket", func(t *testing.T) {
		err := cluster.Buckets().CreateBucket(gocb.CreateBucketSettings{
			BucketSettings: gocb.BucketSettings{
				Name:       "order_analytics",
				RAMQuotaMB: 100,
				BucketType: gocb.CouchbaseBucketType,
			},
		}, nil)
		if err != nil {
			t.Fatalf("CreateBucket: %v", err)
		}
		b := openBucket(t, cluster, "order_analytics")
		roundTrip(t, b.DefaultCollection(), "NL")
	})
}

func hasCollection(scopes []gocb.ScopeSpec, scope, coll string) bool {
	for _, s := range scopes {
		if s.Name != scope {
			continue
		}
		for _, c := range s.Collections {
			if c.Name == coll {
				return true
			}
		}
	}
	return false
}

func TestStartProcessStop(t *testing.T) {
	bin, err := caves.BinPath()
	if err != nil {
		t.Skipf("gocaves binary: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := caves.StartProcess(ctx, bin)
	if err != nil {
		t.Fatalf("StartProcess: %v", err)
	}
	if !strings.Contains(p.Output(), "new bucket created: default") {
		t.Errorf("Output() lacks the bucket creation line:\n%s", p.Output())
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestBinPathMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-gocaves")
	t.Setenv(caves.EnvBin, missing)
	_, err := caves.BinPath()
	if !errors.Is(err, caves.ErrBinaryNotFound) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("BinPath() err = %v, want ErrBinaryNotFound naming %s", err, missing)
	}
}

func TestStartProcessExitsEarly(t *testing.T) {
	// A program that exits at once must make StartProcess fail, not hang.
	_, err := caves.StartProcess(context.Background(), "/bin/false")
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Fatalf("StartProcess(/bin/false) err = %v, want exited-before-ready", err)
	}
	_, err = caves.StartProcess(context.Background(), filepath.Join(t.TempDir(), "nothing"))
	if err == nil {
		t.Fatal("StartProcess(missing file) succeeded")
	}
}
