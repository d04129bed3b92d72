// Package stream is the platform's Kafka layer: a typed event backbone over
// confluent-kafka-go (librdkafka) and its Schema Registry protobuf serde.
// It is the only package that imports confluent-kafka-go; what it hands out
// are its own types (Message, Header, Partition, Record[T], Topic[T]), so
// services never see librdkafka's.
//
// It offers four building blocks, each owning its librdkafka clients:
//
//   - Publisher[T]: an idempotent producer of one protobuf type to one topic.
//   - Consume: an at-least-once consumer-group loop that stores an offset only
//     after its handler has made the output durable.
//   - Transform: an exactly-once consume-transform-produce loop over Kafka
//     transactions (outputs, dead letters and input offsets commit together).
//   - Table[T]: a global, read_committed view of a (compacted) topic that
//     reads every partition from the beginning, for lookup tables and
//     query state.
//
// Replay rebuilds windowed state from the records a group already consumed,
// for a Transform's OnAssign.
//
// A record that cannot be decoded or fails validation is never dropped and
// never blocks its partition: it goes unchanged to "<topic>.dlq" with headers
// naming the error (see DeadLetter).
package stream
