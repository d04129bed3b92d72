package composecheck

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// The checks of the `observability` profile: Prometheus scrape targets
// against the Compose services and their ports, the files its services
// mount, the Grafana data sources and dashboards, and the OpenTelemetry
// Collector's pipeline.

// PrometheusConfig is the part of a prometheus.yml the checks read.
type PrometheusConfig struct {
	Path   string `yaml:"-"`
	Global struct {
		ScrapeInterval     string `yaml:"scrape_interval"`
		EvaluationInterval string `yaml:"evaluation_interval"`
	} `yaml:"global"`
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []ScrapeConfig `yaml:"scrape_configs"`
}

// ScrapeConfig is one scrape job.
type ScrapeConfig struct {
	JobName       string `yaml:"job_name"`
	MetricsPath   string `yaml:"metrics_path"`
	Scheme        string `yaml:"scheme"`
	StaticConfigs []struct {
		Targets []string          `yaml:"targets"`
		Labels  map[string]string `yaml:"labels"`
	} `yaml:"static_configs"`
	// Everything else, e.g. service discovery, which the checks cannot follow.
	Other map[string]any `yaml:",inline"`
}

// LoadPrometheusConfig reads a prometheus.yml.
func LoadPrometheusConfig(path string) (*PrometheusConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c PrometheusConfig
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	c.Path = path
	return &c, nil
}

// ScrapeTarget is one static target of a scrape job.
type ScrapeTarget struct {
	Job, Host string
	Port      int
}

// CheckPrometheusConfig reports rule files that do not resolve (Prometheus
// reads them relative to the configuration file) and scrape jobs the
// checks cannot follow: targets not given as static host:port lists, a
// scheme other than http, or a metrics path other than /metrics (where the
// Go services serve their metrics).
func CheckPrometheusConfig(c *PrometheusConfig) []error {
	var errs []error
	base := filepath.Base(c.Path)
	if len(c.RuleFiles) == 0 {
		errs = append(errs, fmt.Errorf("%s names no rule_files", base))
	}
	for _, rf := range c.RuleFiles {
		pattern := rf
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(filepath.Dir(c.Path), rf)
		}
		matches, err := filepath.Glob(pattern)
		if err != nil || len(matches) == 0 {
			errs = append(errs, fmt.Errorf("%s: rule_files entry %q matches no file next to it", base, rf))
		}
	}
	if len(c.ScrapeConfigs) == 0 {
		errs = append(errs, fmt.Errorf("%s has no scrape_configs", base))
	}
	for _, sc := range c.ScrapeConfigs {
		for _, k := range sortedNames(sc.Other) {
			if strings.HasSuffix(k, "_sd_configs") {
				errs = append(errs, fmt.Errorf("%s: job %s uses %s; the checks follow static_configs only", base, sc.JobName, k))
			}
		}
		if sc.Scheme != "" && sc.Scheme != "http" {
			errs = append(errs, fmt.Errorf("%s: job %s scrapes over %s; the services serve plain http", base, sc.JobName, sc.Scheme))
		}
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			errs = append(errs, fmt.Errorf("%s: job %s scrapes %s; the services serve /metrics", base, sc.JobName, sc.MetricsPath))
		}
	}
	return errs
}

// Targets lists the static scrape targets of every job.
func (c *PrometheusConfig) Targets() ([]ScrapeTarget, []error) {
	var out []ScrapeTarget
	var errs []error
	for _, sc := range c.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, t := range st.Targets {
				host, port, err := net.SplitHostPort(t)
				n, perr := strconv.Atoi(port)
				if err != nil || perr != nil {
					errs = append(errs, fmt.Errorf("%s: job %s: target %q is not host:port", filepath.Base(c.Path), sc.JobName, t))
					continue
				}
				out = append(out, ScrapeTarget{Job: sc.JobName, Host: host, Port: n})
			}
		}
	}
	return out, errs
}

// ContainerPorts returns the ports a service is known to listen on inside
// the Compose network: the Go service's port when svcs lists it, and every
// container port it publishes or exposes.
func ContainerPorts(s types.ServiceConfig, svcs []GoService) []int {
	var ports []int
	for _, g := range svcs {
		if g.Service == s.Name {
			ports = append(ports, g.Port)
		}
	}
	for _, pc := range s.Ports {
		ports = append(ports, int(pc.Target))
	}
	for _, e := range s.Expose {
		lo, hi, err := portRange(strings.TrimSuffix(strings.TrimSuffix(e, "/tcp"), "/udp"))
		if err == nil {
			for p := lo; p <= hi; p++ {
				ports = append(ports, p)
			}
		}
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}

// CheckScrapeTargets reports scrape targets that name no Compose service or
// a port the service does not listen on, targets scraped twice, and Go
// services (svcs) that no job scrapes at their port.
func CheckScrapeTargets(p *types.Project, c *PrometheusConfig, svcs []GoService) []error {
	targets, errs := c.Targets()
	all := services(p)
	base := filepath.Base(c.Path)
	seen := map[string]string{}
	for _, t := range targets {
		key := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
		if job, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: target %s is scraped twice (jobs %s and %s)", base, key, job, t.Job))
		}
		seen[key] = t.Job
		s, ok := all[t.Host]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: job %s scrapes %s, but %s is not a Compose service", base, t.Job, key, t.Host))
			continue
		}
		if ports := ContainerPorts(s, svcs); !slices.Contains(ports, t.Port) {
			errs = append(errs, fmt.Errorf("%s: job %s scrapes %s, but service %s listens on %v", base, t.Job, key, t.Host, ports))
		}
	}
	for _, g := range svcs {
		if _, ok := seen[net.JoinHostPort(g.Service, strconv.Itoa(g.Port))]; !ok {
			errs = append(errs, fmt.Errorf("%s: no job scrapes Go service %s at %s:%d", base, g.Service, g.Service, g.Port))
		}
	}
	return errs
}

// MountedAt returns the host path that a service's bind mounts put at
// containerPath (the longest mount target that contains it), and whether
// that mount is read-only.
func MountedAt(s types.ServiceConfig, containerPath string) (hostPath string, readOnly, ok bool) {
	best := -1
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		target := path.Clean(v.Target)
		rel, found := strings.CutPrefix(path.Clean(containerPath), target)
		if !found || (rel != "" && !strings.HasPrefix(rel, "/")) || len(target) <= best {
			continue
		}
		best = len(target)
		hostPath, readOnly, ok = filepath.Join(v.Source, filepath.FromSlash(rel)), v.ReadOnly, true
	}
	return hostPath, readOnly, ok
}

// CheckConfigMounts reports bind mounts of the named services whose source
// does not exist, lies outside the repository root, or is mounted
// writable: configuration is mounted read-only from the repository.
func CheckConfigMounts(p *types.Project, root string, names []string) []error {
	var errs []error
	all := services(p)
	for _, name := range names {
		s, ok := all[name]
		if !ok {
			errs = append(errs, fmt.Errorf("service %s is missing", name))
			continue
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			rel, err := filepath.Rel(root, v.Source)
			switch {
			case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
				errs = append(errs, fmt.Errorf("service %s mounts %s, which is outside the repository", name, v.Source))
			case !fileExists(v.Source):
				errs = append(errs, fmt.Errorf("service %s mounts %s, which does not exist in the repository", name, rel))
			}
			if !v.ReadOnly {
				errs = append(errs, fmt.Errorf("service %s mounts %s at %s writable; mount configuration :ro", name, v.Source, v.Target))
			}
		}
	}
	return errs
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// GrafanaDatasource is one provisioned Grafana data source.
type GrafanaDatasource struct {
	Name      string `yaml:"name"`
	UID       string `yaml:"uid"`
	Type      string `yaml:"type"`
	URL       string `yaml:"url"`
	IsDefault bool   `yaml:"isDefault"`
}

// LoadGrafanaDatasources reads a Grafana data source provisioning file.
func LoadGrafanaDatasources(path string) ([]GrafanaDatasource, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		APIVersion  int                 `yaml:"apiVersion"`
		Datasources []GrafanaDatasource `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if f.APIVersion != 1 || len(f.Datasources) == 0 {
		return nil, fmt.Errorf("%s: want apiVersion 1 and a datasources list", filepath.Base(path))
	}
	return f.Datasources, nil
}

// CheckGrafanaDatasources reports data sources without a uid or with one
// used twice, more or less than one default, and URLs that do not name a
// Compose service at a port it listens on.
func CheckGrafanaDatasources(p *types.Project, ds []GrafanaDatasource) []error {
	var errs []error
	all := services(p)
	uids := map[string]bool{}
	defaults := 0
	for _, d := range ds {
		if d.UID == "" {
			errs = append(errs, fmt.Errorf("data source %s has no uid: dashboards refer to data sources by uid", d.Name))
		} else if uids[d.UID] {
			errs = append(errs, fmt.Errorf("data source uid %s is used twice", d.UID))
		}
		uids[d.UID] = true
		if d.IsDefault {
			defaults++
		}
		u, err := url.Parse(d.URL)
		if err != nil || u.Hostname() == "" {
			errs = append(errs, fmt.Errorf("data source %s: url %q has no host", d.Name, d.URL))
			continue
		}
		s, ok := all[u.Hostname()]
		if !ok {
			errs = append(errs, fmt.Errorf("data source %s: url %s names %s, which is not a Compose service", d.Name, d.URL, u.Hostname()))
			continue
		}
		port, _ := strconv.Atoi(u.Port())
		if ports := ContainerPorts(s, nil); !slices.Contains(ports, port) {
			errs = append(errs, fmt.Errorf("data source %s: url %s, but service %s listens on %v", d.Name, d.URL, s.Name, ports))
		}
	}
	if defaults != 1 {
		errs = append(errs, fmt.Errorf("%d data sources are the default, want 1", defaults))
	}
	return errs
}

// builtinDatasources are the uids Grafana defines itself.
var builtinDatasources = []string{"-- Grafana --", "grafana", "-- Mixed --", "-- Dashboard --"}

// CheckDashboard reports a Grafana dashboard that does not parse, data
// source references (of panels, their queries, variables and annotations)
// whose uid is not provisioned or whose type differs from the provisioned
// one, panels without queries or with a duplicate id, and Prometheus queries
// that MetricNames cannot read.
func CheckDashboard(path string, ds []GrafanaDatasource) []error {
	base := filepath.Base(path)
	raw, err := os.ReadFile(path)
	if err != nil {
		return []error{err}
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return []error{fmt.Errorf("%s does not parse: %w", base, err)}
	}
	var meta struct {
		UID   string `json:"uid"`
		Title string `json:"title"`
	}
	_ = json.Unmarshal(raw, &meta)
	var errs []error
	if meta.UID == "" || meta.Title == "" {
		errs = append(errs, fmt.Errorf("%s has no uid or title", base))
	}
	byUID := map[string]GrafanaDatasource{}
	byName := map[string]GrafanaDatasource{}
	for _, x := range ds {
		byUID[x.UID] = x
		byName[x.Name] = x
	}
	dsVars := map[string]bool{}
	for _, v := range d.Templating.List {
		if v.Type == "datasource" {
			dsVars[v.Name] = true
		}
	}
	checkRef := func(where string, f datasourceField) {
		ref := f.ref()
		switch {
		case ref.Name != "":
			if _, ok := byName[ref.Name]; !ok && !slices.Contains(builtinDatasources, ref.Name) {
				errs = append(errs, fmt.Errorf("%s: %s uses data source %q, which is not provisioned", base, where, ref.Name))
			}
		case ref.UID == "" || slices.Contains(builtinDatasources, ref.UID):
		case strings.HasPrefix(ref.UID, "$"):
			if name := strings.Trim(ref.UID, "${}"); !dsVars[name] {
				errs = append(errs, fmt.Errorf("%s: %s uses data source %s, which is no data source variable", base, where, ref.UID))
			}
		default:
			x, ok := byUID[ref.UID]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: %s uses data source uid %q, which is not provisioned", base, where, ref.UID))
			case ref.Type != "" && ref.Type != x.Type:
				errs = append(errs, fmt.Errorf("%s: %s says data source %s is of type %s, but it is %s", base, where, ref.UID, ref.Type, x.Type))
			}
		}
	}
	ids := map[int]bool{}
	var walk func(panels []dashboardPanel)
	walk = func(panels []dashboardPanel) {
		for _, p := range panels {
			where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			if ids[p.ID] {
				errs = append(errs, fmt.Errorf("%s: panel id %d is used twice", base, p.ID))
			}
			ids[p.ID] = true
			checkRef(where, p.Datasource)
			if p.Type != "row" && p.Type != "text" && len(p.Targets) == 0 {
				errs = append(errs, fmt.Errorf("%s: %s has no queries", base, where))
			}
			for _, t := range p.Targets {
				checkRef(where+", target "+t.RefID, t.Datasource)
				if t.Expr != "" {
					if _, err := MetricNames(t.Expr); err != nil {
						errs = append(errs, fmt.Errorf("%s: %s, target %s: %w", base, where, t.RefID, err))
					}
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
		checkRef("variable "+v.Name, v.Datasource)
	}
	for _, a := range d.Annotations.List {
		checkRef("annotation "+a.Name, a.Datasource)
	}
	return errs
}

// GrafanaDashboardProviders returns the folders that a Grafana dashboard
// provisioning file loads dashboards from (file providers' options.path).
func GrafanaDashboardProviders(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	var out []string
	for _, p := range f.Providers {
		if p.Type == "file" && p.Options.Path != "" {
			out = append(out, p.Options.Path)
		}
	}
	if f.APIVersion != 1 || len(out) == 0 {
		return nil, fmt.Errorf("%s: want apiVersion 1 and a file provider with options.path", filepath.Base(path))
	}
	return out, nil
}

// CollectorConfig is the part of an OpenTelemetry Collector configuration
// the checks read.
type CollectorConfig struct {
	Path       string                    `yaml:"-"`
	Receivers  map[string]map[string]any `yaml:"receivers"`
	Processors map[string]any            `yaml:"processors"`
	Exporters  map[string]map[string]any `yaml:"exporters"`
	Extensions map[string]any            `yaml:"extensions"`
	Service    struct {
		Extensions []string `yaml:"extensions"`
		Pipelines  map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

// LoadCollectorConfig reads an OpenTelemetry Collector configuration.
func LoadCollectorConfig(path string) (*CollectorConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c CollectorConfig
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	c.Path = path
	return &c, nil
}

// OTLPReceiverPorts returns the ports of the otlp receiver's protocols
// (grpc, http), and errors for endpoints that do not listen on every
// interface: the collector's default, localhost, is unreachable from the
// other containers.
func (c *CollectorConfig) OTLPReceiverPorts() (map[string]int, []error) {
	base := filepath.Base(c.Path)
	ports := map[string]int{}
	var errs []error
	otlp, ok := c.Receivers["otlp"]
	if !ok {
		return nil, []error{fmt.Errorf("%s has no otlp receiver", base)}
	}
	protocols, _ := otlp["protocols"].(map[string]any)
	for _, proto := range sortedNames(protocols) {
		cfg, _ := protocols[proto].(map[string]any)
		ep, _ := cfg["endpoint"].(string)
		host, port, err := net.SplitHostPort(ep)
		n, perr := strconv.Atoi(port)
		switch {
		case err != nil || perr != nil:
			errs = append(errs, fmt.Errorf("%s: otlp receiver %s: endpoint %q is not host:port (the default is localhost, unreachable from other containers)", base, proto, ep))
			continue
		case host != "0.0.0.0" && host != "" && host != "::":
			errs = append(errs, fmt.Errorf("%s: otlp receiver %s listens on %s; other containers reach only 0.0.0.0", base, proto, ep))
		}
		ports[proto] = n
	}
	return ports, errs
}

// CheckCollectorConfig reports pipelines that use undefined receivers,
// processors, exporters or extensions (or none at all), otlp receivers not
// listening on every interface or at ports the service does not publish
// or expose, and exporters whose endpoint does not name a Compose service
// that the collector's service waits for, at a port it listens on.
func CheckCollectorConfig(p *types.Project, c *CollectorConfig, service string) []error {
	base := filepath.Base(c.Path)
	var errs []error
	all := services(p)
	svc, ok := all[service]
	if !ok {
		return []error{fmt.Errorf("service %s is missing", service)}
	}
	if len(c.Service.Pipelines) == 0 {
		errs = append(errs, fmt.Errorf("%s has no pipelines", base))
	}
	undefined := func(kind string, names []string, defined func(string) bool, pipeline string) {
		for _, n := range names {
			if !defined(n) {
				errs = append(errs, fmt.Errorf("%s: pipeline %s uses %s %s, which is not defined", base, pipeline, kind, n))
			}
		}
	}
	for _, name := range sortedNames(c.Service.Pipelines) {
		pl := c.Service.Pipelines[name]
		if len(pl.Receivers) == 0 || len(pl.Exporters) == 0 {
			errs = append(errs, fmt.Errorf("%s: pipeline %s needs receivers and exporters", base, name))
		}
		undefined("receiver", pl.Receivers, func(n string) bool { _, ok := c.Receivers[n]; return ok }, name)
		undefined("processor", pl.Processors, func(n string) bool { _, ok := c.Processors[n]; return ok }, name)
		undefined("exporter", pl.Exporters, func(n string) bool { _, ok := c.Exporters[n]; return ok }, name)
	}
	for _, n := range c.Service.Extensions {
		if _, ok := c.Extensions[n]; !ok {
			errs = append(errs, fmt.Errorf("%s: service uses extension %s, which is not defined", base, n))
		}
	}

	ports, perrs := c.OTLPReceiverPorts()
	errs = append(errs, perrs...)
	listening := ContainerPorts(svc, nil)
	for _, proto := range sortedNames(ports) {
		if !slices.Contains(listening, ports[proto]) {
			errs = append(errs, fmt.Errorf("%s: otlp receiver %s listens on %d, which service %s neither publishes nor exposes (%v)", base, proto, ports[proto], service, listening))
		}
	}

	deps := DependsOnClosure(p, service)
	for _, name := range sortedNames(c.Exporters) {
		ep, _ := c.Exporters[name]["endpoint"].(string)
		if ep == "" {
			continue // e.g. the debug exporter
		}
		hostport := ep
		if strings.Contains(ep, "://") {
			u, err := url.Parse(ep)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: exporter %s: endpoint %q does not parse", base, name, ep))
				continue
			}
			hostport = u.Host
		}
		host, port, err := net.SplitHostPort(hostport)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil {
			errs = append(errs, fmt.Errorf("%s: exporter %s: endpoint %q has no host:port", base, name, ep))
			continue
		}
		target, ok := all[host]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s: exporter %s sends to %s, which is not a Compose service", base, name, host))
			continue
		case !deps[host]:
			errs = append(errs, fmt.Errorf("%s: exporter %s sends to %s, but service %s does not depend on it", base, name, host, service))
		}
		if lp := ContainerPorts(target, nil); !slices.Contains(lp, n) {
			errs = append(errs, fmt.Errorf("%s: exporter %s sends to %s:%d, but service %s publishes or exposes only %v", base, name, host, n, host, lp))
		}
	}
	return errs
}

// CheckMountedFile reports when a service does not see hostPath at
// containerPath through a read-only bind mount.
func CheckMountedFile(p *types.Project, service, containerPath, hostPath string) []error {
	s, ok := services(p)[service]
	if !ok {
		return []error{fmt.Errorf("service %s is missing", service)}
	}
	got, ro, ok := MountedAt(s, containerPath)
	switch {
	case !ok:
		return []error{fmt.Errorf("service %s: nothing is mounted at %s (want %s)", service, containerPath, hostPath)}
	case filepath.Clean(got) != filepath.Clean(hostPath):
		return []error{fmt.Errorf("service %s: %s is %s, want %s", service, containerPath, got, hostPath)}
	case !ro:
		return []error{fmt.Errorf("service %s: %s is mounted writable", service, containerPath)}
	}
	return nil
}

// TracingEnv is the variable through which the Go services find the OTLP
// endpoint to send their spans to; empty leaves tracing off.
const TracingEnv = "OTEL_EXPORTER_OTLP_ENDPOINT"

// CheckTracingEnv reports Go services that do not set TracingEnv (empty is
// fine: tracing off), and values that are not http://<collector>:<httpPort>,
// the collector's OTLP/HTTP receiver.
func CheckTracingEnv(p *types.Project, svcs []GoService, collector string, httpPort int) []error {
	var errs []error
	all := services(p)
	want := fmt.Sprintf("http://%s:%d", collector, httpPort)
	for _, g := range svcs {
		s, ok := all[g.Service]
		if !ok {
			continue // CheckGoServices reports it
		}
		v, ok := Environment(s)[TracingEnv]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("service %s does not set %s (empty leaves tracing off)", g.Service, TracingEnv))
		case v != "" && strings.TrimSuffix(v, "/") != want:
			errs = append(errs, fmt.Errorf("service %s: %s=%q, want empty or %s", g.Service, TracingEnv, v, want))
		}
	}
	return errs
}
