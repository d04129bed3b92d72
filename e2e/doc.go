// Package e2e holds the end-to-end tests of the whole platform, all in one
// place: the services wired together on a broker (the embedded one, or the
// real 3-node Apache Kafka cluster when ORDERS_TEST_KAFKA=real), the orders
// binary killed and restarted as processes, the dev stack through REST and
// Connect, and the broker fault tests on the real cluster. It has no code
// of its own; see the _test.go files.
package e2e
