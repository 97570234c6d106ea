package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// sweepArgs is a sweep of 6 quick Iris trials.
func sweepArgs(runs string) []string {
	return []string{"sweep", "--runs", runs, "--hidden", "16", "--batch", "16", "--epochs", "10", "--val-split", "0.1",
		"--lr", "1e-3,1e-2,3e-2", "--dropout", "0,0.2", "--json"}
}

// TestSweepSeesOtherSweeps: a trial that another sweep of the same name
// finished while this one ran is skipped, not trained twice. Here the other
// sweep runs (to its end) as this one starts its first trial.
func TestSweepSeesOtherSweeps(t *testing.T) {
	runs := t.TempDir()
	args := func(lrs string) []string {
		return []string{"sweep", "--runs", runs, "--name", "two", "--hidden", "8", "--epochs", "3", "--lr", lrs}
	}
	var nested atomic.Bool
	sweepOptions = func(trial int) trainer.Options {
		if trial == 1 && nested.CompareAndSwap(false, true) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), &env{stdout: &out, stderr: &errb}, args("1e-2")); code != 0 {
				t.Errorf("the other sweep: exit %d\n%s", code, errb.String())
			}
		}
		return trainer.Options{}
	}
	defer func() { sweepOptions = nil }()
	code, _, errs := call(t, args("1e-3,1e-2")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "trial 2/2 lr=0.01: finished before") || !strings.Contains(errs, "2 trials: 1 done before, 1 new") {
		t.Errorf("trial 2 was not skipped:\n%s", errs)
	}
	if recs, _ := trainer.ListRuns(runs); len(recs) != 2 {
		t.Errorf("%d runs, want 2", len(recs))
	}
}

// TestSweepTrialLock: a trial whose lock a live process holds is skipped
// as running elsewhere; a stale lock (its process gone) is taken over.
func TestSweepTrialLock(t *testing.T) {
	args := func(runs string) []string {
		return []string{"sweep", "--runs", runs, "--name", "two", "--hidden", "8", "--epochs", "3", "--lr", "1e-3,1e-2"}
	}
	// The settings of trial 2, from a sweep elsewhere.
	other := t.TempDir()
	if code, _, errs := call(t, args(other)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	recs, _ := trainer.ListRuns(other)
	var trial2 *trainer.Config
	for _, r := range recs {
		if r.Config != nil && r.Config.LR == 1e-2 {
			trial2 = r.Config
		}
	}
	if trial2 == nil {
		t.Fatal("no lr=0.01 trial")
	}
	runs := t.TempDir()
	lock := lab.TrialLock(runs, "two", trial2)
	held, err := runlock.Acquire(lock, runlock.Options{}) // held by this (live) process
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := call(t, args(runs)...)
	held.Release()
	if code != 0 || !strings.Contains(errs, "trial 2/2 lr=0.01: running in another process; skipped") ||
		!strings.Contains(errs, "1 new, 1 running elsewhere") ||
		!strings.Contains(errs, "skipped (process "+strconv.Itoa(os.Getpid())+" on ") {
		t.Errorf("with trial 2 locked: exit %d\n%s", code, errs)
	}
	if err := os.WriteFile(lock, []byte("0\n"), 0o644); err != nil { // no such process
		t.Fatal(err)
	}
	code, _, errs = call(t, args(runs)...)
	if code != 0 || !strings.Contains(errs, "1 done before, 1 new") {
		t.Errorf("with a stale lock: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock is left behind: %v", err)
	}
	if recs, _ := trainer.ListRuns(runs); len(recs) != 2 {
		t.Errorf("%d runs, want 2 (locks are not listed)", len(recs))
	}
}

// TestSweepInterruptedAndRestarted is the acceptance test: a sweep of 6
// Iris trials interrupted during the 4th (after 3 finished) and run again
// runs the other 3 only, resuming the interrupted one, and its leaderboard
// matches the runs' summary.json files.
func TestSweepInterruptedAndRestarted(t *testing.T) {
	runs := t.TempDir()
	before, interrupted := sweepInterruptedInTrial4(t, runs)

	// The same command again.
	code, stdout, second := call(t, sweepArgs(runs)...)
	if code != 0 {
		t.Fatalf("second sweep: exit %d\n%s", code, second)
	}
	if n := strings.Count(second, "finished before"); n != 3 {
		t.Errorf("second sweep skipped %d trials, want 3:\n%s", n, second)
	}
	if n := strings.Count(second, ": new run "); n != 2 {
		t.Errorf("second sweep started %d new trials, want 2:\n%s", n, second)
	}
	if !strings.Contains(second, "trial 4/6 dropout=0.2 lr=0.01: resuming "+interrupted+" (interrupted after epoch") {
		t.Errorf("second sweep does not resume trial 4 in %s:\n%s", interrupted, second)
	}
	if !strings.Contains(second, "6 trials: 3 done before, 1 resumed, 2 new") {
		t.Errorf("no tally:\n%s", second)
	}
	recs, _ := trainer.ListRuns(runs)
	if len(recs) != 6 {
		t.Fatalf("%d runs, want 6", len(recs))
	}
	for _, r := range recs {
		if r.Status != trainer.StatusDone || r.Summary.Epochs != 10 {
			t.Errorf("%s: %s after %d epochs", r.Dir, r.Status, r.Summary.Epochs)
		}
		if b, ok := before[r.Dir]; ok {
			if now, _ := os.ReadFile(filepath.Join(r.Dir, trainer.SummaryFile)); !bytes.Equal(now, b) {
				t.Errorf("%s was touched again", r.Dir)
			}
		}
	}
	log, _ := trainer.ReadEvents(interrupted)
	var names []string
	for _, e := range log {
		names = append(names, e.Event)
	}
	if got := strings.Join(names, ","); got != "start,interrupt,resume,finish" {
		t.Errorf("trial 4's events: %s", got)
	}

	checkBoardMatchesSummaries(t, stdout)

	// The table form, and a third run that has nothing left to do.
	args := sweepArgs(runs)
	code, stdout, third := call(t, args[:len(args)-1]...)
	if code != 0 || strings.Count(third, "finished before") != 6 || !strings.HasPrefix(stdout, "RANK  TRIAL  DROPOUT  LR") {
		t.Errorf("third sweep: exit %d\n%s\n%s", code, stdout, third)
	}
}

// sweepInterruptedInTrial4 runs the sweep of sweepArgs in runs, interrupted
// in the middle of trial 4, and checks what it did; it returns the summary
// files of the 3 trials finished, by run directory, and trial 4's run.
func sweepInterruptedInTrial4(t *testing.T, runs string) (before map[string][]byte, interrupted string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The interrupt arrives in the middle of trial 4: at its 30th reading of
	// the clock, some 25 steps into its 70.
	var calls atomic.Int64
	sweepOptions = func(trial int) trainer.Options {
		if trial != 4 {
			return trainer.Options{}
		}
		return trainer.Options{Now: func() time.Time {
			if calls.Add(1) == 30 {
				cancel()
			}
			return time.Now()
		}}
	}
	defer func() { sweepOptions = nil }()
	var out, errb bytes.Buffer
	code := run(ctx, &env{stdout: &out, stderr: &errb}, sweepArgs(runs))
	if code != exitInterrupted {
		t.Fatalf("first sweep: exit %d, want 130\n%s", code, errb.String())
	}
	first := errb.String()
	if n := strings.Count(first, ": new run "); n != 4 {
		t.Errorf("first sweep started %d trials, want 4:\n%s", n, first)
	}
	if !strings.Contains(first, "trial 4/6 dropout=0.2 lr=0.01: interrupted after epoch") ||
		!strings.Contains(first, "interrupted: 3 new, 1 interrupted; 3 trials to go: run the same command again") {
		t.Errorf("first sweep does not say it was interrupted in trial 4:\n%s", first)
	}
	recs, _ := trainer.ListRuns(runs)
	if len(recs) != 4 {
		t.Fatalf("%d runs after the interrupt, want 4", len(recs))
	}
	before = map[string][]byte{}
	for _, r := range recs {
		switch r.Status {
		case trainer.StatusDone:
			before[r.Dir], _ = os.ReadFile(filepath.Join(r.Dir, trainer.SummaryFile))
		case trainer.StatusInterrupted:
			interrupted = r.Dir
		default:
			t.Errorf("%s: status %s", r.Dir, r.Status)
		}
		if r.Config.Sweep != "iris-lr-dropout" {
			t.Errorf("%s: sweep %q", r.Dir, r.Config.Sweep)
		}
	}
	if len(before) != 3 || interrupted == "" {
		t.Fatalf("%d finished and interrupted %q", len(before), interrupted)
	}

	return before, interrupted
}

// checkBoardMatchesSummaries: the --json leaderboard holds every trial,
// in order, with its summary.json's figures and its settings as numbers.
func checkBoardMatchesSummaries(t *testing.T, stdout string) {
	t.Helper()
	var board []lab.BoardEntry
	if err := json.Unmarshal([]byte(stdout), &board); err != nil || len(board) != 6 {
		t.Fatalf("leaderboard %v (%v):\n%s", board, err, stdout)
	}
	trials := map[int]bool{}
	for i, b := range board {
		s, err := trainer.ReadSummary(b.Run)
		if err != nil {
			t.Fatal(err)
		}
		if b.Rank != i+1 || b.Status != s.Status || *b.BestValAccuracy != *s.BestValAccuracy || *b.TestAccuracy != *s.TestAccuracy ||
			*b.TestLoss != *s.TestLoss || b.BestValEpoch != s.BestValEpoch || b.Epochs != s.Epochs || b.TrainSeconds != s.TrainSeconds {
			t.Errorf("leaderboard line %+v does not match %s", b, filepath.Join(b.Run, trainer.SummaryFile))
		}
		c, _ := trainer.ReadConfig(b.Run)
		if b.Settings["lr"] != c.LR || b.Settings["dropout"] != c.Dropout || len(b.Settings) != 2 { // numbers, not strings
			t.Errorf("leaderboard settings %v, config lr %v dropout %v", b.Settings, c.LR, c.Dropout)
		}
		if i > 0 {
			p := board[i-1]
			// Ties go to the lower validation loss; never to a test figure.
			if *p.BestValAccuracy < *b.BestValAccuracy || *p.BestValAccuracy == *b.BestValAccuracy && *p.BestValLoss > *b.BestValLoss {
				t.Errorf("leaderboard out of order at rank %d", b.Rank)
			}
		}
		trials[b.Trial] = true
	}
	if len(trials) != 6 {
		t.Errorf("leaderboard trials %v", trials)
	}

}

func TestSweepGridAndRandom(t *testing.T) {
	runs := t.TempDir()
	// Layer sizes by "/" and by repeating the flag; duplicates once.
	code, out, errs := call(t, "sweep", "--runs", runs, "--epochs", "2", "--batch", "32", "--hidden", "8/4,4", "--hidden", "8",
		"--seed", "1,2", "--trials", "3", "--search-seed", "5", "--name", "arch", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "sweep arch: 3 trials drawn at random (seed 5) from a grid of 4, runs in ") {
		t.Errorf("no plan line:\n%s", errs)
	}
	var board []lab.BoardEntry
	json.Unmarshal([]byte(out), &board)
	if len(board) != 3 {
		t.Fatalf("%d trials", len(board))
	}
	seen := map[string]bool{}
	for _, b := range board {
		k := fmt.Sprint(b.Settings["hidden"], " ", b.Settings["seed"])
		if _, isList := b.Settings["hidden"].([]any); seen[k] || !isList || len(b.Settings) < 2 {
			t.Errorf("trial %+v repeated or unnamed", b.Settings)
		}
		seen[k] = true
		if !strings.Contains(filepath.Base(b.Run), "-iris-arch-t0") {
			t.Errorf("run name %s", b.Run)
		}
	}
	// The same seed draws the same trials: nothing new to run.
	code, _, errs = call(t, "sweep", "--runs", runs, "--epochs", "2", "--batch", "32", "--hidden", "8/4,4", "--hidden", "8",
		"--seed", "1,2", "--trials", "3", "--search-seed", "5", "--name", "arch")
	if code != 0 || strings.Count(errs, "finished before") != 3 {
		t.Errorf("same draw again: exit %d\n%s", code, errs)
	}
	// The grid, first flag slowest: trials of the random search are reused.
	code, _, errs = call(t, "sweep", "--runs", runs, "--epochs", "2", "--batch", "32", "--hidden", "8/4,4", "--hidden", "8",
		"--seed", "1,2", "--name", "arch")
	if code != 0 || strings.Count(errs, "finished before") != 3 || strings.Count(errs, "new run") != 1 {
		t.Errorf("grid after the draw: exit %d\n%s", code, errs)
	}
	for i, want := range []string{"trial 1/4 hidden=8 seed=1", "trial 2/4 hidden=8 seed=2", "trial 3/4 hidden=4,4 seed=1", "trial 4/4 hidden=4,4 seed=2"} {
		if !strings.Contains(errs, want) {
			t.Errorf("trial %d: no %q in\n%s", i+1, want, errs)
		}
	}
}

// TestSweepSIGINT interrupts a real sweep process: exit 130 with the
// trial saved as interrupted; the same command resumes it.
func TestSweepSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	runs := t.TempDir()
	var dir string
	for round, want := range []string{": new run ", ": resuming "} {
		started := func(line string) bool {
			if !strings.Contains(line, want) {
				return false
			}
			time.Sleep(100 * time.Millisecond) // into the training
			return true
		}
		code, _, lines := interruptAt(t, os.Interrupt, started, "sweep", "--runs", runs, "--epochs", "100000", "--hidden", "16", "--batch", "8", "--lr", "1e-3,1e-2")
		if code != 130 {
			t.Fatalf("round %d: exit %d, want 130\n%s", round+1, code, strings.Join(lines, "\n"))
		}
		recs, _ := trainer.ListRuns(runs)
		if len(recs) != 1 || recs[0].Status != trainer.StatusInterrupted {
			t.Fatalf("round %d: runs %+v", round+1, recs)
		}
		if dir != "" && recs[0].Dir != dir {
			t.Errorf("round 2 trained %s, not the interrupted %s", recs[0].Dir, dir)
		}
		dir = recs[0].Dir
	}
}

// The sweep's leaderboard fits a narrow terminal too: the rank, the swept
// settings and the accuracies stay.
func TestLeaderboardFitsTheTerminal(t *testing.T) {
	acc := func(v float64) *float64 { return &v }
	board := []lab.BoardEntry{
		{Rank: 1, Trial: 3, Run: "runs/20261129-092718-iris-lr-drop-t03", Status: "done", BestValAccuracy: acc(1), TestAccuracy: acc(0.9667),
			Epochs: 20, TrainSeconds: 0.4, Values: []string{"0.01", "0.2"}},
		{Rank: 2, Trial: 1, Run: "runs/20261129-092717-iris-lr-drop-t01", Status: "interrupted", BestValAccuracy: acc(0.9167),
			Epochs: 7, TrainSeconds: 0.1, Values: []string{"0.001", "0"}},
	}
	diffs := []trainer.Difference{{Field: "lr"}, {Field: "dropout"}}
	var out, errb bytes.Buffer
	printLeaderboard(&env{stdout: &out, stderr: &errb, stdoutWidth: 60}, board, diffs)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want a header and 2:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 60 {
			t.Errorf("line %d wide: %q", n, l)
		}
	}
	for _, col := range []string{"RANK", "LR", "DROPOUT", "BEST VAL ACC", "TEST ACC", "STATUS"} {
		if !strings.Contains(lines[0], col) {
			t.Errorf("header %q lacks %s", lines[0], col)
		}
	}
	if f := strings.Fields(lines[1]); f[0] != "1" || f[1] != "0.01" || f[2] != "0.2" {
		t.Errorf("first row %q, want rank 1 with lr 0.01 and dropout 0.2", lines[1])
	}
	if !strings.Contains(errb.String(), "left out to fit: trial") || !strings.Contains(errb.String(), "--json has all") {
		t.Errorf("stderr %q does not say what was left out", errb.String())
	}
}
