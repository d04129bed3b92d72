package composecheck_test

import (
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/kafka-enterprise-orders/orders/cmd/orders/cli"
	"github.com/kafka-enterprise-orders/orders/compose/composecheck"
	analyticsv1 "github.com/kafka-enterprise-orders/orders/gen/analytics/v1"
	customersv1 "github.com/kafka-enterprise-orders/orders/gen/customers/v1"
	fraudv1 "github.com/kafka-enterprise-orders/orders/gen/fraud/v1"
	ordersv1 "github.com/kafka-enterprise-orders/orders/gen/orders/v1"
	paymentsv1 "github.com/kafka-enterprise-orders/orders/gen/payments/v1"
	"github.com/kafka-enterprise-orders/orders/internal/config"
	"github.com/kafka-enterprise-orders/orders/internal/customers"
	"github.com/kafka-enterprise-orders/orders/internal/events"
)

// Paths relative to the repository root.
const (
	composeRel    = "compose/docker-compose.yml"
	envRel        = "compose/.env"
	initSQLRel    = "compose/db/init.sql"
	connectorsRel = "compose/connect/connectors"
	ksqlRel       = "ksql/streams.sql"
	workflowRel   = ".github/workflows/ci.yml"
	bucket        = "order_analytics"
)

var root = func() string {
	abs, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return abs
}()

func path(rel string) string { return filepath.Join(root, rel) }

// goService is a Go service container as the design fixes it.
type goService struct {
	service, command string
	port             int
	// mustSet: set in containers although optional (defaults point at localhost).
	mustSet []string
	// documented are the command's own flags (beyond the common ones) as the
	// design lists them; used only while the command registers no flags yet.
	documented []string
}

var commonFlags = []string{"kafka-brokers", "schema-registry-url", "auto-register-schemas",
	"topic-partitions", "topic-replication-factor", "listen-addr", "log-level", "log-format"}

var kafkaMustSet = []string{"ORDERS_KAFKA_BROKERS", "ORDERS_SCHEMA_REGISTRY_URL", "ORDERS_LISTEN_ADDR"}

var goServices = []goService{
	{"order-producer", "producer", 7001, kafkaMustSet, []string{"rate", "interval", "count", "seed", "customers"}},
	{"payment-service", "payment", 7002, kafkaMustSet, []string{"min-amount", "max-amount", "default-credit-limit", "failure-rate", "seed", "group", "transactional-id"}},
	{"fraud-service", "fraud", 7003, kafkaMustSet, []string{"rules", "group", "transactional-id"}},
	{"analytics-service", "analytics", 7004, kafkaMustSet, []string{"group", "transactional-id"}},
	{"pg-source", "pg-source", 7005, append([]string{"ORDERS_DATABASE_URL"}, kafkaMustSet...),
		[]string{"database-url", "publication", "slot", "tables"}},
	{"dead-letter-service", "dead-letters", 7007, kafkaMustSet, []string{"transactional-id", "max-replays", "replay-batch", "transaction-timeout"}},
	{"couchbase-sink", "couchbase-sink", 7006,
		append([]string{"ORDERS_COUCHBASE_URL", "ORDERS_COUCHBASE_USERNAME", "ORDERS_COUCHBASE_PASSWORD"}, kafkaMustSet...),
		[]string{"couchbase-url", "couchbase-username", "couchbase-password", "couchbase-bucket", "couchbase-scope", "couchbase-collection", "topics", "group"}},
	// The gateway speaks only to the services' RPC endpoints: no Kafka flags.
	{"gateway", "gateway", 8080,
		[]string{"ORDERS_LISTEN_ADDR", "ORDERS_ORDER_SERVICE_URL", "ORDERS_PAYMENT_SERVICE_URL", "ORDERS_FRAUD_SERVICE_URL", "ORDERS_ANALYTICS_SERVICE_URL", "ORDERS_DEAD_LETTER_SERVICE_URL"},
		[]string{"listen-addr", "log-level", "log-format", "order-service-url", "payment-service-url", "fraud-service-url", "analytics-service-url", "dead-letter-service-url"}},
}

// specs builds the composecheck view of the Go services from the code: each
// command's registered flags, and a parser that reads an environment the way
// the binary does. A command that registers no flags yet is checked against
// the flags the design documents, and the test says so.
func specs(t *testing.T, note bool) []composecheck.GoService {
	t.Helper()
	var out []composecheck.GoService
	for _, g := range goServices {
		cmd, ok := cli.Lookup(g.command)
		if !ok {
			t.Fatalf("`orders %s` (service %s) is not a command of the binary", g.command, g.service)
		}
		spec := composecheck.GoService{Service: g.service, Command: g.command, Port: g.port, MustSet: g.mustSet}
		spec.Vars = cmd.Flags().Vars()
		if len(spec.Vars) == 0 {
			flags := g.documented
			if g.command != "gateway" {
				flags = append(slices.Clone(commonFlags), g.documented...)
			}
			if note {
				t.Logf("NOTE: `orders %s` registers no flags yet: checking %s's environment against the %d documented flags, without parsing it",
					g.command, g.service, len(flags))
			}
			for _, f := range flags {
				spec.Vars = append(spec.Vars, config.Var{Flag: f, Env: config.EnvName(f)})
			}
		} else {
			spec.Parse = func(env map[string]string) error {
				s := config.New(cmd.Name, cmd.Synopsis, config.WithOutput(io.Discard),
					config.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
				cmd.Setup(s, cli.Env{Stdout: io.Discard, Stderr: io.Discard})
				return s.Parse(nil)
			}
		}
		out = append(out, spec)
	}
	return out
}

// contract binds the platform topics (internal/events) to their messages.
func contract() composecheck.Contract {
	return composecheck.Contract{Topics: map[string]protoreflect.MessageDescriptor{
		events.OrdersTopic:          (&ordersv1.Order{}).ProtoReflect().Descriptor(),
		events.PaymentsTopic:        (&paymentsv1.Payment{}).ProtoReflect().Descriptor(),
		events.FraudAlertsTopic:     (&fraudv1.FraudAlert{}).ProtoReflect().Descriptor(),
		events.OrderAnalyticsTopic:  (&analyticsv1.CountryStats{}).ProtoReflect().Descriptor(),
		events.CustomersTopic:       (&customersv1.Customer{}).ProtoReflect().Descriptor(),
		events.OrdersByCountryTopic: (&ordersv1.Order{}).ProtoReflect().Descriptor(),
	}}
}

func load(t *testing.T, composeFile string) *types.Project {
	t.Helper()
	p, err := composecheck.Load(context.Background(), composeFile, path(envRel), path("compose"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// profiles are the profiles, and sets of profiles started together, that
// the stack supports.
var profiles = []string{"core", "full", "full+ui", "observability", "core+observability"}

// projectErrors runs every check of the Compose project.
func projectErrors(t *testing.T, composeFile string) []error {
	t.Helper()
	p := load(t, composeFile)
	var errs []error
	errs = append(errs, composecheck.CheckInterpolation(composeFile, path(envRel))...)
	errs = append(errs, composecheck.CheckSecrets(composeFile, path(envRel))...)
	errs = append(errs, composecheck.CheckGoServices(p, root, specs(t, false))...)
	errs = append(errs, composecheck.CheckHealth(p)...)
	errs = append(errs, composecheck.CheckDependsOn(p)...)
	errs = append(errs, composecheck.CheckProfiles(p, profiles)...)
	errs = append(errs, composecheck.CheckPorts(p)...)
	errs = append(errs, composecheck.CheckImages(p)...)
	errs = append(errs, composecheck.CheckBindMounts(p)...)
	errs = append(errs, observabilityErrors(t, p, realObservabilityFiles())...)
	errs = append(errs, observabilityWiringErrors(t, p)...)
	return errs
}

func noErrors(t *testing.T, what string, errs []error) {
	t.Helper()
	for _, err := range errs {
		t.Errorf("%s: %v", what, err)
	}
}

func wantError(t *testing.T, errs []error, want string) {
	t.Helper()
	for _, err := range errs {
		if strings.Contains(err.Error(), want) {
			return
		}
	}
	t.Errorf("no error contains %q; got %d error(s):", want, len(errs))
	for _, err := range errs {
		t.Errorf("  %v", err)
	}
}

func TestComposeLoadsPerProfile(t *testing.T) {
	for _, profile := range profiles {
		p, err := composecheck.LoadProfile(context.Background(), path(composeRel), path(envRel), path("compose"), profile)
		if err != nil {
			t.Errorf("docker compose --profile %s would reject the file: %v", profile, err)
			continue
		}
		if len(p.Services) == 0 {
			t.Errorf("profile %s starts nothing", profile)
		}
	}
}

func TestComposeInterpolatesOnlyEnvFileVariables(t *testing.T) {
	noErrors(t, "interpolation", composecheck.CheckInterpolation(path(composeRel), path(envRel)))
}

func TestComposeGoServicesMatchTheirFlags(t *testing.T) {
	p := load(t, path(composeRel))
	noErrors(t, "Go services", composecheck.CheckGoServices(p, root, specs(t, true)))
}

func TestComposeHealthChecksAndDependsOn(t *testing.T) {
	p := load(t, path(composeRel))
	noErrors(t, "health", composecheck.CheckHealth(p))
	noErrors(t, "depends_on", composecheck.CheckDependsOn(p))
}

func TestComposeProfilesAreSelfContained(t *testing.T) {
	p := load(t, path(composeRel))
	noErrors(t, "profiles", composecheck.CheckProfiles(p, profiles))

	wantCore := []string{"analytics-service", "dead-letter-service", "fraud-service", "gateway", "kafka", "order-producer",
		"payment-service", "pg-source", "postgres", "schema-registry"}
	if got := composecheck.ProfileMembers(p, "core"); !slices.Equal(got, wantCore) {
		t.Errorf("profile core starts %v, want %v", got, wantCore)
	}
	all := p.ServiceNames()
	slices.Sort(all)
	uis := []string{"control-center", "kafdrop"} // opt-in: they expose the cluster to a browser
	if got := composecheck.ProfileMembers(p, "full"); !slices.Equal(got, slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(uis, s) })) {
		t.Errorf("profile full starts %v, want every service but the UIs %v", got, uis)
	}
	if got := composecheck.ProfileMembers(p, "full+ui"); !slices.Equal(got, all) {
		t.Errorf("profiles full and ui start %v, want every service %v", got, all)
	}
	if got := composecheck.ProfileMembers(p, "no-such-profile"); len(got) != 0 {
		t.Errorf("services without a profile start on every `up`: %v", got)
	}
}

func TestComposePortsAreTheSeedsAndDoNotCollide(t *testing.T) {
	p := load(t, path(composeRel))
	noErrors(t, "ports", composecheck.CheckPorts(p))
	ports, errs := composecheck.PublishedPorts(p)
	noErrors(t, "ports", errs)
	want := map[string]int{
		"kafdrop": 9000, "control-center": 9021, "schema-registry": 8081, "ksqldb-server": 8088,
		"couchbase": 8091, "connect": 8083, "kafka": 9092, "postgres": 5432,
		"order-producer": 7001, "payment-service": 7002, "fraud-service": 7003, "analytics-service": 7004,
		"pg-source": 7005, "couchbase-sink": 7006, "dead-letter-service": 7007, "gateway": 8080,
		"grafana": 3000, "prometheus": 9090, "jaeger": 16686, "otel-collector": 4318,
	}
	for svc, port := range want {
		found := false
		for _, hp := range ports {
			if hp.Service == svc && hp.Port == port {
				found = true
			}
		}
		if !found {
			t.Errorf("service %s does not publish host port %d", svc, port)
		}
	}
}

func TestComposeImagesArePinned(t *testing.T) {
	p := load(t, path(composeRel))
	noErrors(t, "images", composecheck.CheckImages(p))
	noErrors(t, "bind mounts", composecheck.CheckBindMounts(p))
}

func TestGoDockerfile(t *testing.T) {
	env, err := composecheck.ReadEnvFile(path(envRel))
	if err != nil {
		t.Fatal(err)
	}
	df, err := composecheck.ParseDockerfile(path(composecheck.GoDockerfile),
		map[string]string{"GO_BUILD_IMAGE": env["GO_BUILD_IMAGE"], "RUNTIME_IMAGE": env["RUNTIME_IMAGE"]})
	if err != nil {
		t.Fatal(err)
	}
	if len(df.Stages) != 2 {
		t.Fatalf("want a build and a runtime stage, got %d stages", len(df.Stages))
	}
	build, run := df.Stages[0], df.Final()
	if !strings.HasPrefix(build.Image, "golang:1.26") || !strings.HasSuffix(build.Image, "-bookworm") {
		t.Errorf("build stage is FROM %s, want golang:1.26-bookworm", build.Image)
	}
	if run.Image != "debian:bookworm-slim" {
		t.Errorf("runtime stage is FROM %s, want debian:bookworm-slim", run.Image)
	}
	if !slices.ContainsFunc(build.Env, func(e string) bool { return strings.Contains(e, "CGO_ENABLED=1") }) {
		t.Errorf("build stage does not set CGO_ENABLED=1 (confluent-kafka-go needs cgo)")
	}
	if !slices.ContainsFunc(build.Runs, func(r string) bool {
		return strings.Contains(r, "go build") && strings.Contains(r, "-o /out/orders") && strings.HasSuffix(strings.TrimSpace(r), "./cmd/orders")
	}) {
		t.Errorf("build stage does not run `go build -o /out/orders ./cmd/orders`: %q", build.Runs)
	}
	if u := strings.Fields(run.User + " root")[0]; u == "root" || u == "0" || strings.HasPrefix(u, "0:") {
		t.Errorf("runtime stage runs as %q, want a non-root user", run.User)
	}
	if !slices.ContainsFunc(run.Runs, func(r string) bool { return strings.Contains(r, "ca-certificates") }) {
		t.Errorf("runtime stage does not install ca-certificates")
	}
	if run.Entrypoint != `["`+composecheck.Binary+`"]` {
		t.Errorf("ENTRYPOINT is %s, want [%q]", run.Entrypoint, composecheck.Binary)
	}
}

func TestConnectDockerfileInstallsTheConnectors(t *testing.T) {
	p := load(t, path(composeRel))
	connect, ok := composecheck.Service(p, "connect")
	if !ok || connect.Build == nil {
		t.Fatal("service connect is not built from compose/connect/Dockerfile")
	}
	if got := filepath.Clean(composecheck.DockerfilePath(connect.Build)); got != path("compose/connect/Dockerfile") {
		t.Errorf("connect is built from %s, want compose/connect/Dockerfile", got)
	}
	args := map[string]string{}
	for k, v := range connect.Build.Args {
		if v != nil {
			args[k] = *v
		}
	}
	df, err := composecheck.ParseDockerfile(composecheck.DockerfilePath(connect.Build), args)
	if err != nil {
		t.Fatal(err)
	}
	noErrors(t, "compose/connect/Dockerfile", composecheck.CheckDockerfilePins(df))
	if img := df.Final().Image; !strings.Contains(img, "/cp-kafka-connect:") {
		t.Errorf("connect image is FROM %s, want confluentinc/cp-kafka-connect", img)
	}
	comps := composecheck.ConfluentHubComponents(df)
	for _, want := range []string{"confluentinc/kafka-connect-jdbc:", "couchbase/kafka-connect-couchbase:"} {
		if !slices.ContainsFunc(comps, func(c string) bool { return strings.HasPrefix(c, want) }) {
			t.Errorf("compose/connect/Dockerfile does not install %s (installs %v)", want, comps)
		}
	}
}

// TestComposeInfrastructure checks what the services of the platform need
// of the infrastructure containers.
func TestComposeInfrastructure(t *testing.T) {
	p := load(t, path(composeRel))
	svc := func(name string) types.ServiceConfig {
		s, ok := composecheck.Service(p, name)
		if !ok {
			t.Fatalf("service %s is missing", name)
		}
		return s
	}
	for _, name := range []string{"kafka", "schema-registry", "connect", "ksqldb-server", "ksqldb-cli", "control-center",
		"kafdrop", "postgres", "couchbase", "couchbase-init"} {
		svc(name)
	}
	for _, name := range p.ServiceNames() {
		if strings.Contains(name, "zookeeper") || composecheck.Environment(svc(name))["KAFKA_ZOOKEEPER_CONNECT"] != "" {
			t.Errorf("service %s uses ZooKeeper; the stack runs Kafka in KRaft mode", name)
		}
	}

	// Kafka in KRaft mode, one combined node.
	kenv := composecheck.Environment(svc("kafka"))
	if roles := kenv["KAFKA_PROCESS_ROLES"]; !strings.Contains(roles, "broker") || !strings.Contains(roles, "controller") {
		t.Errorf("KAFKA_PROCESS_ROLES=%q, want broker,controller", roles)
	}
	if id, err := base64.RawURLEncoding.DecodeString(kenv["CLUSTER_ID"]); err != nil || len(id) != 16 {
		t.Errorf("CLUSTER_ID=%q is not a base64url-encoded 16-byte UUID", kenv["CLUSTER_ID"])
	}
	if v := kenv["KAFKA_CONTROLLER_QUORUM_VOTERS"]; !strings.HasPrefix(v, kenv["KAFKA_NODE_ID"]+"@kafka:") {
		t.Errorf("KAFKA_CONTROLLER_QUORUM_VOTERS=%q does not name node %s", v, kenv["KAFKA_NODE_ID"])
	}
	ports, _ := composecheck.PublishedPorts(p)
	for _, hp := range ports {
		if hp.Service == "kafka" && !strings.Contains(kenv["KAFKA_ADVERTISED_LISTENERS"], "//localhost:"+strconv.Itoa(hp.Port)) {
			t.Errorf("kafka publishes host port %d but advertises %s", hp.Port, kenv["KAFKA_ADVERTISED_LISTENERS"])
		}
	}

	// Postgres with logical replication for pg-source, seeded by init.sql.
	pg := svc("postgres")
	if !slices.Contains([]string(pg.Command), "wal_level=logical") {
		t.Errorf("postgres command %q does not set wal_level=logical (pg-source needs it)", []string(pg.Command))
	}
	if !slices.ContainsFunc(pg.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Source == path(initSQLRel) && strings.HasPrefix(v.Target, "/docker-entrypoint-initdb.d/")
	}) {
		t.Errorf("postgres does not mount %s into /docker-entrypoint-initdb.d", initSQLRel)
	}

	// Couchbase is set up by a one-shot container, no manual step.
	initC := svc("couchbase-init")
	if !composecheck.IsOneShot(initC) {
		t.Errorf("couchbase-init is not labelled %s", composecheck.OneShotLabel)
	}
	if cbEnv := composecheck.Environment(initC); cbEnv["COUCHBASE_BUCKET"] != bucket {
		t.Errorf("couchbase-init creates bucket %q, want %q", cbEnv["COUCHBASE_BUCKET"], bucket)
	}
	sinkEnv := composecheck.Environment(svc("couchbase-sink"))
	if sinkEnv["ORDERS_COUCHBASE_BUCKET"] != bucket {
		t.Errorf("couchbase-sink writes bucket %q, want %q", sinkEnv["ORDERS_COUCHBASE_BUCKET"], bucket)
	}
	initEnv := composecheck.Environment(initC)
	if sinkEnv["ORDERS_COUCHBASE_USERNAME"] != initEnv["COUCHBASE_APP_USER"] || sinkEnv["ORDERS_COUCHBASE_PASSWORD"] != initEnv["COUCHBASE_APP_PASSWORD"] {
		t.Errorf("couchbase-sink's credentials are not the user couchbase-init creates")
	}
	if dep := svc("couchbase-sink").DependsOn["couchbase-init"]; dep.Condition != composecheck.ConditionCompleted {
		t.Errorf("couchbase-sink does not wait for couchbase-init to complete")
	}
	script := initC.Volumes
	if len(script) == 0 {
		t.Fatalf("couchbase-init mounts no script")
	}
	raw, err := os.ReadFile(script[0].Source)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"cluster-init", "bucket-create", "user-manage"} {
		if !strings.Contains(string(raw), step) {
			t.Errorf("%s does not run couchbase-cli %s", script[0].Source, step)
		}
	}
}

func tables(t *testing.T) map[string]composecheck.Table {
	t.Helper()
	raw, err := os.ReadFile(path(initSQLRel))
	if err != nil {
		t.Fatalf("%v (generate it with `orders seed-sql > %s`)", err, initSQLRel)
	}
	if !strings.Contains(string(raw), customers.Schema) {
		t.Errorf("%s does not contain customers.Schema: regenerate it with `orders seed-sql`", initSQLRel)
	}
	tabs, err := composecheck.ParseTables(string(raw))
	if err != nil {
		t.Fatalf("%s: %v", initSQLRel, err)
	}
	return tabs
}

func TestInitSQLSchema(t *testing.T) {
	tabs := tables(t)
	want := map[string]string{"id": "TEXT", "name": "TEXT", "email": "TEXT", "country": "CHAR", "risk_tier": "TEXT",
		"credit_limit_minor": "BIGINT", "currency": "CHAR", "updated_at": "TIMESTAMPTZ"}
	cust, ok := tabs["customers"]
	if !ok {
		t.Fatalf("init.sql creates no customers table: %v", tabs)
	}
	for col, typ := range want {
		if cust.Columns[col] != typ {
			t.Errorf("customers.%s is %q, want %s", col, cust.Columns[col], typ)
		}
	}
}

func connectorEnv(t *testing.T, p *types.Project) composecheck.ConnectorEnv {
	return composecheck.ConnectorEnv{Project: p, ConnectService: "connect", PostgresService: "postgres",
		Tables: tables(t), Bucket: bucket, Brokers: 1}
}

func TestConnectors(t *testing.T) {
	p := load(t, path(composeRel))
	cs, errs := composecheck.LoadConnectors(path(connectorsRel))
	noErrors(t, "connectors", errs)
	noErrors(t, "connectors", composecheck.CheckConnectors(cs, contract(), connectorEnv(t, p)))

	byName := map[string]composecheck.Connector{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	jdbc, ok := byName["jdbc-source"]
	if !ok {
		t.Fatal("no compose/connect/connectors/jdbc-source.json")
	}
	topic := jdbc.Config["topic.prefix"] + jdbc.Config["table.whitelist"]
	if topic != "jdbc.customers" || topic == events.CustomersTopic {
		t.Errorf("JDBC source writes %q, want jdbc.customers (pg-source owns %q)", topic, events.CustomersTopic)
	}
	if jdbc.Config["poll.interval.ms"] != "5000" || jdbc.Config["timestamp.column.name"] != "updated_at" {
		t.Errorf("JDBC source polls every %sms on %q, want 5000 on updated_at",
			jdbc.Config["poll.interval.ms"], jdbc.Config["timestamp.column.name"])
	}
	sink, ok := byName["couchbase-sink"]
	if !ok {
		t.Fatal("no compose/connect/connectors/couchbase-sink.json")
	}
	if sink.Config["topics"] != events.OrderAnalyticsTopic {
		t.Errorf("Couchbase sink reads %q, want %q", sink.Config["topics"], events.OrderAnalyticsTopic)
	}
	// The register script installs exactly these files; the one-shot mounts them.
	initC, _ := composecheck.Service(p, "connectors-init")
	if !slices.ContainsFunc(initC.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Source == path(connectorsRel) }) {
		t.Errorf("connectors-init does not mount %s", connectorsRel)
	}
}

func TestKSQLStreams(t *testing.T) {
	noErrors(t, "streams.sql", composecheck.CheckKSQL(path(ksqlRel), contract()))

	raw, err := os.ReadFile(path(ksqlRel))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := composecheck.ParseKSQL(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]composecheck.KSQLStatement{}
	for _, st := range stmts {
		byName[st.Name] = st
	}
	stream, ok := byName["ORDERS_STREAM"]
	if !ok || stream.Kind != "STREAM" || stream.Props["KAFKA_TOPIC"] != events.OrdersTopic || stream.Props["VALUE_FORMAT"] != "PROTOBUF" {
		t.Errorf("want STREAM ORDERS_STREAM over %q in PROTOBUF, got %+v", events.OrdersTopic, stream)
	}
	table, ok := byName["ORDERS_BY_COUNTRY"]
	if !ok || table.Kind != "TABLE" || table.Source != "ORDERS_STREAM" {
		t.Fatalf("want TABLE ORDERS_BY_COUNTRY from ORDERS_STREAM, got %+v", table)
	}
	if !slices.Equal(table.GroupBy, []string{"COUNTRY"}) {
		t.Errorf("ORDERS_BY_COUNTRY groups by %v, want COUNTRY", table.GroupBy)
	}
	for _, col := range []string{"COUNTRY", "AMOUNT_MINOR"} {
		if !slices.Contains(table.Columns, col) {
			t.Errorf("ORDERS_BY_COUNTRY does not read %s (reads %v)", col, table.Columns)
		}
	}
	up := strings.ToUpper(string(raw))
	if !strings.Contains(up, "COUNT(*)") || !strings.Contains(up, "SUM(AMOUNT_MINOR)") {
		t.Errorf("ORDERS_BY_COUNTRY does not compute COUNT(*) and SUM(AMOUNT_MINOR)")
	}
	// The fields it reads are in the contract's .proto file.
	md := (&ordersv1.Order{}).ProtoReflect().Descriptor()
	proto, err := os.ReadFile(filepath.Join(root, "proto", md.ParentFile().Path()))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"country", "amount_minor"} {
		if md.Fields().ByName(protoreflect.Name(field)) == nil || !strings.Contains(string(proto), " "+field+" = ") {
			t.Errorf("orders.v1.Order has no field %s in proto/%s", field, md.ParentFile().Path())
		}
	}
}

func TestCIWorkflow(t *testing.T) {
	noErrors(t, "actionlint", composecheck.LintWorkflow(path(workflowRel)))
	steps, err := composecheck.WorkflowSteps(path(workflowRel))
	if err != nil {
		t.Fatal(err)
	}
	noErrors(t, "action pins", composecheck.CheckActionPins(steps))
	has := func(pred func(composecheck.WorkflowStep) bool) bool { return slices.ContainsFunc(steps, pred) }
	if !has(func(s composecheck.WorkflowStep) bool { return strings.HasPrefix(s.Uses, "actions/checkout@") }) {
		t.Error("the workflow does not check out the repository")
	}
	if !has(func(s composecheck.WorkflowStep) bool {
		return strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["go-version-file"] == "go.mod"
	}) {
		t.Error("the workflow does not set up Go from go.mod (actions/setup-go with go-version-file: go.mod)")
	}
	if !has(func(s composecheck.WorkflowStep) bool {
		return strings.Contains(s.Run, "apt-get install") && strings.Contains(s.Run, "postgresql")
	}) {
		t.Error("the workflow does not install PostgreSQL")
	}
	if !has(func(s composecheck.WorkflowStep) bool { return strings.TrimSpace(s.Run) == "make test" }) {
		t.Error("the workflow does not run `make test`")
	}
}

// brokenCopy writes the Compose file with old replaced by new (exactly once)
// to a temporary directory and returns its path. Relative paths still resolve
// against compose/.
func brokenCopy(t *testing.T, src, old, new string) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), old); n != 1 {
		t.Fatalf("%s contains %q %d times, want once: update the test", filepath.Base(src), old, n)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(dst, []byte(strings.Replace(string(raw), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestChecksCatchBrokenComposeFiles proves the checks are not vacuous: each
// deliberately broken copy of the Compose file yields the specific error.
func TestChecksCatchBrokenComposeFiles(t *testing.T) {
	if errs := projectErrors(t, path(composeRel)); len(errs) > 0 {
		t.Fatalf("the real Compose file must pass first; it has %d error(s), first: %v", len(errs), errs[0])
	}
	cases := []struct {
		name, old, new, want string
	}{
		{"missing required env var",
			"      ORDERS_DATABASE_URL: postgres://", "      X_DATABASE_URL: postgres://",
			"service pg-source: does not set ORDERS_DATABASE_URL"},
		{"missing must-set env var",
			"      ORDERS_PAYMENT_SERVICE_URL: http://payment-service:7002\n", "",
			"service gateway: does not set ORDERS_PAYMENT_SERVICE_URL"},
		{"env var that is no flag",
			"      ORDERS_RATE: ${PRODUCER_RATE}", "      ORDERS_RATES: ${PRODUCER_RATE}",
			"service order-producer: sets ORDERS_RATES, which is not a flag of `orders producer`"},
		{"listen address on localhost",
			"ORDERS_LISTEN_ADDR: 0.0.0.0:7003", "ORDERS_LISTEN_ADDR: 127.0.0.1:7003",
			"service fraud-service: ORDERS_LISTEN_ADDR=\"127.0.0.1:7003\" must bind 0.0.0.0 in a container"},
		{"service URL at the wrong port",
			"ORDERS_FRAUD_SERVICE_URL: http://fraud-service:7003", "ORDERS_FRAUD_SERVICE_URL: http://fraud-service:7004",
			"fraud-service listens on 7003, not 7004"},
		{"dangling depends_on",
			"      analytics-service:\n        condition: service_healthy\n    ports:\n      - \"127.0.0.1:${GATEWAY_PORT}:8080\"",
			"      analytics:\n        condition: service_healthy\n    ports:\n      - \"127.0.0.1:${GATEWAY_PORT}:8080\"",
			"service gateway depends on analytics, which is not defined"},
		{"depends_on without service_healthy",
			"    depends_on:\n      ksqldb-server:\n        condition: service_healthy\n    # Interactive",
			"    depends_on:\n      ksqldb-server:\n        condition: service_started\n    # Interactive",
			"service ksqldb-cli depends on ksqldb-server with condition \"service_started\", want service_healthy"},
		{"one-shot awaited as healthy",
			"      couchbase-init:\n        condition: service_completed_successfully\n    ports:",
			"      couchbase-init:\n        condition: service_healthy\n    ports:",
			"service couchbase-sink depends on one-shot couchbase-init with condition \"service_healthy\""},
		{"depends_on across profiles",
			"    profiles: [\"full\"]\n    hostname: couchbase-sink", "    hostname: couchbase-sink",
			"profile core: service couchbase-sink depends on couchbase, which is not in the profile"},
		{"missing health check",
			"      test: [\"CMD-SHELL\", \"curl -fsS http://127.0.0.1:8088/healthcheck >/dev/null\"]",
			"      disable: true",
			"service ksqldb-server has its health check disabled"},
		{"unpinned image (no tag)",
			"image: ${POSTGRES_IMAGE}", "image: postgres",
			"service postgres: image \"postgres\" is not pinned: no tag or digest"},
		{"unpinned image (latest)",
			"image: ${KAFDROP_IMAGE}", "image: obsidiandynamics/kafdrop:latest",
			"service kafdrop: image \"obsidiandynamics/kafdrop:latest\" is not pinned"},
		{"port published on every interface",
			"\"127.0.0.1:${POSTGRES_PORT}:5432\"", "\"${POSTGRES_PORT}:5432\"",
			"service postgres publishes host port 5432 on every interface"},
		{"host port collision",
			"\"127.0.0.1:${KAFDROP_PORT}:9000\"", "\"127.0.0.1:${CONTROL_CENTER_PORT}:9000\"",
			"host port 9021/tcp is published by control-center and kafdrop"},
		{"health check probing the wrong port",
			"\"http://127.0.0.1:7004/readyz\"", "\"http://127.0.0.1:7005/readyz\"",
			"service analytics-service: health check is"},
		{"Go service not built from compose/Dockerfile",
			"    dockerfile: compose/Dockerfile", "    dockerfile: compose/connect/Dockerfile",
			"is built from " + path("compose/connect/Dockerfile")},
		{"variable missing from .env",
			"ORDERS_SEED: ${PRODUCER_SEED}", "ORDERS_SEED: ${PRODUCER_SEEDS}",
			"${PRODUCER_SEEDS} is not defined in .env"},
		{"secret that may be empty",
			"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?run scripts/compose-secrets.sh}", "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
			"${POSTGRES_PASSWORD} must be ${POSTGRES_PASSWORD:?…}"},
		{"bind mount of a missing file",
			"./couchbase/init.sh:/init/init.sh:ro", "./couchbase/setup.sh:/init/init.sh:ro",
			"bind mount source " + path("compose/couchbase/setup.sh") + " does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			broken := brokenCopy(t, path(composeRel), tc.old, tc.new)
			wantError(t, projectErrors(t, broken), tc.want)
		})
	}

	// compose-go itself refuses a dangling depends_on in the profile it starts.
	broken := brokenCopy(t, path(composeRel), "      analytics-service:\n        condition: service_healthy\n    ports:\n      - \"127.0.0.1:${GATEWAY_PORT}:8080\"",
		"      analytics:\n        condition: service_healthy\n    ports:\n      - \"127.0.0.1:${GATEWAY_PORT}:8080\"")
	if _, err := composecheck.LoadProfile(context.Background(), broken, path(envRel), path("compose"), "core"); err == nil ||
		!strings.Contains(err.Error(), `depends on undefined service "analytics"`) {
		t.Errorf("LoadProfile of a dangling depends_on: err = %v", err)
	}
}

func TestChecksCatchBrokenConnectors(t *testing.T) {
	p := load(t, path(composeRel))
	env := connectorEnv(t, p)
	cases := []struct {
		name, file, old, new, want string
	}{
		{"JDBC topic collides with pg-source", "jdbc-source.json",
			`"topic.prefix": "jdbc."`, `"topic.prefix": ""`,
			`writes topic "customers", which is a platform topic`},
		{"JDBC unknown table", "jdbc-source.json",
			`"table.whitelist": "customers"`, `"table.whitelist": "customer"`,
			"table customer is not in the Postgres schema"},
		{"JDBC unknown timestamp column", "jdbc-source.json",
			`"timestamp.column.name": "updated_at"`, `"timestamp.column.name": "modified_at"`,
			"timestamp.column.name modified_at is not a column of customers"},
		{"JDBC incrementing on a text id", "jdbc-source.json",
			`"mode": "timestamp",`, `"mode": "timestamp+incrementing", "incrementing.column.name": "id",`,
			"incrementing.column.name id of customers is TEXT"},
		{"JDBC env placeholder the worker lacks", "jdbc-source.json",
			`${env:JDBC_SOURCE_PASSWORD}`, `${env:JDBC_PASSWORD}`,
			"connection.password refers to ${env:JDBC_PASSWORD}, which service connect does not set"},
		{"JDBC Avro instead of Protobuf", "jdbc-source.json",
			`"value.converter": "io.confluent.connect.protobuf.ProtobufConverter"`, `"value.converter": "io.confluent.connect.avro.AvroConverter"`,
			`value.converter is "io.confluent.connect.avro.AvroConverter"`},
		{"sink reads an unknown topic", "couchbase-sink.json",
			`"topics": "order-analytics"`, `"topics": "order-analytic"`,
			`reads topic "order-analytic", which is not a platform topic`},
		{"sink document id from a field", "couchbase-sink.json",
			`"couchbase.document.id": ""`, `"couchbase.document.id": "${/country}"`,
			"the document id must be the record key"},
		{"sink replication factor above the brokers", "couchbase-sink.json",
			`"errors.deadletterqueue.topic.replication.factor": "1"`, `"errors.deadletterqueue.topic.replication.factor": "3"`,
			`errors.deadletterqueue.topic.replication.factor="3": the stack has 1 broker(s)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"jdbc-source.json", "couchbase-sink.json"} {
				src := filepath.Join(path(connectorsRel), f)
				if f == tc.file {
					broken := brokenCopy(t, src, tc.old, tc.new)
					if err := os.Rename(broken, filepath.Join(dir, f)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				raw, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cs, errs := composecheck.LoadConnectors(dir)
			errs = append(errs, composecheck.CheckConnectors(cs, contract(), env)...)
			wantError(t, errs, tc.want)
		})
	}
}

func TestChecksCatchBrokenKSQL(t *testing.T) {
	cases := []struct{ name, old, new, want string }{
		{"stream over an unknown topic", "KAFKA_TOPIC = 'orders'", "KAFKA_TOPIC = 'order'",
			`reads topic "order", which is not a platform topic`},
		{"stream with the wrong message", "VALUE_SCHEMA_FULL_NAME = 'orders.v1.Order'", "VALUE_SCHEMA_FULL_NAME = 'orders.v1.LineItem'",
			"VALUE_SCHEMA_FULL_NAME is orders.v1.LineItem, but topic orders carries orders.v1.Order"},
		{"table reads a column Order lacks", "SUM(AMOUNT_MINOR)", "SUM(AMOUNT)",
			"reads column AMOUNT, which ORDERS_STREAM does not have"},
		{"table writes a platform topic", "KAFKA_TOPIC = 'ksql.order-analytics'", "KAFKA_TOPIC = 'order-analytics'",
			`writes platform topic "order-analytics"`},
		{"table from an undefined stream", "FROM ORDERS_STREAM", "FROM ORDER_STREAM",
			"reads ORDER_STREAM, which no earlier statement defines"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			broken := brokenCopy(t, path(ksqlRel), tc.old, tc.new)
			wantError(t, composecheck.CheckKSQL(broken, contract()), tc.want)
		})
	}
}

func TestChecksCatchBrokenWorkflow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path(workflowRel))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(raw), "if: github.ref != 'refs/heads/main'", "if: github.refs != 'refs/heads/main'", 1)
	broken = strings.Replace(broken, "go-version-file: go.mod", "go-version-fil: go.mod", 1)
	if broken == string(raw) {
		t.Fatal("the workflow changed: update the test")
	}
	dst := filepath.Join(dir, "ci.yml")
	if err := os.WriteFile(dst, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	errs := composecheck.LintWorkflow(dst)
	wantError(t, errs, `property "refs" is not defined`)
	// actionlint knows the inputs of actions pinned by tag only; with SHA
	// pins the misspelt input is caught by the step check of TestCIWorkflow.
	steps, err := composecheck.WorkflowSteps(dst)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(steps, func(s composecheck.WorkflowStep) bool { return s.With["go-version-file"] == "go.mod" }) {
		t.Error("the misspelt go-version-file still reads as set")
	}

	byTag := strings.Replace(string(raw), "actions/checkout@11d5960a326750d5838078e36cf38b85af677262", "actions/checkout@v4", 1)
	if err := os.WriteFile(dst, []byte(byTag), 0o644); err != nil {
		t.Fatal(err)
	}
	if steps, err = composecheck.WorkflowSteps(dst); err != nil {
		t.Fatal(err)
	}
	wantError(t, composecheck.CheckActionPins(steps), "uses actions/checkout@v4: pin it by commit SHA")
}

// TestSecretsAreNeverCommitted: the committed .env leaves every password
// empty (scripts/compose-secrets.sh generates them); one set there fails.
func TestSecretsAreNeverCommitted(t *testing.T) {
	noErrors(t, "secrets", composecheck.CheckSecrets(path(composeRel), path(envRel)))
	broken := brokenCopy(t, path(envRel), "POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=orders-dev-password\n")
	wantError(t, composecheck.CheckSecrets(path(composeRel), broken), ".env sets POSTGRES_PASSWORD")
}
