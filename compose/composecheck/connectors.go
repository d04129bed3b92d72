package composecheck

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Contract is what the platform's code says about its topics.
type Contract struct {
	// Topics maps every platform topic to the protobuf message of its values.
	Topics map[string]protoreflect.MessageDescriptor
}

// DLQSuffix ends the name of a topic's dead-letter topic.
const DLQSuffix = ".dlq"

// IsPlatformTopic reports whether topic is a platform topic or its DLQ.
func (c Contract) IsPlatformTopic(topic string) bool {
	if _, ok := c.Topics[topic]; ok {
		return true
	}
	if base, ok := strings.CutSuffix(topic, DLQSuffix); ok {
		_, ok := c.Topics[base]
		return ok
	}
	return false
}

// Table is a SQL table: its columns and their types, lower-case names.
type Table struct {
	Name    string
	Columns map[string]string // column → SQL type, upper case (e.g. "TIMESTAMPTZ")
}

var createTable = regexp.MustCompile(`(?is)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("?[A-Za-z_][A-Za-z0-9_.]*"?)\s*\(`)

// ParseTables extracts the CREATE TABLE statements of a SQL script.
func ParseTables(sql string) (map[string]Table, error) {
	tables := map[string]Table{}
	for _, loc := range createTable.FindAllStringSubmatchIndex(sql, -1) {
		name := strings.ToLower(strings.Trim(sql[loc[2]:loc[3]], `"`))
		if i := strings.LastIndex(name, "."); i >= 0 {
			name = name[i+1:] // drop the schema
		}
		body, ok := balanced(sql[loc[1]-1:])
		if !ok {
			return nil, fmt.Errorf("CREATE TABLE %s: unbalanced parentheses", name)
		}
		t := Table{Name: name, Columns: map[string]string{}}
		for _, item := range splitTop(body, ',') {
			fields := strings.Fields(item)
			if len(fields) < 2 {
				continue
			}
			switch strings.ToUpper(fields[0]) {
			case "PRIMARY", "UNIQUE", "CONSTRAINT", "CHECK", "FOREIGN", "EXCLUDE":
				continue
			}
			col := strings.ToLower(strings.Trim(fields[0], `"`))
			typ := strings.ToUpper(fields[1])
			if i := strings.Index(typ, "("); i >= 0 {
				typ = typ[:i]
			}
			t.Columns[col] = typ
		}
		tables[name] = t
	}
	if len(tables) == 0 {
		return nil, fmt.Errorf("no CREATE TABLE statement found")
	}
	return tables, nil
}

// scanTop calls visit with every byte of s that is outside quotes, and the
// parenthesis depth once that byte is counted; visit returns false to stop.
func scanTop(s string, visit func(i int, c byte, depth int) bool) {
	depth := 0
	inQuote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
			continue
		case c == '\'' || c == '"':
			inQuote = c
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		if !visit(i, c, depth) {
			return
		}
	}
}

// balanced returns the text inside the parentheses s starts with.
func balanced(s string) (inside string, ok bool) {
	scanTop(s, func(i int, c byte, depth int) bool {
		if c == ')' && depth == 0 {
			inside, ok = s[1:i], true
			return false
		}
		return true
	})
	return inside, ok
}

// splitTop splits s at sep outside parentheses and quotes.
func splitTop(s string, sep byte) []string {
	var out []string
	start := 0
	scanTop(s, func(i int, c byte, depth int) bool {
		if c == sep && depth == 0 {
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
		return true
	})
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// Connector is one connector config file of compose/connect/connectors.
type Connector struct {
	Path   string
	Name   string            // file name without .json: the connector's name
	Config map[string]string // as registered (PUT /connectors/<name>/config)
}

// LoadConnectors reads every *.json of dir.
func LoadConnectors(dir string) ([]Connector, []error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, []error{err}
	}
	if len(paths) == 0 {
		return nil, []error{fmt.Errorf("no connector configs in %s", dir)}
	}
	sort.Strings(paths)
	var out []Connector
	var errs []error
	for _, path := range paths {
		c, err := LoadConnector(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	return out, errs
}

// LoadConnector reads one connector config: a flat JSON object of strings.
func LoadConnector(path string) (Connector, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Connector{}, fmt.Errorf("read connector config: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return Connector{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	c := Connector{Path: path, Name: strings.TrimSuffix(filepath.Base(path), ".json"), Config: map[string]string{}}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return Connector{}, fmt.Errorf("%s: %s is a %T; Connect configs are strings", filepath.Base(path), k, v)
		}
		c.Config[k] = s
	}
	return c, nil
}

// Connector classes the stack installs (compose/connect/Dockerfile).
const (
	JDBCSourceClass    = "io.confluent.connect.jdbc.JdbcSourceConnector"
	CouchbaseSinkClass = "com.couchbase.connect.kafka.CouchbaseSinkConnector"
	ProtobufConverter  = "io.confluent.connect.protobuf.ProtobufConverter"
	StringConverter    = "org.apache.kafka.connect.storage.StringConverter"
)

// ConnectorEnv says how the connector configs meet the Compose stack.
type ConnectorEnv struct {
	// Project is the loaded Compose project.
	Project *types.Project
	// ConnectService runs the Connect worker; ${env:NAME} placeholders
	// resolve from its environment.
	ConnectService string
	// PostgresService is the database the JDBC source reads; its POSTGRES_DB
	// must be the database the connection URL names.
	PostgresService string
	// Tables is the Postgres schema (ParseTables of init.sql).
	Tables map[string]Table
	// Bucket is the Couchbase bucket the Go couchbase-sink writes.
	Bucket string
	// Brokers is the number of Kafka brokers (bounds replication factors).
	Brokers int
}

var envPlaceholder = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)

// resolve substitutes ${env:NAME} from the Connect worker's environment;
// unset names become "" (CheckConnectors reports them once).
func (e ConnectorEnv) resolve(c Connector, key string) string {
	connect, _ := Service(e.Project, e.ConnectService)
	env := Environment(connect)
	return envPlaceholder.ReplaceAllStringFunc(c.Config[key], func(m string) string {
		return env[envPlaceholder.FindStringSubmatch(m)[1]]
	})
}

// CheckConnectors checks every connector config against the stack: name and
// class, converters (Protobuf with the Schema Registry, string keys),
// ${env:...} placeholders set on the Connect worker, hosts that are Compose
// services, replication factors the cluster can meet, and per class the
// topics, tables and columns it names.
func CheckConnectors(cs []Connector, c Contract, e ConnectorEnv) []error {
	var errs []error
	if _, ok := Service(e.Project, e.ConnectService); !ok {
		return []error{fmt.Errorf("connect service %s is not in the Compose file", e.ConnectService)}
	}
	outputs := map[string]string{}
	for _, conn := range cs {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("connector %s: "+format, append([]any{conn.Name}, args...)...))
		}
		cfg := conn.Config
		if n, ok := cfg["name"]; ok && n != conn.Name {
			fail("name is %q but the file registers it as %q", n, conn.Name)
		}
		connectEnv := Environment(mustService(e.Project, e.ConnectService))
		for _, k := range sortedNames(cfg) {
			for _, m := range envPlaceholder.FindAllStringSubmatch(cfg[k], -1) {
				if connectEnv[m[1]] == "" {
					fail("%s refers to ${env:%s}, which service %s does not set", k, m[1], e.ConnectService)
				}
			}
		}
		if cfg["value.converter"] != ProtobufConverter {
			fail("value.converter is %q, want %s", cfg["value.converter"], ProtobufConverter)
		}
		if cfg["key.converter"] != StringConverter {
			fail("key.converter is %q, want %s (keys are plain strings)", cfg["key.converter"], StringConverter)
		}
		sr := cfg["value.converter.schema.registry.url"]
		if sr == "" {
			fail("value.converter.schema.registry.url is not set")
		} else if err := e.checkHost(sr); err != nil {
			fail("value.converter.schema.registry.url: %v", err)
		}
		for _, k := range sortedNames(cfg) {
			if !strings.HasSuffix(k, "replication.factor") {
				continue
			}
			n, err := strconv.Atoi(cfg[k])
			if err != nil || n < 1 || (e.Brokers > 0 && n > e.Brokers) {
				fail("%s=%q: the stack has %d broker(s)", k, cfg[k], e.Brokers)
			}
		}
		if tm := cfg["tasks.max"]; tm != "" {
			if n, err := strconv.Atoi(tm); err != nil || n < 1 {
				fail("tasks.max=%q is not a positive number", tm)
			}
		}
		switch cfg["connector.class"] {
		case JDBCSourceClass:
			errs = append(errs, e.checkJDBCSource(conn, c, outputs)...)
		case CouchbaseSinkClass:
			errs = append(errs, e.checkCouchbaseSink(conn, c)...)
		default:
			fail("connector.class %q is not one compose/connect/Dockerfile installs", cfg["connector.class"])
		}
	}
	return errs
}

// checkHost reports an error unless the URL's host is a Compose service.
func (e ConnectorEnv) checkHost(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if isLocal(u.Hostname()) {
		return fmt.Errorf("%q points at the Connect container itself", raw)
	}
	if _, ok := Service(e.Project, u.Hostname()); !ok {
		return fmt.Errorf("%q names host %s, which is not a Compose service", raw, u.Hostname())
	}
	return nil
}

func (e ConnectorEnv) checkJDBCSource(conn Connector, c Contract, outputs map[string]string) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("connector %s: "+format, append([]any{conn.Name}, args...)...))
	}
	cfg := conn.Config

	// The database.
	dbURL := e.resolve(conn, "connection.url")
	if rest, ok := strings.CutPrefix(dbURL, "jdbc:"); !ok || !strings.HasPrefix(rest, "postgresql://") {
		fail("connection.url %q is not a jdbc:postgresql:// URL", dbURL)
	} else if err := e.checkHost(rest); err != nil {
		fail("connection.url: %v", err)
	} else {
		u, _ := url.Parse(rest)
		pg, _ := Service(e.Project, e.PostgresService)
		if u.Hostname() != e.PostgresService {
			fail("connection.url names host %s, want %s", u.Hostname(), e.PostgresService)
		}
		if db := strings.TrimPrefix(u.Path, "/"); db != Environment(pg)["POSTGRES_DB"] {
			fail("connection.url names database %q, but %s creates %q", db, e.PostgresService, Environment(pg)["POSTGRES_DB"])
		}
	}

	// The tables and the columns the mode tracks.
	if cfg["query"] != "" {
		fail("uses query mode; the checks expect table.whitelist")
	}
	tablesKey := "table.whitelist"
	if cfg["table.include.list"] != "" {
		tablesKey = "table.include.list"
	}
	var tables []string
	for _, t := range strings.Split(cfg[tablesKey], ",") {
		if t = strings.TrimSpace(t); t != "" {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		fail("names no table (table.whitelist)")
	}
	mode := cfg["mode"]
	switch mode {
	case "timestamp", "incrementing", "timestamp+incrementing", "bulk":
	default:
		fail("mode %q is not timestamp, incrementing, timestamp+incrementing or bulk", mode)
	}
	if cfg["poll.interval.ms"] == "" {
		fail("poll.interval.ms is not set")
	}
	for _, tname := range tables {
		short := strings.ToLower(tname)
		if i := strings.LastIndex(short, "."); i >= 0 {
			short = short[i+1:]
		}
		t, ok := e.Tables[short]
		if !ok {
			fail("table %s is not in the Postgres schema", tname)
			continue
		}
		if strings.Contains(mode, "timestamp") {
			cols := strings.Split(cfg["timestamp.column.name"], ",")
			if cfg["timestamp.column.name"] == "" {
				fail("mode %s needs timestamp.column.name", mode)
			}
			for _, col := range cols {
				col = strings.ToLower(strings.TrimSpace(col))
				if col == "" {
					continue
				}
				typ, ok := t.Columns[col]
				switch {
				case !ok:
					fail("timestamp.column.name %s is not a column of %s", col, t.Name)
				case !strings.HasPrefix(typ, "TIMESTAMP"):
					fail("timestamp.column.name %s of %s is %s, not a timestamp", col, t.Name, typ)
				}
			}
		}
		if strings.Contains(mode, "incrementing") {
			col := strings.ToLower(strings.TrimSpace(cfg["incrementing.column.name"]))
			typ, ok := t.Columns[col]
			switch {
			case col == "":
				fail("mode %s needs incrementing.column.name", mode)
			case !ok:
				fail("incrementing.column.name %s is not a column of %s", col, t.Name)
			case !isIntegerType(typ):
				fail("incrementing.column.name %s of %s is %s; it must be a strictly increasing integer", col, t.Name, typ)
			}
		}
		for _, k := range sortedNames(cfg) {
			if strings.HasSuffix(k, ".fields") || strings.HasSuffix(k, ".field") {
				if strings.HasPrefix(k, "transforms.") {
					for _, f := range strings.Split(cfg[k], ",") {
						if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
							if _, ok := t.Columns[f]; !ok {
								fail("%s names %s, which is not a column of %s", k, f, t.Name)
							}
						}
					}
				}
			}
		}

		// The topic it writes must be its own.
		topic := cfg["topic.prefix"] + tname
		if cfg["topic.prefix"] == "" {
			fail("topic.prefix is empty: the topic would be the bare table name")
		}
		if c.IsPlatformTopic(topic) {
			fail("writes topic %q, which is a platform topic: it would collide with the Go services' records", topic)
		}
		if prev, ok := outputs[topic]; ok {
			fail("writes topic %q, as connector %s does", topic, prev)
		}
		outputs[topic] = conn.Name
	}
	return errs
}

func isIntegerType(typ string) bool {
	switch typ {
	case "INT", "INTEGER", "INT2", "INT4", "INT8", "SMALLINT", "BIGINT", "SERIAL", "BIGSERIAL", "SMALLSERIAL":
		return true
	}
	return false
}

func (e ConnectorEnv) checkCouchbaseSink(conn Connector, c Contract) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("connector %s: "+format, append([]any{conn.Name}, args...)...))
	}
	cfg := conn.Config
	var topics []string
	for _, t := range strings.Split(cfg["topics"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	if len(topics) == 0 {
		fail("reads no topics")
	}
	for _, t := range topics {
		if _, ok := c.Topics[t]; !ok {
			fail("reads topic %q, which is not a platform topic", t)
		}
	}
	if dlq := cfg["errors.deadletterqueue.topic.name"]; dlq != "" {
		if len(topics) != 1 || dlq != topics[0]+DLQSuffix {
			fail("dead-letter topic %q, want <topic>%s", dlq, DLQSuffix)
		}
	}
	if bucket := e.resolve(conn, "couchbase.bucket"); bucket != e.Bucket {
		fail("couchbase.bucket is %q, want %q (the Go couchbase-sink's bucket)", bucket, e.Bucket)
	}
	if id := cfg["couchbase.document.id"]; id != "" {
		fail("couchbase.document.id is %q; the document id must be the record key, as the Go sink does", id)
	}
	if coll := cfg["couchbase.default.collection"]; coll != "" && coll != "_default._default" {
		fail("couchbase.default.collection is %q, want _default._default (the Go sink's default)", coll)
	}
	nodes := e.resolve(conn, "couchbase.seed.nodes")
	if nodes == "" {
		fail("couchbase.seed.nodes is not set")
	}
	for _, n := range strings.Split(nodes, ",") {
		host := strings.TrimSpace(n)
		if i := strings.Index(host, "://"); i >= 0 {
			host = host[i+3:]
		}
		if i := strings.IndexAny(host, ":/"); i >= 0 {
			host = host[:i]
		}
		if host == "" {
			continue
		}
		if _, ok := Service(e.Project, host); !ok {
			fail("couchbase.seed.nodes names host %s, which is not a Compose service", host)
		}
	}
	for _, k := range []string{"couchbase.username", "couchbase.password"} {
		if e.resolve(conn, k) == "" {
			fail("%s is not set", k)
		}
	}
	return errs
}

func mustService(p *types.Project, name string) types.ServiceConfig {
	s, _ := Service(p, name)
	return s
}
