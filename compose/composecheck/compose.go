package composecheck

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Depends-on conditions.
const (
	ConditionHealthy   = types.ServiceConditionHealthy
	ConditionCompleted = types.ServiceConditionCompletedSuccessfully
	ConditionStarted   = types.ServiceConditionStarted
)

// NoHealthCheckLabel marks a long-running service whose image cannot run a
// health check (no shell, no HTTP client: an image FROM scratch); its value
// says why. Services that depend on it wait for `condition: service_started`.
const NoHealthCheckLabel = "orders.no-healthcheck"

func hasNoHealthCheckLabel(s types.ServiceConfig) bool {
	_, ok := s.Labels[NoHealthCheckLabel]
	return ok
}

// CheckHealth reports services without a usable health check. A one-shot
// service (OneShotLabel) needs none but must not be restarted forever; one
// whose image cannot run a probe (NoHealthCheckLabel, with the reason) has
// none, and then must have none.
func CheckHealth(p *types.Project) []error {
	var errs []error
	all := services(p)
	for _, name := range sortedNames(all) {
		s := all[name]
		if IsOneShot(s) {
			if s.Restart != "" && s.Restart != "no" && !strings.HasPrefix(s.Restart, "on-failure") {
				errs = append(errs, fmt.Errorf("service %s is a one-shot but has restart: %s", name, s.Restart))
			}
			continue
		}
		hc := s.HealthCheck
		if reason, ok := s.Labels[NoHealthCheckLabel]; ok {
			switch {
			case strings.TrimSpace(reason) == "":
				errs = append(errs, fmt.Errorf("service %s: label %s must give the reason", name, NoHealthCheckLabel))
			case hc != nil && len(hc.Test) > 0 && !hc.Disable:
				errs = append(errs, fmt.Errorf("service %s has a health check but is labelled %s", name, NoHealthCheckLabel))
			}
			continue
		}
		switch {
		case hc != nil && (hc.Disable || len(hc.Test) > 0 && hc.Test[0] == "NONE"):
			errs = append(errs, fmt.Errorf("service %s has its health check disabled", name))
		case hc == nil || len(hc.Test) == 0:
			errs = append(errs, fmt.Errorf("service %s has no health check", name))
		case hc.Test[0] != "CMD" && hc.Test[0] != "CMD-SHELL":
			errs = append(errs, fmt.Errorf("service %s: health check test must start with CMD or CMD-SHELL, not %q", name, hc.Test[0]))
		case len(hc.Test) < 2 || strings.TrimSpace(strings.Join(hc.Test[1:], " ")) == "":
			errs = append(errs, fmt.Errorf("service %s: health check test runs nothing", name))
		}
	}
	return errs
}

// CheckDependsOn reports depends_on entries that point at undefined
// services, that wait on a long-running service without
// `condition: service_healthy` (or on one without a health check), that
// wait on a one-shot without `condition: service_completed_successfully`,
// or on a service labelled NoHealthCheckLabel without
// `condition: service_started`.
func CheckDependsOn(p *types.Project) []error {
	var errs []error
	all := services(p)
	for _, name := range sortedNames(all) {
		s := all[name]
		for _, dep := range sortedNames(s.DependsOn) {
			cond := s.DependsOn[dep].Condition
			target, ok := all[dep]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("service %s depends on %s, which is not defined", name, dep))
			case IsOneShot(target):
				if cond != ConditionCompleted {
					errs = append(errs, fmt.Errorf("service %s depends on one-shot %s with condition %q, want %s", name, dep, cond, ConditionCompleted))
				}
			case hasNoHealthCheckLabel(target):
				if cond != ConditionStarted {
					errs = append(errs, fmt.Errorf("service %s depends on %s with condition %q, but %s has no health check (%s): want %s",
						name, dep, cond, dep, NoHealthCheckLabel, ConditionStarted))
				}
			case cond != ConditionHealthy:
				errs = append(errs, fmt.Errorf("service %s depends on %s with condition %q, want %s", name, dep, cond, ConditionHealthy))
			case target.HealthCheck == nil || len(target.HealthCheck.Test) == 0 || target.HealthCheck.Disable:
				errs = append(errs, fmt.Errorf("service %s waits for %s to be healthy, but %s has no health check", name, dep, dep))
			}
		}
	}
	return errs
}

// ProfileMembers returns the services `docker compose --profile profile`
// starts: those that name the profile, and those that name none.
func ProfileMembers(p *types.Project, profile string) []string {
	var names []string
	all := services(p)
	for _, name := range sortedNames(all) {
		if all[name].HasProfile(strings.Split(profile, "+")) {
			names = append(names, name)
		}
	}
	return names
}

// CheckProfiles reports, for each profile (or set of profiles started
// together, such as "full+ui"), services whose depends_on names a
// service outside that profile: `docker compose --profile X up` would refuse
// to start (or silently lack) it. It also reports empty profiles.
func CheckProfiles(p *types.Project, profiles []string) []error {
	var errs []error
	all := services(p)
	for _, profile := range profiles {
		members := ProfileMembers(p, profile)
		if len(members) == 0 {
			errs = append(errs, fmt.Errorf("profile %s has no services", profile))
			continue
		}
		for _, name := range members {
			for _, dep := range sortedNames(all[name].DependsOn) {
				if _, ok := all[dep]; !ok {
					continue // CheckDependsOn reports it
				}
				if !slices.Contains(members, dep) {
					errs = append(errs, fmt.Errorf("profile %s: service %s depends on %s, which is not in the profile", profile, name, dep))
				}
			}
		}
	}
	return errs
}

// HostPort is one published port.
type HostPort struct {
	Port     int
	Protocol string
	Service  string
	Target   uint32
	HostIP   string // the host address it binds; "" is every interface
}

// PublishedPorts lists the host ports each service publishes, ranges
// expanded.
func PublishedPorts(p *types.Project) ([]HostPort, []error) {
	var out []HostPort
	var errs []error
	all := services(p)
	for _, name := range sortedNames(all) {
		for _, pc := range all[name].Ports {
			if pc.Published == "" {
				continue // an ephemeral host port never collides
			}
			proto := pc.Protocol
			if proto == "" {
				proto = "tcp"
			}
			lo, hi, err := portRange(pc.Published)
			if err != nil {
				errs = append(errs, fmt.Errorf("service %s: published port %q: %w", name, pc.Published, err))
				continue
			}
			for port := lo; port <= hi; port++ {
				out = append(out, HostPort{Port: port, Protocol: proto, Service: name, Target: pc.Target, HostIP: pc.HostIP})
			}
		}
	}
	return out, errs
}

func portRange(s string) (int, int, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil {
		return 0, 0, fmt.Errorf("not a port number")
	}
	b := a
	if isRange {
		if b, err = strconv.Atoi(hi); err != nil {
			return 0, 0, fmt.Errorf("not a port range")
		}
	}
	if a < 1 || b > 65535 || b < a {
		return 0, 0, fmt.Errorf("out of range")
	}
	return a, b, nil
}

// CheckPorts reports host ports that more than one service publishes (over
// every profile, since `full` starts them all together), and ports
// published beyond loopback: the stack's services answer without
// credentials, so only the host itself may reach them.
func CheckPorts(p *types.Project) []error {
	ports, errs := PublishedPorts(p)
	owner := map[string]string{}
	for _, hp := range ports {
		if hp.HostIP != "127.0.0.1" {
			errs = append(errs, fmt.Errorf("service %s publishes host port %d on every interface; bind it to 127.0.0.1", hp.Service, hp.Port))
		}
		key := fmt.Sprintf("%d/%s", hp.Port, hp.Protocol)
		if prev, ok := owner[key]; ok {
			who := prev + " and " + hp.Service
			if prev == hp.Service {
				who = hp.Service + " (twice)"
			}
			errs = append(errs, fmt.Errorf("host port %s is published by %s", key, who))
			continue
		}
		owner[key] = hp.Service
	}
	return errs
}

// CheckImages reports images that are not pinned: no tag or digest, a
// `latest`-like tag, or an unresolved variable. A service built locally is
// checked through its Dockerfile's FROM lines (with the build args).
func CheckImages(p *types.Project) []error {
	var errs []error
	all := services(p)
	for _, name := range sortedNames(all) {
		s := all[name]
		if s.Image == "" && s.Build == nil {
			errs = append(errs, fmt.Errorf("service %s has neither image nor build", name))
			continue
		}
		if s.Image != "" {
			if err := PinnedImage(s.Image); err != nil {
				errs = append(errs, fmt.Errorf("service %s: %w", name, err))
			}
		}
		if s.Build != nil {
			df, err := ParseDockerfile(DockerfilePath(s.Build), buildArgs(s.Build))
			if err != nil {
				errs = append(errs, fmt.Errorf("service %s: %w", name, err))
				continue
			}
			for _, err := range CheckDockerfilePins(df) {
				errs = append(errs, fmt.Errorf("service %s: %w", name, err))
			}
		}
	}
	return errs
}

// PinnedImage returns an error unless ref names a tag (not latest) or a digest.
func PinnedImage(ref string) error {
	switch {
	case ref == "":
		return fmt.Errorf("empty image reference")
	case strings.Contains(ref, "$"):
		return fmt.Errorf("image %q has an unresolved variable", ref)
	case strings.Contains(ref, "@sha256:"):
		return nil
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok || tag == "":
		return fmt.Errorf("image %q is not pinned: no tag or digest", ref)
	case strings.Contains(strings.ToLower(tag), "latest"):
		return fmt.Errorf("image %q is not pinned: tag %q moves", ref, tag)
	}
	return nil
}

func buildArgs(b *types.BuildConfig) map[string]string {
	args := map[string]string{}
	for k, v := range b.Args {
		if v != nil {
			args[k] = *v
		}
	}
	return args
}

// DockerfilePath returns the Dockerfile a build section uses.
func DockerfilePath(b *types.BuildConfig) string {
	df := b.Dockerfile
	if df == "" {
		df = "Dockerfile"
	}
	if strings.HasPrefix(df, "/") {
		return df
	}
	return strings.TrimSuffix(b.Context, "/") + "/" + df
}

// CheckBindMounts reports bind mounts whose host path does not exist (Docker
// would create an empty directory in its place).
func CheckBindMounts(p *types.Project) []error {
	var errs []error
	all := services(p)
	for _, name := range sortedNames(all) {
		for _, v := range all[name].Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				errs = append(errs, fmt.Errorf("service %s: bind mount source %s does not exist", name, v.Source))
			}
		}
	}
	return errs
}

// DependsOnClosure returns every service name reaches through depends_on.
func DependsOnClosure(p *types.Project, name string) map[string]bool {
	all := services(p)
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		for dep := range all[n].DependsOn {
			if !seen[dep] {
				seen[dep] = true
				walk(dep)
			}
		}
	}
	walk(name)
	return seen
}
