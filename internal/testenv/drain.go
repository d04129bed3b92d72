package testenv

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// Isolation is the isolation level a drain reads with.
type Isolation string

const (
	// ReadCommitted sees only records of committed transactions (and
	// non-transactional records), as every downstream consumer does.
	ReadCommitted Isolation = "read_committed"
	// ReadUncommitted also sees the records of aborted and open
	// transactions.
	ReadUncommitted Isolation = "read_uncommitted"
)

// drainTimeout bounds one drain: reading a topic the test itself filled.
const drainTimeout = 2 * time.Minute

// ReadToEnd returns every record of topic, read_committed, from the
// beginning up to each partition's end offset as the broker reports it at
// the call. Call it once the producers stopped: the result is then the
// topic's whole committed content, nothing more can arrive, and tests
// compare it for exact equality instead of waiting for extras that might
// come.
func ReadToEnd[T stream.Event](t testing.TB, cfg stream.Config, topic stream.Topic[T]) []stream.Record[T] {
	t.Helper()
	raw := ReadRawToEnd(t, cfg, topic.Name, ReadCommitted)
	out := make([]stream.Record[T], 0, len(raw))
	for _, m := range raw {
		r, err := topic.Decode(stream.FromClient(m))
		if err != nil {
			t.Fatalf("read %s to its end: %v", topic.Name, err)
		}
		out = append(out, r)
	}
	return out
}

// ReadRawToEnd returns the raw records of topic from the beginning up to
// each partition's end offset at the call, read with the given isolation:
// read_committed stops at the last stable offset, read_uncommitted at the
// high watermark and includes records of aborted transactions.
func ReadRawToEnd(t testing.TB, cfg stream.Config, topic string, isolation Isolation) []*ckafka.Message {
	t.Helper()
	msgs, err := readRawToEnd(cfg, topic, isolation, drainTimeout)
	if err != nil {
		t.Fatalf("read %s (%s) to its end: %v", topic, isolation, err)
	}
	return msgs
}

func readRawToEnd(cfg stream.Config, topic string, isolation Isolation, timeout time.Duration) ([]*ckafka.Message, error) {
	// The group id is required by librdkafka; the drain assigns partitions
	// itself and never commits.
	c, err := newConsumer(cfg, "drain-"+topic, isolation, ckafka.ConfigMap{"enable.partition.eof": true})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	tm, ok := md.Topics[topic]
	if !ok || tm.Error.Code() != ckafka.ErrNoError || len(tm.Partitions) == 0 {
		return nil, fmt.Errorf("topic does not exist: %v", tm.Error)
	}
	// The end of each partition, as a consumer of this isolation level
	// sees it now.
	end := map[int32]int64{}
	var assign []ckafka.TopicPartition
	for _, p := range tm.Partitions {
		_, high, err := c.QueryWatermarkOffsets(topic, p.ID, 10000)
		if err != nil {
			return nil, fmt.Errorf("end offset of partition %d: %w", p.ID, err)
		}
		if high > 0 {
			end[p.ID] = high
			assign = append(assign, ckafka.TopicPartition{Topic: &topic, Partition: p.ID, Offset: ckafka.OffsetBeginning})
		}
	}
	if len(assign) == 0 {
		return nil, nil
	}
	if err := c.Assign(assign); err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	// pos is the offset each partition's reader reached: after its last
	// record, or where the broker reported its end.
	pos := map[int32]int64{}
	behind := func() []string {
		var out []string
		for p, e := range end {
			if pos[p] < e {
				out = append(out, fmt.Sprintf("partition %d at %d of %d", p, pos[p], e))
			}
		}
		sort.Strings(out)
		return out
	}
	var out []*ckafka.Message
	deadline := time.Now().Add(timeout)
	for len(behind()) > 0 {
		if time.Now().After(deadline) {
			return out, fmt.Errorf("not at the end after %s: %s", timeout, strings.Join(behind(), ", "))
		}
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			p, off := e.TopicPartition.Partition, int64(e.TopicPartition.Offset)
			if off < end[p] {
				out = append(out, e)
			}
			pos[p] = max(pos[p], off+1)
		case ckafka.PartitionEOF:
			pos[e.Partition] = max(pos[e.Partition], int64(e.Offset))
		case ckafka.Error:
			if e.IsFatal() {
				return out, fmt.Errorf("fatal consumer error: %w", e)
			}
		}
	}
	return out, nil
}

// GroupLag returns, for each partition of topic where the consumer group's
// committed offset is short of the partition's end, how far behind it is;
// nothing once the group committed everything. Ask it after the group's
// members stopped: a stopped group that is at the end has processed every
// record the topic holds.
func GroupLag(t testing.TB, cfg stream.Config, group, topic string) []string {
	t.Helper()
	// A real cluster answers "not coordinator" or "not leader" while
	// leadership settles: ask again for up to 30 s.
	deadline := time.Now().Add(30 * time.Second)
	for {
		lag, err := groupLag(cfg, group, topic)
		if err == nil {
			return lag
		}
		if time.Now().After(deadline) {
			t.Fatalf("lag of group %s on %s: %v", group, topic, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func groupLag(cfg stream.Config, group, topic string) ([]string, error) {
	c, err := newConsumer(cfg, group, ReadCommitted, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	md, err := c.GetMetadata(&topic, false, 10000)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	var parts []ckafka.TopicPartition
	for _, p := range md.Topics[topic].Partitions {
		parts = append(parts, ckafka.TopicPartition{Topic: &topic, Partition: p.ID})
	}
	committed, err := c.Committed(parts, 10000)
	var kerr ckafka.Error
	switch {
	case errors.As(err, &kerr) && kerr.Code() == ckafka.ErrGroupIDNotFound:
		committed = parts // a group that never committed
	case err != nil:
		return nil, fmt.Errorf("committed offsets: %w", err)
	}
	var lag []string
	for _, tp := range committed {
		_, high, err := c.QueryWatermarkOffsets(topic, tp.Partition, 10000)
		if err != nil {
			return nil, fmt.Errorf("end offset of partition %d: %w", tp.Partition, err)
		}
		at := int64(tp.Offset)
		if at < 0 {
			at = 0 // nothing committed
		}
		if at < high {
			lag = append(lag, fmt.Sprintf("%s[%d] committed %d of %d", topic, tp.Partition, at, high))
		}
	}
	return lag, nil
}

// newConsumer is a test consumer of group that never commits, with the
// cluster's extra properties and then extra.
func newConsumer(cfg stream.Config, group string, isolation Isolation, extra ckafka.ConfigMap) (*ckafka.Consumer, error) {
	conf := ckafka.ConfigMap{"bootstrap.servers": cfg.Brokers, "group.id": group, "enable.auto.commit": false,
		"isolation.level": string(isolation), "log_level": 4}
	for k, v := range cfg.Extra {
		conf[k] = v
	}
	for k, v := range extra {
		conf[k] = v
	}
	c, err := ckafka.NewConsumer(&conf)
	if err != nil {
		return nil, fmt.Errorf("create consumer: %w", err)
	}
	return c, nil
}
