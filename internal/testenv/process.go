package testenv

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var ordersBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// OrdersBinary builds the orders binary once per test binary, into a
// directory Main removes, and returns its path.
func OrdersBinary(t testing.TB) string {
	t.Helper()
	ordersBin.once.Do(func() {
		if ordersBin.dir, ordersBin.err = os.MkdirTemp("", "orders-bin-"); ordersBin.err != nil {
			return
		}
		ordersBin.path = filepath.Join(ordersBin.dir, "orders")
		out, err := exec.Command("go", "build", "-o", ordersBin.path, "github.com/kafka-enterprise-orders/orders/cmd/orders").CombinedOutput()
		if err != nil {
			ordersBin.err = fmt.Errorf("go build orders: %w\n%s", err, out)
		}
	})
	if ordersBin.err != nil {
		t.Fatal(ordersBin.err)
	}
	return ordersBin.path
}

// removeOrdersBinary is called by Main.
func removeOrdersBinary() {
	if ordersBin.dir != "" {
		_ = os.RemoveAll(ordersBin.dir)
	}
}

// Process is one `orders <command>` process a test started; its output
// goes to the test log. The test's end kills it if it still runs.
type Process struct {
	Name string
	cmd  *exec.Cmd
	done chan error
	addr chan string

	mu    sync.Mutex
	lines []string
}

var servingAddr = regexp.MustCompile(`msg="serving RPCs".* addr=(\S+)`)

// SpawnProcess runs `bin args...` (args[0] is the command) without
// waiting for it to be ready.
func SpawnProcess(t testing.TB, bin string, args ...string) *Process {
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
	p := &Process{Name: args[0], cmd: cmd, done: make(chan error, 1), addr: make(chan string, 1)}
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		p.scan(t, out)
	}()
	go func() {
		<-logged // Wait must not close the pipe before the log is read
		p.done <- cmd.Wait()
	}()
	t.Cleanup(p.Kill)
	return p
}

// StartProcess runs `bin args...` and waits until its /readyz answers 200.
func StartProcess(t testing.TB, bin string, args ...string) *Process {
	t.Helper()
	p := SpawnProcess(t, bin, args...)
	var url string
	select {
	case a := <-p.addr:
		url = "http://" + a + "/readyz"
	case <-time.After(60 * time.Second):
		t.Fatalf("%s printed no RPC address within 60s", p.Name)
	}
	WaitFor(t, 90*time.Second, p.Name+" ready", func() bool {
		res, err := http.Get(url)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return p
}

func (p *Process) scan(t testing.TB, r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		line := s.Text()
		if m := servingAddr.FindStringSubmatch(line); m != nil {
			select {
			case p.addr <- m[1]:
			default:
			}
		}
		p.mu.Lock()
		p.lines = append(p.lines, line)
		p.mu.Unlock()
		t.Log(p.Name + ": " + line)
	}
}

// Logged reports whether the process logged a line containing s.
func (p *Process) Logged(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// Kill ends the process with SIGKILL, as a crash would; a no-op once it
// ended.
func (p *Process) Kill() {
	if p.done == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	p.done = nil
}

// Terminate stops the process with SIGTERM and expects a clean exit within
// a minute.
func (p *Process) Terminate(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done = nil
		if err != nil {
			t.Errorf("%s after SIGTERM: %v, want exit status 0", p.Name, err)
		}
	case <-time.After(60 * time.Second):
		t.Errorf("%s did not stop within 60s of SIGTERM", p.Name)
	}
}
