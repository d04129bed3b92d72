package stream_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"google.golang.org/protobuf/types/known/timestamppb"

	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	"github.com/kafka-enterprise-orders/orders/internal/events"
	"github.com/kafka-enterprise-orders/orders/internal/sandbox"
	"github.com/kafka-enterprise-orders/orders/internal/stream"
	"github.com/kafka-enterprise-orders/orders/internal/testenv"
)

// scram is the librdkafka configuration of a SASL/SCRAM-SHA-512 client.
func scram(user, password string) ckafka.ConfigMap {
	return ckafka.ConfigMap{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-512",
		"sasl.username": user, "sasl.password": password}
}

// TestSCRAMAndACLsOnARealCluster: on a real Apache Kafka node that
// authenticates with SCRAM and authorizes by ACLs, the Kafka layer, given
// the credentials as --kafka-property would, publishes and reads where its
// user's ACLs allow; a topic without an ACL is refused, and so are a wrong
// password and a client without SASL.
func TestSCRAMAndACLsOnARealCluster(t *testing.T) {
	if !testenv.RealBrokers() {
		t.Skip("needs a real Apache Kafka node (ORDERS_TEST_KAFKA=real)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cluster, err := sandbox.StartKafkaCluster(ctx, t.TempDir(), 1, sandbox.WithSCRAM("admin", "admin-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Close() })
	registry := startRegistry(t).URL()
	config := func(extra ckafka.ConfigMap) stream.Config {
		return stream.Config{Brokers: cluster.Bootstrap(), SchemaRegistryURL: registry, AutoRegister: true,
			Partitions: 1, ReplicationFactor: 1, Extra: extra, Logger: testenv.Logger(t)}
	}
	admin := config(scram("admin", "admin-secret"))
	if err := stream.EnsureTopics(ctx, admin, false, stream.TopicSpec{Name: events.OrdersTopic}, stream.TopicSpec{Name: events.PaymentsTopic}); err != nil {
		t.Fatal(err)
	}
	grant(t, ctx, admin, "orders", "orders-secret", events.OrdersTopic)

	user := config(scram("orders", "orders-secret"))
	order := &ordersv1.Order{OrderId: "ord-scram-0001", CustomerId: "cus-0001", CreatedAt: timestamppb.Now()}
	if err := publish(ctx, user, events.OrdersTopic, order); err != nil {
		t.Fatalf("publish with the orders user's ACLs: %v", err)
	}
	if got := testenv.ReadTopic(t, user, events.OrdersTopic, 1, time.Minute); string(got[0].Key) != "cus-0001" {
		t.Errorf("read back key %q", got[0].Key)
	}
	if err := publish(ctx, user, events.PaymentsTopic, order); err == nil || !strings.Contains(strings.ToLower(err.Error()), "authoriz") {
		t.Errorf("publish to a topic without an ACL: %v, want an authorization failure", err)
	}
	for name, extra := range map[string]ckafka.ConfigMap{
		"wrong password": scram("orders", "guess"),
		"no SASL":        {},
	} {
		extra["message.timeout.ms"] = 5000
		if err := publish(ctx, config(extra), events.OrdersTopic, order); err == nil {
			t.Errorf("%s: published", name)
		}
	}
}

// publish sends one order to topic as cfg's user.
func publish(ctx context.Context, cfg stream.Config, topic string, o *ordersv1.Order) error {
	topics, err := events.Open(cfg)
	if err != nil {
		return err
	}
	prod, err := stream.NewProducer(cfg, "scram-test")
	if err != nil {
		return err
	}
	defer func() { _ = prod.Close(context.Background()) }()
	t := topics.Orders
	t.Name = topic
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return stream.Publisher[*ordersv1.Order]{Producer: prod, Topic: t}.Publish(pctx, o.GetCustomerId(), o)
}

// grant creates user with password and lets it write and read topic (the
// read by manual assignment, as the test's reader does), and nothing else.
func grant(t *testing.T, ctx context.Context, admin stream.Config, user, password, topic string) {
	t.Helper()
	conf := ckafka.ConfigMap{"bootstrap.servers": admin.Brokers}
	for k, v := range admin.Extra {
		conf[k] = v
	}
	ac, err := ckafka.NewAdminClient(&conf)
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	res, err := ac.AlterUserScramCredentials(ctx, []ckafka.UserScramCredentialUpsertion{{
		User: user, Salt: []byte("orders-test-salt"), Password: []byte(password),
		ScramCredentialInfo: ckafka.ScramCredentialInfo{Mechanism: ckafka.ScramMechanismSHA512, Iterations: 8192},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range res.Errors {
		if err.Code() != ckafka.ErrNoError {
			t.Fatalf("create SCRAM user %s: %v", user, err)
		}
	}
	var bindings ckafka.ACLBindings
	for _, op := range []ckafka.ACLOperation{ckafka.ACLOperationWrite, ckafka.ACLOperationRead, ckafka.ACLOperationDescribe} {
		bindings = append(bindings, ckafka.ACLBinding{Type: ckafka.ResourceTopic, Name: topic, ResourcePatternType: ckafka.ResourcePatternTypeLiteral,
			Principal: "User:" + user, Host: "*", Operation: op, PermissionType: ckafka.ACLPermissionTypeAllow})
	}
	bindings = append(bindings, ckafka.ACLBinding{Type: ckafka.ResourceGroup, Name: "*", ResourcePatternType: ckafka.ResourcePatternTypeLiteral,
		Principal: "User:" + user, Host: "*", Operation: ckafka.ACLOperationRead, PermissionType: ckafka.ACLPermissionTypeAllow})
	results, err := ac.CreateACLs(ctx, bindings)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Error.Code() != ckafka.ErrNoError {
			t.Fatal(errors.New(r.Error.String()))
		}
	}
}
