package stream

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DeadLetterSuffix is appended to a topic's name to name its dead-letter topic.
const DeadLetterSuffix = ".dlq"

// Dead-letter headers. Values are UTF-8 text.
const (
	HeaderErrorClass     = "dlq.error.class"      // "deserialization" or "validation"
	HeaderErrorMessage   = "dlq.error.message"    // the error text
	HeaderSourceTopic    = "dlq.source.topic"     // topic the record was read from
	HeaderSourcePart     = "dlq.source.partition" // its partition
	HeaderSourceOffset   = "dlq.source.offset"    // its offset
	HeaderFailedAt       = "dlq.failed.at"        // RFC 3339 time of the failure
	HeaderFailedConsumer = "dlq.consumer"         // consumer group that gave up
	HeaderValueDropped   = "dlq.value.dropped"    // set when the value was left out: its size in bytes
	HeaderHeadersDropped = "dlq.headers.dropped"  // set when the record's own headers were left out: how many
	HeaderKeyDropped     = "dlq.key.dropped"      // set when the key was cut to MaxDeadLetterKey: its size in bytes
)

// Replay headers, on a record sent back to its source topic from a dead
// letter (see ReplayRecord). They start with "dlq." too, so that a record
// that fails again carries them into its next dead letter.
const (
	// HeaderReplayFor names the one consumer group that is to process the
	// record; every other group skips it (see ForAnother).
	HeaderReplayFor = "dlq.replay.for"
	// HeaderReplayCount is how many times the record has been replayed.
	HeaderReplayCount = "dlq.replay.count"
	// HeaderReplayOf is the id of the dead letter it was replayed from.
	HeaderReplayOf = "dlq.replay.of"
)

// headerPrefix starts every header the dead-letter machinery writes.
const headerPrefix = "dlq."

// Bounds on what a dead letter carries, so that it fits in a record
// whatever the record and its error (librdkafka refuses records over 1 MB,
// brokers by default a little more): a dead letter that cannot be written
// would be retried forever, holding up its partition.
const (
	// MaxErrorText is the longest error text in HeaderErrorMessage; an
	// error may quote a bad field in full, and is cut here.
	MaxErrorText = 1024
	// MaxDeadLetterBytes bounds key, value and headers together. A dead
	// letter that would be larger is written without the value (see
	// HeaderValueDropped), and, if it is still too large, without the
	// record's own headers (HeaderHeadersDropped), then with its key cut
	// to MaxDeadLetterKey bytes (HeaderKeyDropped).
	MaxDeadLetterBytes = 900 << 10
	MaxDeadLetterKey   = 1024
)

// DeadLetterTopic returns the dead-letter topic of topic.
func DeadLetterTopic(topic string) string { return topic + DeadLetterSuffix }

// DeadLetter builds the dead-letter copy of msg: same key, value and headers,
// plus headers naming the failure and where the record came from, within
// MaxDeadLetterBytes.
func DeadLetter(msg *Message, group string, cause error, now time.Time) *Message {
	headers := append([]Header(nil), msg.Headers...)
	headers = append(headers, failureHeaders(ErrorClass(cause), cause, msg.Topic, group, now)...)
	headers = append(headers,
		Header{Key: HeaderSourcePart, Value: []byte(strconv.Itoa(int(msg.Partition)))},
		Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(msg.Offset, 10))},
	)
	dl := &Message{Topic: DeadLetterTopic(msg.Topic), Key: msg.Key, Value: msg.Value, Headers: headers}
	return bounded(dl, len(msg.Headers))
}

// ForeignDeadLetter builds the dead letter, for topic's dead-letter topic,
// of a record that came from outside Kafka and could not be turned into
// one of topic's records: source names where it came from (such as
// "postgres:customers"), class the kind of failure.
func ForeignDeadLetter(topic, source, consumer, class string, key, value []byte, cause error, now time.Time) *Message {
	dl := &Message{Topic: DeadLetterTopic(topic), Key: key, Value: value,
		Headers: failureHeaders(class, cause, source, consumer, now)}
	return bounded(dl, 0)
}

// ReplayRecord builds the record that sends dead letter dl back to its
// source topic for the consumer group that failed on it: the same key,
// value and own headers, without the failure headers, with the replay
// headers (count is the replays so far, this one included; id names dl).
func ReplayRecord(dl *Message, id string, count int) *Message {
	var headers []Header
	for _, h := range dl.Headers {
		if !strings.HasPrefix(h.Key, headerPrefix) {
			headers = append(headers, h)
		}
	}
	headers = append(headers,
		Header{Key: HeaderReplayFor, Value: []byte(dl.Header(HeaderFailedConsumer))},
		Header{Key: HeaderReplayCount, Value: []byte(strconv.Itoa(count))},
		Header{Key: HeaderReplayOf, Value: []byte(id)},
	)
	return &Message{Topic: dl.Header(HeaderSourceTopic), Key: dl.Key, Value: dl.Value, Headers: headers}
}

// ReplayCount is how many times the record behind dead letter dl had been
// replayed when it failed (0 for a first failure).
func ReplayCount(dl *Message) int {
	n, err := strconv.Atoi(dl.Header(HeaderReplayCount))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// ForAnother reports whether msg is a replay addressed to a consumer group
// other than group: a record every other group has already processed, or
// dead-lettered on its own account.
func ForAnother(msg *Message, group string) bool {
	to := msg.Header(HeaderReplayFor)
	return to != "" && to != group
}

// logDeadLetter says which record went to the dead-letter topic and why,
// with the error cut as in the dead letter.
func logDeadLetter(ctx context.Context, log *slog.Logger, dl *Message, cause error) {
	attrs := []any{"partition", dl.Header(HeaderSourcePart), "offset", dl.Header(HeaderSourceOffset),
		"error", truncate(cause.Error(), MaxErrorText)}
	if dropped := dl.Header(HeaderValueDropped); dropped != "" {
		log.WarnContext(ctx, "record sent to dead-letter topic without its value, too large", append(attrs, "value_bytes", dropped)...)
		return
	}
	log.WarnContext(ctx, "record sent to dead-letter topic", attrs...)
}

// bounded fits dl within MaxDeadLetterBytes, dropping its value and then
// its first own headers (the copied record's) if it must.
func bounded(dl *Message, own int) *Message {
	if size(dl) > MaxDeadLetterBytes && len(dl.Value) > 0 {
		dl.Headers = append(dl.Headers, Header{Key: HeaderValueDropped, Value: []byte(strconv.Itoa(len(dl.Value)))})
		dl.Value = nil
	}
	if size(dl) > MaxDeadLetterBytes && own > 0 {
		dl.Headers = append(dl.Headers[own:], Header{Key: HeaderHeadersDropped, Value: []byte(strconv.Itoa(own))})
	}
	if size(dl) > MaxDeadLetterBytes && len(dl.Key) > MaxDeadLetterKey {
		dl.Headers = append(dl.Headers, Header{Key: HeaderKeyDropped, Value: []byte(strconv.Itoa(len(dl.Key)))})
		dl.Key = dl.Key[:MaxDeadLetterKey]
	}
	return dl
}

// size is what a record's key, value and headers weigh.
func size(m *Message) int {
	n := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// truncate cuts s to at most limit bytes, on a character boundary, and
// says how much was cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}

func failureHeaders(class string, cause error, source, consumer string, now time.Time) []Header {
	return []Header{
		{Key: HeaderErrorClass, Value: []byte(class)},
		{Key: HeaderErrorMessage, Value: []byte(truncate(cause.Error(), MaxErrorText))},
		{Key: HeaderSourceTopic, Value: []byte(source)},
		{Key: HeaderFailedAt, Value: []byte(now.UTC().Format(time.RFC3339Nano))},
		{Key: HeaderFailedConsumer, Value: []byte(consumer)},
	}
}
