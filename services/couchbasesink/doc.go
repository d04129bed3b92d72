// Package couchbasesink is the couchbase-sink service: it copies Kafka topics
// (by default the compacted `order-analytics`) into a Couchbase collection
// with gocb/v2, one document per record key. It is the Go twin of the
// Confluent Couchbase sink connector configured in
// compose/connect/connectors/couchbase-sink.json for the Compose stack, and what the
// analytics service's "optionally writes to Couchbase" means.
//
// For every configured topic a kafka.Consume loop (consumer group --group,
// at least once) hands each record to the writer:
//
//   - document id = record key (empty, over 250 bytes or not UTF-8: the
//     record is dead-lettered, class "validation");
//   - value = the protobuf message decoded with the topic's type (the
//     mapping lives in topics.go, over events.Topics) and stored as JSON by
//     protojson with the .proto field names (see Document), upserted with
//     durability none, so a write is done once the active node acknowledged
//     it;
//   - tombstone (null value) = remove the document; one already gone counts
//     as removed;
//   - a value that does not decode (not the Confluent wire format, unknown
//     schema, another message type) never reaches Couchbase: kafka.Consume
//     sends it unchanged to `<topic>.dlq` with the dlq.* headers naming the
//     error class "deserialization", source topic, partition and offset;
//   - Couchbase errors that retrying cannot cure (value too large, invalid
//     argument, encoding failure) dead-letter the record with class
//     "validation"; every other error (timeouts, temporary failures,
//     service, bucket or collection not available, locked document,
//     authentication) is retried with backoff, holding that partition.
//
// The offset of a record is stored only after its write returned, so a
// crash or restart rewrites at most the records whose writes were not yet
// committed; rewriting is harmless, since an upsert of the same key and
// value is idempotent. The service is ready (/readyz) once the bucket
// answers KV and every topic's consumer has its partitions. It logs each
// document at debug level and counts documents.upserted,
// documents.removed, documents.remove-missing, writes.retried (failed
// writes that will be retried) and dead-letters (records the writer
// rejected, and records that failed to decode, which stream.Consume
// dead-letters before the writer sees them).
//
// # The Confluent connector twin
//
// In the Compose stack Kafka Connect runs com.couchbase.connect.kafka.CouchbaseSinkConnector
// with compose/connect/connectors/couchbase-sink.json; this service does the same
// job as a plain consumer, and either may run (point them at different
// buckets, or run one, so that two writers do not race on a key). The
// connector's settings map to this service's flags:
//
//	connector setting                       couchbase-sink
//	topics                                  --topics (default order-analytics)
//	couchbase.seed.nodes                    --couchbase-url (couchbase://host,...)
//	couchbase.username / .password          --couchbase-username / --couchbase-password
//	couchbase.bucket                        --couchbase-bucket (default order_analytics)
//	couchbase.default.collection            --couchbase-scope and --couchbase-collection
//	  (_default._default)                     (default _default, _default)
//	couchbase.document.id "" (record key)   always the record key
//	couchbase.remove.document.id false      the document is the whole value
//	errors.tolerance all +                  permanent failures to <topic>.dlq
//	  errors.deadletterqueue.topic.name       (headers dlq.*, not __connect.errors.*)
//	value.converter ProtobufConverter       the topic's Serde (same Schema Registry)
//	key.converter StringConverter           keys are UTF-8 strings
//	consumer group connect-couchbase-sink   --group (default couchbase-sink)
//
// Both delete the document on a tombstone and both commit offsets only after
// Couchbase took the write (the connector when Connect flushes offsets,
// periodically; this service per record). The documents carry the same
// fields under the same names but are not byte-for-byte equal: the connector
// renders Connect's data model (int64 as JSON numbers, every field present),
// while this service writes canonical protojson (int64 as strings, RFC 3339
// timestamps, fields at their default value omitted). Read them with
// protojson.Unmarshal, which also accepts numbers for int64 fields.
//
// Run it with `orders couchbase-sink` (flags fall back to ORDERS_* variables,
// e.g. ORDERS_COUCHBASE_URL); --create-bucket creates a missing bucket, for
// dev stacks and tests only. Tests run against gocaves (see
// internal/sandbox/caves), a mock cluster speaking the real KV protocol.
package couchbasesink
