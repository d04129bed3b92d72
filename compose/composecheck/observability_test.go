package composecheck_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kafka-enterprise-orders/orders/compose/composecheck"
)

// The observability profile's files, relative to the repository root.
const (
	promConfigRel  = "compose/observability/prometheus/prometheus.yml"
	alertsRel      = "compose/observability/prometheus/alerts.yml"
	alertsTestRel  = "compose/observability/prometheus/alerts_test.yml"
	collectorRel   = "compose/observability/otel-collector.yaml"
	datasourcesRel = "compose/observability/grafana/provisioning/datasources/datasources.yaml"
	dashProvRel    = "compose/observability/grafana/provisioning/dashboards/dashboards.yaml"
	dashboardsRel  = "compose/observability/grafana/dashboards"
)

var observabilityServices = []string{"grafana", "jaeger", "otel-collector", "prometheus"}

// The OTLP/HTTP port of the collector, which compose/.env tells to set
// OTEL_EXPORTER_OTLP_ENDPOINT to.
const collectorHTTPPort = 4318

// observabilityFiles are the config files the observability checks read;
// tests swap one for a broken copy.
type observabilityFiles struct {
	prom, collector, datasources, dashboards string
}

func realObservabilityFiles() observabilityFiles {
	return observabilityFiles{path(promConfigRel), path(collectorRel), path(datasourcesRel), path(dashboardsRel)}
}

// observabilityErrors runs every check of the observability profile's
// config files against the Compose project.
func observabilityErrors(t *testing.T, p *types.Project, f observabilityFiles) []error {
	t.Helper()
	var errs []error
	prom, err := composecheck.LoadPrometheusConfig(f.prom)
	if err != nil {
		return []error{err}
	}
	errs = append(errs, composecheck.CheckPrometheusConfig(prom)...)
	errs = append(errs, composecheck.CheckScrapeTargets(p, prom, specs(t, false))...)

	col, err := composecheck.LoadCollectorConfig(f.collector)
	if err != nil {
		return append(errs, err)
	}
	errs = append(errs, composecheck.CheckCollectorConfig(p, col, "otel-collector")...)

	ds, err := composecheck.LoadGrafanaDatasources(f.datasources)
	if err != nil {
		return append(errs, err)
	}
	errs = append(errs, composecheck.CheckGrafanaDatasources(p, ds)...)
	dashboards, err := filepath.Glob(filepath.Join(f.dashboards, "*.json"))
	if err != nil || len(dashboards) == 0 {
		return append(errs, os.ErrNotExist)
	}
	for _, d := range dashboards {
		errs = append(errs, composecheck.CheckDashboard(d, ds)...)
	}
	return errs
}

// observabilityWiringErrors checks that the services see the repository's
// files where their command lines and provisioning look for them, read-only,
// and that every Go service can be pointed at the collector.
func observabilityWiringErrors(t *testing.T, p *types.Project) []error {
	t.Helper()
	var errs []error
	errs = append(errs, composecheck.CheckConfigMounts(p, root, observabilityServices)...)
	flagValue := func(service, flag string) string {
		s, _ := composecheck.Service(p, service)
		for i, arg := range s.Command {
			if v, ok := strings.CutPrefix(arg, flag+"="); ok {
				return v
			}
			if arg == flag && i+1 < len(s.Command) {
				return s.Command[i+1]
			}
		}
		t.Errorf("service %s: command %q has no %s", service, []string(s.Command), flag)
		return ""
	}
	promFile := flagValue("prometheus", "--config.file")
	errs = append(errs, composecheck.CheckMountedFile(p, "prometheus", promFile, path(promConfigRel))...)
	prom, err := composecheck.LoadPrometheusConfig(path(promConfigRel))
	if err != nil {
		return append(errs, err)
	}
	for _, rf := range prom.RuleFiles { // relative to the config file, in the container too
		errs = append(errs, composecheck.CheckMountedFile(p, "prometheus", filepath.Join(filepath.Dir(promFile), rf),
			filepath.Join(filepath.Dir(path(promConfigRel)), rf))...)
	}
	errs = append(errs, composecheck.CheckMountedFile(p, "otel-collector", flagValue("otel-collector", "--config"), path(collectorRel))...)
	errs = append(errs, composecheck.CheckMountedFile(p, "grafana", "/etc/grafana/provisioning/datasources/datasources.yaml", path(datasourcesRel))...)
	errs = append(errs, composecheck.CheckMountedFile(p, "grafana", "/etc/grafana/provisioning/dashboards/dashboards.yaml", path(dashProvRel))...)
	providers, err := composecheck.GrafanaDashboardProviders(path(dashProvRel))
	if err != nil {
		return append(errs, err)
	}
	for _, dir := range providers {
		errs = append(errs, composecheck.CheckMountedFile(p, "grafana", dir, path(dashboardsRel))...)
	}
	if g, ok := composecheck.Service(p, "grafana"); ok {
		if home := composecheck.Environment(g)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]; home != "" {
			errs = append(errs, composecheck.CheckMountedFile(p, "grafana", home, filepath.Join(path(dashboardsRel), filepath.Base(home)))...)
		}
	}
	errs = append(errs, composecheck.CheckTracingEnv(p, specs(t, false), "otel-collector", collectorHTTPPort)...)
	return errs
}

func TestObservabilityProfile(t *testing.T) {
	for _, profile := range []string{"observability", "core+observability"} {
		if _, err := composecheck.LoadProfile(context.Background(), path(composeRel), path(envRel), path("compose"), profile); err != nil {
			t.Errorf("docker compose --profile %s would reject the file: %v", profile, err)
		}
	}
	p := load(t, path(composeRel))
	if got := composecheck.ProfileMembers(p, "observability"); !slices.Equal(got, observabilityServices) {
		t.Errorf("profile observability starts %v, want %v", got, observabilityServices)
	}
	full := composecheck.ProfileMembers(p, "full")
	for _, name := range observabilityServices {
		if !slices.Contains(full, name) {
			t.Errorf("profile full does not start %s", name)
		}
	}
	noErrors(t, "observability", observabilityErrors(t, p, realObservabilityFiles()))
	noErrors(t, "observability wiring", observabilityWiringErrors(t, p))

	// Tracing is off unless the endpoint is set; .env says what to set it to.
	for _, g := range goServices {
		s, _ := composecheck.Service(p, g.service)
		if v := composecheck.Environment(s)[composecheck.TracingEnv]; v != "" {
			t.Errorf("service %s sends traces to %q by default; the default is off", g.service, v)
		}
	}
	env, err := os.ReadFile(path(envRel))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(env), "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318") {
		t.Errorf("%s does not document OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318", envRel)
	}
	col, err := composecheck.LoadCollectorConfig(path(collectorRel))
	if err != nil {
		t.Fatal(err)
	}
	if ports, _ := col.OTLPReceiverPorts(); ports["http"] != collectorHTTPPort || ports["grpc"] != 4317 {
		t.Errorf("the collector's OTLP receiver listens on %v, want grpc 4317 and http %d", ports, collectorHTTPPort)
	}

	// Prometheus: every 15 s, the alert rules next to the config.
	prom, err := composecheck.LoadPrometheusConfig(path(promConfigRel))
	if err != nil {
		t.Fatal(err)
	}
	if prom.Global.ScrapeInterval != "15s" {
		t.Errorf("scrape_interval is %q, want 15s", prom.Global.ScrapeInterval)
	}
	if !slices.Equal(prom.RuleFiles, []string{filepath.Base(alertsRel)}) {
		t.Errorf("rule_files = %v, want [%s]", prom.RuleFiles, filepath.Base(alertsRel))
	}
	rules, err := composecheck.RuleExprs(path(alertsRel))
	if err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, r := range rules {
		if !slices.Contains(alerts, r.Alert) {
			alerts = append(alerts, r.Alert)
		}
	}
	if want := []string{"ConsumerLagGrowing", "DeadLettersArriving", "ServiceNotReady", "CDCLagHigh", "TransactionsAborting"}; !slices.Equal(alerts, want) {
		t.Errorf("alerts.yml has alerts %v, want %v", alerts, want)
	}
	tests, err := os.ReadFile(path(alertsTestRel))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if !strings.Contains(string(tests), "alertname: "+a) {
			t.Errorf("%s does not test alert %s", alertsTestRel, a)
		}
	}

	// Grafana: Prometheus (default) and Jaeger.
	ds, err := composecheck.LoadGrafanaDatasources(path(datasourcesRel))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, d := range ds {
		types[d.Type] = d.UID
	}
	if types["prometheus"] == "" || types["jaeger"] == "" {
		t.Errorf("data sources %+v, want a Prometheus and a Jaeger one", ds)
	}
}

// copyFiles copies the named files of srcDir into a new temporary
// directory, replacing old with new (exactly once) in the file named edit,
// and returns the directory.
func copyFiles(t *testing.T, srcDir string, names []string, edit, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		src := filepath.Join(srcDir, name)
		if name == edit {
			if err := os.Rename(brokenCopy(t, src, old, new), filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		raw, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// brokenDashboard writes a copy of the real dashboard changed by mutate.
func brokenDashboard(t *testing.T, mutate func(d map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(path(dashboardsRel), "orders.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	mutate(d)
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "orders.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// panelTarget returns the first query of the first panel with one.
func panelTarget(d map[string]any) (panel, target map[string]any) {
	for _, p := range d["panels"].([]any) {
		p := p.(map[string]any)
		if ts, ok := p["targets"].([]any); ok && len(ts) > 0 {
			return p, ts[0].(map[string]any)
		}
	}
	panic("no panel with a target")
}

// TestChecksCatchBrokenObservability proves the observability checks are
// not vacuous: each broken copy yields the specific error.
func TestChecksCatchBrokenObservability(t *testing.T) {
	p := load(t, path(composeRel))
	if errs := append(observabilityErrors(t, p, realObservabilityFiles()), observabilityWiringErrors(t, p)...); len(errs) > 0 {
		t.Fatalf("the real files must pass first; %d error(s), first: %v", len(errs), errs[0])
	}
	promDir := filepath.Dir(path(promConfigRel))
	promFiles := []string{"prometheus.yml", "alerts.yml"}
	cases := []struct {
		name  string
		files func(t *testing.T) observabilityFiles
		want  string
	}{
		{"scrape target at the wrong port", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "payment-service:7002", "payment-service:7012"), "prometheus.yml")
			return f
		}, "job orders scrapes payment-service:7012, but service payment-service listens on [7002]"},
		{"Go service not scraped (wrong port)", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "payment-service:7002", "payment-service:7012"), "prometheus.yml")
			return f
		}, "no job scrapes Go service payment-service at payment-service:7002"},
		{"Go service not scraped (missing)", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "          - gateway:8080\n", ""), "prometheus.yml")
			return f
		}, "no job scrapes Go service gateway at gateway:8080"},
		{"scrape target that is no Compose service", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "- fraud-service:7003", "- fraud:7003"), "prometheus.yml")
			return f
		}, "job orders scrapes fraud:7003, but fraud is not a Compose service"},
		{"target scraped twice", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "- gateway:8080", "- gateway:8080\n          - gateway:8080"), "prometheus.yml")
			return f
		}, "target gateway:8080 is scraped twice"},
		{"wrong metrics path", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "metrics_path: /metrics", "metrics_path: /metric"), "prometheus.yml")
			return f
		}, "job orders scrapes /metric; the services serve /metrics"},
		{"rule file missing next to the config", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.prom = filepath.Join(copyFiles(t, promDir, promFiles, "prometheus.yml", "  - alerts.yml", "  - alert.yml"), "prometheus.yml")
			return f
		}, `rule_files entry "alert.yml" matches no file next to it`},
		{"collector receiver on localhost", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.collector = brokenCopy(t, path(collectorRel), "endpoint: 0.0.0.0:4318", "endpoint: localhost:4318")
			return f
		}, "otlp receiver http listens on localhost:4318"},
		{"collector receiver port not published", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.collector = brokenCopy(t, path(collectorRel), "endpoint: 0.0.0.0:4317", "endpoint: 0.0.0.0:4319")
			return f
		}, "otlp receiver grpc listens on 4319, which service otel-collector neither publishes nor exposes"},
		{"collector exports to a port Jaeger does not listen on", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.collector = brokenCopy(t, path(collectorRel), "endpoint: jaeger:4317", "endpoint: jaeger:14250")
			return f
		}, "exporter otlp_grpc/jaeger sends to jaeger:14250, but service jaeger publishes or exposes only [4317 16686]"},
		{"collector exports to an unknown host", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.collector = brokenCopy(t, path(collectorRel), "endpoint: jaeger:4317", "endpoint: tempo:4317")
			return f
		}, "exporter otlp_grpc/jaeger sends to tempo, which is not a Compose service"},
		{"pipeline with an undefined exporter", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.collector = brokenCopy(t, path(collectorRel), "exporters: [otlp_grpc/jaeger]", "exporters: [otlp/jaeger]")
			return f
		}, "pipeline traces uses exporter otlp/jaeger, which is not defined"},
		{"data source at a wrong port", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.datasources = brokenCopy(t, path(datasourcesRel), "url: http://jaeger:16686", "url: http://jaeger:16687")
			return f
		}, "data source Jaeger: url http://jaeger:16687, but service jaeger listens on [4317 16686]"},
		{"dashboard uid not provisioned (data source renamed)", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.datasources = brokenCopy(t, path(datasourcesRel), "uid: prometheus", "uid: prom")
			return f
		}, `uses data source uid "prometheus", which is not provisioned`},
		{"dashboard uid not provisioned (query)", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.dashboards = brokenDashboard(t, func(d map[string]any) {
				_, target := panelTarget(d)
				target["datasource"] = map[string]any{"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
			})
			return f
		}, `target A uses data source uid "P1809F7CD0C75ACF3", which is not provisioned`},
		{"dashboard data source of the wrong type", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.dashboards = brokenDashboard(t, func(d map[string]any) {
				panel, _ := panelTarget(d)
				panel["datasource"] = map[string]any{"type": "loki", "uid": "prometheus"}
			})
			return f
		}, "says data source prometheus is of type loki, but it is prometheus"},
		{"dashboard query that does not parse", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			f.dashboards = brokenDashboard(t, func(d map[string]any) {
				_, target := panelTarget(d)
				target["expr"] = `sum(rate(orders_records_consumed_total[5m])`
			})
			return f
		}, "unbalanced '('"},
		{"dashboard that is no JSON", func(t *testing.T) observabilityFiles {
			f := realObservabilityFiles()
			dir := t.TempDir()
			if err := os.Rename(brokenCopy(t, filepath.Join(path(dashboardsRel), "orders.json"), `"title": "Orders platform",`, `"title": "Orders platform",,`),
				filepath.Join(dir, "orders.json")); err != nil {
				t.Fatal(err)
			}
			f.dashboards = dir
			return f
		}, "orders.json does not parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, observabilityErrors(t, p, tc.files(t)), tc.want)
		})
	}
}

// TestChecksCatchBrokenObservabilityServices breaks the Compose file's
// observability services.
func TestChecksCatchBrokenObservabilityServices(t *testing.T) {
	cases := []struct{ name, old, new, want string }{
		{"config mounted writable",
			"./observability/otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro", "./observability/otel-collector.yaml:/etc/otelcol-contrib/config.yaml",
			"service otel-collector mounts " + path(collectorRel) + " at /etc/otelcol-contrib/config.yaml writable"},
		{"config mount of a missing file",
			"./observability/prometheus:/etc/prometheus:ro", "./observability/prom:/etc/prometheus:ro",
			"service prometheus mounts compose/observability/prom, which does not exist in the repository"},
		{"Prometheus reads its config elsewhere",
			`"--config.file=/etc/prometheus/prometheus.yml"`, `"--config.file=/etc/prometheus.yml"`,
			"service prometheus: nothing is mounted at /etc/prometheus.yml"},
		{"dashboards mounted where the provider does not look",
			"./observability/grafana/dashboards:/etc/grafana/dashboards:ro", "./observability/grafana/dashboards:/var/lib/grafana/dashboards:ro",
			"service grafana: nothing is mounted at /etc/grafana/dashboards"},
		{"collector exports to a service it does not wait for",
			"    depends_on:\n      jaeger:\n        condition: service_healthy\n    command:", "    command:",
			"exporter otlp_grpc/jaeger sends to jaeger, but service otel-collector does not depend on it"},
		{"service without a health check awaited as healthy",
			"      jaeger:\n        condition: service_healthy\n    ports:\n      - \"127.0.0.1:${GRAFANA_PORT}:3000\"",
			"      otel-collector:\n        condition: service_healthy\n      jaeger:\n        condition: service_healthy\n    ports:\n      - \"127.0.0.1:${GRAFANA_PORT}:3000\"",
			"service grafana depends on otel-collector with condition \"service_healthy\", but otel-collector has no health check"},
		{"no-healthcheck label without a reason",
			`orders.no-healthcheck: "the image is FROM scratch: no shell or HTTP client to probe with"`, `orders.no-healthcheck: ""`,
			"service otel-collector: label orders.no-healthcheck must give the reason"},
		{"no-healthcheck label on a service with one",
			"    hostname: jaeger\n", "    hostname: jaeger\n    labels:\n      orders.no-healthcheck: \"stale\"\n",
			"service jaeger has a health check but is labelled orders.no-healthcheck"},
		{"Go services without the tracing variable",
			"  <<: *otel-env\n  ORDERS_KAFKA_BROKERS", "  ORDERS_KAFKA_BROKERS",
			"service order-producer does not set OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"tracing sent past the collector",
			"OTEL_EXPORTER_OTLP_ENDPOINT: ${OTEL_EXPORTER_OTLP_ENDPOINT:-}", "OTEL_EXPORTER_OTLP_ENDPOINT: ${OTEL_EXPORTER_OTLP_ENDPOINT:-http://jaeger:4318}",
			`service gateway: OTEL_EXPORTER_OTLP_ENDPOINT="http://jaeger:4318", want empty or http://otel-collector:4318`},
		{"Grafana admin password that may be empty",
			"GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?run scripts/compose-secrets.sh}", "GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD}",
			"${GRAFANA_ADMIN_PASSWORD} must be ${GRAFANA_ADMIN_PASSWORD:?…}"},
		{"observability port on every interface",
			`"127.0.0.1:${GRAFANA_PORT}:3000"`, `"${GRAFANA_PORT}:3000"`,
			"service grafana publishes host port 3000 on every interface"},
		{"observability image unpinned",
			"image: ${JAEGER_IMAGE}", "image: jaegertracing/jaeger",
			`service jaeger: image "jaegertracing/jaeger" is not pinned`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			broken := brokenCopy(t, path(composeRel), tc.old, tc.new)
			wantError(t, projectErrors(t, broken), tc.want)
		})
	}
}
