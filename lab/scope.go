package lab

import (
	"fmt"

	"github.com/mlptui/mlptui/internal/shard"
	"github.com/mlptui/mlptui/trainer"
)

// Scope is the part of a sweep's plan one process trains, when many
// processes (array tasks, pods, hosts) share the sweep and its runs
// directory: a shard of the plan, or one trial. The zero value is the
// whole plan.
type Scope struct {
	Shard shard.Shard
	Trial int // 1-based; 0: every trial of the shard
}

// Owns reports whether trial n (1-based) is the scope's.
func (s Scope) Owns(n int) bool {
	if s.Trial > 0 {
		return n == s.Trial
	}
	return s.Shard.Owns(n)
}

// All reports whether the scope is the whole plan.
func (s Scope) All() bool { return s.Trial == 0 && s.Shard.Whole() }

// String names the scope in progress lines: "", "shard 2/4
// (SLURM_ARRAY_TASK_ID=1 of 4)" or "trial 3".
func (s Scope) String() string {
	switch {
	case s.Trial > 0:
		return fmt.Sprintf("trial %d", s.Trial)
	case s.Shard.Whole():
		return ""
	case s.Shard.From != "":
		return fmt.Sprintf("shard %v (%s)", s.Shard, s.Shard.From)
	}
	return fmt.Sprintf("shard %v", s.Shard)
}

// Owned counts the scope's trials of the plan.
func (s *Sweep) Owned() int {
	n := 0
	for _, t := range s.Plan {
		if s.Scope.Owns(t.N) {
			n++
		}
	}
	return n
}

// FindRuns gives the plan's trials that have no run directory yet the run
// of theirs on disk, if there is one: another shard's, another host's, an
// earlier sweep's. It returns the numbers of the trials that have none.
func (s *Sweep) FindRuns() (missing []int, err error) {
	existing, err := trainer.ListRuns(s.RunsDir)
	if err != nil {
		return nil, err
	}
	for _, t := range s.Plan {
		if t.Dir != "" {
			continue
		}
		if r, ok := FindTrial(existing, t); ok {
			t.Dir = r.Dir
		} else {
			missing = append(missing, t.N)
		}
	}
	return missing, nil
}

// PlanLine is one trial as a launcher sees it (mlptui sweep --plan).
type PlanLine struct {
	Trial    int            `json:"trial"`
	Trials   int            `json:"trials"` // in the whole plan
	Sweep    string         `json:"sweep"`
	Name     string         `json:"name"`     // its run's name
	Settings map[string]any `json:"settings"` // the swept settings, typed, named as in config.json
	Config   map[string]any `json:"config"`   // every setting (trainer.Settings)
}

// PlanLines lists the scope's trials of the plan; diffs are the plan's
// differences (NameTrials).
func (s *Sweep) PlanLines(diffs []trainer.Difference) []PlanLine {
	var out []PlanLine
	for _, t := range s.Plan {
		if !s.Scope.Owns(t.N) {
			continue
		}
		typed := trainer.Settings(&t.Config)
		l := PlanLine{Trial: t.N, Trials: len(s.Plan), Sweep: t.Config.Sweep, Name: t.Config.Name, Settings: map[string]any{}, Config: typed}
		for _, d := range diffs {
			l.Settings[trainer.JSONName(d.Field)] = typed[trainer.JSONName(d.Field)]
		}
		out = append(out, l)
	}
	return out
}
