package sandbox

import (
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is an in-process Kafka-protocol broker.
type Broker struct {
	cluster *kfake.Cluster
}

// BrokerOption configures StartBroker.
type BrokerOption func(*brokerConfig)

type brokerConfig struct {
	port    int
	dataDir string
}

// BrokerPort listens on a fixed port instead of a free one.
func BrokerPort(port int) BrokerOption { return func(c *brokerConfig) { c.port = port } }

// BrokerDataDir persists topics, offsets and groups under dir, so that a
// restarted broker keeps them.
func BrokerDataDir(dir string) BrokerOption { return func(c *brokerConfig) { c.dataDir = dir } }

// StartBroker starts a single-node broker on 127.0.0.1.
func StartBroker(opts ...BrokerOption) (*Broker, error) {
	var cfg brokerConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ListenFn(loopbackListen),
		kfake.Ports(cfg.port),
	}
	if cfg.dataDir != "" {
		kopts = append(kopts, kfake.DataDir(cfg.dataDir))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("start kafka broker: %w", err)
	}
	return &Broker{cluster: c}, nil
}

// BootstrapServers returns the broker's address list for bootstrap.servers.
func (b *Broker) BootstrapServers() string { return strings.Join(b.cluster.ListenAddrs(), ",") }

// Cluster exposes the underlying kfake cluster for fault injection in tests.
func (b *Broker) Cluster() *kfake.Cluster { return b.cluster }

// Close stops the broker.
func (b *Broker) Close() { b.cluster.Close() }
