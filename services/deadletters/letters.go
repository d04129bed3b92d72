package deadletters

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	deadlettersv1 "github.com/kafka-enterprise-orders/orders/gen/deadletters/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
)

// letterID is a dead letter's id: "<dead-letter topic>-<partition>-<offset>".
// Dashes end it, so that it fits in a URL path segment.
func letterID(msg *stream.Message) string {
	return fmt.Sprintf("%s-%d-%d", msg.Topic, msg.Partition, msg.Offset)
}

// parseID splits an id into its dead-letter topic and position.
func parseID(id string) (string, stream.Position, error) {
	rest, off, ok1 := cutLast(id)
	topic, part, ok2 := cutLast(rest)
	offset, err1 := strconv.ParseInt(off, 10, 64)
	partition, err2 := strconv.ParseInt(part, 10, 32)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || offset < 0 || partition < 0 || !strings.HasSuffix(topic, stream.DeadLetterSuffix) {
		return "", stream.Position{}, fmt.Errorf("%q is not a dead letter id (<topic>.dlq-<partition>-<offset>, such as orders.dlq-0-42)", id)
	}
	return topic, stream.Position{Partition: int32(partition), Offset: offset}, nil
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// toProto describes dead letter msg with what the ledger says of it.
func toProto(msg *stream.Message, res *deadlettersv1.DeadLetterResolution, maxReplays int) *deadlettersv1.DeadLetter {
	dl := &deadlettersv1.DeadLetter{
		Id:            letterID(msg),
		Source:        msg.Header(stream.HeaderSourceTopic),
		Consumer:      msg.Header(stream.HeaderFailedConsumer),
		ErrorClass:    msg.Header(stream.HeaderErrorClass),
		ErrorMessage:  msg.Header(stream.HeaderErrorMessage),
		Key:           msg.Key,
		ValueSize:     int64(len(msg.Value)),
		ReplayCount:   int32(stream.ReplayCount(msg)),
		Resolution:    res,
		NotReplayable: notReplayable(msg),
	}
	if p, err := strconv.ParseInt(msg.Header(stream.HeaderSourcePart), 10, 32); err == nil {
		dl.SourcePartition = int32(p)
	}
	if o, err := strconv.ParseInt(msg.Header(stream.HeaderSourceOffset), 10, 64); err == nil {
		dl.SourceOffset = o
	}
	if at, err := time.Parse(time.RFC3339Nano, msg.Header(stream.HeaderFailedAt)); err == nil {
		dl.FailedAt = timestamppb.New(at)
	}
	if n, err := strconv.ParseInt(msg.Header(stream.HeaderValueDropped), 10, 64); err == nil {
		dl.ValueDropped, dl.ValueSize = true, n
	}
	dl.Status = status(dl, res, maxReplays)
	return dl
}

// status is where a dead letter stands: what the ledger says, else parked
// once it failed after maxReplays replays, else waiting.
func status(dl *deadlettersv1.DeadLetter, res *deadlettersv1.DeadLetterResolution, maxReplays int) deadlettersv1.DeadLetterStatus {
	switch {
	case res != nil:
		return res.GetStatus()
	case int(dl.GetReplayCount()) >= maxReplays:
		return deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_PARKED
	}
	return deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_WAITING
}

// notReplayable says why msg cannot go back to its source, or "".
func notReplayable(msg *stream.Message) string {
	source := msg.Header(stream.HeaderSourceTopic)
	switch {
	case msg.Header(stream.HeaderFailedConsumer) == "":
		return "the dead letter does not name the consumer that failed on it"
	case strings.Contains(source, ":"):
		return fmt.Sprintf("it came from %s, not from a Kafka topic: correct it at its source and it is captured again", source)
	case events.Compacted(source):
		return fmt.Sprintf("%s is a compacted state topic: its records are snapshots, and the key's next record supersedes this one", source)
	case msg.Header(stream.HeaderValueDropped) != "":
		return "the dead letter was written without its value (too large)"
	}
	return ""
}

// matches reports whether dl passes filter f.
func matches(dl *deadlettersv1.DeadLetter, f *deadlettersv1.DeadLetterFilter) bool {
	at := dl.GetFailedAt().AsTime()
	switch {
	case f.GetConsumer() != "" && dl.GetConsumer() != f.GetConsumer(),
		f.GetErrorClass() != "" && dl.GetErrorClass() != f.GetErrorClass(),
		f.GetStatus() != deadlettersv1.DeadLetterStatus_DEAD_LETTER_STATUS_UNSPECIFIED && dl.GetStatus() != f.GetStatus(),
		f.GetFailedAfter() != nil && at.Before(f.GetFailedAfter().AsTime()),
		f.GetFailedBefore() != nil && !at.Before(f.GetFailedBefore().AsTime()):
		return false
	}
	return true
}
