package composecheck

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// KSQLStatement is one CREATE STREAM/TABLE statement of a ksqlDB script.
type KSQLStatement struct {
	Kind  string            // STREAM or TABLE
	Name  string            // upper case
	Props map[string]string // WITH (...) properties, keys upper case, values unquoted
	// For CREATE … AS SELECT:
	Source  string   // the FROM relation, upper case ("" for a source stream/table)
	Columns []string // columns the query reads, upper case, in order of appearance
	Outputs []string // the query's output columns (aliases or column names)
	GroupBy []string // GROUP BY columns, upper case
}

var (
	ksqlCreate = regexp.MustCompile(`(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?(?:SOURCE\s+)?(STREAM|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(.*)$`)
	ksqlSelect = regexp.MustCompile(`(?is)^SELECT\s+(.*?)\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)\b(.*)$`)
	ksqlGroup  = regexp.MustCompile(`(?is)\bGROUP\s+BY\s+(.*?)(?:\bHAVING\b|\bEMIT\b|\bWINDOW\b|$)`)
	ksqlIdent  = regexp.MustCompile(`'(?:[^']|'')*'|"[^"]*"|->\s*[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*(?:\s*\()?`)
)

var ksqlKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`SELECT FROM AS GROUP BY EMIT CHANGES FINAL WHERE AND OR NOT NULL IS IN
		LIKE BETWEEN CASE WHEN THEN ELSE END HAVING WINDOW TUMBLING HOPPING SESSION SIZE ADVANCE
		MILLISECOND MILLISECONDS SECOND SECONDS MINUTE MINUTES HOUR HOURS DAY DAYS LIMIT PARTITION
		TRUE FALSE DISTINCT LEFT RIGHT JOIN INNER OUTER FULL ON WITHIN GRACE PERIOD ROWTIME ROWKEY
		ROWPARTITION ROWOFFSET WINDOWSTART WINDOWEND STRING VARCHAR INT INTEGER BIGINT DOUBLE
		BOOLEAN DECIMAL TIMESTAMP ARRAY MAP STRUCT`) {
		ksqlKeywords[k] = true
	}
}

// ParseKSQL parses the CREATE STREAM/TABLE statements of a ksqlDB script.
// It understands what streams.sql uses (WITH properties, one FROM, GROUP BY)
// rather than all of ksqlDB's grammar.
func ParseKSQL(text string) ([]KSQLStatement, error) {
	var out []KSQLStatement
	for _, stmt := range splitStatements(stripSQLComments(text)) {
		m := ksqlCreate.FindStringSubmatch(stmt)
		if m == nil {
			if strings.HasPrefix(strings.ToUpper(stmt), "SET ") {
				continue
			}
			return nil, fmt.Errorf("unsupported statement: %.60s", stmt)
		}
		st := KSQLStatement{Kind: strings.ToUpper(m[1]), Name: strings.ToUpper(m[2]), Props: map[string]string{}}
		rest := strings.TrimSpace(m[3])
		// Optional column list, then WITH (...), then optional AS SELECT.
		if strings.HasPrefix(rest, "(") {
			cols, ok := balanced(rest)
			if !ok {
				return nil, fmt.Errorf("%s: unbalanced column list", st.Name)
			}
			rest = strings.TrimSpace(rest[len(cols)+2:])
		}
		if up := strings.ToUpper(rest); strings.HasPrefix(up, "WITH") {
			rest = strings.TrimSpace(rest[4:])
			props, ok := balanced(rest)
			if !ok {
				return nil, fmt.Errorf("%s: unbalanced WITH (...)", st.Name)
			}
			for _, kv := range splitTop(props, ',') {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return nil, fmt.Errorf("%s: property %q is not KEY=value", st.Name, kv)
				}
				st.Props[strings.ToUpper(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `'`)
			}
			rest = strings.TrimSpace(rest[len(props)+2:])
		}
		if up := strings.ToUpper(rest); strings.HasPrefix(up, "AS ") || strings.HasPrefix(up, "AS\n") {
			q := strings.TrimSpace(rest[2:])
			sm := ksqlSelect.FindStringSubmatch(q)
			if sm == nil {
				return nil, fmt.Errorf("%s: cannot read the query %.60s", st.Name, q)
			}
			st.Source = strings.ToUpper(sm[2])
			for _, item := range splitTop(sm[1], ',') {
				cols := columnRefs(item, st.Source)
				st.Columns = appendNew(st.Columns, cols...)
				st.Outputs = append(st.Outputs, outputName(item))
			}
			tail := sm[3]
			if gm := ksqlGroup.FindStringSubmatch(tail); gm != nil {
				for _, g := range splitTop(gm[1], ',') {
					st.GroupBy = append(st.GroupBy, columnRefs(g, st.Source)...)
				}
			}
			st.Columns = appendNew(st.Columns, columnRefs(tail, st.Source)...)
		} else if rest != "" {
			return nil, fmt.Errorf("%s: unexpected %.40q", st.Name, rest)
		}
		out = append(out, st)
	}
	return out, nil
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// columnRefs returns the column names an expression reads: identifiers that
// are not keywords, functions, aliases, quoted strings or struct dereferences.
func columnRefs(expr, source string) []string {
	var cols []string
	afterAs := false
	for _, tok := range ksqlIdent.FindAllString(expr, -1) {
		switch {
		case strings.HasPrefix(tok, "'"), strings.HasPrefix(tok, `"`), strings.HasPrefix(tok, "->"):
			afterAs = false
			continue
		case strings.HasSuffix(tok, "("):
			afterAs = false
			continue // a function
		}
		up := strings.ToUpper(tok)
		if up == "AS" {
			afterAs = true
			continue
		}
		if afterAs || ksqlKeywords[up] || up == source {
			afterAs = false
			continue
		}
		cols = appendNew(cols, up)
	}
	return cols
}

// outputName is the name a select item gets: its alias, else its column.
func outputName(item string) string {
	fields := strings.Fields(item)
	if n := len(fields); n >= 2 && strings.EqualFold(fields[n-2], "AS") {
		return strings.ToUpper(fields[n-1])
	}
	return strings.ToUpper(strings.TrimSpace(item))
}

func stripSQLComments(s string) string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			inQuote = !inQuote
		}
		if !inQuote && c == '-' && i+1 < len(s) && s[i+1] == '-' {
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func splitStatements(s string) []string {
	var out []string
	for _, st := range splitTop(s, ';') {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}

// CheckKSQL checks a ksqlDB script against the contract: source streams read
// platform topics in PROTOBUF (with the topic's message, if named); derived
// streams and tables write their own, new topics; every column a query
// reads is a field of the message behind its FROM relation.
func CheckKSQL(path string, c Contract) []error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []error{fmt.Errorf("read ksql: %w", err)}
	}
	stmts, err := ParseKSQL(string(raw))
	if err != nil {
		return []error{fmt.Errorf("%s: %w", path, err)}
	}
	return CheckKSQLStatements(stmts, c)
}

// CheckKSQLStatements is CheckKSQL on parsed statements.
func CheckKSQLStatements(stmts []KSQLStatement, c Contract) []error {
	var errs []error
	if len(stmts) == 0 {
		return []error{fmt.Errorf("no CREATE STREAM/TABLE statements")}
	}
	// What each relation's columns are: a message's fields, or a query's outputs.
	columns := map[string][]string{}
	topics := map[string]string{}
	for _, st := range stmts {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s %s: "+format, append([]any{st.Kind, st.Name}, args...)...))
		}
		topic := st.Props["KAFKA_TOPIC"]
		if _, dup := columns[st.Name]; dup {
			fail("is defined twice")
		}
		if topic == "" {
			fail("has no KAFKA_TOPIC")
		} else if prev, ok := topics[topic]; ok {
			fail("uses topic %q, as %s does", topic, prev)
		}
		topics[topic] = st.Name
		if st.Source == "" {
			md, ok := c.Topics[topic]
			if !ok {
				fail("reads topic %q, which is not a platform topic", topic)
				columns[st.Name] = nil
				continue
			}
			if f := strings.ToUpper(st.Props["VALUE_FORMAT"]); f != "PROTOBUF" {
				fail("VALUE_FORMAT is %q; topic %s carries protobuf (%s)", st.Props["VALUE_FORMAT"], topic, md.FullName())
			}
			if name := st.Props["VALUE_SCHEMA_FULL_NAME"]; name != "" && protoreflect.FullName(name) != md.FullName() {
				fail("VALUE_SCHEMA_FULL_NAME is %s, but topic %s carries %s", name, topic, md.FullName())
			}
			columns[st.Name] = fieldColumns(md)
			continue
		}
		if c.IsPlatformTopic(topic) {
			fail("writes platform topic %q; it needs its own topic", topic)
		}
		srcCols, ok := columns[st.Source]
		if !ok {
			fail("reads %s, which no earlier statement defines", st.Source)
			continue
		}
		for _, col := range st.Columns {
			if srcCols != nil && !slices.Contains(srcCols, col) {
				fail("reads column %s, which %s does not have", col, st.Source)
			}
		}
		if st.Kind == "TABLE" && len(st.GroupBy) == 0 {
			fail("is a table without GROUP BY")
		}
		columns[st.Name] = st.Outputs
	}
	return errs
}

// fieldColumns are the ksqlDB column names of a message's fields.
func fieldColumns(md protoreflect.MessageDescriptor) []string {
	var cols []string
	fs := md.Fields()
	for i := 0; i < fs.Len(); i++ {
		cols = append(cols, strings.ToUpper(string(fs.Get(i).Name())))
	}
	return cols
}
