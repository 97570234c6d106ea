package tui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/mlptui/mlptui/trainer"
)

// These tests drive the whole program with real Iris training, as a
// person would with keys, and check the run on disk afterwards.

// e2eConfig is an Iris run too long to end by itself.
func e2eConfig(t *testing.T) trainer.Config {
	c := irisConfig()
	c.RunsDir = t.TempDir()
	c.Hidden, c.Batch, c.Epochs = []int{32}, 16, 100000
	return c
}

func startE2E(t *testing.T, ctx context.Context, cfg trainer.Config) (*teatest.TestModel, *Model) {
	m := New(ctx, Options{Config: cfg, Samples: 4})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	return tm, m
}

func waitFor(t *testing.T, out io.Reader, what string, cond func([]byte) bool) {
	t.Helper()
	teatest.WaitFor(t, out, cond, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func waitText(t *testing.T, out io.Reader, re string) {
	t.Helper()
	r := regexp.MustCompile(re)
	waitFor(t, out, re, func(b []byte) bool { return r.Match(b) })
}

var epochRE = regexp.MustCompile(`epoch (\d+)/100000`)

// waitEpoch waits until the progress line shows at least epoch n, and
// returns the epoch shown.
func waitEpoch(t *testing.T, out io.Reader, n int) int {
	t.Helper()
	got := 0
	waitFor(t, out, "epoch", func(b []byte) bool {
		for _, m := range epochRE.FindAllSubmatch(b, -1) {
			e, _ := strconv.Atoi(string(m[1]))
			got = max(got, e)
		}
		return got >= n
	})
	return got
}

func TestEndToEndTrainPauseEditStop(t *testing.T) {
	tm, _ := startE2E(t, t.Context(), e2eConfig(t))
	out := tm.Output()
	waitText(t, out, "● running")
	first := waitEpoch(t, out, 3)
	if later := waitEpoch(t, out, first+3); later <= first {
		t.Fatalf("the run does not go on: epoch %d then %d", first, later)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	waitText(t, out, `paused at step \d+`)
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'e'}})
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type("0.005")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitText(t, out, `edit: lr 0\.01 -> 0\.005 from step \d+`)
	tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	waitText(t, out, `continued from step`)
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}})
	waitText(t, out, `stopped: stopped at epoch`)
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'q'}}) // nothing live: quits at once
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)

	s := fm.state
	if s.summary == nil || s.summary.Status != trainer.StatusStopped {
		t.Fatalf("summary %+v", s.summary)
	}
	if s.trainLoss.len() < 3 || len(s.epochs) < first {
		t.Errorf("the curves hold %d points and %d epochs", s.trainLoss.len(), len(s.epochs))
	}
	dir := s.summary.Run
	checkRunDir(t, dir, trainer.StatusStopped)
	log, err := trainer.ReadEvents(dir)
	if err != nil {
		t.Fatal(err)
	}
	var edit, pause *trainer.LogEntry
	for i := range log {
		switch log[i].Event {
		case "edit":
			edit = &log[i]
		case "pause":
			pause = &log[i]
		}
	}
	if pause == nil || edit == nil {
		t.Fatalf("events.jsonl lacks the pause or the edit: %+v", log)
	}
	if edit.Field != "lr" || edit.Value == nil || *edit.Value != 0.005 || edit.Step != pause.Step || edit.Step <= 0 {
		t.Errorf("edit %+v (value %v), paused at step %d", edit, edit.Value, pause.Step)
	}
}

// checkRunDir checks that a run directory is complete with that status.
func checkRunDir(t *testing.T, dir string, status trainer.Status) {
	t.Helper()
	for _, f := range []string{trainer.ConfigFile, trainer.MetricsFile, trainer.EventsFile, trainer.ModelFile,
		trainer.CheckpointFile, trainer.SummaryFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if s, err := trainer.ReadSummary(dir); err != nil || s.Status != status {
		t.Errorf("summary.json: %+v, %v; want status %s", s, err, status)
	}
}

// q with a live run asks, then stops and saves it before the program ends.
func TestEndToEndQuitSaves(t *testing.T) {
	cfg := e2eConfig(t)
	tm, _ := startE2E(t, t.Context(), cfg)
	out := tm.Output()
	waitEpoch(t, out, 2)
	tm.Type("qy")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if fm.Interrupted() || fm.live != nil {
		t.Errorf("interrupted %v, live %v", fm.Interrupted(), fm.live)
	}
	runs, err := trainer.ListRuns(cfg.RunsDir)
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	checkRunDir(t, runs[0].Dir, trainer.StatusStopped)
}

// SIGINT or SIGTERM (the context ends): the run is interrupted, saves,
// and the program ends reporting the interrupt.
func TestEndToEndInterrupt(t *testing.T) {
	cfg := e2eConfig(t)
	ctx, cancel := context.WithCancel(t.Context())
	tm, _ := startE2E(t, ctx, cfg)
	waitEpoch(t, tm.Output(), 2)
	cancel()
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if !fm.Interrupted() {
		t.Error("not reported as interrupted")
	}
	runs, err := trainer.ListRuns(cfg.RunsDir)
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	checkRunDir(t, runs[0].Dir, trainer.StatusInterrupted)
}
