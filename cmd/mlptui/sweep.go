package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/mlptui/mlptui/internal/runlock"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// sweepFlags collects the setting flags of a sweep in command-line order;
// a flag of a field a sweep may vary (trainer.Field.Sweep) may hold a list
// of values (lab.SplitValues).
type sweepFlags struct {
	sets lab.Settings
}

func (sf *sweepFlags) register(fs *flag.FlagSet) {
	for i := range trainer.Fields {
		f := &trainer.Fields[i]
		if f.Name == "name" {
			continue // a sweep's --name names the sweep
		}
		fn := func(v string) error {
			vals := []string{v}
			if f.Sweep {
				vals = lab.SplitValues(f, v)
			}
			for _, x := range vals {
				if err := lab.Check(f, x); err != nil {
					if !f.Sweep && strings.Contains(v, ",") && f.Name != "dataset" {
						return fmt.Errorf("%v (--%s is one value for all trials: it cannot be swept)", err, f.Name)
					}
					return err
				}
			}
			sf.sets = append(sf.sets, lab.Setting{Field: f, Value: v})
			return nil
		}
		usage := fieldUsage(f)
		if f.Sweep {
			if f.Name == "hidden" {
				usage += "; several networks separated by / (64,32/128) or by repeating the flag"
			} else {
				usage += "; a comma list to sweep"
			}
		}
		defineFlag(fs, f, usage, fn)
	}
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

// plan lays out the sweep the flags ask for (lab.PlanSweep), and says how
// its trials were chosen ("a grid of 4 trials").
func (sf *sweepFlags) plan(name string, trials int, seed uint64) (*lab.Sweep, []trainer.Difference, string, error) {
	p, err := lab.PlanSweep(sf.sets, lab.PlanOptions{Name: name, Trials: trials, Seed: seed, Options: sweepOptions})
	var tooMany *lab.TooManyTrials
	switch {
	case errors.As(err, &tooMany):
		return nil, nil, "", usagef("a grid of %d trials is too many; give --trials N for a random search of N", tooMany.Grid)
	case err != nil:
		return nil, nil, "", usagef("%s", errText(err))
	}
	var how string
	switch n := len(p.Sweep.Plan); {
	case p.Drawn:
		how = fmt.Sprintf("%d trials drawn at random (seed %d) from a grid of %d", n, seed, p.Grid)
	case n == 1:
		how = "1 trial"
	default:
		how = fmt.Sprintf("a grid of %d trials", n)
	}
	if trials > p.Grid {
		how += fmt.Sprintf(" (the whole grid: --trials %d is more)", trials)
	}
	return p.Sweep, p.Diffs, how, nil
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
