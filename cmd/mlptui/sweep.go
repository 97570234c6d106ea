package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/mlptui/mlptui/lab"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// splitValues splits a sweep flag's value into its alternatives: layer
// sizes are separated by "/" (their own list uses commas), all else by
// commas.
func splitValues(flagName, v string) []string {
	sep := ","
	if flagName == "hidden" {
		sep = "/"
	}
	parts := strings.Split(v, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// sweepFlags collects the hyperparameter flags of a sweep in command-line
// order; a flag a sweep may vary (hyperFlag.sweep) may hold several values.
type sweepFlags struct {
	sets []setting // values of the flags a sweep varies are the raw lists
}

// sweepDim is one swept setting and its values, canonical and distinct.
type sweepDim struct {
	flag   *hyperFlag
	values []string
	last   int // index in sets of the flag's last occurrence: where it applies
}

func (sf *sweepFlags) register(fs *flag.FlagSet) {
	for i := range hyperFlags {
		h := &hyperFlags[i]
		if h.name == "name" {
			continue // a sweep's --name names the sweep
		}
		fn := func(v string) error {
			vals := []string{v}
			if h.sweep {
				vals = splitValues(h.name, v)
			}
			for _, x := range vals {
				scratch := trainer.Defaults()
				if err := h.apply(&scratch, x); err != nil {
					if !h.sweep && strings.Contains(v, ",") && h.name != "dataset" {
						return fmt.Errorf("%v (--%s is one value for all trials: it cannot be swept)", err, h.name)
					}
					return err
				}
			}
			sf.sets = append(sf.sets, setting{h, v})
			return nil
		}
		usage := h.usage
		if h.sweep {
			if h.name == "hidden" {
				usage += "; several networks separated by / (64,32/128) or by repeating the flag"
			} else {
				usage += "; a comma list to sweep"
			}
		}
		defineFlag(fs, h, usage, fn)
	}
}

// dims returns the swept settings in the order their flags first appear,
// each with its distinct values (as config.json writes them) in the order
// given.
func (sf *sweepFlags) dims() []*sweepDim {
	var dims []*sweepDim
	byName := map[string]*sweepDim{}
	for i, s := range sf.sets {
		if !s.flag.sweep {
			continue
		}
		d := byName[s.flag.name]
		if d == nil {
			d = &sweepDim{flag: s.flag}
			byName[s.flag.name] = d
			dims = append(dims, d)
		}
		d.last = i
		f := trainer.FieldByName(s.flag.name)
		for _, v := range splitValues(s.flag.name, s.value) {
			var c trainer.Config
			s.flag.apply(&c, v) // checked when the flag was parsed
			if canon := f.Get(&c); !slices.Contains(d.values, canon) {
				d.values = append(d.values, canon)
			}
		}
	}
	return dims
}

// config builds one trial's settings: the flags replayed in order as
// train would, each swept setting taking value pick[i] of dims[i] where
// its flag last appears.
func (sf *sweepFlags) config(dims []*sweepDim, pick []int) (trainer.Config, error) {
	var cf configFlags
	for i, s := range sf.sets {
		if !s.flag.sweep {
			cf.sets = append(cf.sets, s)
			continue
		}
		for k, d := range dims {
			if d.flag == s.flag && d.last == i {
				cf.sets = append(cf.sets, setting{s.flag, d.values[pick[k]]})
			}
		}
	}
	return cf.config()
}

// A sweepTrial is one planned run of a sweep.
type sweepTrial struct {
	n    int // 1-based, in the plan's order
	cfg  trainer.Config
	desc string // the swept settings' values: "lr=0.001 dropout=0.2"

	dir     string // its run directory, once known
	outcome string // what this invocation did: "done before", "resumed", "new", ...
}

// maxTrials bounds a sweep.
const maxTrials = 10000

// sweepOptions, when set (by tests), gives the trainer options of the
// trial with that 1-based number.
var sweepOptions func(trial int) trainer.Options

func runSweep(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sweep", "mlptui sweep [--name NAME] [--trials N] [--json] [hyperparameter flags]\n\n"+
		"Trains one run per combination of the values given (a grid), or --trials N combinations\n"+
		"drawn at random from that grid, and prints a leaderboard: best validation accuracy first,\n"+
		"then the lower validation loss. Hyperparameter flags take comma lists (--lr 1e-4,3e-4,1e-3); layer\n"+
		"sizes are separated by / (--hidden 64,32/128) or given by repeating --hidden. Each trial is\n"+
		"a normal run under --runs, marked with the sweep's name. Ctrl-C saves the trial under way;\n"+
		"the same command again skips the finished trials (found by their settings) and resumes the\n"+
		"interrupted one.")
	var sf sweepFlags
	sf.register(fs)
	name := fs.String("name", "", "the sweep's `name` (default: the data set and the swept settings, like iris-lr-dropout)")
	trials := fs.Int("trials", 0, "random search: run this many combinations drawn from the grid (0: the whole grid)")
	searchSeed := fs.Uint64("search-seed", 1, "seed of the random search's draw (the same seed draws the same trials)")
	jsonOut := fs.Bool("json", false, "print the leaderboard as a JSON array")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *trials < 0 || *trials > maxTrials {
		return usagef("--trials %d: want 1 to %d, or 0 for the whole grid", *trials, maxTrials)
	}
	dims := sf.dims()
	grid := 1
	for _, d := range dims {
		grid *= len(d.values)
		if grid > 1<<40 {
			break
		}
	}
	if *trials == 0 && grid > maxTrials {
		return usagef("a grid of %d trials is too many; give --trials N for a random search of N", grid)
	}
	picks := gridPicks(dims, grid, *trials, *searchSeed)

	// Every value of every swept setting must be allowed, also those a
	// random draw leaves out.
	for k, d := range dims {
		for v := range d.values {
			pick := make([]int, len(dims))
			pick[k] = v
			if _, err := sf.config(dims, pick); err != nil {
				return err
			}
		}
	}
	var plan []*sweepTrial
	for i, p := range picks {
		cfg, err := sf.config(dims, p)
		if err != nil {
			return err
		}
		plan = append(plan, &sweepTrial{n: i + 1, cfg: cfg})
	}
	base := plan[0].cfg
	sweepName := *name
	if sweepName == "" {
		sweepName = defaultSweepName(base, dims)
	}
	if err := checkSweepName(sweepName); err != nil {
		return err
	}
	configs := make([]*trainer.Config, len(plan))
	for i, t := range plan {
		t.cfg.Sweep = sweepName
		t.cfg.Name = trialName(sweepName, t.cfg.Dataset, t.n)
		configs[i] = &t.cfg
	}
	diffs := trainer.Differences(configs)
	for i, t := range plan {
		t.desc = trainer.Describe(diffs, i)
	}

	var how string
	switch {
	case len(plan) < grid:
		how = fmt.Sprintf("%d trials drawn at random (seed %d) from a grid of %d", len(plan), *searchSeed, grid)
	case len(plan) == 1:
		how = "1 trial"
	default:
		how = fmt.Sprintf("a grid of %d trials", len(plan))
	}
	if *trials > grid {
		how += fmt.Sprintf(" (the whole grid: --trials %d is more)", *trials)
	}
	termsafe.Fprintf(e.stderr, "sweep %s: %s, runs in %s\n", sweepName, how, base.RunsDir)

	if err := os.MkdirAll(base.RunsDir, 0o755); err != nil {
		return fmt.Errorf("--runs %s: %w", base.RunsDir, err)
	}
	counts := map[string]int{}
	for _, t := range plan {
		if err := ctx.Err(); err != nil {
			break
		}
		st, err := runLockedTrial(ctx, e, t, len(plan), base.RunsDir, sweepName)
		if err != nil {
			return err
		}
		counts[t.outcome]++
		if st == trainer.StatusInterrupted {
			break
		}
	}
	var parts []string
	for _, k := range []string{"done before", "resumed", "new", "rerun", "running elsewhere", "failed", "interrupted"} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	board := leaderboard(plan, diffs)
	interrupted := ctx.Err() != nil
	if interrupted {
		left := 0
		for _, t := range plan {
			if t.outcome == "" || t.outcome == "interrupted" {
				left++
			}
		}
		termsafe.Fprintf(e.stderr, "sweep %s interrupted: %s; %d trials to go: run the same command again to go on\n",
			sweepName, strings.Join(parts, ", "), left)
	} else {
		termsafe.Fprintf(e.stderr, "sweep %s: %d trials: %s\n", sweepName, len(plan), strings.Join(parts, ", "))
	}
	if *jsonOut {
		if err := json.NewEncoder(e.stdout).Encode(board); err != nil {
			return err
		}
	} else {
		printLeaderboard(e, board, diffs)
	}
	if interrupted {
		return errInterrupted
	}
	return nil
}

// gridPicks lists the trials as value indices per dimension: the whole
// grid, the first dimension varying slowest; or, with trials below the
// grid's size, that many distinct combinations drawn with the seed.
func gridPicks(dims []*sweepDim, grid, trials int, seed uint64) [][]int {
	decode := func(i int) []int {
		p := make([]int, len(dims))
		for k := len(dims) - 1; k >= 0; k-- {
			n := len(dims[k].values)
			p[k] = i % n
			i /= n
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

// defaultSweepName is the data set and the swept settings' names:
// "iris-lr-dropout".
func defaultSweepName(c trainer.Config, dims []*sweepDim) string {
	parts := []string{trainer.DatasetName(c.Dataset)}
	for _, d := range dims {
		if len(d.values) > 1 {
			parts = append(parts, d.flag.name)
		}
	}
	if len(parts) == 1 {
		parts = append(parts, "sweep")
	}
	return strings.Join(parts, "-")
}

func checkSweepName(name string) error {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || len(name) > 100 {
		return usagef("--name %q: want a name of up to 100 characters without / or \\, not starting with a dot", name)
	}
	return nil
}

// trialName is a trial's run name: the sweep's name (less the data set,
// which the run directory's name has already) and the trial number.
func trialName(sweep, dataset string, n int) string {
	s := strings.TrimPrefix(sweep, trainer.DatasetName(dataset)+"-")
	return fmt.Sprintf("%s-t%02d", s, n)
}

// findTrial picks the run of the sweep that already has a trial's
// settings: a finished one first, then one still running in another
// process, then the newest one that can be resumed; failed and damaged
// runs are not taken.
func findTrial(existing []trainer.RunRecord, t *sweepTrial) (trainer.RunRecord, bool) {
	rank := func(status trainer.Status) int {
		switch status {
		case trainer.StatusDone, trainer.StatusDiverged:
			return 3
		case trainer.StatusRunning:
			return 2
		case trainer.StatusInterrupted, trainer.StatusStopped, trainer.StatusCrashed:
			return 1
		}
		return 0
	}
	var best trainer.RunRecord
	found := false
	for _, r := range existing { // oldest first: a later one of the same rank wins
		if r.Config == nil || r.Config.Sweep != t.cfg.Sweep || !trainer.SameSettings(r.Config, &t.cfg) || rank(r.Status) == 0 {
			continue
		}
		if !found || rank(r.Status) >= rank(best.Status) {
			best, found = r, true
		}
	}
	return best, found
}

// runLockedTrial runs a trial under its lock. Another sweep of the same
// name may be at the trial: its lock says so, and the trial is skipped.
// Taken, the lock is held while the runs are read (the other sweep may
// have finished the trial meanwhile) and the trial runs.
func runLockedTrial(ctx context.Context, e *env, t *sweepTrial, total int, runsDir, sweep string) (trainer.Status, error) {
	lock, err := runlock.Acquire(trialLock(runsDir, sweep, &t.cfg), runlock.Options{})
	var held *runlock.HeldError
	if errors.As(err, &held) {
		t.outcome = "running elsewhere"
		who := ""
		if h := held.Holder; h.PID != 0 {
			who = fmt.Sprintf(" (process %d on %s since %s)", h.PID, h.Host, h.Started.Local().Format("15:04:05"))
		}
		termsafe.Fprintf(e.stderr, "%s: running in another process; skipped%s\n", trialHead(t, total), who)
		return trainer.StatusRunning, nil
	}
	if err != nil {
		return "", err
	}
	defer lock.Release()
	lock.Keep(0)
	existing, err := trainer.ListRuns(runsDir)
	if err != nil {
		return "", err
	}
	return runTrial(ctx, e, t, total, existing), nil
}

// trialLock is the lock file of a sweep's trial in the runs directory:
// named by the sweep and a hash of the trial's settings (trial numbers
// change with the grid), hidden from run listings by its leading dot.
func trialLock(runsDir, sweep string, c *trainer.Config) string {
	h := fnv.New64a()
	h.Write([]byte(trainer.SettingsKey(c)))
	return filepath.Join(runsDir, fmt.Sprintf(".sweep-%s-%016x.lock", sweep, h.Sum64()))
}

// trialHead names a trial in sweep's progress lines: "trial 2/6 lr=0.01".
func trialHead(t *sweepTrial, total int) string {
	head := fmt.Sprintf("trial %d/%d", t.n, total)
	if t.desc != "" {
		head += " " + t.desc
	}
	return head
}

// runTrial runs, resumes or skips one trial and returns the status it
// ended with.
func runTrial(ctx context.Context, e *env, t *sweepTrial, total int, existing []trainer.RunRecord) trainer.Status {
	head := trialHead(t, total)
	var opts []trainer.Options
	if sweepOptions != nil {
		opts = append(opts, sweepOptions(t.n))
	}
	var run *trainer.Run
	var err error
	if r, ok := findTrial(existing, t); ok {
		t.dir = r.Dir
		switch r.Status {
		case trainer.StatusDone, trainer.StatusDiverged:
			t.outcome = "done before"
			termsafe.Fprintf(e.stderr, "%s: finished before (%s, %s); skipped\n", head, r.Status, r.Dir)
			return r.Status
		case trainer.StatusRunning:
			t.outcome = "running elsewhere"
			termsafe.Fprintf(e.stderr, "%s: running in another process (%s); skipped\n", head, r.Dir)
			return r.Status
		}
		epochs := 0
		if r.Summary != nil {
			epochs = r.Summary.Epochs
		}
		run, err = trainer.Resume(ctx, r.Dir, 0, opts...)
		if err == nil {
			t.outcome = "resumed"
			termsafe.Fprintf(e.stderr, "%s: resuming %s (%s after epoch %d)\n", head, r.Dir, r.Status, epochs)
		} else {
			termsafe.Fprintf(e.stderr, "%s: cannot resume %s (%s); starting it again\n", head, r.Dir, errText(err))
			t.outcome = "rerun"
		}
	}
	if run == nil {
		run, err = trainer.Start(ctx, t.cfg, opts...)
		if err != nil {
			t.outcome = "failed"
			termsafe.Fprintf(e.stderr, "%s: %s\n", head, errText(err))
			return trainer.StatusFailed
		}
		if t.outcome == "" {
			t.outcome = "new"
		}
	}
	p := newProgress(e)
	for ev := range run.Events() {
		switch ev.Kind {
		case trainer.Started:
			t.dir = ev.Info.Dir
			if t.outcome != "resumed" {
				termsafe.Fprintf(e.stderr, "%s: new run %s\n", head, ev.Info.Dir)
			}
		case trainer.EpochEnd:
			m := ev.Metrics
			p.status("  epoch %d/%d  loss %s  val_acc %.4f", m.Epoch, t.cfg.Epochs, lab.Loss(m.TrainLoss), m.ValAcc)
		}
	}
	p.clearLive()
	sum, err := run.Wait()
	if err != nil && ctx.Err() != nil { // interrupted before training began
		t.outcome = "interrupted"
		termsafe.Fprintf(e.stderr, "%s: interrupted before training began\n", head)
		return trainer.StatusInterrupted
	}
	if err != nil {
		t.outcome = "failed"
		termsafe.Fprintf(e.stderr, "%s: failed: %s\n", head, errText(err))
		return trainer.StatusFailed
	}
	if sum.Status == trainer.StatusInterrupted {
		t.outcome = "interrupted"
		termsafe.Fprintf(e.stderr, "%s: interrupted after epoch %d, saved in %s\n", head, sum.Epochs, sum.Run)
		return sum.Status
	}
	termsafe.Fprintf(e.stderr, "%s: %s after %d epochs: best val %s, test %s, %s\n", head, sum.Status, sum.Epochs,
		lab.PercentOf(sum.BestValAccuracy), lab.PercentOf(sum.TestAccuracy), lab.Seconds(sum.TrainSeconds))
	return sum.Status
}

// boardEntry is one line of a sweep's leaderboard, read from the trial's
// summary.json.
type boardEntry struct {
	Rank            int            `json:"rank"`
	Trial           int            `json:"trial"`
	Run             string         `json:"run"`
	Status          trainer.Status `json:"status"`
	Settings        map[string]any `json:"settings"` // the swept settings' values, typed, named as in config.json
	BestValAccuracy *float64       `json:"best_val_accuracy"`
	BestValEpoch    int            `json:"best_val_epoch,omitempty"`
	BestValLoss     *float64       `json:"best_val_loss,omitempty"` // breaks ties of best_val_accuracy
	TestAccuracy    *float64       `json:"test_accuracy"`
	TestLoss        *float64       `json:"test_loss"`
	Epochs          int            `json:"epochs"`
	TrainSeconds    float64        `json:"train_seconds"`
	desc            []string
	sum             *trainer.Summary
}

// leaderboard reads the trials that have a run from disk, best validation
// accuracy first, then the lower validation loss; unknown values last. diffs are the
// plan's differences, one value per trial.
func leaderboard(plan []*sweepTrial, diffs []trainer.Difference) []boardEntry {
	board := []boardEntry{}
	for i, t := range plan {
		if t.dir == "" {
			continue
		}
		b := boardEntry{Trial: t.n, Run: t.dir, Settings: map[string]any{}}
		typed := trainer.Settings(&t.cfg)
		for _, d := range diffs {
			b.Settings[trainer.JSONName(d.Field)] = typed[trainer.JSONName(d.Field)]
			b.desc = append(b.desc, d.Values[i])
		}
		rec := trainer.ReadRun(t.dir)
		b.Status = rec.Status
		b.sum = rec.Summary
		if s := rec.Summary; s != nil {
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

// printLeaderboard prints the board as a table on stdout; on a narrow
// terminal the trial numbers, times, epochs and run names go first.
func printLeaderboard(e *env, board []boardEntry, diffs []trainer.Difference) {
	// A column: its header, what stays on a narrow terminal (prio) and
	// whether it is a number, right-aligned.
	type column struct {
		head  string
		prio  int
		right bool
	}
	cols := []column{{"RANK", 10, true}, {"TRIAL", 2, true}}
	for _, d := range diffs {
		cols = append(cols, column{strings.ToUpper(d.Field), 9, false})
	}
	cols = append(cols, column{"BEST VAL ACC", 9, true}, column{"TEST ACC", 8, true}, column{"EPOCHS", 3, true},
		column{"TRAIN TIME", 1, true}, column{"STATUS", 7, false}, column{"RUN", 4, false})
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.head
	}
	rows := [][]string{head}
	for _, b := range board {
		row := []string{fmt.Sprint(b.Rank), fmt.Sprint(b.Trial)}
		row = append(row, b.desc...)
		row = append(row, lab.PercentOf(b.BestValAccuracy), lab.PercentOf(b.TestAccuracy), fmt.Sprint(b.Epochs),
			lab.Seconds(b.TrainSeconds), string(b.Status), filepath.Base(b.Run))
		rows = append(rows, row)
	}
	printTable(e, rows, func(i int) int { return cols[i].prio }, func(i int) bool { return cols[i].right }, "--json")
}
