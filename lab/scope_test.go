package lab

import (
	"context"
	"testing"

	"github.com/mlptui/mlptui/internal/shard"
	"github.com/mlptui/mlptui/trainer"
)

// TestScope: a scope owns its shard's trials or its one trial, and a
// sweep with a scope runs, counts and lists only those.
func TestScope(t *testing.T) {
	for _, tc := range []struct {
		s     Scope
		owned []int
		all   bool
		text  string
	}{
		{Scope{}, []int{1, 2, 3, 4, 5}, true, ""},
		{Scope{Shard: shard.Shard{K: 2, N: 2}}, []int{2, 4}, false, "shard 2/2"},
		{Scope{Shard: shard.Shard{K: 1, N: 3, From: "SLURM_ARRAY_TASK_ID=0 of 3"}}, []int{1, 4}, false, "shard 1/3 (SLURM_ARRAY_TASK_ID=0 of 3)"},
		{Scope{Trial: 3}, []int{3}, false, "trial 3"},
	} {
		var got []int
		for n := 1; n <= 5; n++ {
			if tc.s.Owns(n) {
				got = append(got, n)
			}
		}
		if len(got) != len(tc.owned) || tc.s.All() != tc.all || tc.s.String() != tc.text {
			t.Errorf("%+v: owns %v all %v %q; want %v %v %q", tc.s, got, tc.s.All(), tc.s.String(), tc.owned, tc.all, tc.text)
		}
		for i := range got {
			if got[i] != tc.owned[i] {
				t.Errorf("%+v: owns %v, want %v", tc.s, got, tc.owned)
			}
		}
	}

	// A sweep of 4 trials, shard 2/3 (trials 2): trained one, left none;
	// the plan lines are the shard's.
	cfg := trainer.Defaults()
	cfg.Epochs, cfg.Hidden, cfg.RunsDir = 2, []int{4}, t.TempDir()
	var plan []*Trial
	for i, lr := range []float64{1e-3, 3e-3, 1e-2, 3e-2} {
		c := cfg
		c.LR = lr
		plan = append(plan, &Trial{N: i + 1, Config: c})
	}
	diffs := NameTrials(plan, "s")
	sw := &Sweep{Name: "s", RunsDir: cfg.RunsDir, Plan: plan, Scope: Scope{Shard: shard.Shard{K: 2, N: 3}}}
	if sw.Owned() != 1 || sw.Left() != 1 {
		t.Fatalf("before: owned %d, left %d", sw.Owned(), sw.Left())
	}
	if l := sw.PlanLines(diffs); len(l) != 1 || l[0].Trial != 2 || l[0].Trials != 4 || l[0].Settings["lr"] != 3e-3 {
		t.Errorf("plan lines %+v", l)
	}
	if err := sw.Run(context.Background(), func(SweepEvent) {}); err != nil {
		t.Fatal(err)
	}
	for _, tr := range plan {
		if (tr.Outcome == OutcomeNew) != (tr.N == 2) {
			t.Errorf("trial %d: outcome %q", tr.N, tr.Outcome)
		}
	}
	if sw.Left() != 0 {
		t.Errorf("after: left %d", sw.Left())
	}
	// Another process's view: the run is found on disk, the rest missing.
	other := &Sweep{Name: "s", RunsDir: cfg.RunsDir, Plan: []*Trial{{N: 1, Config: plan[0].Config}, {N: 2, Config: plan[1].Config}}}
	missing, err := other.FindRuns()
	if err != nil || len(missing) != 1 || missing[0] != 1 || other.Plan[1].Dir != plan[1].Dir {
		t.Errorf("FindRuns: missing %v (%v), trial 2 at %q, want %q", missing, err, other.Plan[1].Dir, plan[1].Dir)
	}
	if b := Leaderboard(other.Plan, nil); len(b) != 1 || b[0].Host == "" || b[0].Status != trainer.StatusDone {
		t.Errorf("leaderboard %+v", b)
	}
}
