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
func (s *Set) Args() []string { return s.fs.Args() }

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

// Pairs registers a repeatable key=value option; its environment variable
// holds comma-separated pairs. set receives each pair as it is parsed.
func (s *Set) Pairs(set func(key, value string), name, usage string) {
	s.fs.Func(name, usage, func(v string) error {
		for _, item := range SplitList(v) {
			key, value, ok := strings.Cut(item, "=")
			if key = strings.TrimSpace(key); !ok || key == "" {
				return fmt.Errorf("%q: want key=value", item)
			}
			set(key, strings.TrimSpace(value))
		}
		return nil
	})
	s.add(name, usage, false)
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
	for _, v := range s.vars {
		val, ok := s.lookup(v.Env)
		if !ok {
			continue
		}
		if err := s.fs.Set(v.Flag, val); err != nil {
			return fmt.Errorf("environment variable %s=%q: %w", v.Env, val, err)
		}
	}
	if err := s.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrHelp
		}
		return fmt.Errorf("%s: %w", s.Name(), err)
	}
	for _, v := range s.vars {
		if v.Required && s.fs.Lookup(v.Flag).Value.String() == "" {
			return fmt.Errorf("%s: --%s (or %s) is required", s.Name(), v.Flag, v.Env)
		}
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
