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
	"github.com/mlptui/mlptui/lab/progress"
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
	if err := parseFlags(fs, args); err != nil {
		return err
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
	interrupted := ctx.Err() != nil
	fmt.Fprintln(e.stderr, sw.Tally(interrupted))
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
	progress *progress.Printer
	e        *env
}

func (p *sweepPrinter) event(ev lab.SweepEvent) {
	switch {
	case ev.Kind == lab.TrialTrain && ev.Train.Kind == trainer.Started:
		p.progress = newProgress(p.e)
	case ev.Kind == lab.TrialTrain && ev.Train.Kind == trainer.EpochEnd:
		p.progress.Status("%s", ev.Trial.EpochLine(ev.Train.Metrics))
	case ev.Kind == lab.TrialEnded:
		p.progress.ClearLive()
	}
	if l := ev.Line(errText); l != "" {
		fmt.Fprintln(p.e.stderr, l)
	}
}

// printLeaderboard prints the board as a table on stdout; on a narrow
// terminal the trial numbers, times, epochs and run names go first.
func printLeaderboard(e *env, board []lab.BoardEntry, diffs []trainer.Difference) {
	cols := lab.BoardColumns(diffs)
	rows := lab.BoardTable(board, cols)
	printTable(e, rows, func(i int) int { return cols[i].Prio }, func(i int) bool { return cols[i].Right }, "--json")
}
