package stream

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// statsInterval is how often librdkafka reports its statistics
// (statistics.interval.ms) when metrics are on.
const statsInterval = 10 * time.Second

// clientStats keeps the latest librdkafka statistics of each client and
// reports the numbers librdkafka already counts.
type clientStats struct {
	mu     sync.Mutex
	latest map[string]rdkafkaStats // by client.id and type
}

// rdkafkaStats is the part of librdkafka's statistics JSON exported.
type rdkafkaStats struct {
	ClientID string `json:"client_id"`
	Type     string `json:"type"`
	MsgCnt   int64  `json:"msg_cnt"`
	TxBytes  int64  `json:"tx_bytes"`
	RxBytes  int64  `json:"rx_bytes"`
	TxMsgs   int64  `json:"txmsgs"`
	RxMsgs   int64  `json:"rxmsgs"`
}

func newClientStats(m metric.Meter) (*clientStats, error) {
	s := &clientStats{latest: map[string]rdkafkaStats{}}
	txBytes, err1 := m.Int64ObservableCounter("orders.kafka.client.tx_bytes", metric.WithUnit("By"),
		metric.WithDescription("Bytes a Kafka client sent to the brokers (librdkafka statistics)."))
	rxBytes, err2 := m.Int64ObservableCounter("orders.kafka.client.rx_bytes", metric.WithUnit("By"),
		metric.WithDescription("Bytes a Kafka client received from the brokers (librdkafka statistics)."))
	txMsgs, err3 := m.Int64ObservableCounter("orders.kafka.client.tx_messages", metric.WithUnit("{message}"),
		metric.WithDescription("Messages a Kafka client sent (librdkafka statistics)."))
	rxMsgs, err4 := m.Int64ObservableCounter("orders.kafka.client.rx_messages", metric.WithUnit("{message}"),
		metric.WithDescription("Messages a Kafka client received (librdkafka statistics)."))
	queued, err5 := m.Int64ObservableGauge("orders.kafka.client.queued_messages", metric.WithUnit("{message}"),
		metric.WithDescription("Messages waiting in a producer's queue (librdkafka statistics)."))
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			return s, err
		}
	}
	_, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, st := range s.latest {
			attrs := metric.WithAttributes(attribute.String("client", st.ClientID), attribute.String("type", st.Type))
			o.ObserveInt64(txBytes, st.TxBytes, attrs)
			o.ObserveInt64(rxBytes, st.RxBytes, attrs)
			o.ObserveInt64(txMsgs, st.TxMsgs, attrs)
			o.ObserveInt64(rxMsgs, st.RxMsgs, attrs)
			if st.Type == "producer" {
				o.ObserveInt64(queued, st.MsgCnt, attrs)
			}
		}
		return nil
	}, txBytes, rxBytes, txMsgs, rxMsgs, queued)
	return s, err
}

// record keeps one statistics event; malformed ones are ignored (they
// come from librdkafka, not from users).
func (s *clientStats) record(ev *kafka.Stats) {
	var st rdkafkaStats
	if err := json.Unmarshal([]byte(ev.String()), &st); err != nil || st.ClientID == "" {
		return
	}
	s.mu.Lock()
	s.latest[st.ClientID+"/"+st.Type] = st
	s.mu.Unlock()
}
