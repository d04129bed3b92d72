package kafka

import (
	"strconv"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
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
func DeadLetter(msg *kafka.Message, group string, cause error, now time.Time) *kafka.Message {
	src := msg.TopicPartition
	topic := DeadLetterTopic(*src.Topic)
	headers := append([]kafka.Header(nil), msg.Headers...)
	headers = append(headers,
		kafka.Header{Key: HeaderErrorClass, Value: []byte(ErrorClass(cause))},
		kafka.Header{Key: HeaderErrorMessage, Value: []byte(cause.Error())},
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(*src.Topic)},
		kafka.Header{Key: HeaderSourcePart, Value: []byte(strconv.Itoa(int(src.Partition)))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(int64(src.Offset), 10))},
		kafka.Header{Key: HeaderFailedAt, Value: []byte(now.UTC().Format(time.RFC3339Nano))},
		kafka.Header{Key: HeaderFailedConsumer, Value: []byte(group)},
	)
	return &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Key:            msg.Key,
		Value:          msg.Value,
		Headers:        headers,
	}
}

// Header returns the value of the last header named key, or "".
func Header(headers []kafka.Header, key string) string {
	for i := len(headers) - 1; i >= 0; i-- {
		if headers[i].Key == key {
			return string(headers[i].Value)
		}
	}
	return ""
}
