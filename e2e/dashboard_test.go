package e2e_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/devstack"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
	"github.com/kafka-enterprise-orders/orders/web"
)

// TestDashboardInABrowser drives the dashboard of a running stack in
// Debian's Chromium (web/tests/browser.mjs, with playwright-core): it
// places an order in the form and sees it paid or declined in the table,
// sees the country chart move, sees a field error, then sees the error
// state while this test stops analytics-service, and the stream recover
// once it starts again. Screenshots land in web/test-results/.
func TestDashboardInABrowser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err := os.Stat(chromium)
	testenv.Required(t, "Chromium (Debian package chromium)", err)
	_, err = exec.LookPath("node")
	testenv.Required(t, "node", err)
	_, err = os.Stat("../web/node_modules/playwright-core")
	testenv.Required(t, "web/node_modules (npm ci in web/)", err)
	assets, err := web.Dist()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := launch(t, devstack.Options{Log: testenv.Logger(t), NoPostgres: true, NoCouchbase: true, Dashboard: assets})

	shots, err := filepath.Abs("../web/test-results")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "tests/browser.mjs", st.DashboardURL, shots)
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		t.Log("browser: " + line)
		if err := obey(ctx, st, stdin, line); err != nil {
			t.Error(err)
			break
		}
		done = done || line == "DONE"
	}
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil || !done {
		t.Fatalf("browser test: %v, DONE seen: %v\n%s", err, done, stderr.String())
	}
}

// obey carries out the browser script's requests to stop or start a
// service, and answers once done.
func obey(ctx context.Context, st *devstack.Stack, stdin io.Writer, line string) error {
	verb, name, _ := strings.Cut(line, " ")
	switch verb {
	case "STOP":
		if err := st.StopService(name); err != nil {
			return err
		}
		_, err := io.WriteString(stdin, "stopped\n")
		return err
	case "START":
		if err := st.StartService(ctx, name); err != nil {
			return err
		}
		_, err := io.WriteString(stdin, "started\n")
		return err
	}
	return nil
}
