package lab

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/trainer"
)

// MaxTrials bounds a sweep.
const MaxTrials = 10000

// Outcome is what one invocation of a sweep did with a trial.
type Outcome string

// Outcomes, in the order a sweep's closing line counts them.
const (
	OutcomeNone        Outcome = ""
	OutcomeDoneBefore  Outcome = "done before"
	OutcomeResumed     Outcome = "resumed"
	OutcomeNew         Outcome = "new"
	OutcomeRerun       Outcome = "rerun"
	OutcomeElsewhere   Outcome = "running elsewhere"
	OutcomeFailed      Outcome = "failed"
	OutcomeInterrupted Outcome = "interrupted"
)

// Outcomes lists the outcomes in the order a sweep's closing line counts
// them.
var Outcomes = []Outcome{OutcomeDoneBefore, OutcomeResumed, OutcomeNew, OutcomeRerun, OutcomeElsewhere, OutcomeFailed, OutcomeInterrupted}

// A Trial is one planned run of a sweep.
type Trial struct {
	N      int // 1-based, in the plan's order
	Config trainer.Config
	Desc   string // the swept settings' values: "lr=0.001 dropout=0.2"
	Values []string

	Dir     string  // its run directory, once known
	Outcome Outcome // what this invocation did with it
}

// Head names a trial in progress lines: "trial 2/6 lr=0.01".
func (t *Trial) Head(total int) string {
	head := fmt.Sprintf("trial %d/%d", t.N, total)
	if t.Desc != "" {
		head += " " + t.Desc
	}
	return head
}

// GridPicks lists the trials as value indices per dimension, sizes[k]
// values in dimension k: the whole grid, the first dimension varying
// slowest; or, with trials below the grid's size, that many distinct
// combinations drawn with the seed.
func GridPicks(sizes []int, grid, trials int, seed uint64) [][]int {
	decode := func(i int) []int {
		p := make([]int, len(sizes))
		for k := len(sizes) - 1; k >= 0; k-- {
			p[k] = i % sizes[k]
			i /= sizes[k]
		}
		return p
	}
	var out [][]int
	if trials == 0 || trials >= grid {
		for i := range grid {
			out = append(out, decode(i))
		}
		return out
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed))
	seen := map[int]bool{}
	for len(out) < trials {
		i := rng.IntN(grid)
		if !seen[i] {
			seen[i] = true
			out = append(out, decode(i))
		}
	}
	return out
}

// DefaultSweepName is the data set and the names of the settings swept
// over more than one value: "iris-lr-dropout".
func DefaultSweepName(dataset string, swept []string) string {
	parts := append([]string{trainer.DatasetName(dataset)}, swept...)
	if len(parts) == 1 {
		parts = append(parts, "sweep")
	}
	return strings.Join(parts, "-")
}

// CheckSweepName says what is wrong with a sweep's name, as a FieldError
// of the field "name".
func CheckSweepName(name string) error {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || len(name) > 100 {
		return &trainer.FieldError{Field: "name", Value: fmt.Sprintf("%q", name),
			Problem: `want a name of up to 100 characters without / or \, not starting with a dot`}
	}
	return nil
}

// TrialName is a trial's run name: the sweep's name (less the data set,
// which the run directory's name has already) and the trial number.
func TrialName(sweep, dataset string, n int) string {
	s := strings.TrimPrefix(sweep, trainer.DatasetName(dataset)+"-")
	return fmt.Sprintf("%s-t%02d", s, n)
}

// NameTrials gives the trials the sweep's name and their run names, and
// describes each by the settings in which the plan's trials differ; it
// returns those differences.
func NameTrials(plan []*Trial, sweep string) []trainer.Difference {
	configs := make([]*trainer.Config, len(plan))
	for i, t := range plan {
		t.Config.Sweep = sweep
		t.Config.Name = TrialName(sweep, t.Config.Dataset, t.N)
		configs[i] = &t.Config
	}
	diffs := trainer.Differences(configs)
	for i, t := range plan {
		t.Desc = trainer.Describe(diffs, i)
		t.Values = nil
		for _, d := range diffs {
			t.Values = append(t.Values, d.Values[i])
		}
	}
	return diffs
}

// FindTrial picks the run of the sweep that already has a trial's
// settings: a finished one first, then one still running in another
// process, then the newest one that can be resumed; failed and damaged
// runs are not taken.
func FindTrial(existing []trainer.RunRecord, t *Trial) (trainer.RunRecord, bool) {
	rank := func(s trainer.Status) int {
		switch {
		case s.Finished():
			return 3
		case s == trainer.StatusRunning:
			return 2
		case s.Resumable():
			return 1
		}
		return 0
	}
	var best trainer.RunRecord
	found := false
	for _, r := range existing { // oldest first: a later one of the same rank wins
		if r.Config == nil || r.Config.Sweep != t.Config.Sweep || !trainer.SameSettings(r.Config, &t.Config) || rank(r.Status) == 0 {
			continue
		}
		if !found || rank(r.Status) >= rank(best.Status) {
			best, found = r, true
		}
	}
	return best, found
}

// TrialLock is the lock file of a sweep's trial in the runs directory:
// named by the sweep and a hash of the trial's settings (trial numbers
// change with the grid), hidden from run listings by its leading dot.
func TrialLock(runsDir, sweep string, c *trainer.Config) string {
	h := fnv.New64a()
	h.Write([]byte(trainer.SettingsKey(c)))
	return filepath.Join(runsDir, fmt.Sprintf(".sweep-%s-%016x.lock", sweep, h.Sum64()))
}

// SweepEventKind says what a SweepEvent reports.
type SweepEventKind int

// Sweep events, in the order a trial produces them.
const (
	TrialHeld         SweepEventKind = iota // another process holds the trial's lock: skipped (Holder)
	TrialDoneBefore                         // a finished run has its settings: skipped (Record)
	TrialElsewhere                          // a run of its settings is running in another process: skipped (Record)
	TrialResuming                           // an interrupted or stopped run goes on (Record)
	TrialCannotResume                       // that run cannot go on: started again (Record, Err)
	TrialStartFailed                        // the run did not start (Err)
	TrialTrain                              // an event of the trial's run, as a single run gives it (Train)
	TrialEnded                              // the run ended (Summary, Err; Status)
)

// A SweepEvent is what a sweep reports of its trials, in order; the
// events of a trial's run come as TrialTrain, the same as a single run's.
type SweepEvent struct {
	Kind   SweepEventKind
	Trial  *Trial
	Total  int
	Train  trainer.Event
	Record trainer.RunRecord
	Holder runlock.Holder
	// Status is how the trial ended (TrialEnded), or what a skipped one is.
	Status  trainer.Status
	Summary *trainer.Summary
	Err     error
	// Early: the run was interrupted before training began (TrialEnded).
	Early bool
	// Run is the trial's run (TrialTrain): a front end steers it (pause,
	// edit, stop) as it would a single run.
	Run *trainer.Run
}

// A Sweep runs a plan's trials one after another in RunsDir, each under
// its lock, skipping those done before or under way elsewhere and
// resuming those interrupted. With a Scope it runs only the scope's
// trials: the other processes sharing the sweep run the rest.
type Sweep struct {
	Name    string
	RunsDir string
	Plan    []*Trial
	Scope   Scope
	// Options, if set, gives the trainer options of the trial with that
	// 1-based number (tests).
	Options func(trial int) trainer.Options

	halt atomic.Bool
}

// Halt makes Run end once the trial under way has ended, starting no
// other: a front end stops the sweep by stopping that trial's run (it
// saves; the sweep goes on from it when run again) and halting.
func (s *Sweep) Halt() { s.halt.Store(true) }

// Run runs the trials until all are done or ctx ends, calling emit with
// every event; it returns an error only for what stops the whole sweep
// (the runs directory, a lock).
func (s *Sweep) Run(ctx context.Context, emit func(SweepEvent)) error {
	if err := os.MkdirAll(s.RunsDir, 0o755); err != nil {
		return &trainer.FieldError{Field: "runs", Value: s.RunsDir, Err: err}
	}
	if err := s.SavePlan(); err != nil {
		return err
	}
	for _, t := range s.Plan {
		if !s.Scope.Owns(t.N) {
			continue
		}
		if ctx.Err() != nil || s.halt.Load() {
			break
		}
		st, err := s.runLocked(ctx, t, emit)
		if err != nil {
			return err
		}
		if st == trainer.StatusInterrupted {
			break
		}
	}
	return nil
}

// Left counts the scope's trials not done: not reached, or interrupted.
func (s *Sweep) Left() int {
	n := 0
	for _, t := range s.Plan {
		if s.Scope.Owns(t.N) && (t.Outcome == OutcomeNone || t.Outcome == OutcomeInterrupted) {
			n++
		}
	}
	return n
}

// runLocked runs a trial under its lock. Another sweep of the same name
// may be at the trial: its lock says so, and the trial is skipped. Taken,
// the lock is held while the runs are read (the other sweep may have
// finished the trial meanwhile) and the trial runs.
func (s *Sweep) runLocked(ctx context.Context, t *Trial, emit func(SweepEvent)) (trainer.Status, error) {
	lock, err := runlock.Acquire(TrialLock(s.RunsDir, s.Name, &t.Config), runlock.Options{})
	var held *runlock.HeldError
	if errors.As(err, &held) {
		t.Outcome = OutcomeElsewhere
		emit(SweepEvent{Kind: TrialHeld, Trial: t, Total: len(s.Plan), Holder: held.Holder, Status: trainer.StatusRunning})
		return trainer.StatusRunning, nil
	}
	if err != nil {
		return "", err
	}
	defer lock.Release()
	lock.Keep(0)
	existing, err := trainer.ListRuns(s.RunsDir)
	if err != nil {
		return "", err
	}
	return s.runTrial(ctx, t, existing, emit), nil
}

// runTrial runs, resumes or skips one trial and returns the status it
// ended with.
func (s *Sweep) runTrial(ctx context.Context, t *Trial, existing []trainer.RunRecord, emit func(SweepEvent)) trainer.Status {
	ev := func(e SweepEvent) { e.Trial, e.Total = t, len(s.Plan); emit(e) }
	var opts []trainer.Options
	if s.Options != nil {
		opts = append(opts, s.Options(t.N))
	}
	var run *trainer.Run
	if r, ok := FindTrial(existing, t); ok {
		t.Dir = r.Dir
		switch {
		case r.Status.Finished():
			t.Outcome = OutcomeDoneBefore
			ev(SweepEvent{Kind: TrialDoneBefore, Record: r, Status: r.Status})
			return r.Status
		case r.Status == trainer.StatusRunning:
			t.Outcome = OutcomeElsewhere
			ev(SweepEvent{Kind: TrialElsewhere, Record: r, Status: r.Status})
			return r.Status
		}
		var err error
		if run, err = trainer.Resume(ctx, r.Dir, 0, opts...); err == nil {
			t.Outcome = OutcomeResumed
			ev(SweepEvent{Kind: TrialResuming, Record: r})
		} else {
			t.Outcome = OutcomeRerun
			ev(SweepEvent{Kind: TrialCannotResume, Record: r, Err: err})
		}
	}
	if run == nil {
		var err error
		if run, err = trainer.Start(ctx, t.Config, opts...); err != nil {
			t.Outcome = OutcomeFailed
			ev(SweepEvent{Kind: TrialStartFailed, Err: err, Status: trainer.StatusFailed})
			return trainer.StatusFailed
		}
		if t.Outcome == OutcomeNone {
			t.Outcome = OutcomeNew
		}
	}
	for e := range run.Events() {
		if e.Kind == trainer.Started {
			t.Dir = e.Info.Dir
		}
		ev(SweepEvent{Kind: TrialTrain, Train: e, Run: run})
	}
	return s.ended(ctx, t, run, ev)
}

// ended waits for a trial's run and reports how it ended.
func (s *Sweep) ended(ctx context.Context, t *Trial, run *trainer.Run, ev func(SweepEvent)) trainer.Status {
	sum, err := run.Wait()
	e := SweepEvent{Kind: TrialEnded, Summary: sum, Err: err}
	switch {
	case err != nil && ctx.Err() != nil: // interrupted before training began
		t.Outcome, e.Status, e.Early = OutcomeInterrupted, trainer.StatusInterrupted, true
	case err != nil:
		t.Outcome, e.Status = OutcomeFailed, trainer.StatusFailed
	default:
		e.Status = sum.Status
		if sum.Status == trainer.StatusInterrupted {
			t.Outcome = OutcomeInterrupted
		}
	}
	ev(e)
	return e.Status
}

// BoardEntry is one line of a sweep's leaderboard, read from the trial's
// summary.json.
type BoardEntry struct {
	Rank            int            `json:"rank"`
	Trial           int            `json:"trial"`
	Run             string         `json:"run"`
	Status          trainer.Status `json:"status"`
	Host            string         `json:"host,omitempty"` // where it (last) trained
	Settings        map[string]any `json:"settings"`       // the swept settings' values, typed, named as in config.json
	BestValAccuracy *float64       `json:"best_val_accuracy"`
	BestValEpoch    int            `json:"best_val_epoch,omitempty"`
	BestValLoss     *float64       `json:"best_val_loss,omitempty"` // breaks ties of best_val_accuracy
	TestAccuracy    *float64       `json:"test_accuracy"`
	TestLoss        *float64       `json:"test_loss"`
	Epochs          int            `json:"epochs"`
	TrainSeconds    float64        `json:"train_seconds"`
	// Values are the swept settings' values as text, in the order of the
	// plan's differences.
	Values []string `json:"-"`
	sum    *trainer.Summary
}

// Leaderboard reads the trials that have a run from disk, best validation
// accuracy first, then the lower validation loss; unknown values last.
// diffs are the plan's differences (NameTrials).
func Leaderboard(plan []*Trial, diffs []trainer.Difference) []BoardEntry {
	board := []BoardEntry{}
	for i, t := range plan {
		if t.Dir == "" {
			continue
		}
		b := BoardEntry{Trial: t.N, Run: t.Dir, Settings: map[string]any{}}
		typed := trainer.Settings(&t.Config)
		for _, d := range diffs {
			b.Settings[trainer.JSONName(d.Field)] = typed[trainer.JSONName(d.Field)]
			b.Values = append(b.Values, d.Values[i])
		}
		rec := trainer.ReadRun(t.Dir)
		b.Status = rec.Status
		b.sum = rec.Summary
		if s := rec.Summary; s != nil {
			b.Host = s.Host
			b.BestValAccuracy, b.BestValEpoch, b.BestValLoss = s.BestValAccuracy, s.BestValEpoch, s.BestValLoss
			b.TestAccuracy, b.TestLoss = s.TestAccuracy, s.TestLoss
			b.Epochs, b.TrainSeconds = s.Epochs, s.TrainSeconds
		}
		board = append(board, b)
	}
	sort.SliceStable(board, func(i, j int) bool { return trainer.BestFirst(board[i].sum, board[j].sum) < 0 })
	for i := range board {
		board[i].Rank = i + 1
	}
	return board
}

// A Column is a column of a table of runs as people read it: its header,
// what stays on a narrow terminal (the lowest Prio goes first) and
// whether it holds numbers, right-aligned.
type Column struct {
	Head  string
	Prio  int
	Right bool
}

// BoardColumns are the leaderboard's columns, one per swept setting
// among them, and BoardRow a line of it.
func BoardColumns(diffs []trainer.Difference) []Column {
	cols := []Column{{"RANK", 10, true}, {"TRIAL", 2, true}}
	for _, d := range diffs {
		cols = append(cols, Column{strings.ToUpper(d.Field), 9, false})
	}
	return append(cols, Column{"BEST VAL ACC", 9, true}, Column{"TEST ACC", 8, true}, Column{"EPOCHS", 3, true},
		Column{"TRAIN TIME", 1, true}, Column{"STATUS", 7, false}, Column{"HOST", 1, false}, Column{"RUN", 4, false})
}

// BoardRow is the cells of an entry, in BoardColumns' order.
func BoardRow(b BoardEntry) []string {
	row := []string{fmt.Sprint(b.Rank), fmt.Sprint(b.Trial)}
	row = append(row, b.Values...)
	return append(row, PercentOf(b.BestValAccuracy), PercentOf(b.TestAccuracy), fmt.Sprint(b.Epochs),
		Seconds(b.TrainSeconds), string(b.Status), hostCell(b.Host), filepath.Base(b.Run))
}

// hostCell is a host in a table: "-" where the summary names none (an
// older mlptui wrote it).
func hostCell(h string) string {
	if h == "" {
		return "-"
	}
	return h
}
