package composecheck

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"
)

// LintWorkflow runs actionlint (syntax, expressions, action inputs, runner
// labels, …) over a GitHub Actions workflow file. shellcheck and pyflakes
// are not run: they are external programs.
func LintWorkflow(path string) []error {
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		return []error{fmt.Errorf("actionlint: %w", err)}
	}
	found, err := l.LintFile(path, nil)
	if err != nil {
		return []error{fmt.Errorf("actionlint %s: %w", path, err)}
	}
	var errs []error
	for _, e := range found {
		errs = append(errs, e)
	}
	return errs
}

// WorkflowStep is a step of a workflow job: an action it uses or a script it runs.
type WorkflowStep struct {
	Job, Name string
	Uses      string
	With      map[string]string
	Run       string
}

// WorkflowSteps parses a workflow and lists its steps, job by job.
func WorkflowSteps(path string) ([]WorkflowStep, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	wf, perrs := actionlint.Parse(raw)
	if len(perrs) > 0 {
		var errs []error
		for _, e := range perrs {
			errs = append(errs, e)
		}
		return nil, errors.Join(errs...)
	}
	var out []WorkflowStep
	for _, jobID := range sortedNames(wf.Jobs) {
		for _, st := range wf.Jobs[jobID].Steps {
			ws := WorkflowStep{Job: jobID, With: map[string]string{}}
			if st.Name != nil {
				ws.Name = st.Name.Value
			}
			switch ex := st.Exec.(type) {
			case *actionlint.ExecAction:
				if ex.Uses != nil {
					ws.Uses = ex.Uses.Value
				}
				for k, in := range ex.Inputs {
					if in != nil && in.Value != nil {
						ws.With[strings.ToLower(k)] = in.Value.Value
					}
				}
			case *actionlint.ExecRun:
				if ex.Run != nil {
					ws.Run = ex.Run.Value
				}
			}
			out = append(out, ws)
		}
	}
	return out, nil
}

// pinnedAction is owner/repo[/path]@<full commit SHA>.
var pinnedAction = regexp.MustCompile(`^[^@\s]+@[0-9a-f]{40}$`)

// CheckActionPins reports steps that use an action by a tag or branch
// instead of a full commit SHA: a tag can be moved to other code.
func CheckActionPins(steps []WorkflowStep) []error {
	var errs []error
	for _, s := range steps {
		if s.Uses != "" && !strings.HasPrefix(s.Uses, "./") && !pinnedAction.MatchString(s.Uses) {
			errs = append(errs, fmt.Errorf("job %s, step %q uses %s: pin it by commit SHA (@<40 hex> # vX.Y.Z)", s.Job, s.Name, s.Uses))
		}
	}
	return errs
}
