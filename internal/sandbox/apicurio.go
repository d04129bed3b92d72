package sandbox

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ApicurioVersion is the Apicurio Registry release StartApicurio runs,
// resolved from Maven Central (io.apicurio:apicurio-registry-app, the
// tar.gz "all" distribution; it runs on Java 17).
const ApicurioVersion = "2.6.13.Final"

const apicurioJar = "apicurio-registry-app-" + ApicurioVersion + "-runner.jar"

var apicurioMu sync.Mutex

// ResolveApicurio returns the directory of the pinned Apicurio Registry
// distribution, CacheDir()/apicurio-<version>, downloading it with Maven
// and unpacking it on first use (a 142 MB download on a cold cache,
// nothing after). Concurrent callers, in this process or others, share one
// download.
func ResolveApicurio(ctx context.Context) (string, error) {
	apicurioMu.Lock()
	defer apicurioMu.Unlock()
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "apicurio-"+ApicurioVersion)
	if fileExists(filepath.Join(dir, apicurioJar)) {
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	// Other test binaries may be resolving it too: one at a time.
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("apicurio cache lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
	if fileExists(filepath.Join(dir, apicurioJar)) {
		return dir, nil
	}
	// Download and unpack beside dir, then rename: dir exists only complete.
	staging := dir + ".partial"
	if err := os.RemoveAll(staging); err != nil {
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	mvn := exec.CommandContext(ctx, "mvn", "-q", "-B",
		"org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
		"-Dartifact=io.apicurio:apicurio-registry-app:"+ApicurioVersion+":tar.gz:all",
		"-DoutputDirectory="+staging)
	mvn.Dir = staging
	if out, err := mvn.CombinedOutput(); err != nil {
		return "", fmt.Errorf("resolve Apicurio Registry %s with Maven (needs mvn and Java 17): %w\n%s", ApicurioVersion, err, out)
	}
	archive := filepath.Join(staging, "apicurio-registry-app-"+ApicurioVersion+"-all.tar.gz")
	if err := untarGz(archive, staging); err != nil {
		return "", fmt.Errorf("unpack Apicurio Registry: %w", err)
	}
	if err := os.Remove(archive); err != nil { // Maven's local repository keeps a copy
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	if !fileExists(filepath.Join(staging, apicurioJar)) {
		return "", fmt.Errorf("unpack Apicurio Registry: no %s in the distribution", apicurioJar)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	if err := os.Rename(staging, dir); err != nil {
		return "", fmt.Errorf("apicurio cache: %w", err)
	}
	return dir, nil
}

// untarGz unpacks the regular files and directories of a .tar.gz into dir.
func untarGz(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", archive, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("%s: entry %q leaves the directory", archive, h.Name)
		}
		target := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, h.FileInfo().Mode().Perm()|0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %w", h.Name, err)
			}
		default:
			return fmt.Errorf("%s: entry %q has unexpected type %q", archive, h.Name, h.Typeflag)
		}
	}
}

// Apicurio is a real Apicurio Registry on loopback, a JVM child process with
// in-memory storage, serving the Confluent-compatible Schema Registry API
// (ccompat v7) with global compatibility BACKWARD. Unlike Registry (srfake),
// it enforces compatibility: the tests use it to prove that the registry
// refuses an incompatible change of a topic's schema, as production's
// registry would.
type Apicurio struct {
	port    int
	tmp     string // log and working directory, removed by Close
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{}
	once    sync.Once
	err     error
}

// StartApicurio starts the Apicurio Registry unpacked in dir (see
// ResolveApicurio) on a free loopback port; the JVM dies with this process.
// It returns once the API answers (about 20 s; it gives up after 2 min or
// when ctx ends) and global compatibility is BACKWARD.
func StartApicurio(ctx context.Context, dir string) (*Apicurio, error) {
	jar := filepath.Join(dir, apicurioJar)
	if !fileExists(jar) {
		return nil, fmt.Errorf("start apicurio: no %s (see ResolveApicurio)", jar)
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "orders-apicurio-")
	if err != nil {
		return nil, fmt.Errorf("start apicurio: %w", err)
	}
	a := &Apicurio{port: ports[0], tmp: tmp, logFile: filepath.Join(tmp, "apicurio.log"), exited: make(chan struct{})}
	log, err := os.Create(a.logFile)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("start apicurio: %w", err)
	}
	cmd := exec.Command("java", "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
		"-Dquarkus.http.host=127.0.0.1", fmt.Sprintf("-Dquarkus.http.port=%d", a.port),
		"-jar", jar)
	cmd.Dir = tmp
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startOrphanSafe(cmd); err != nil {
		log.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("start apicurio: %w", err)
	}
	a.cmd = cmd
	go func() {
		_ = cmd.Wait() // its end is reported by exited; its log says why
		log.Close()
		close(a.exited)
	}()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := a.waitReady(ctx); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	if err := a.setCompatibility(ctx, "BACKWARD"); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	return a, nil
}

// URL returns the base URL of the Confluent-compatible API, for
// schema.registry.url.
func (a *Apicurio) URL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/apis/ccompat/v7", a.port)
}

// waitReady polls GET /subjects until it answers 200.
func (a *Apicurio) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL()+"/subjects", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("apicurio not answering on %s: %w\n%s", a.URL(), ctx.Err(), a.logTail())
		case <-a.exited:
			return fmt.Errorf("apicurio exited during start-up:\n%s", a.logTail())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// setCompatibility sets the global compatibility level (PUT /config).
func (a *Apicurio) setCompatibility(ctx context.Context, level string) error {
	body := fmt.Sprintf(`{"compatibility":%q}`, level)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, a.URL()+"/config", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("apicurio: set compatibility %s: %w", level, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("apicurio: set compatibility %s: %s %s", level, resp.Status, strings.TrimSpace(string(out)))
	}
	return nil
}

func (a *Apicurio) logTail() string {
	b, _ := os.ReadFile(a.logFile)
	return lastLines(string(b), 20)
}

// Close stops the registry (SIGTERM, then SIGKILL after 10 s) and removes
// its log. Its schemas, in memory only, are gone.
func (a *Apicurio) Close() error {
	a.once.Do(func() {
		if err := syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			a.err = fmt.Errorf("stop apicurio: %w", err)
		}
		select {
		case <-a.exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
			<-a.exited
		}
		a.err = errors.Join(a.err, os.RemoveAll(a.tmp))
	})
	return a.err
}
