package config_test

import (
	"fmt"
	"os"

	"github.com/kafka-enterprise-orders/orders/internal/config"
)

// Every flag falls back to ORDERS_<FLAG>; the flag wins when both are set.
func ExampleSet() {
	os.Setenv("ORDERS_KAFKA_BROKERS", "kafka:29092")
	defer os.Unsetenv("ORDERS_KAFKA_BROKERS")
	var brokers string
	var rate float64
	s := config.New("producer", "Generates orders.")
	s.String(&brokers, "kafka-brokers", "localhost:9092", "Kafka bootstrap servers")
	s.Float64(&rate, "rate", 1, "orders per second")
	if err := s.Parse([]string{"--rate=20"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(brokers, rate)
	// Output: kafka:29092 20
}
