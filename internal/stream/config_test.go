package stream

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// TestExtraOverridesDefaults: properties given with --kafka-property win
// over the package's defaults, for every kind of client.
func TestExtraOverridesDefaults(t *testing.T) {
	cfg := Config{Brokers: "b:9092", Extra: kafka.ConfigMap{"acks": "1", "isolation.level": "read_uncommitted", "security.protocol": "SSL"}}
	p, c := cfg.producerConfig("p"), cfg.consumerConfig("c", "g")
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"producer acks", p["acks"], "1"},
		{"producer security.protocol", p["security.protocol"], "SSL"},
		{"consumer isolation.level", c["isolation.level"], "read_uncommitted"},
		{"consumer security.protocol", c["security.protocol"], "SSL"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if d := (Config{Brokers: "b:9092"}).producerConfig("p"); d["acks"] != "all" || d["enable.idempotence"] != true {
		t.Errorf("defaults: acks=%v enable.idempotence=%v, want all, true", d["acks"], d["enable.idempotence"])
	}
}
