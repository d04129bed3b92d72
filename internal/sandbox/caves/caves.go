// Package caves runs gocaves, Couchbase's mock cluster for SDK tests, as a
// separate process so that Couchbase code (the couchbase-sink, gocb/v2) can be
// tested against the real KV protocol on a machine without a Couchbase server.
//
// gocaves is not a dependency of this module: scripts/build-gocaves.sh builds
// it from the Go module proxy copy into bin/gocaves (`make bin/gocaves`). It is
// run as its own process, not linked into tests, because gocaves has data
// races of its own that would trip `go test -race`.
//
// The binary is started in its "mock-only" mode: it creates one two-node
// cluster listening on ephemeral 127.0.0.1 ports it picks itself, with the
// couchbase bucket "default" (1 replica), the memcached bucket "memd" and the
// admin user Administrator/password, prints {"connstr":"couchbase://..."} on
// stderr and serves until killed. KV (CRUD, CAS, subdoc, collections) and
// bucket, scope, collection and user management work, as do view design
// documents and view queries; N1QL query, search (FTS) and analytics are not
// implemented (those services only answer pings), and there is no DCP.
package caves

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Credentials and bucket that gocaves' mock-only cluster creates.
const (
	Username      = "Administrator"
	Password      = "password"
	DefaultBucket = "default"
)

// EnvBin names the environment variable that overrides where the gocaves
// binary is; by default it is bin/gocaves under the module root.
const EnvBin = "GOCAVES_BIN"

// StartTimeout bounds how long StartProcess waits for gocaves to announce its
// connection string.
const StartTimeout = 30 * time.Second

// ErrBinaryNotFound is returned (wrapped) by BinPath when no gocaves binary is
// present.
var ErrBinaryNotFound = errors.New("gocaves binary not found")

// Cluster is what a gocb client needs to connect to a running gocaves cluster.
type Cluster struct {
	// ConnStr is a couchbase:// connection string naming every node's KV port,
	// e.g. "couchbase://127.0.0.1:40001,127.0.0.1:40002".
	ConnStr  string
	Username string
	Password string
	// Bucket is the couchbase bucket created at start ("default").
	Bucket string
}

// Process is a running gocaves binary.
type Process struct {
	Cluster

	cmd  *exec.Cmd
	out  *outputWatcher
	done chan struct{} // closed once the process has exited
	err  error         // cmd.Wait's result; set before done is closed

	stopOnce sync.Once
	cancel   context.CancelFunc
}

// BinPath returns the gocaves binary to run: $GOCAVES_BIN if set, else
// bin/gocaves under the module root (the nearest directory at or above the
// working directory that holds a go.mod). The error wraps ErrBinaryNotFound
// when that file does not exist.
func BinPath() (string, error) {
	path := os.Getenv(EnvBin)
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("get working directory: %w", err)
		}
		root, err := moduleRoot(wd)
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, "bin", "gocaves")
	}

	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w at %s", ErrBinaryNotFound, path)
	}
	if err != nil {
		return "", fmt.Errorf("stat gocaves binary: %w", err)
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("gocaves binary %s is not an executable file", path)
	}
	return path, nil
}

func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
		d = parent
	}
}

// StartProcess runs the gocaves binary at binPath in mock-only mode and waits
// until its cluster accepts connections. The process lives until Stop is
// called or ctx is done, whichever comes first; callers must call Stop.
func StartProcess(ctx context.Context, binPath string) (*Process, error) {
	ctx, cancel := context.WithCancel(ctx)

	out := newOutputWatcher()
	cmd := exec.CommandContext(ctx, binPath, "--mock-only")
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = 5 * time.Second
	killWithParent(cmd)

	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start gocaves %s: %w", binPath, err)
	}

	p := &Process{cmd: cmd, out: out, done: make(chan struct{}), cancel: cancel}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()

	connStr, err := p.waitReady(ctx)
	if err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("%w; gocaves output:\n%s", err, out.tail())
	}
	p.Cluster = Cluster{
		ConnStr:  connStr,
		Username: Username,
		Password: Password,
		Bucket:   DefaultBucket,
	}
	return p, nil
}

func (p *Process) waitReady(ctx context.Context) (string, error) {
	timer := time.NewTimer(StartTimeout)
	defer timer.Stop()

	var connStr string
	select {
	case connStr = <-p.out.ready:
	case <-p.done:
		if p.err != nil {
			return "", fmt.Errorf("gocaves exited before it was ready: %w", p.err)
		}
		return "", errors.New("gocaves exited before it was ready")
	case <-ctx.Done():
		return "", fmt.Errorf("wait for gocaves: %w", ctx.Err())
	case <-timer.C:
		return "", fmt.Errorf("gocaves printed no connection string within %s", StartTimeout)
	}

	// gocaves opens its listeners before it prints the connection string, so
	// they should accept at once; check so that a bad string fails here.
	hosts := strings.Split(strings.TrimPrefix(connStr, "couchbase://"), ",")
	if !strings.HasPrefix(connStr, "couchbase://") || len(hosts) == 0 {
		return "", fmt.Errorf("unexpected gocaves connection string %q", connStr)
	}
	var d net.Dialer
	for _, host := range hosts {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := d.DialContext(dctx, "tcp", host)
		cancel()
		if err != nil {
			return "", fmt.Errorf("dial gocaves node %s: %w", host, err)
		}
		_ = conn.Close()
	}
	return connStr, nil
}

// Stop kills gocaves and waits for it to exit. It is safe to call more than
// once.
func (p *Process) Stop() error {
	var err error
	p.stopOnce.Do(func() {
		p.cancel() // exec.CommandContext kills the process
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			err = fmt.Errorf("gocaves (pid %d) did not exit after kill", p.cmd.Process.Pid)
		}
	})
	return err
}

// Done is closed when the gocaves process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Output returns the last lines gocaves wrote (at most about 64 KiB).
func (p *Process) Output() string { return p.out.tail() }

// outputWatcher receives gocaves' stdout and stderr, keeps their tail for
// diagnostics and reports the connection string line
// {"connstr":"couchbase://..."} once. It keeps reading after that, so gocaves
// never blocks on a full pipe.
type outputWatcher struct {
	mu    sync.Mutex
	buf   []byte // tail of the output
	line  []byte // current incomplete line
	found bool
	ready chan string
}

const maxTail = 64 << 10

func newOutputWatcher() *outputWatcher {
	return &outputWatcher{ready: make(chan string, 1)}
}

func (w *outputWatcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	w.buf = append(w.buf, b...)
	if len(w.buf) > maxTail {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-maxTail:]...)
	}

	if w.found {
		return len(b), nil
	}
	w.line = append(w.line, b...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSpace(w.line[:i])
		w.line = w.line[i+1:]
		if connStr, ok := parseConnStr(line); ok {
			w.found = true
			w.line = nil
			w.ready <- connStr
			break
		}
	}
	if len(w.line) > maxTail { // no newline for a long time: not our line
		w.line = w.line[:0]
	}
	return len(b), nil
}

func parseConnStr(line []byte) (string, bool) {
	if !bytes.HasPrefix(line, []byte("{")) {
		return "", false
	}
	var v struct {
		ConnStr string `json:"connstr"`
	}
	if err := json.Unmarshal(line, &v); err != nil || v.ConnStr == "" {
		return "", false
	}
	return v.ConnStr, true
}

func (w *outputWatcher) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
