package composecheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Where the observability profile keeps the files that reference metrics,
// relative to the repository root.
const (
	DashboardsGlob = "compose/observability/grafana/dashboards/*.json"
	AlertRulesFile = "compose/observability/prometheus/alerts.yml"
)

// PrometheusMadeSeries are series that Prometheus itself makes for every
// scrape target rather than a service exporting them. ReferencedMetrics
// returns them like any other name; a caller comparing the names with what
// the services export should allow these.
var PrometheusMadeSeries = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped",
	"scrape_samples_post_metric_relabeling", "scrape_series_added"}

// histogramSuffixes are the series suffixes of a classic histogram (and a
// summary) family.
var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// ReferencedMetrics returns every metric name that the observability
// profile's files reference, mapped to the files (relative to root, with
// forward slashes, sorted) that reference it: each target `expr` of every
// panel (rows' nested panels included) and each Prometheus query variable of
// the Grafana dashboards (DashboardsGlob), and each rule `expr` of the alert
// rules (AlertRulesFile). root is the repository root.
//
// Names are as MetricNames returns them: a series name ending in _bucket,
// _sum or _count is cut to its family name, always (so compare with the
// base names of the histogram families the services export; no exported
// counter or gauge ends so). `up` and the other PrometheusMadeSeries are
// returned too when referenced: Prometheus makes them, no service exports
// them. Names that a recording rule of the rule file defines are left out:
// Prometheus makes those too.
func ReferencedMetrics(root string) (map[string][]string, error) {
	out := map[string][]string{}
	add := func(rel string, names []string) {
		for _, n := range names {
			if !containsString(out[n], rel) {
				out[n] = append(out[n], rel)
			}
		}
	}

	dashboards, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(DashboardsGlob)))
	if err != nil {
		return nil, err
	}
	if len(dashboards) == 0 {
		return nil, fmt.Errorf("no Grafana dashboard matches %s under %s", DashboardsGlob, root)
	}
	sort.Strings(dashboards)
	for _, path := range dashboards {
		rel := relSlash(root, path)
		exprs, err := DashboardExprs(path)
		if err != nil {
			return nil, err
		}
		for _, e := range exprs {
			names, err := MetricNames(e.Expr)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", rel, e.Where, err)
			}
			add(rel, names)
		}
	}

	rulesPath := filepath.Join(root, filepath.FromSlash(AlertRulesFile))
	rules, err := RuleExprs(rulesPath)
	if err != nil {
		return nil, err
	}
	recorded := map[string]bool{}
	for _, r := range rules {
		if r.Record != "" {
			recorded[r.Record] = true
		}
	}
	for _, r := range rules {
		names, err := MetricNames(r.Expr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", AlertRulesFile, r.Where, err)
		}
		var keep []string
		for _, n := range names {
			if !recorded[n] {
				keep = append(keep, n)
			}
		}
		add(AlertRulesFile, keep)
	}
	for n := range out {
		sort.Strings(out[n])
	}
	return out, nil
}

func relSlash(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Expr is one PromQL expression of a file and where it is.
type Expr struct {
	Where string // e.g. `panel 3 "Consumer lag", target A`
	Expr  string
}

// DashboardExprs returns the PromQL of a Grafana dashboard: every panel
// target's `expr` (nested panels of rows included, and the panels of the
// old `rows` layout) and the query of every query variable whose data source
// is Prometheus (or not given). A `label_values(<selector>, <label>)` or
// `query_result(<expr>)` variable query yields its selector or expression;
// `label_names()`, `metrics(...)` and `label_values(<label>)` yield nothing.
func DashboardExprs(path string) ([]Expr, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: not a dashboard JSON: %w", path, err)
	}
	var out []Expr
	var walk func(panels []dashboardPanel)
	walk = func(panels []dashboardPanel) {
		for _, p := range panels {
			for _, t := range p.Targets {
				if strings.TrimSpace(t.Expr) != "" {
					out = append(out, Expr{Where: fmt.Sprintf("panel %d %q, target %s", p.ID, p.Title, t.RefID), Expr: t.Expr})
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, r := range d.Rows {
		walk(r.Panels)
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		if ref := v.Datasource.ref(); ref.Type != "" && ref.Type != "prometheus" {
			continue
		}
		q := v.queryText()
		if q == "" {
			continue
		}
		if e, ok := variableExpr(q); ok {
			out = append(out, Expr{Where: fmt.Sprintf("variable %s", v.Name), Expr: e})
		}
	}
	return out, nil
}

// variableExpr turns a Grafana Prometheus variable query into the PromQL it
// evaluates, if any.
func variableExpr(q string) (string, bool) {
	q = strings.TrimSpace(q)
	call := func(name string) (string, bool) {
		rest, ok := strings.CutPrefix(q, name)
		if !ok {
			return "", false
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
			return "", false
		}
		return rest[1 : len(rest)-1], true
	}
	if args, ok := call("label_values"); ok {
		parts := splitPromQL(args, ',')
		if len(parts) < 2 {
			return "", false // label_values(label): no metric
		}
		return strings.Join(parts[:len(parts)-1], ","), true
	}
	if args, ok := call("query_result"); ok {
		return args, true
	}
	for _, name := range []string{"label_names", "metrics"} {
		if _, ok := call(name); ok {
			return "", false
		}
	}
	return q, true // a plain PromQL query (the "Classic query" editor)
}

type dashboard struct {
	Panels []dashboardPanel `json:"panels"`
	Rows   []struct {
		Panels []dashboardPanel `json:"panels"`
	} `json:"rows"`
	Templating struct {
		List []dashboardVariable `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []struct {
			Name       string          `json:"name"`
			Datasource datasourceField `json:"datasource"`
		} `json:"list"`
	} `json:"annotations"`
}

type dashboardPanel struct {
	ID         int              `json:"id"`
	Type       string           `json:"type"`
	Title      string           `json:"title"`
	Datasource datasourceField  `json:"datasource"`
	Targets    []dashboardQuery `json:"targets"`
	Panels     []dashboardPanel `json:"panels"`
}

type dashboardQuery struct {
	RefID      string          `json:"refId"`
	Expr       string          `json:"expr"`
	Datasource datasourceField `json:"datasource"`
}

type dashboardVariable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource datasourceField `json:"datasource"`
	Query      json.RawMessage `json:"query"`
}

// queryText is the variable's query: a string, or an object with `query`.
func (v dashboardVariable) queryText() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var o struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(v.Query, &o) == nil {
		return o.Query
	}
	return ""
}

// DatasourceRef is a panel's, query's or variable's data source: an object
// {type, uid}, or in old dashboards the data source's name as a string.
type DatasourceRef struct {
	Type, UID, Name string
}

// datasourceField decodes a data source reference in either form.
type datasourceField struct {
	raw json.RawMessage
}

func (f *datasourceField) UnmarshalJSON(b []byte) error {
	f.raw = append(json.RawMessage(nil), b...)
	return nil
}

func (f datasourceField) ref() DatasourceRef {
	if len(f.raw) == 0 || string(f.raw) == "null" {
		return DatasourceRef{}
	}
	var name string
	if json.Unmarshal(f.raw, &name) == nil {
		return DatasourceRef{Name: name}
	}
	var o struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	_ = json.Unmarshal(f.raw, &o)
	return DatasourceRef{Type: o.Type, UID: o.UID}
}

// Rule is one rule of a Prometheus rule file.
type Rule struct {
	Where  string // e.g. "group orders, alert ServiceNotReady"
	Alert  string
	Record string
	Expr   string
}

// RuleExprs reads a Prometheus rule file and returns its rules.
func RuleExprs(path string) ([]Rule, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Rule
	for _, g := range f.Groups {
		for i, r := range g.Rules {
			where := fmt.Sprintf("group %s, rule %d", g.Name, i+1)
			switch {
			case r.Alert != "":
				where = fmt.Sprintf("group %s, alert %s", g.Name, r.Alert)
			case r.Record != "":
				where = fmt.Sprintf("group %s, record %s", g.Name, r.Record)
			}
			out = append(out, Rule{Where: where, Alert: r.Alert, Record: r.Record, Expr: r.Expr})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rules", path)
	}
	return out, nil
}

// promqlKeywords are the PromQL words that are neither metrics nor
// functions: binary and set operators, modifiers, aggregation operators
// (which may be followed by `by (…)` rather than a parenthesis) and the
// literals Inf and NaN. PromQL compares them case-insensitively.
var promqlKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "atan2": true, "bool": true, "offset": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true, "start": true, "end": true, "inf": true, "nan": true,
}

// groupingKeywords are followed by a parenthesised list of label names.
var groupingKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// MetricNames returns the metric names a PromQL expression references,
// sorted and without duplicates. It reads the expression loosely, without
// a full parser: it drops comments, string literals, label matchers in
// `{…}` (but reads a `__name__="x"` matcher and a bare quoted name, as in
// `{"x", job="y"}`, as the name x), the label lists of by, without, on,
// ignoring, group_left and group_right, range and subquery brackets `[…]`,
// numbers and durations, Grafana variables ($var, ${var}, [[var]]),
// keywords and operators, and function names (an identifier followed by
// `(`). What remains are metric names; each that ends in _bucket, _sum or
// _count is cut to its family name. An identifier glued to a Grafana
// variable (orders_$kind_total) names no fixed metric and is dropped.
// It reports unterminated strings and unbalanced brackets.
func MetricNames(expr string) ([]string, error) {
	toks, err := lexPromQL(expr)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokMatchers:
			if name := nameFromMatchers(t.text); name != "" {
				set[familyName(name)] = true
			}
		case tokIdent:
			lower := strings.ToLower(t.text)
			next := tokKind(tokEOF)
			if i+1 < len(toks) {
				next = toks[i+1].kind
			}
			switch {
			case groupingKeywords[lower]:
				if next == tokLParen {
					i = skipParens(toks, i+1)
				}
			case promqlKeywords[lower]:
			case next == tokLParen:
				// a function call
			case t.templated:
			default:
				set[familyName(t.text)] = true
			}
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// familyName cuts a histogram's (or summary's) series suffix.
func familyName(name string) string {
	for _, suf := range histogramSuffixes {
		if base, ok := strings.CutSuffix(name, suf); ok && base != "" {
			return base
		}
	}
	return name
}

// skipParens returns the index of the parenthesis closing the one at i.
func skipParens(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].kind {
		case tokLParen:
			depth++
		case tokRParen:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks) - 1
}

// nameFromMatchers returns the metric name a matcher list sets: a bare
// quoted string, or __name__ = "…" (an equality matcher; regex matchers
// name no single metric).
func nameFromMatchers(body string) string {
	for _, m := range splitPromQL(body, ',') {
		m = strings.TrimSpace(m)
		if s, ok := unquote(m); ok {
			return s
		}
		lhs, rhs, ok := strings.Cut(m, "=")
		if !ok || strings.HasSuffix(lhs, "!") || strings.HasPrefix(rhs, "~") || strings.HasPrefix(rhs, "=") {
			continue
		}
		l := strings.TrimSpace(lhs)
		if u, ok := unquote(l); ok {
			l = u
		}
		if l != "__name__" {
			continue
		}
		if s, ok := unquote(strings.TrimSpace(rhs)); ok {
			return s
		}
	}
	return ""
}

// unquote returns the content of a PromQL string literal that is all of s.
func unquote(s string) (string, bool) {
	if len(s) < 2 {
		return "", false
	}
	q := s[0]
	if (q != '"' && q != '\'' && q != '`') || s[len(s)-1] != q {
		return "", false
	}
	if end, err := scanString(s, 0); err != nil || end != len(s) {
		return "", false
	}
	body := s[1 : len(s)-1]
	if q != '`' {
		body = strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\'`, `'`).Replace(body)
	}
	return body, true
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokLParen
	tokRParen
	tokMatchers // the body of {…}
	tokOther    // numbers, strings, operators, brackets, variables: ignored
)

type token struct {
	kind      tokKind
	text      string
	pos       int  // the offset of an identifier
	templated bool // an identifier glued to a Grafana variable
}

func (t token) end() int { return t.pos + len(t.text) }

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// lexPromQL splits an expression into the tokens MetricNames needs.
func lexPromQL(s string) ([]token, error) {
	var toks []token
	parens := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#': // a comment, to the end of the line
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			end, err := scanString(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokOther, text: s[i:end]})
			i = end
		case c == '{':
			end, err := scanBalanced(s, i, '{', '}')
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokMatchers, text: s[i+1 : end-1]})
			i = end
		case c == '[':
			end, err := scanBalanced(s, i, '[', ']')
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokOther, text: s[i:end]})
			i = end
		case c == '}' || c == ']':
			return nil, fmt.Errorf("unbalanced %q at offset %d in %q", c, i, s)
		case c == '(':
			parens++
			toks = append(toks, token{kind: tokLParen, text: "("})
			i++
		case c == ')':
			parens--
			if parens < 0 {
				return nil, fmt.Errorf("unbalanced ')' at offset %d in %q", i, s)
			}
			toks = append(toks, token{kind: tokRParen, text: ")"})
			i++
		case c == '$': // a Grafana variable: $name or ${name…}
			j := i + 1
			if j < len(s) && s[j] == '{' {
				end, err := scanBalanced(s, j, '{', '}')
				if err != nil {
					return nil, err
				}
				j = end
			} else {
				for j < len(s) && isIdentChar(s[j]) {
					j++
				}
			}
			// An identifier right before or after it is part of a templated name.
			if n := len(toks); n > 0 && toks[n-1].kind == tokIdent && toks[n-1].end() == i {
				toks[n-1].templated = true
			}
			toks = append(toks, token{kind: tokOther, text: s[i:j], templated: true})
			i = j
			if i < len(s) && isIdentChar(s[i]) {
				k := i
				for k < len(s) && isIdentChar(s[k]) {
					k++
				}
				toks = append(toks, token{kind: tokIdent, text: s[i:k], templated: true})
				i = k
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			// numbers, hex, exponents and durations (5m, 1h30m)
			j := i + 1
			for j < len(s) && (isIdentChar(s[j]) || s[j] == '.') {
				j++
			}
			toks = append(toks, token{kind: tokOther, text: s[i:j]})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tokIdent, text: s[i:j], pos: i})
			i = j
		default: // operators, commas, @
			toks = append(toks, token{kind: tokOther, text: s[i : i+1]})
			i++
		}
	}
	if parens != 0 {
		return nil, fmt.Errorf("unbalanced '(' in %q", s)
	}
	return toks, nil
}

// splitPromQL splits s at sep outside string literals and brackets of any
// kind; an unterminated string leaves the rest as one part.
func splitPromQL(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'' || c == '`':
			end, err := scanString(s, i)
			if err != nil {
				i = len(s)
				continue
			}
			i = end - 1
		case c == '(' || c == '{' || c == '[':
			depth++
		case c == ')' || c == '}' || c == ']':
			depth--
		case c == sep && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// scanString returns the offset just past the string literal starting at i.
func scanString(s string, i int) (int, error) {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at offset %d in %q", i, s)
}

// scanBalanced returns the offset just past the close matching the open at
// i, skipping string literals.
func scanBalanced(s string, i int, open, close byte) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"', '\'', '`':
			end, err := scanString(s, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unbalanced %q at offset %d in %q", open, i, s)
}
