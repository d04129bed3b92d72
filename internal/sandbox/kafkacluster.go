package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// KafkaVersion is the Apache Kafka release the real cluster runs, resolved
// from Maven Central.
const KafkaVersion = "4.1.1"

// kafkaPOM lists the broker's artifacts; Maven resolves them and their
// dependencies into its local repository and writes the classpath.
const kafkaPOM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafka-enterprise-orders.sandbox</groupId>
  <artifactId>apache-kafka</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>` + KafkaVersion + `</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`

// CacheDir is where downloaded infrastructure lives, outside the
// repository: $ORDERS_CACHE_DIR, else the user cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv("ORDERS_CACHE_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(d, "kafka-enterprise-orders"), nil
}

var resolveMu sync.Mutex

// ResolveKafka returns the Java classpath of the pinned Apache Kafka,
// resolving it with Maven on first use (about a minute on a cold cache,
// nothing after).
func ResolveKafka(ctx context.Context) (string, error) {
	resolveMu.Lock()
	defer resolveMu.Unlock()
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "kafka-"+KafkaVersion)
	cpFile := filepath.Join(dir, "classpath.txt")
	if cp, err := os.ReadFile(cpFile); err == nil && jarsExist(string(cp)) {
		return string(cp), nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("kafka cache: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pom.xml"), []byte(kafkaPOM), 0o644); err != nil {
		return "", fmt.Errorf("kafka cache: %w", err)
	}
	mvn := exec.CommandContext(ctx, "mvn", "-q", "-B", "dependency:build-classpath", "-Dmdep.outputFile="+cpFile)
	mvn.Dir = dir
	if out, err := mvn.CombinedOutput(); err != nil {
		return "", fmt.Errorf("resolve Apache Kafka %s with Maven (needs mvn and Java 17): %w\n%s", KafkaVersion, err, out)
	}
	cp, err := os.ReadFile(cpFile)
	if err != nil {
		return "", fmt.Errorf("kafka classpath: %w", err)
	}
	return string(cp), nil
}

func jarsExist(cp string) bool {
	for _, jar := range filepath.SplitList(strings.TrimSpace(cp)) {
		if !fileExists(jar) {
			return false
		}
	}
	return cp != ""
}

// KafkaCluster is a real Apache Kafka cluster in KRaft mode on loopback:
// every node is a combined broker and controller, a JVM child process.
type KafkaCluster struct {
	classpath string
	dir       string
	nodes     []*kafkaNode
	opts      clusterOptions
}

type kafkaNode struct {
	id             int
	port, ctrlPort int
	props, logFile string
	mu             sync.Mutex
	cmd            *exec.Cmd
	exited         chan struct{}
}

// A ClusterOption configures StartKafkaCluster.
type ClusterOption func(*clusterOptions)

type clusterOptions struct {
	scramUser, scramPassword string
}

// WithSCRAM secures the cluster: clients connect with SASL/SCRAM-SHA-512
// (security.protocol=SASL_PLAINTEXT) and are authorized by ACLs (KRaft's
// StandardAuthorizer, nothing allowed without one); user, the super user,
// is created at format time and is what the nodes talk to each other as.
func WithSCRAM(user, password string) ClusterOption {
	return func(o *clusterOptions) { o.scramUser, o.scramPassword = user, password }
}

// StartKafkaCluster formats and starts n nodes (1 or 3) with their data
// under dir. Topics default to replication factor min(n, 3) and
// min.insync.replicas n-1 (at least 1), as do the internal topics.
//
// Its ports are picked free just before the nodes bind them, so another
// process may take one meanwhile: a node that cannot bind its port makes it
// start afresh on other ports, up to three times.
func StartKafkaCluster(ctx context.Context, dir string, n int, opts ...ClusterOption) (*KafkaCluster, error) {
	if n < 1 {
		return nil, fmt.Errorf("kafka cluster: %d nodes", n)
	}
	cp, err := ResolveKafka(ctx)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		k, err := startKafkaCluster(ctx, cp, dir, n, opts)
		if err == nil || attempt == 3 || !errors.Is(err, errPortTaken) {
			return k, err
		}
		for i := range n {
			if rerr := os.RemoveAll(filepath.Join(dir, fmt.Sprintf("node-%d", i+1))); rerr != nil {
				return nil, errors.Join(err, rerr)
			}
		}
	}
}

// errPortTaken marks a node that exited because its port was taken.
var errPortTaken = errors.New("port taken by another process")

func startKafkaCluster(ctx context.Context, cp, dir string, n int, opts []ClusterOption) (*KafkaCluster, error) {
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	k := &KafkaCluster{classpath: cp, dir: dir}
	for _, opt := range opts {
		opt(&k.opts)
	}
	var voters []string
	for i := range n {
		node := &kafkaNode{id: i + 1, port: ports[2*i], ctrlPort: ports[2*i+1]}
		voters = append(voters, fmt.Sprintf("%d@127.0.0.1:%d", node.id, node.ctrlPort))
		k.nodes = append(k.nodes, node)
	}
	clusterID := "orders-sandbox-" + strings.Repeat("k", 7) // 22 characters, base64url
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, node := range k.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = k.format(ctx, node, strings.Join(voters, ","), clusterID, n)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, node := range k.nodes {
		if err := k.start(node); err != nil {
			return nil, errors.Join(err, k.Close())
		}
	}
	if err := k.WaitReady(ctx); err != nil {
		return nil, errors.Join(err, k.Close())
	}
	return k, nil
}

// format writes a node's properties and formats its log directory.
func (k *KafkaCluster) format(ctx context.Context, node *kafkaNode, voters, clusterID string, n int) error {
	nodeDir := filepath.Join(k.dir, fmt.Sprintf("node-%d", node.id))
	if err := os.MkdirAll(nodeDir, 0o755); err != nil {
		return fmt.Errorf("kafka node %d: %w", node.id, err)
	}
	rf, minISR := min(n, 3), max(min(n, 3)-1, 1)
	props := map[string]any{
		"process.roles":                            "broker,controller",
		"node.id":                                  node.id,
		"controller.quorum.voters":                 voters,
		"listeners":                                fmt.Sprintf("PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", node.port, node.ctrlPort),
		"advertised.listeners":                     fmt.Sprintf("PLAINTEXT://127.0.0.1:%d", node.port),
		"controller.listener.names":                "CONTROLLER",
		"listener.security.protocol.map":           "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
		"inter.broker.listener.name":               "PLAINTEXT",
		"log.dirs":                                 filepath.Join(nodeDir, "data"),
		"num.partitions":                           3,
		"default.replication.factor":               rf,
		"min.insync.replicas":                      minISR,
		"offsets.topic.replication.factor":         rf,
		"offsets.topic.num.partitions":             3,
		"transaction.state.log.replication.factor": rf,
		"transaction.state.log.min.isr":            minISR,
		"transaction.state.log.num.partitions":     3,
		// Transactions past their timeout are aborted within a second,
		// not ten: the fault tests outlast a payment transaction's timeout.
		"transaction.abort.timed.out.transaction.cleanup.interval.ms": 1000,
		"group.initial.rebalance.delay.ms":                            0,
		"auto.create.topics.enable":                                   false,
		"delete.topic.enable":                                         true,
		// A killed node's partitions move on quickly.
		"controller.quorum.election.timeout.ms": 1000,
		"broker.session.timeout.ms":             6000,
		"broker.heartbeat.interval.ms":          1000,
		// Small segments and caches: many short-lived topics on 2 cores.
		"log.segment.bytes":                 16 << 20,
		"num.network.threads":               2,
		"num.io.threads":                    2,
		"num.recovery.threads.per.data.dir": 1,
	}
	var scramArgs []string
	if o := k.opts; o.scramUser != "" {
		jaas := fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`, o.scramUser, o.scramPassword)
		for key, v := range map[string]any{
			"listeners":                                         fmt.Sprintf("SASL://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", node.port, node.ctrlPort),
			"advertised.listeners":                              fmt.Sprintf("SASL://127.0.0.1:%d", node.port),
			"listener.security.protocol.map":                    "SASL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
			"inter.broker.listener.name":                        "SASL",
			"sasl.enabled.mechanisms":                           "SCRAM-SHA-512",
			"sasl.mechanism.inter.broker.protocol":              "SCRAM-SHA-512",
			"listener.name.sasl.scram-sha-512.sasl.jaas.config": jaas,
			"authorizer.class.name":                             "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
			// The controller listener (loopback, not advertised) carries the
			// nodes' own KRaft traffic, unauthenticated.
			"super.users": "User:" + o.scramUser + ";User:ANONYMOUS",
		} {
			props[key] = v
		}
		scramArgs = []string{"--add-scram", fmt.Sprintf("SCRAM-SHA-512=[name=%s,password=%s]", o.scramUser, o.scramPassword)}
	}
	var b strings.Builder
	for key, v := range props {
		fmt.Fprintf(&b, "%s=%v\n", key, v)
	}
	node.props = filepath.Join(nodeDir, "server.properties")
	node.logFile = filepath.Join(nodeDir, "server.log")
	if err := os.WriteFile(node.props, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("kafka node %d: %w", node.id, err)
	}
	args := append([]string{"format", "--cluster-id", clusterID, "--config", node.props, "--ignore-formatted"}, scramArgs...)
	out, err := k.java(ctx, "kafka.tools.StorageTool", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("format kafka node %d: %w\n%s", node.id, err, out)
	}
	return nil
}

// java runs a class of the Kafka classpath with a small heap.
func (k *KafkaCluster) java(ctx context.Context, class string, args ...string) *exec.Cmd {
	jvm := []string{"-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
		"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", strings.TrimSpace(k.classpath), class}
	if ctx == nil {
		return exec.Command("java", append(jvm, args...)...)
	}
	return exec.CommandContext(ctx, "java", append(jvm, args...)...)
}

// start launches a node's JVM; it dies with this process.
func (k *KafkaCluster) start(node *kafkaNode) error {
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd != nil {
		return fmt.Errorf("kafka node %d is running", node.id)
	}
	log, err := os.OpenFile(node.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("kafka node %d log: %w", node.id, err)
	}
	cmd := k.java(nil, "kafka.Kafka", node.props)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startOrphanSafe(cmd); err != nil {
		log.Close()
		return fmt.Errorf("start kafka node %d: %w", node.id, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the node's end is reported by exited; its log says why
		log.Close()
		close(exited)
	}()
	node.cmd, node.exited = cmd, exited
	return nil
}

// Bootstrap returns the bootstrap.servers list of every node.
func (k *KafkaCluster) Bootstrap() string {
	addrs := make([]string, len(k.nodes))
	for i, n := range k.nodes {
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", n.port)
	}
	return strings.Join(addrs, ",")
}

// Nodes returns the node ids, 1 to n.
func (k *KafkaCluster) Nodes() []int {
	ids := make([]int, len(k.nodes))
	for i, n := range k.nodes {
		ids[i] = n.id
	}
	return ids
}

// WaitReady waits until every running node accepts connections.
func (k *KafkaCluster) WaitReady(ctx context.Context) error {
	for _, n := range k.nodes {
		n.mu.Lock()
		running, exited := n.cmd != nil, n.exited
		n.mu.Unlock()
		if !running {
			continue
		}
		addr := fmt.Sprintf("127.0.0.1:%d", n.port)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("kafka node %d not listening on %s (log %s): %w", n.id, addr, n.logFile, ctx.Err())
			case <-exited:
				tail, _ := os.ReadFile(n.logFile)
				err := fmt.Errorf("kafka node %d exited during start-up:\n%s", n.id, lastLines(string(tail), 20))
				if strings.Contains(string(tail), "Address already in use") {
					err = errors.Join(errPortTaken, err)
				}
				return err
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// Kill ends node id with SIGKILL, as a crash would.
func (k *KafkaCluster) Kill(id int) error { return k.stop(id, syscall.SIGKILL) }

// Stop shuts node id down cleanly (SIGTERM: controlled shutdown).
func (k *KafkaCluster) Stop(id int) error { return k.stop(id, syscall.SIGTERM) }

// Restart starts a stopped or killed node id again with its data.
func (k *KafkaCluster) Restart(ctx context.Context, id int) error {
	node, err := k.node(id)
	if err != nil {
		return err
	}
	if err := k.start(node); err != nil {
		return err
	}
	return k.WaitReady(ctx)
}

func (k *KafkaCluster) node(id int) (*kafkaNode, error) {
	if id < 1 || id > len(k.nodes) {
		return nil, fmt.Errorf("kafka cluster has no node %d", id)
	}
	return k.nodes[id-1], nil
}

func (k *KafkaCluster) stop(id int, sig syscall.Signal) error {
	return k.stopWithin(id, sig, time.Minute)
}

// stopWithin signals node id and kills it if it is still running after d.
func (k *KafkaCluster) stopWithin(id int, sig syscall.Signal, d time.Duration) error {
	node, err := k.node(id)
	if err != nil {
		return err
	}
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd == nil {
		return nil
	}
	if err := syscall.Kill(-node.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal kafka node %d: %w", id, err)
	}
	select {
	case <-node.exited:
	case <-time.After(d):
		_ = syscall.Kill(-node.cmd.Process.Pid, syscall.SIGKILL)
		<-node.exited
	}
	node.cmd = nil
	return nil
}

// Close stops every node at once (SIGTERM, then SIGKILL for a node still
// running after 10 s: with the quorum gone, the last nodes cannot finish a
// controlled shutdown).
func (k *KafkaCluster) Close() error {
	var wg sync.WaitGroup
	errs := make([]error, len(k.nodes))
	for i, n := range k.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = k.stopWithin(n.id, syscall.SIGTERM, 10*time.Second)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// spawner starts child processes from one OS thread that never exits, so
// that Pdeathsig (sent when the starting thread dies) fires only when this
// process ends: a test binary that exits without Close leaves no JVM
// behind. The goroutine lives as long as the process, by design.
var spawner struct {
	once sync.Once
	reqs chan spawnRequest
}

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

// startOrphanSafe starts cmd so that it is killed when this process ends.
func startOrphanSafe(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnRequest)
		go func() {
			runtime.LockOSThread()
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	done := make(chan error, 1)
	spawner.reqs <- spawnRequest{cmd, done}
	return <-done
}
