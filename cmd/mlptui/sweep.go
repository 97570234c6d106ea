package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
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
		"interrupted one.\n\n"+
		"Many processes, on many hosts, can share a sweep and its --runs directory: --shard K/N trains\n"+
		"trials K, K+N, K+2N ... of the plan (--shard auto takes K and N from a Slurm job array or\n"+
		"a Kubernetes Indexed Job), --trial I trains trial I, --plan lists the trials as JSON lines,\n"+
		"and --leaderboard ranks every trial found on disk without training. See docs/cluster.md.")
	var sf sweepFlags
	sf.register(fs)
	name := fs.String("name", "", "the sweep's `name` (default: the data set and the swept settings, like iris-lr-dropout)")
	trials := fs.Int("trials", 0, "random search: run this many combinations drawn from the grid (0: the whole grid)")
	searchSeed := fs.Uint64("search-seed", 1, "seed of the random search's draw (the same seed draws the same trials)")
	jsonOut := fs.Bool("json", false, "print the leaderboard as a JSON array")
	var cl clusterFlags
	cl.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *trials < 0 || *trials > lab.MaxTrials {
		return usagef("--trials %d: want 1 to %d, or 0 for the whole grid", *trials, lab.MaxTrials)
	}
	sw, diffs, how, err := sf.plan(*name, *trials, *searchSeed)
	if err != nil {
		return err
	}
	if sw.Scope, err = cl.scope(len(sw.Plan)); err != nil {
		return err
	}
	if cl.plan {
		return printPlan(e, sw, diffs)
	}
	defer runlock.SetDefaults(runlock.Options{StaleAfter: cl.staleAfter})()
	termsafe.Fprintf(e.stderr, "sweep %s%s: %s, runs in %s\n", sw.Name, scopeText(sw.Scope), how, sw.RunsDir)
	if cl.leaderboard {
		return showLeaderboard(e, sw, diffs, *jsonOut)
	}
	p := &sweepPrinter{progress: newProgress(e), e: e}
	if err := sw.Run(ctx, p.event); err != nil {
		return err
	}
	return finishSweep(ctx, e, sw, diffs, *jsonOut)
}

// plan lays out the sweep the flags ask for: its trials, named, their
// differences, and how they were chosen ("a grid of 4 trials").
func (sf *sweepFlags) plan(name string, trials int, seed uint64) (*lab.Sweep, []trainer.Difference, string, error) {
	dims := sf.dims()
	grid := 1
	sizes := make([]int, len(dims))
	var swept []string
	for k, d := range dims {
		sizes[k] = len(d.values)
		if len(d.values) > 1 {
			swept = append(swept, d.flag.name)
		}
		if grid *= len(d.values); grid > 1<<40 {
			break
		}
	}
	if trials == 0 && grid > lab.MaxTrials {
		return nil, nil, "", usagef("a grid of %d trials is too many; give --trials N for a random search of N", grid)
	}
	// Every value of every swept setting must be allowed, also those a
	// random draw leaves out.
	for k, d := range dims {
		for v := range d.values {
			pick := make([]int, len(dims))
			pick[k] = v
			if _, err := sf.config(dims, pick); err != nil {
				return nil, nil, "", err
			}
		}
	}
	var plan []*lab.Trial
	for i, p := range lab.GridPicks(sizes, grid, trials, seed) {
		cfg, err := sf.config(dims, p)
		if err != nil {
			return nil, nil, "", err
		}
		plan = append(plan, &lab.Trial{N: i + 1, Config: cfg})
	}
	base := plan[0].Config
	if name == "" {
		name = lab.DefaultSweepName(base.Dataset, swept)
	}
	if err := lab.CheckSweepName(name); err != nil {
		return nil, nil, "", usagef("%s", errText(err))
	}
	diffs := lab.NameTrials(plan, name)
	var how string
	switch {
	case len(plan) < grid:
		how = fmt.Sprintf("%d trials drawn at random (seed %d) from a grid of %d", len(plan), seed, grid)
	case len(plan) == 1:
		how = "1 trial"
	default:
		how = fmt.Sprintf("a grid of %d trials", len(plan))
	}
	if trials > grid {
		how += fmt.Sprintf(" (the whole grid: --trials %d is more)", trials)
	}
	return &lab.Sweep{Name: name, RunsDir: base.RunsDir, Plan: plan, Options: sweepOptions}, diffs, how, nil
}

// finishSweep says what the sweep did and prints its leaderboard.
func finishSweep(ctx context.Context, e *env, sw *lab.Sweep, diffs []trainer.Difference, jsonOut bool) error {
	counts := map[lab.Outcome]int{}
	for _, t := range sw.Plan {
		counts[t.Outcome]++
	}
	var parts []string
	for _, k := range lab.Outcomes {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	owned, scope := sw.Owned(), scopeText(sw.Scope)
	if owned == 0 {
		parts = append(parts, "none is this shard's (more shards than trials)")
	}
	interrupted := ctx.Err() != nil
	if interrupted {
		termsafe.Fprintf(e.stderr, "sweep %s%s interrupted: %s; %d trials to go: run the same command again to go on\n",
			sw.Name, scope, strings.Join(parts, ", "), sw.Left())
	} else {
		of := ""
		if !sw.Scope.All() {
			of = fmt.Sprintf(" of %d", len(sw.Plan))
		}
		termsafe.Fprintf(e.stderr, "sweep %s%s: %d%s trials: %s\n", sw.Name, scope, owned, of, strings.Join(parts, ", "))
	}
	if !sw.Scope.All() { // the other shards' trials, as far as they have got
		if _, err := sw.FindRuns(); err != nil {
			return err
		}
	}
	if err := writeBoard(e, lab.Leaderboard(sw.Plan, diffs), diffs, jsonOut); err != nil {
		return err
	}
	if interrupted {
		return errInterrupted
	}
	return nil
}

// sweepPrinter prints a sweep's events on stderr.
type sweepPrinter struct {
	progress *progressPrinter
	e        *env
}

func (p *sweepPrinter) event(ev lab.SweepEvent) {
	t, w := ev.Trial, p.e.stderr
	head := t.Head(ev.Total)
	switch ev.Kind {
	case lab.TrialHeld:
		who := ""
		if h := ev.Holder; h.PID != 0 {
			who = fmt.Sprintf(" (process %d on %s since %s)", h.PID, h.Host, h.Started.Local().Format("15:04:05"))
		}
		termsafe.Fprintf(w, "%s: running in another process; skipped%s\n", head, who)
	case lab.TrialDoneBefore:
		termsafe.Fprintf(w, "%s: finished before (%s, %s); skipped\n", head, ev.Record.Status, ev.Record.Dir)
	case lab.TrialElsewhere:
		termsafe.Fprintf(w, "%s: running in another process (%s); skipped\n", head, ev.Record.Dir)
	case lab.TrialResuming:
		epochs := 0
		if ev.Record.Summary != nil {
			epochs = ev.Record.Summary.Epochs
		}
		termsafe.Fprintf(w, "%s: resuming %s (%s after epoch %d)\n", head, ev.Record.Dir, ev.Record.Status, epochs)
	case lab.TrialCannotResume:
		termsafe.Fprintf(w, "%s: cannot resume %s (%s); starting it again\n", head, ev.Record.Dir, errText(ev.Err))
	case lab.TrialStartFailed:
		termsafe.Fprintf(w, "%s: %s\n", head, errText(ev.Err))
	case lab.TrialTrain:
		p.train(head, t, ev.Train)
	case lab.TrialEnded:
		p.ended(head, ev)
	}
}

// train prints a trial's run events: its directory, then a live line.
func (p *sweepPrinter) train(head string, t *lab.Trial, ev trainer.Event) {
	switch ev.Kind {
	case trainer.Started:
		p.progress = newProgress(p.e)
		if t.Outcome != lab.OutcomeResumed {
			termsafe.Fprintf(p.e.stderr, "%s: new run %s\n", head, ev.Info.Dir)
		}
	case trainer.EpochEnd:
		m := ev.Metrics
		p.progress.status("  epoch %d/%d  loss %s  val_acc %.4f", m.Epoch, t.Config.Epochs, lab.Loss(m.TrainLoss), m.ValAcc)
	}
}

// ended prints how a trial's run ended.
func (p *sweepPrinter) ended(head string, ev lab.SweepEvent) {
	p.progress.clearLive()
	w, sum := p.e.stderr, ev.Summary
	switch {
	case ev.Early:
		termsafe.Fprintf(w, "%s: interrupted before training began\n", head)
	case ev.Err != nil:
		termsafe.Fprintf(w, "%s: failed: %s\n", head, errText(ev.Err))
	case sum.Status == trainer.StatusInterrupted:
		termsafe.Fprintf(w, "%s: interrupted after epoch %d, saved in %s\n", head, sum.Epochs, sum.Run)
	default:
		termsafe.Fprintf(w, "%s: %s after %d epochs: best val %s, test %s, %s\n", head, sum.Status, sum.Epochs,
			lab.PercentOf(sum.BestValAccuracy), lab.PercentOf(sum.TestAccuracy), lab.Seconds(sum.TrainSeconds))
	}
}

// printLeaderboard prints the board as a table on stdout; on a narrow
// terminal the trial numbers, times, epochs and run names go first.
func printLeaderboard(e *env, board []lab.BoardEntry, diffs []trainer.Difference) {
	cols := lab.BoardColumns(diffs)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Head
	}
	rows := [][]string{head}
	for _, b := range board {
		rows = append(rows, lab.BoardRow(b))
	}
	printTable(e, rows, func(i int) int { return cols[i].Prio }, func(i int) bool { return cols[i].Right }, "--json")
}
