// Package composecheck checks the Compose stack statically: no Docker engine
// is needed. It loads compose/docker-compose.yml with its .env through
// compose-go (the library behind `docker compose`) and checks it against the
// code: the Go services' environment against their flags, ports, depends_on
// targets, health checks, profiles and pinned images; the Kafka Connect
// connector configs against the contracts and the Postgres schema;
// ksql/streams.sql against the topics and the protobuf messages; and the CI
// workflow with actionlint.
//
// Every check returns []error, one error per problem naming the service,
// file or field at fault, so that tests can assert both that the real files
// pass and that deliberately broken copies fail with the expected error.
package composecheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"
)

// Load loads a Compose file with its env file and every profile active. It
// skips compose-go's own consistency check, so that the checks of this
// package report every problem by name rather than the loader stopping at
// the first; LoadProfile runs that check too. workDir resolves relative paths
// (build contexts, bind mounts); empty means the Compose file's directory.
// The process environment is not consulted: only envFile supplies variables.
func Load(ctx context.Context, file, envFile, workDir string) (*types.Project, error) {
	return load(ctx, file, envFile, workDir, []string{"*"}, false)
}

// LoadProfile loads the Compose file as `docker compose --profile profile`
// would (profiles joined by "+" are all active), including compose-go's consistency check (undefined services,
// networks, volumes), and returns the loader's error if it rejects it.
func LoadProfile(ctx context.Context, file, envFile, workDir, profile string) (*types.Project, error) {
	return load(ctx, file, envFile, workDir, strings.Split(profile, "+"), true)
}

func load(ctx context.Context, file, envFile, workDir string, profiles []string, consistency bool) (*types.Project, error) {
	if workDir == "" {
		workDir = filepath.Dir(file)
	}
	secrets, cleanup, err := placeholderSecrets(envFile)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(workDir),
		cli.WithEnvFiles(envFile, secrets),
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
		cli.WithConsistency(consistency),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, fmt.Errorf("compose options for %s: %w", file, err)
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	return p, nil
}

// secretName matches the variables that hold secrets.
var secretName = regexp.MustCompile(`PASSWORD|SECRET|TOKEN`)

// placeholderSecrets writes a second env file that gives every secret the
// committed envFile leaves empty a placeholder, as scripts/compose-secrets.sh
// gives it a random value, so that the stack loads for checking.
func placeholderSecrets(envFile string) (path string, cleanup func(), err error) {
	env, err := ReadEnvFile(envFile)
	if err != nil {
		return "", nil, err
	}
	f, err := os.CreateTemp("", "composecheck-secrets-*.env")
	if err != nil {
		return "", nil, fmt.Errorf("placeholder secrets: %w", err)
	}
	cleanup = func() { _ = os.Remove(f.Name()) }
	for _, name := range sortedKeys(env) {
		if secretName.MatchString(name) && env[name] == "" {
			if _, err := fmt.Fprintf(f, "%s=placeholder-for-checks\n", name); err != nil {
				_ = f.Close()
				cleanup()
				return "", nil, fmt.Errorf("placeholder secrets: %w", err)
			}
		}
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("placeholder secrets: %w", err)
	}
	return f.Name(), cleanup, nil
}

// CheckSecrets reports secrets (variables named *PASSWORD*, *SECRET*,
// *TOKEN*) that the committed env file sets, and uses of them in the
// Compose file without `:?`, which would start the stack with an empty
// password instead of refusing to.
func CheckSecrets(composeFile, envFile string) []error {
	env, err := ReadEnvFile(envFile)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, name := range sortedKeys(env) {
		if secretName.MatchString(name) && env[name] != "" {
			errs = append(errs, fmt.Errorf("%s sets %s: secrets are generated into compose/secrets.env (scripts/compose-secrets.sh), never committed", filepath.Base(envFile), name))
		}
	}
	raw, err := os.ReadFile(composeFile)
	if err != nil {
		return append(errs, fmt.Errorf("read %s: %w", composeFile, err))
	}
	for i, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, m := range interpolation.FindAllStringSubmatch(strings.ReplaceAll(line, "$$", ""), -1) {
			if name := m[1] + m[3]; secretName.MatchString(name) && !strings.HasPrefix(m[2], ":?") {
				errs = append(errs, fmt.Errorf("%s:%d: ${%s} must be ${%s:?…}, so that the stack refuses to start without it", filepath.Base(composeFile), i+1, name, name))
			}
		}
	}
	return errs
}

// ReadEnvFile reads a Compose .env file.
func ReadEnvFile(path string) (map[string]string, error) {
	env, err := dotenv.GetEnvFromFile(map[string]string{}, []string{path})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return env, nil
}

// interpolation matches ${NAME}, ${NAME:-default}, ${NAME?err}… and $NAME.
var interpolation = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)

// CheckInterpolation reports every variable the Compose file interpolates
// that the env file does not define and that has no default (compose would
// substitute an empty string with only a warning). `$$` escapes are ignored.
func CheckInterpolation(composeFile, envFile string) []error {
	raw, err := os.ReadFile(composeFile)
	if err != nil {
		return []error{fmt.Errorf("read %s: %w", composeFile, err)}
	}
	env, err := ReadEnvFile(envFile)
	if err != nil {
		return []error{err}
	}
	var errs []error
	seen := map[string]bool{}
	for i, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		line = strings.ReplaceAll(line, "$$", "")
		for _, m := range interpolation.FindAllStringSubmatch(line, -1) {
			name, modifier := m[1], m[2]
			if name == "" {
				name = m[3]
			}
			if strings.HasPrefix(modifier, ":-") || strings.HasPrefix(modifier, "-") {
				continue // has a default
			}
			if _, ok := env[name]; ok || seen[name] {
				continue
			}
			seen[name] = true
			errs = append(errs, fmt.Errorf("%s:%d: ${%s} is not defined in %s", filepath.Base(composeFile), i+1, name, filepath.Base(envFile)))
		}
	}
	return errs
}

// OneShotLabel marks a service that runs to completion (an init container).
// It needs no health check; services that depend on it must use
// `condition: service_completed_successfully`.
const OneShotLabel = "orders.one-shot"

// IsOneShot reports whether s is labelled as a one-shot container.
func IsOneShot(s types.ServiceConfig) bool { return s.Labels[OneShotLabel] == "true" }

// services returns every service of p, enabled or not, by name.
func services(p *types.Project) map[string]types.ServiceConfig {
	all := map[string]types.ServiceConfig{}
	for name, s := range p.DisabledServices {
		all[name] = s
	}
	for name, s := range p.Services {
		all[name] = s
	}
	return all
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Environment returns a service's environment with unset (nil) values as "".
func Environment(s types.ServiceConfig) map[string]string {
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		} else {
			env[k] = ""
		}
	}
	return env
}

// Service returns the named service of p, enabled or not.
func Service(p *types.Project, name string) (types.ServiceConfig, bool) {
	s, ok := services(p)[name]
	return s, ok
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
