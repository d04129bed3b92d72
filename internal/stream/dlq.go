package stream

import (
	"strconv"
	"time"
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
)

// DeadLetterTopic returns the dead-letter topic of topic.
func DeadLetterTopic(topic string) string { return topic + DeadLetterSuffix }

// DeadLetter builds the dead-letter copy of msg: same key, value and headers,
// plus headers naming the failure and where the record came from.
func DeadLetter(msg *Message, group string, cause error, now time.Time) *Message {
	headers := append([]Header(nil), msg.Headers...)
	headers = append(headers, failureHeaders(ErrorClass(cause), cause, msg.Topic, group, now)...)
	headers = append(headers,
		Header{Key: HeaderSourcePart, Value: []byte(strconv.Itoa(int(msg.Partition)))},
		Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(msg.Offset, 10))},
	)
	return &Message{Topic: DeadLetterTopic(msg.Topic), Key: msg.Key, Value: msg.Value, Headers: headers}
}

// ForeignDeadLetter builds the dead letter, for topic's dead-letter topic,
// of a record that came from outside Kafka and could not be turned into
// one of topic's records: source names where it came from (such as
// "postgres:customers"), class the kind of failure.
func ForeignDeadLetter(topic, source, consumer, class string, key, value []byte, cause error, now time.Time) *Message {
	return &Message{Topic: DeadLetterTopic(topic), Key: key, Value: value,
		Headers: failureHeaders(class, cause, source, consumer, now)}
}

func failureHeaders(class string, cause error, source, consumer string, now time.Time) []Header {
	return []Header{
		{Key: HeaderErrorClass, Value: []byte(class)},
		{Key: HeaderErrorMessage, Value: []byte(cause.Error())},
		{Key: HeaderSourceTopic, Value: []byte(source)},
		{Key: HeaderFailedAt, Value: []byte(now.UTC().Format(time.RFC3339Nano))},
		{Key: HeaderFailedConsumer, Value: []byte(consumer)},
	}
}
