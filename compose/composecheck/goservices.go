package composecheck

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kafka-enterprise-orders/orders/internal/config"
)

// GoService describes one Go service container of the stack as the code
// defines it.
type GoService struct {
	// Service is the Compose service name, e.g. "order-producer".
	Service string
	// Command is the `orders` subcommand it runs, e.g. "producer".
	Command string
	// Port is the port it listens on inside the container (RPC, /healthz,
	// /readyz); ORDERS_LISTEN_ADDR must bind 0.0.0.0:Port.
	Port int
	// Vars are the command's options (config.Set.Vars). Every ORDERS_*
	// variable the service sets must be one of them.
	Vars []config.Var
	// MustSet names variables that must be set in a container even though
	// they are optional flags (their defaults point at localhost), beyond
	// the Required vars and those whose default mentions localhost, which
	// are derived from Vars.
	MustSet []string
	// Parse, when set, parses the service's environment the way the binary
	// would (config.Set.Parse with the environment as its lookup) and
	// returns its error: wrong types, missing required options.
	Parse func(env map[string]string) error
}

// Binary is where compose/Dockerfile installs the `orders` binary.
const Binary = "/usr/local/bin/orders"

// GoDockerfile is the Dockerfile every Go service is built from, relative to
// the repository root (the build context).
const GoDockerfile = "compose/Dockerfile"

var localHosts = []string{"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"}

func isLocal(host string) bool { return slices.Contains(localHosts, strings.ToLower(host)) }

// defaultIsLocal reports whether a flag default points at this machine.
func defaultIsLocal(def string) bool {
	d := strings.ToLower(def)
	return strings.Contains(d, "localhost") || strings.Contains(d, "127.0.0.1")
}

// CheckGoServices checks each Go service's container against the code:
// built from compose/Dockerfile in the repository root, running its
// subcommand, every required or must-set variable set, every ORDERS_*
// variable a real flag of the command, listening on 0.0.0.0 at its port,
// publishing that port, probed there by its health check, referring only to
// services it waits for, and parsing as the binary would parse it. It also
// reports services built from compose/Dockerfile that svcs does not list.
func CheckGoServices(p *types.Project, root string, svcs []GoService) []error {
	var errs []error
	all := services(p)
	byName := map[string]GoService{}
	for _, g := range svcs {
		byName[g.Service] = g
	}
	wantDockerfile := filepath.Join(root, GoDockerfile)
	for _, name := range sortedNames(all) {
		s := all[name]
		if s.Build == nil || filepath.Clean(DockerfilePath(s.Build)) != wantDockerfile {
			continue
		}
		if _, ok := byName[name]; !ok {
			errs = append(errs, fmt.Errorf("service %s is built from %s but is not a known Go service", name, GoDockerfile))
		}
	}
	for _, g := range svcs {
		s, ok := all[g.Service]
		if !ok {
			errs = append(errs, fmt.Errorf("service %s (the Go service `orders %s`) is missing from the Compose file", g.Service, g.Command))
			continue
		}
		errs = append(errs, checkGoService(p, root, g, s, byName)...)
	}
	return errs
}

func checkGoService(p *types.Project, root string, g GoService, s types.ServiceConfig, byName map[string]GoService) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("service %s: "+format, append([]any{g.Service}, args...)...))
	}

	// Image: one Dockerfile, built from the repository root.
	switch {
	case s.Build == nil:
		fail("is not built (want build: context .., dockerfile %s)", GoDockerfile)
	case filepath.Clean(s.Build.Context) != filepath.Clean(root):
		fail("build context is %s, want the repository root %s", s.Build.Context, root)
	case filepath.Clean(DockerfilePath(s.Build)) != filepath.Join(root, GoDockerfile):
		fail("is built from %s, want %s", DockerfilePath(s.Build), GoDockerfile)
	}
	if len(s.Entrypoint) > 0 {
		fail("overrides the image's entrypoint (%v)", []string(s.Entrypoint))
	}
	if len(s.Command) != 1 || s.Command[0] != g.Command {
		fail("command is %q, want [%q]", []string(s.Command), g.Command)
	}

	env := Environment(s)
	known := map[string]config.Var{}
	for _, v := range g.Vars {
		known[v.Env] = v
	}

	// Every ORDERS_* variable is a flag of the command, with a value.
	for _, k := range sortedNames(env) {
		if !strings.HasPrefix(k, config.EnvPrefix) {
			continue
		}
		if _, ok := known[k]; !ok {
			fail("sets %s, which is not a flag of `orders %s`", k, g.Command)
		}
		if strings.TrimSpace(env[k]) == "" {
			fail("sets %s to an empty value", k)
		}
	}

	// Required, must-set and localhost-default variables are set.
	must := map[string]string{}
	for _, v := range g.Vars {
		switch {
		case v.Required:
			must[v.Env] = "required"
		case defaultIsLocal(v.Default):
			must[v.Env] = fmt.Sprintf("its default %q points at localhost", v.Default)
		}
	}
	for _, k := range g.MustSet {
		if _, ok := must[k]; !ok {
			must[k] = "it must be set in containers"
		}
	}
	for _, k := range sortedNames(must) {
		if strings.TrimSpace(env[k]) == "" {
			fail("does not set %s (%s)", k, must[k])
		}
	}

	// Listen on every interface at the service's port, publish it, probe it.
	addr := env[config.EnvName("listen-addr")]
	if addr != "" {
		host, port, err := net.SplitHostPort(addr)
		switch {
		case err != nil:
			fail("%s=%q is not host:port", config.EnvName("listen-addr"), addr)
		case host != "" && host != "0.0.0.0" && host != "::" && host != "[::]":
			fail("%s=%q must bind 0.0.0.0 in a container", config.EnvName("listen-addr"), addr)
		case port != strconv.Itoa(g.Port):
			fail("%s=%q, want port %d", config.EnvName("listen-addr"), addr, g.Port)
		}
	}
	published := false
	for _, pc := range s.Ports {
		if pc.Target == uint32(g.Port) && pc.Published != "" {
			published = true
		}
	}
	if !published {
		fail("does not publish container port %d", g.Port)
	}
	wantProbe := []string{"CMD", Binary, "probe", fmt.Sprintf("http://127.0.0.1:%d/readyz", g.Port)}
	if s.HealthCheck == nil || !slices.Equal([]string(s.HealthCheck.Test), wantProbe) {
		var got []string
		if s.HealthCheck != nil {
			got = s.HealthCheck.Test
		}
		fail("health check is %q, want %q", got, wantProbe)
	}

	// Addresses in the environment name services it waits for, never localhost.
	deps := DependsOnClosure(p, g.Service)
	all := services(p)
	for _, k := range sortedNames(env) {
		if !strings.HasPrefix(k, config.EnvPrefix) || k == config.EnvName("listen-addr") {
			continue
		}
		for _, hp := range addresses(k, env[k]) {
			host, port := hp[0], hp[1]
			switch {
			case isLocal(host):
				fail("%s=%q points at %s, which is the container itself", k, env[k], host)
			case !hasService(all, host):
				fail("%s=%q names host %s, which is not a Compose service", k, env[k], host)
			case !deps[host]:
				fail("%s=%q uses %s but the service does not depend on it", k, env[k], host)
			}
			if other, ok := byName[host]; ok && port != "" && port != strconv.Itoa(other.Port) {
				fail("%s=%q: %s listens on %d, not %s", k, env[k], host, other.Port, port)
			}
		}
	}

	if g.Parse != nil {
		if err := g.Parse(env); err != nil {
			fail("its environment does not parse as `orders %s` flags: %v", g.Command, err)
		}
	}
	return errs
}

func hasService(all map[string]types.ServiceConfig, name string) bool {
	_, ok := all[name]
	return ok
}

// addresses extracts the [host, port] pairs a variable's value refers to: the
// host of a URL, or each host:port of a comma-separated broker list.
func addresses(key, value string) [][2]string {
	var out [][2]string
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "://") {
			u, err := url.Parse(item)
			if err != nil || u.Hostname() == "" {
				continue
			}
			out = append(out, [2]string{u.Hostname(), u.Port()})
			continue
		}
		if strings.HasSuffix(key, "_BROKERS") {
			host, port, err := net.SplitHostPort(item)
			if err != nil {
				host, port = item, ""
			}
			out = append(out, [2]string{host, port})
		}
	}
	return out
}
