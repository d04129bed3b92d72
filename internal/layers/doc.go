// Package layers holds no code; its test enforces the repository's import
// direction, in the spirit of buf's dependency bans. Paths below are relative
// to the module path github.com/kafka-enterprise-orders/orders, and a path
// stands for that package and every package beneath it. Test files count.
//
//  1. gen/ is generated code: it imports nothing from this module outside gen/.
//  2. internal/ is shared library code: it never imports services/, gateway,
//     cmd/, compose/ or e2e.
//  3. Each service under services/ stands alone: services/x never imports
//     services/y, nor gateway, cmd/, compose/ or e2e.
//  4. gateway imports no services/, cmd/ or e2e.
//  5. Only the Kafka layer imports confluent-kafka-go (its kafka and
//     schemaregistry packages). The Kafka layer is internal/stream, plus the
//     test infrastructure in internal/testenv, internal/sandbox and
//     internal/contracts, plus cmd/ and e2e, which measure raw librdkafka on
//     purpose. Services, rpc, platform and events go through the Kafka layer.
//  6. Nothing imports e2e, and cmd/ is imported only from cmd/, compose/,
//     e2e and the clients' tests (which run the dev stack).
//
// Run the check with:
//
//	go test ./internal/layers/
package layers
