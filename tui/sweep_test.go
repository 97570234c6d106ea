package tui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// typeInto focuses the form's field and replaces its text, as keys.
func typeInto(t *testing.T, tm *teatest.TestModel, field, text string) {
	t.Helper()
	want := slices.IndexFunc(trainer.Fields, func(f trainer.Field) bool { return f.Name == field }) // the form's order
	for i := 0; i < len(trainer.Fields); i++ {
		tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	}
	for i := 0; i < want; i++ {
		tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type(text)
}

// sweepConfig is a small Iris network, quick to train.
func sweepConfig(t *testing.T, epochs int) trainer.Config {
	c := irisConfig()
	c.RunsDir = t.TempDir()
	c.Hidden, c.Batch, c.Epochs = []int{8}, 16, epochs
	return c
}

// TestEndToEndSweepFromForm: lists typed into the form (lr, then
// dropout) say before Enter that Enter starts a 4-trial sweep; Enter runs
// its trials with lab's executor, each shown on the training screen, and
// the runs screen ends with the leaderboard; the trials on disk have the
// names, order and settings `mlptui sweep --lr 1e-3,1e-2 --dropout 0,0.2`
// plans (lab.PlanSweep of the same settings).
func TestEndToEndSweepFromForm(t *testing.T) {
	cfg := sweepConfig(t, 40)
	m := New(t.Context(), Options{Config: cfg, Samples: 4})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	out := tm.Output()
	typeInto(t, tm, "lr", "1e-3,1e-2")
	typeInto(t, tm, "dropout", "0,0.2")
	waitText(t, out, `Enter starts a 4-trial sweep iris-lr-dropout \(lr × dropout\)`)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, out, `Sweep iris-lr-dropout: 4 of 4 trials ended`)
	// Iris trials of 40 epochs may all end between two frames, so the
	// training screen is looked at after the sweep: back from the runs
	// screen (Predictions, Network, Training), it shows the last trial.
	for range 3 {
		tm.Send(tea.KeyMsg{Type: tea.KeyShiftTab})
	}
	waitText(t, out, `sweep iris-lr-dropout · trial 4/4`)
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if len(fm.ended) != 4 || !strings.HasPrefix(fm.state.trial, "sweep iris-lr-dropout · trial 4/4") {
		t.Errorf("%d trials ended in the session, want 4; the training screen shows %q, want trial 4/4", len(fm.ended), fm.state.trial)
	}

	var want lab.Settings
	for _, f := range []struct{ name, value string }{{"dataset", "iris"}, {"hidden", "8"}, {"batch", "16"}, {"epochs", "40"},
		{"runs", cfg.RunsDir}, {"data-dir", cfg.DataDir}, {"lr", "1e-3,1e-2"}, {"dropout", "0,0.2"}} {
		want.Add(f.name, f.value)
	}
	plan, err := lab.PlanSweep(want, lab.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := trainer.ListRuns(cfg.RunsDir)
	if err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for i, tr := range plan.Sweep.Plan {
		k := slices.IndexFunc(runs, func(r trainer.RunRecord) bool { return r.Config != nil && r.Config.Name == tr.Config.Name })
		if k < 0 {
			t.Errorf("no run named %s (trial %d)", tr.Config.Name, i+1)
			continue
		}
		r := runs[k]
		if r.Config.Sweep != "iris-lr-dropout" || !trainer.SameSettings(r.Config, &tr.Config) || r.Status != trainer.StatusDone {
			t.Errorf("trial %d: run %s sweep %q status %s, settings as planned %v", i+1, r.Dir, r.Config.Sweep, r.Status, trainer.SameSettings(r.Config, &tr.Config))
		}
		checkRunDir(t, r.Dir, trainer.StatusDone)
	}
}

// TestEndToEndSweepInterruptResume: ctrl+c in a sweep saves the trial
// under way (interrupted) and the program reports the interrupt; the
// same form again resumes that trial; q stops it (saved, stopped) and
// quits; the runs screen's s on a trial goes on from there.
func TestEndToEndSweepInterruptResume(t *testing.T) {
	cfg := sweepConfig(t, 100000)
	start := func(ctx context.Context) (*teatest.TestModel, *Model) {
		m := New(ctx, Options{Config: cfg, Samples: 4, Lists: []List{{"lr", "0.001,0.01"}}})
		tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
		waitText(t, tm.Output(), `Enter starts a 2-trial sweep iris-lr \(lr\)`)
		tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		return tm, m
	}
	tm, _ := start(t.Context())
	waitEpoch(t, tm.Output(), 2)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if !fm.Interrupted() {
		t.Error("not reported as interrupted")
	}
	runs, _ := trainer.ListRuns(cfg.RunsDir)
	if len(runs) != 1 || runs[0].Status != trainer.StatusInterrupted || runs[0].Config.Name != "lr-t01" {
		t.Fatalf("after ctrl+c: %+v", runs)
	}
	first := runs[0].Dir

	tm, _ = start(t.Context())
	out := tm.Output()
	waitText(t, out, `resumed`)
	tm.Type("qy")
	fm = tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if !slices.ContainsFunc(fm.sweep.log, func(l string) bool { return strings.Contains(l, "trial 1/2 lr=0.001: resuming") }) {
		t.Errorf("the sweep's log does not say it resumed trial 1: %q", fm.sweep.log)
	}
	runs, _ = trainer.ListRuns(cfg.RunsDir)
	if len(runs) != 1 || runs[0].Dir != first || runs[0].Status != trainer.StatusStopped {
		t.Fatalf("after q: %+v, want %s stopped", runs, first)
	}

	// From the runs screen: the sweep's plan, kept in the runs directory.
	m := New(t.Context(), Options{Config: cfg, Samples: 4})
	tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	out = tm.Output()
	tm.Send(tea.KeyMsg{Type: tea.KeyShiftTab})
	waitText(t, out, `lr-t01`)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	tm.Type("s")
	waitText(t, out, `resumed`)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm = tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if !fm.Interrupted() || !slices.ContainsFunc(fm.sweep.log, func(l string) bool { return strings.Contains(l, "resuming") }) ||
		!strings.HasPrefix(fm.state.trial, "sweep iris-lr · trial 1/2") {
		t.Errorf("interrupted %v, the sweep's log %q, the training screen's trial %q", fm.Interrupted(), fm.sweep.log, fm.state.trial)
	}
	runs, _ = trainer.ListRuns(cfg.RunsDir)
	if len(runs) != 1 || runs[0].Dir != first || runs[0].Status != trainer.StatusInterrupted {
		t.Errorf("after s on the runs screen: %+v", runs)
	}
}

// TestFormLists: what the form says of lists before Enter, table-driven.
func TestFormLists(t *testing.T) {
	cases := []struct {
		lists []List
		want  string // in the form's view
	}{
		{nil, "ready: Enter starts"},
		{[]List{{"lr", "0.001,0.01"}}, "Enter starts a 2-trial sweep iris-lr (lr)"},
		{[]List{{"dropout", "0,0.2"}, {"lr", "1e-3,1e-2"}}, "a 4-trial sweep iris-dropout-lr (dropout × lr)"},
		{[]List{{"hidden", "64/128,64"}}, "a 2-trial sweep iris-hidden (hidden)"},
		{[]List{{"lr", "0.001,0.001"}}, "ready: Enter starts"}, // one value twice: no sweep
		{[]List{{"lr", "0.001,abc"}}, "✗"},
		{[]List{{"lr", "0.001,-1"}}, "sweep: "},
		{[]List{{"test-split", "0.2,0.3"}}, "cannot be swept"},
	}
	for _, c := range cases {
		m := newTestModel(t, irisConfig(), 160, 60)
		m.setup = newSetup(irisConfig(), c.lists, m.st)
		m.resize()
		if v := m.View(); !strings.Contains(v, c.want) {
			t.Errorf("lists %v: the form does not say %q:\n%s", c.lists, c.want, v)
		}
	}
}
