package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
	if err := s.Parse([]string{"--kafka-property=acks"}); err == nil || !strings.Contains(err.Error(), `--kafka-property: want key=value`) {
		t.Errorf("a pair without '=': %v", err)
	}
}

// TestPairsNeverEchoASecret: a mistyped pair, on the command line or in
// the environment, is reported without the text that may hold a password,
// both in the error and in what the flag package prints; a flag's value
// may hold commas.
func TestPairsNeverEchoASecret(t *testing.T) {
	const secret = "hunter2-s3cr3t"
	for name, c := range map[string]struct {
		env  map[string]string
		args []string
	}{
		"flag with a space for '='": {nil, []string{"--kafka-property", "sasl.password " + secret}},
		"flag, one bad pair":        {nil, []string{"--kafka-property=sasl.username=orders", "--kafka-property", "sasl.password:" + secret}},
		"environment":               {map[string]string{"ORDERS_KAFKA_PROPERTY": "sasl.username=orders, sasl.password " + secret}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			s := New("svc", "", env(c.env), WithOutput(&out))
			s.Pairs(func(string, string) {}, "kafka-property", "librdkafka property")
			err := s.Parse(c.args)
			if err == nil {
				t.Fatal("a pair without '=' was accepted")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(out.String(), secret) {
				t.Errorf("the secret leaked: error %q, output %q", err, out.String())
			}
		})
	}
	got := map[string]string{}
	s := New("svc", "", env(nil), WithOutput(&bytes.Buffer{}))
	s.Pairs(func(k, v string) { got[k] = v }, "kafka-property", "librdkafka property")
	jaas := `org.apache.kafka.common.security.plain.PlainLoginModule required username="a,b" password="c,d";`
	if err := s.Parse([]string{"--kafka-property", "sasl.oauthbearer.config=" + jaas}); err != nil {
		t.Fatal(err)
	}
	if got["sasl.oauthbearer.config"] != jaas {
		t.Errorf("value with commas: got %q", got)
	}
}

// TestPairsFile reads properties from a file, values with commas and all,
// and names the line of a bad one without its text.
func TestPairsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kafka.properties")
	const secret = "pa55,word"
	if err := os.WriteFile(path, []byte("# credentials\nsasl.username = orders\n\n! another comment\nsasl.password="+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	s := New("svc", "", env(nil), WithOutput(&bytes.Buffer{}))
	s.PairsFile(func(k, v string) { got[k] = v }, "kafka-properties-file", "librdkafka properties file")
	if err := s.Parse([]string{"--kafka-properties-file", path}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["sasl.username"] != "orders" || got["sasl.password"] != secret {
		t.Errorf("got %q", got)
	}
	if err := os.WriteFile(path, []byte("sasl.username=orders\nsasl.password "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s = New("svc", "", env(nil), WithOutput(&out))
	s.PairsFile(func(string, string) {}, "kafka-properties-file", "librdkafka properties file")
	err := s.Parse([]string{"--kafka-properties-file", path})
	if err == nil || !strings.Contains(err.Error(), "line 2") || strings.Contains(err.Error()+out.String(), secret) {
		t.Errorf("bad line: %v (output %q)", err, out.String())
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

func TestFlagsMayFollowPositionalArguments(t *testing.T) {
	var topic string
	var all bool
	s := New("dlq", "dead letters", env(nil))
	s.String(&topic, "topic", "", "topic")
	s.Bool(&all, "all", false, "all")
	if err := s.Parse([]string{"list", "--topic", "orders", "a-0-1", "--all", "--", "--not-a-flag"}); err != nil {
		t.Fatal(err)
	}
	if topic != "orders" || !all {
		t.Errorf("topic=%q all=%v: flags after a positional argument were not parsed", topic, all)
	}
	if got := strings.Join(s.Args(), " "); got != "list a-0-1 --not-a-flag" {
		t.Errorf("Args() = %q", got)
	}
}
