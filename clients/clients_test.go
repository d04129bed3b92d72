// Package clients_test runs the generated clients' examples (TypeScript with
// node; Python's gRPC and Connect examples with the interpreter of
// clients/python/.venv-python, which `make python-test` makes) against the
// in-process dev stack.
package clients_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/gen/orders/v1/ordersv1connect"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// venvPython is the interpreter of the Python client's development
// environment, relative to this directory. `make python-test` makes it
// (scripts/python-venv.sh, from clients/python/requirements-dev.txt) with the
// package installed, editable, and its runtime: this test installs nothing.
var venvPython = filepath.Join("python", ".venv-python", "bin", "python")

// summary is the JSON line both examples print.
type summary struct {
	OrderID       string `json:"order_id"`
	Status        string `json:"status"`
	PaymentID     string `json:"payment_id"`
	PaymentStatus string `json:"payment_status"`
}

func TestExamples(t *testing.T) {
	node, err := exec.LookPath("node")
	testenv.Required(t, "node", err)
	tsDir, err := filepath.Abs("typescript")
	if err != nil {
		t.Fatal(err)
	}

	// Start the stack and build the TypeScript example at the same time.
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *devstack.Stack, 1)
	done := make(chan error, 1)
	logs := &testWriter{t: t}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		done <- devstack.Run(ctx, devstack.Options{NoCouchbase: true, NoPostgres: true, Auth: true, Log: log},
			func(st *devstack.Stack) { ready <- st })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("dev stack: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("dev stack did not stop within 20s")
		}
		logs.closed.Store(true)
	})

	built := make(chan error, 1)
	go func() { built <- buildTypeScript(tsDir) }()

	var st *devstack.Stack
	select {
	case st = <-ready:
	case err := <-done:
		t.Fatalf("dev stack stopped before it was ready: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("dev stack not ready within 90s")
	}
	// The stack requires bearer tokens: the examples read theirs from
	// ORDERS_TOKEN, as a user's would.
	token := st.Token
	orders := ordersv1connect.NewOrderServiceClient(http.DefaultClient, st.OrderURL,
		connect.WithInterceptors(connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+token)
				return next(ctx, req)
			}
		})))

	t.Run("typescript", func(t *testing.T) {
		if err := <-built; err != nil {
			t.Fatal(err)
		}
		runExample(t, orders, token, node, filepath.Join(tsDir, "dist", "example.js"), st.OrderURL, st.PaymentURL)
	})

	t.Run("python", func(t *testing.T) {
		py, err := filepath.Abs(venvPython)
		if err != nil {
			t.Fatal(err)
		}
		const imports = "import orders_client, grpc, connectrpc"
		if out, err2 := exec.Command(py, "-c", imports).CombinedOutput(); err2 != nil {
			if msg := strings.TrimSpace(string(out)); msg != "" {
				err2 = fmt.Errorf("%w: %s", err2, msg)
			}
			err = fmt.Errorf("%s -c %q: %w", py, imports, err2)
		}
		testenv.Required(t, "the Python client's environment clients/python/.venv-python (run `make python-test` to make it)", err)
		for _, example := range []string{"grpc_example.py", "connect_example.py"} {
			t.Run(strings.TrimSuffix(example, ".py"), func(t *testing.T) {
				script, err := filepath.Abs(filepath.Join("python", "examples", example))
				if err != nil {
					t.Fatal(err)
				}
				runExample(t, orders, token, py, script, st.OrderURL, st.PaymentURL)
			})
		}
	})
}

// runExample runs one example against the stack, with token in
// ORDERS_TOKEN, and checks its summary
// against what the OrderService says about the order.
func runExample(t *testing.T, orders ordersv1connect.OrderServiceClient, token, interpreter, script, orderURL, paymentURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, interpreter, script, orderURL, paymentURL)
	cmd.Env = append(os.Environ(), "EXAMPLE_TIMEOUT_MS=60000", "PYTHONDONTWRITEBYTECODE=1", "ORDERS_TOKEN="+token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s %s: %v\nstdout: %s\nstderr: %s", filepath.Base(interpreter), filepath.Base(script),
		time.Since(start).Round(time.Millisecond), stdout.String(), stderr.String())
	if err != nil {
		t.Fatalf("example failed: %v", err)
	}

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var got summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line of stdout is not the JSON summary: %v", err)
	}
	if !strings.HasPrefix(got.OrderID, "ord-") {
		t.Fatalf("summary order_id = %q, want an order id", got.OrderID)
	}
	want := map[string]ordersv1.OrderStatus{"PAID": ordersv1.OrderStatus_ORDER_STATUS_PAID, "DECLINED": ordersv1.OrderStatus_ORDER_STATUS_DECLINED}
	status, ok := want[got.Status]
	if !ok {
		t.Fatalf("summary status = %q, want PAID or DECLINED", got.Status)
	}
	if got.PaymentID == "" || got.PaymentStatus == "" {
		t.Errorf("summary has no payment: %+v", got)
	}

	// The order the example placed exists and has the status it printed.
	resp, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: got.OrderID})
	if err != nil {
		t.Fatalf("GetOrder(%s): %v", got.OrderID, err)
	}
	if s := resp.GetOrder().GetStatus(); s != status {
		t.Errorf("GetOrder(%s).status = %v, example printed %s", got.OrderID, s, got.Status)
	}
	if c := resp.GetOrder().GetOrder().GetCustomerId(); c != "cus-0001" {
		t.Errorf("GetOrder(%s).customer_id = %q, want cus-0001", got.OrderID, c)
	}
}

// buildTypeScript installs the locked dependencies when node_modules is
// missing or stale (same stamp as scripts/generate-clients.sh) and compiles
// the example to dist/.
func buildTypeScript(dir string) error {
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(dir, "node_modules", ".generate-clients.lock-sha256")
	have, _ := os.ReadFile(stamp)
	_, tscErr := os.Stat(filepath.Join(dir, "node_modules", ".bin", "tsc"))
	if tscErr != nil || strings.TrimSpace(string(have)) != want {
		if err := npm(dir, "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
			return err
		}
		if err := os.WriteFile(stamp, []byte(want+"\n"), 0o644); err != nil {
			return err
		}
	}
	return npm(dir, "run", "--silent", "build")
}

func npm(dir string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return errors.New("npm " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out))
	}
	return nil
}

// testWriter sends the stack's warnings and errors to the test log, until
// the test has finished with the stack.
type testWriter struct {
	t      *testing.T
	closed atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.closed.Load() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}
