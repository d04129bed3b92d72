// Package config binds command-line flags to environment variables, so that
// every service is configured the same way: a flag --foo-bar falls back to the
// environment variable ORDERS_FOO_BAR, and the flag wins when both are set.
//
// A Set also describes itself (Vars), which the help text, the README and the
// Compose checks use to stay in step with the code.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// EnvPrefix starts the name of every environment variable that a Set reads.
const EnvPrefix = "ORDERS_"

// EnvName returns the environment variable that backs the flag name, e.g.
// "kafka-brokers" → "ORDERS_KAFKA_BROKERS".
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Var describes one option of a Set.
type Var struct {
	Flag     string // flag name without dashes
	Env      string // environment variable name
	Default  string // default value as text
	Usage    string // one-line description
	Required bool   // must be non-empty after parsing
}

// Set is a named group of options. Build it with New, register options with
// the typed methods, then call Parse.
type Set struct {
	fs       *flag.FlagSet
	vars     []Var
	args     []string   // positional arguments, once parsed
	pairs    []pairsVar // options whose values are never echoed
	failed   []error    // their errors, reported by Parse
	lookup   func(string) (string, bool)
	synopsis string
}

// Option configures a Set.
type Option func(*Set)

// WithLookupEnv replaces os.LookupEnv, for tests.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(s *Set) { s.lookup = lookup }
}

// WithOutput sends help and parse errors to w instead of stderr.
func WithOutput(w io.Writer) Option {
	return func(s *Set) { s.fs.SetOutput(w) }
}

// New returns an empty Set for the command name; synopsis opens its help text.
func New(name, synopsis string, opts ...Option) *Set {
	s := &Set{fs: flag.NewFlagSet(name, flag.ContinueOnError), lookup: os.LookupEnv, synopsis: synopsis}
	s.fs.Usage = s.usage
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Name returns the command name the Set was created with.
func (s *Set) Name() string { return s.fs.Name() }

// Vars lists the registered options in registration order.
func (s *Set) Vars() []Var { return append([]Var(nil), s.vars...) }

// Args returns the positional arguments left after Parse.
func (s *Set) Args() []string { return append([]string(nil), s.args...) }

func (s *Set) add(name, usage string, required bool) {
	s.vars = append(s.vars, Var{
		Flag: name, Env: EnvName(name), Default: s.fs.Lookup(name).DefValue,
		Usage: usage, Required: required,
	})
}

// String registers a string option.
func (s *Set) String(p *string, name, def, usage string) {
	s.fs.StringVar(p, name, def, usage)
	s.add(name, usage, false)
}

// RequiredString registers a string option that must not be empty.
func (s *Set) RequiredString(p *string, name, usage string) {
	s.fs.StringVar(p, name, "", usage)
	s.add(name, usage, true)
}

// Int registers an int option.
func (s *Set) Int(p *int, name string, def int, usage string) {
	s.fs.IntVar(p, name, def, usage)
	s.add(name, usage, false)
}

// Int64 registers an int64 option.
func (s *Set) Int64(p *int64, name string, def int64, usage string) {
	s.fs.Int64Var(p, name, def, usage)
	s.add(name, usage, false)
}

// Float64 registers a float64 option.
func (s *Set) Float64(p *float64, name string, def float64, usage string) {
	s.fs.Float64Var(p, name, def, usage)
	s.add(name, usage, false)
}

// Bool registers a boolean option.
func (s *Set) Bool(p *bool, name string, def bool, usage string) {
	s.fs.BoolVar(p, name, def, usage)
	s.add(name, usage, false)
}

// Duration registers a time.Duration option ("250ms", "5s").
func (s *Set) Duration(p *time.Duration, name string, def time.Duration, usage string) {
	s.fs.DurationVar(p, name, def, usage)
	s.add(name, usage, false)
}

// List registers a comma-separated list option.
func (s *Set) List(p *[]string, name string, def []string, usage string) {
	*p = def
	s.fs.Func(name, usage, func(v string) error {
		*p = SplitList(v)
		return nil
	})
	s.fs.Lookup(name).DefValue = strings.Join(def, ",")
	s.add(name, usage, false)
}

// Pairs registers a repeatable key=value option for settings that may be
// secret, such as sasl.password:
//   - on the command line each occurrence is one pair, and its value may
//     hold commas;
//   - its environment variable holds comma-separated pairs;
//   - a value is never echoed, in errors or anywhere else.
//
// set receives each pair as it is parsed.
func (s *Set) Pairs(set func(key, value string), name, usage string) {
	s.fs.Func(name, usage, func(v string) error {
		// The flag package quotes the whole value in the errors it prints,
		// so a bad pair is kept for Parse to report instead.
		if err := setPair(set, v); err != nil {
			s.failed = append(s.failed, fmt.Errorf("--%s: %w", name, err))
		}
		return nil
	})
	s.add(name, usage, false)
	s.pairs = append(s.pairs, pairsVar{name: name, set: set})
}

// PairsFile registers an option naming a file of key=value pairs for set,
// one per line, in the style of a Java properties file: blank lines and
// lines starting with # or ! are skipped, and values are taken as they are
// (commas included). A secret kept there stays out of the process list.
// Errors name the line, never its value.
func (s *Set) PairsFile(set func(key, value string), name, usage string) {
	s.fs.Func(name, usage, func(path string) error {
		if err := readPairs(path, set); err != nil {
			s.failed = append(s.failed, fmt.Errorf("--%s: %w", name, err))
		}
		return nil
	})
	s.add(name, usage, false)
}

type pairsVar struct {
	name string
	set  func(key, value string)
}

// setPair parses one key=value pair; its error shows no part of it.
func setPair(set func(key, value string), pair string) error {
	key, value, ok := strings.Cut(pair, "=")
	if key = strings.TrimSpace(key); !ok || key == "" {
		return errors.New("want key=value (the text given is not shown: it may hold a secret)")
	}
	set(key, strings.TrimSpace(value))
	return nil
}

func readPairs(path string, set func(key, value string)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read properties: %w", err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		if err := setPair(set, line); err != nil {
			return fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
	}
	return nil
}

// SplitList splits a comma-separated list, trimming blanks and dropping empty items.
func SplitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// ErrHelp is returned by Parse when -h or --help was asked for; the help text
// has been printed.
var ErrHelp = flag.ErrHelp

// Parse applies the environment first, then args, then checks required
// options. Errors name the flag or variable at fault.
func (s *Set) Parse(args []string) error {
	s.failed = nil
	for _, v := range s.vars {
		val, ok := s.lookup(v.Env)
		if !ok {
			continue
		}
		if err := s.setFromEnv(v, val); err != nil {
			return err
		}
	}
	if err := s.parseArgs(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrHelp
		}
		return fmt.Errorf("%s: %w", s.Name(), err)
	}
	if len(s.failed) > 0 {
		return fmt.Errorf("%s: %w", s.Name(), errors.Join(s.failed...))
	}
	for _, v := range s.vars {
		if v.Required && s.fs.Lookup(v.Flag).Value.String() == "" {
			return fmt.Errorf("%s: --%s (or %s) is required", s.Name(), v.Flag, v.Env)
		}
	}
	return nil
}

// parseArgs parses flags wherever they are among the positional
// arguments (`orders dlq list --topic orders`), which it keeps for Args;
// after "--" every argument is positional.
func (s *Set) parseArgs(args []string) error {
	s.args = nil
	for {
		if err := s.fs.Parse(args); err != nil {
			return err
		}
		rest := s.fs.Args()
		if len(rest) == 0 {
			return nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			s.args = append(s.args, rest...)
			return nil
		}
		s.args = append(s.args, rest[0])
		args = rest[1:]
	}
}

// setFromEnv applies the environment variable of v. A Pairs variable holds
// comma-separated pairs, and its value is never quoted in an error.
func (s *Set) setFromEnv(v Var, val string) error {
	for _, p := range s.pairs {
		if p.name != v.Flag {
			continue
		}
		for i, item := range SplitList(val) {
			if err := setPair(p.set, item); err != nil {
				return fmt.Errorf("environment variable %s, pair %d: %w", v.Env, i+1, err)
			}
		}
		return nil
	}
	if err := s.fs.Set(v.Flag, val); err != nil {
		return fmt.Errorf("environment variable %s=%q: %w", v.Env, val, err)
	}
	return nil
}

func (s *Set) usage() {
	w := s.fs.Output()
	fmt.Fprintf(w, "Usage: orders %s [flags]\n\n%s\n\nFlags (each also read from its environment variable):\n", s.Name(), s.synopsis)
	for _, v := range s.vars {
		def := ""
		if v.Default != "" {
			def = fmt.Sprintf(" (default %q)", v.Default)
		}
		if v.Required {
			def = " (required)"
		}
		fmt.Fprintf(w, "  --%s  [%s]\n      %s%s\n", v.Flag, v.Env, v.Usage, def)
	}
}
