//go:build !production

package cli

// devTools are the commands that run the platform's test doubles and
// sandboxes (the embedded broker, registry, Postgres and Couchbase, a local
// Apache Kafka): left out of a build with -tags production, such as the
// Compose image, so that none of that code ships.
func devTools() []Command { return []Command{devCommand(), kafkaCommand(), benchCommand()} }
