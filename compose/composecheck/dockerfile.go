package composecheck

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Dockerfile is what the checks need of a Dockerfile, with ARGs substituted.
type Dockerfile struct {
	Path   string
	Stages []Stage
	// Instructions of the whole file in order, continuation lines joined.
	Instructions []Instruction
}

// Stage is one FROM and what follows it.
type Stage struct {
	Image string // resolved base image
	Name  string // AS name, if any
	// User is the last USER of the stage ("" = root).
	User string
	// Entrypoint is the last ENTRYPOINT argument text of the stage.
	Entrypoint string
	Runs       []string // RUN arguments
	Env        []string // ENV arguments
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Cmd  string // upper case
	Args string // resolved
}

// Final returns the last stage (the image that runs).
func (d Dockerfile) Final() Stage {
	if len(d.Stages) == 0 {
		return Stage{}
	}
	return d.Stages[len(d.Stages)-1]
}

var dockerVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// ParseDockerfile reads a Dockerfile, substituting ARG values: build args
// override ARG defaults.
func ParseDockerfile(path string, args map[string]string) (Dockerfile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Dockerfile{}, fmt.Errorf("read Dockerfile: %w", err)
	}
	df := Dockerfile{Path: path}
	vars := map[string]string{}
	subst := func(s string) string {
		return dockerVar.ReplaceAllStringFunc(s, func(m string) string {
			sm := dockerVar.FindStringSubmatch(m)
			name := sm[1]
			if name == "" {
				name = sm[3]
			}
			if v, ok := vars[name]; ok && v != "" {
				return v
			}
			if sm[2] != "" {
				return sm[2]
			}
			return m // unresolved: left visible for the checks
		})
	}
	var logical []string
	var cur strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		t := strings.TrimSpace(line)
		if cur.Len() == 0 && (t == "" || strings.HasPrefix(t, "#")) {
			continue
		}
		if strings.HasPrefix(t, "#") {
			continue // comment inside a continued instruction
		}
		if strings.HasSuffix(t, "\\") {
			cur.WriteString(strings.TrimSuffix(t, "\\"))
			cur.WriteString(" ")
			continue
		}
		cur.WriteString(t)
		logical = append(logical, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		logical = append(logical, cur.String())
	}
	stageNames := map[string]bool{}
	for _, l := range logical {
		cmd, rest, _ := strings.Cut(l, " ")
		cmd = strings.ToUpper(cmd)
		rest = strings.TrimSpace(rest)
		switch cmd {
		case "ARG":
			name, def, hasDef := strings.Cut(rest, "=")
			name = strings.TrimSpace(name)
			if v, ok := args[name]; ok && v != "" {
				vars[name] = v
			} else if hasDef {
				vars[name] = strings.Trim(strings.TrimSpace(subst(def)), `"'`)
			}
			df.Instructions = append(df.Instructions, Instruction{Cmd: cmd, Args: rest})
			continue
		}
		rest = subst(rest)
		df.Instructions = append(df.Instructions, Instruction{Cmd: cmd, Args: rest})
		if cmd == "FROM" {
			fields := strings.Fields(rest)
			var image, name string
			for i := 0; i < len(fields); i++ {
				f := fields[i]
				switch {
				case strings.HasPrefix(f, "--"):
				case strings.EqualFold(f, "AS") && i+1 < len(fields):
					name = fields[i+1]
					i++
				case image == "":
					image = f
				}
			}
			if stageNames[image] {
				image = "stage:" + image
			}
			if name != "" {
				stageNames[name] = true
			}
			df.Stages = append(df.Stages, Stage{Image: image, Name: name})
			continue
		}
		if len(df.Stages) == 0 {
			continue
		}
		st := &df.Stages[len(df.Stages)-1]
		switch cmd {
		case "USER":
			st.User = rest
		case "ENTRYPOINT":
			st.Entrypoint = rest
		case "RUN":
			st.Runs = append(st.Runs, rest)
		case "ENV":
			st.Env = append(st.Env, rest)
		}
	}
	if len(df.Stages) == 0 {
		return df, fmt.Errorf("%s has no FROM", path)
	}
	return df, nil
}

// confluentHub matches the components of `confluent-hub install`.
var confluentHub = regexp.MustCompile(`confluent-hub\s+install\s+((?:--[a-z-]+(?:\s+[^-\s"][^\s]*)?\s+)*)"?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?::([^\s"]+))?"?`)

// CheckDockerfilePins reports FROM images that are not pinned (stages
// referring to earlier stages and `scratch` excepted) and Confluent Hub
// components installed without a fixed version.
func CheckDockerfilePins(df Dockerfile) []error {
	var errs []error
	for _, st := range df.Stages {
		if st.Image == "scratch" || strings.HasPrefix(st.Image, "stage:") {
			continue
		}
		if err := PinnedImage(st.Image); err != nil {
			errs = append(errs, fmt.Errorf("%s: FROM: %w", df.Path, err))
		}
	}
	for _, in := range df.Instructions {
		if in.Cmd != "RUN" {
			continue
		}
		for _, m := range confluentHub.FindAllStringSubmatch(in.Args, -1) {
			comp, version := m[2], m[3]
			if version == "" || strings.Contains(version, "$") || strings.Contains(strings.ToLower(version), "latest") {
				errs = append(errs, fmt.Errorf("%s: confluent-hub component %s is not pinned to a version (%q)", df.Path, comp, version))
			}
		}
	}
	return errs
}

// ConfluentHubComponents lists the `owner/name:version` components the
// Dockerfile installs with confluent-hub.
func ConfluentHubComponents(df Dockerfile) []string {
	var out []string
	for _, in := range df.Instructions {
		if in.Cmd != "RUN" {
			continue
		}
		for _, m := range confluentHub.FindAllStringSubmatch(in.Args, -1) {
			out = append(out, m[2]+":"+m[3])
		}
	}
	return out
}
