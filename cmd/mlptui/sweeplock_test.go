package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestConcurrentSweepsTrainEachTrialOnce starts 4 identical sweeps of 4
// trials at once, 10 times over: every trial must be trained exactly
// once (one run directory, one start in its events.jsonl, done), the
// other sweeps skipping it as running elsewhere or finished before.
func TestConcurrentSweepsTrainEachTrialOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 40 processes")
	}
	const rounds, sweeps, trials = 10, 4, 4
	for round := range rounds {
		runs := t.TempDir()
		var cmds []*exec.Cmd
		var outs []*bytes.Buffer
		for range sweeps {
			cmd := exec.Command(os.Args[0], "sweep", "--runs", runs, "--name", "same", "--hidden", "8", "--epochs", "3",
				"--lr", "1e-3,1e-2", "--dropout", "0,0.2")
			cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmds, outs = append(cmds, cmd), append(outs, &out)
		}
		for _, cmd := range cmds {
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("round %d, sweep %d: %v\n%s", round, i, err, outs[i])
			}
		}
		recs, err := trainer.ListRuns(runs)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != trials {
			var names []string
			for _, r := range recs {
				names = append(names, r.Dir)
			}
			t.Fatalf("round %d: %d runs for %d trials: %v\n%s", round, len(recs), trials, names, outs[0])
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if r.Status != trainer.StatusDone || r.Config == nil {
				t.Errorf("round %d: %s is %s", round, r.Dir, r.Status)
				continue
			}
			key := trainer.SettingsKey(r.Config)
			if seen[key] {
				t.Errorf("round %d: two runs of one trial", round)
			}
			seen[key] = true
			events, err := trainer.ReadEvents(r.Dir)
			if err != nil {
				t.Fatal(err)
			}
			starts := 0
			for _, e := range events {
				if e.Event == "start" || e.Event == "resume" {
					starts++
				}
			}
			if starts != 1 {
				t.Errorf("round %d: %s was started %d times", round, r.Dir, starts)
			}
		}
		new := 0
		for _, out := range outs {
			new += strings.Count(out.String(), ": new run ")
		}
		if new != trials {
			t.Errorf("round %d: the sweeps started %d new runs, want %d", round, new, trials)
		}
	}
}
