package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Option {
	return WithLookupEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func TestFlagsWinOverEnvironmentWhichWinsOverDefaults(t *testing.T) {
	var brokers, url string
	var rate float64
	var every time.Duration
	var topics []string
	s := New("svc", "a service", env(map[string]string{"ORDERS_KAFKA_BROKERS": "env:9092", "ORDERS_RATE": "2.5", "ORDERS_TOPICS": "a, b,,c"}))
	s.String(&brokers, "kafka-brokers", "localhost:9092", "brokers")
	s.String(&url, "registry-url", "http://default", "registry")
	s.Float64(&rate, "rate", 1, "rate")
	s.Duration(&every, "interval", time.Second, "interval")
	s.List(&topics, "topics", []string{"x"}, "topics")
	if err := s.Parse([]string{"--rate", "7", "--interval=5s"}); err != nil {
		t.Fatal(err)
	}
	if brokers != "env:9092" || url != "http://default" || rate != 7 || every != 5*time.Second || strings.Join(topics, "|") != "a|b|c" {
		t.Fatalf("got brokers=%q url=%q rate=%v every=%v topics=%v", brokers, url, rate, every, topics)
	}
}

func TestPairsFromEnvironmentAndRepeatedFlags(t *testing.T) {
	got := map[string]string{}
	s := New("svc", "", env(map[string]string{"ORDERS_KAFKA_PROPERTY": "security.protocol=SASL_SSL, sasl.mechanisms=PLAIN"}), WithOutput(&bytes.Buffer{}))
	s.Pairs(func(k, v string) { got[k] = v }, "kafka-property", "librdkafka property")
	if err := s.Parse([]string{"--kafka-property", "session.timeout.ms=6000", "--kafka-property=sasl.mechanisms=SCRAM-SHA-512"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512", "session.timeout.ms": "6000"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	s = New("svc", "", env(nil), WithOutput(&bytes.Buffer{}))
	s.Pairs(func(string, string) {}, "kafka-property", "librdkafka property")
	if err := s.Parse([]string{"--kafka-property=acks"}); err == nil || !strings.Contains(err.Error(), `"acks": want key=value`) {
		t.Errorf("a pair without '=': %v", err)
	}
}

func TestErrorsNameTheVariableOrFlag(t *testing.T) {
	var n int
	s := New("svc", "", env(map[string]string{"ORDERS_COUNT": "many"}), WithOutput(&bytes.Buffer{}))
	s.Int(&n, "count", 0, "count")
	if err := s.Parse(nil); err == nil || !strings.Contains(err.Error(), "ORDERS_COUNT") {
		t.Errorf("bad env value: %v", err)
	}
	var db string
	s = New("svc", "", env(nil), WithOutput(&bytes.Buffer{}))
	s.RequiredString(&db, "database-url", "db")
	if err := s.Parse(nil); err == nil || !strings.Contains(err.Error(), "--database-url (or ORDERS_DATABASE_URL) is required") {
		t.Errorf("missing required: %v", err)
	}
	if err := s.Parse([]string{"--nope"}); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestHelpListsEveryOptionWithItsVariable(t *testing.T) {
	var out bytes.Buffer
	var a string
	var b bool
	s := New("svc", "Does things.", env(nil), WithOutput(&out))
	s.String(&a, "listen-addr", "127.0.0.1:7001", "where to listen")
	s.Bool(&b, "verbose", false, "talk more")
	if err := s.Parse([]string{"--help"}); !errors.Is(err, ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"Does things.", "--listen-addr  [ORDERS_LISTEN_ADDR]", `(default "127.0.0.1:7001")`, "--verbose  [ORDERS_VERBOSE]", "talk more"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
	if got := s.Vars(); len(got) != 2 || got[0].Env != "ORDERS_LISTEN_ADDR" {
		t.Errorf("Vars() = %+v", got)
	}
}
