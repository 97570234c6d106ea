package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/regfile"
	"github.com/mlptui/mlptui/trainer"
)

// A sweep keeps its plan in the runs directory, so that it can be resumed
// from one of its trials (the dashboard's runs screen) without the
// command or the form that started it: .sweep-NAME.plan.json, hidden from
// run listings by its leading dot like the trials' locks.

// planFile is the plan file's content: every trial's settings, in order.
type planFile struct {
	Sweep  string           `json:"sweep"`
	Trials []trainer.Config `json:"trials"`
}

// PlanPath is the file in which the sweep named name keeps its plan.
func PlanPath(runsDir, name string) string {
	return filepath.Join(runsDir, ".sweep-"+name+".plan.json")
}

// SavePlan writes the sweep's plan (PlanPath), atomically; Run does it
// before the first trial. Shards of a sweep write the same plan.
func (s *Sweep) SavePlan() error {
	f := planFile{Sweep: s.Name}
	for _, t := range s.Plan {
		f.Trials = append(f.Trials, t.Config)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(PlanPath(s.RunsDir, s.Name), append(b, '\n'))
}

// ErrNoPlan is LoadSweep's error for a sweep that kept no plan (one run
// by an mlptui older than plan files): run its command again instead.
var ErrNoPlan = errors.New("the sweep kept no plan; run the command that started it again")

// LoadSweep reads the plan the sweep named name kept in runsDir and
// returns the sweep to run again (finished trials are skipped, the others
// resumed or started) with the differences of its trials.
func LoadSweep(runsDir, name string) (*Sweep, []trainer.Difference, error) {
	path := PlanPath(runsDir, name)
	b, err := regfile.ReadFile(path, 64<<20)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("sweep %s: %w", name, ErrNoPlan)
	}
	if err != nil {
		return nil, nil, err
	}
	var f planFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	if f.Sweep != name || len(f.Trials) == 0 || len(f.Trials) > MaxTrials {
		return nil, nil, fmt.Errorf("%s: not the plan of sweep %s (%d trials)", path, name, len(f.Trials))
	}
	sw := &Sweep{Name: name, RunsDir: runsDir}
	for i, c := range f.Trials {
		if err := c.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%s: trial %d: %w", path, i+1, err)
		}
		c.RunsDir = runsDir
		sw.Plan = append(sw.Plan, &Trial{N: i + 1, Config: c})
	}
	return sw, NameTrials(sw.Plan, name), nil
}
