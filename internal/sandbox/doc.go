// Package sandbox runs the platform's infrastructure inside the current
// process or as child processes, with no Docker: a Kafka-protocol broker
// (franz-go's kfake), a Confluent-compatible Schema Registry (franz-go's
// srfake) and a throwaway PostgreSQL cluster started from the machine's
// PostgreSQL binaries.
//
// `orders dev` and the tests (through package testenv) both build on it.
package sandbox
