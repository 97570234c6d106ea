package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
	"github.com/mlptui/mlptui/tui"
)

func runTUI(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tui", "mlptui tui [flags]\n\nThe dashboard: set up a run (the form is pre-filled from these flags), watch it learn,\nsteer it, see its predictions and compare saved runs. Without flags it opens on Iris.\nFlags override the preset, before or after --preset. A list in a flag that sweep takes\n(--lr 1e-3,1e-2) fills the form for a sweep: Enter starts the trials 'mlptui sweep' with the\nsame flags would (same names; --name names the sweep).")
	var sf sweepFlags
	sf.register(fs)
	name := fs.String("name", "", "a `name` appended to the run directory's name (of a sweep: the sweep's name)")
	samples := fs.Int("pictures", 1000, "samples on the predictions screen, at most: validation ones while a run trains, test ones of a saved run (--samples is a playground set's size)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// A setting the trainer refuses is shown in the form, beside its
	// field; only text that is not even a value (--lr abc) is a usage
	// error, reported while parsing.
	// A list fills its field as given; the rest of the form is the
	// first trial's settings.
	dims := sf.sets.Dims()
	cfg, _ := sf.sets.TrialConfig(dims, make([]int, len(dims)))
	cfg.Name = *name
	if n, ok := tui.DashboardEpochs(cfg.Preset); ok && !sf.sets.Has("epochs") {
		cfg.Epochs = n // the dashboard's epochs of the preset
	}
	var lists []tui.List
	for _, d := range dims {
		if len(d.Values) > 1 {
			sep := ","
			if d.Field.Name == "hidden" {
				sep = "/"
			}
			lists = append(lists, tui.List{Field: d.Field.Name, Text: strings.Join(d.Values, sep)})
		}
	}
	if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
		return errors.New("the dashboard needs a terminal; use 'mlptui train' to train without one")
	}
	// The dashboard gets a processor of its own: GOMAXPROCS one more
	// than the cores training uses. Otherwise a key waits for the
	// scheduler to take a processor from the matrix multiply (measured
	// on 2 busy cores, space to its answer: a median of 33-37 ms, against
	// 18-21 ms with one more; TestKeyLatency).
	cores := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(cores + 1)
	defer runtime.GOMAXPROCS(cores)
	res, err := tui.Run(ctx, tui.Options{Config: cfg, Lists: lists, Samples: *samples, Trainer: trainer.Options{Threads: cores}})
	// Back on the normal screen: say where the session's runs went.
	for i := range res.Runs {
		fmt.Fprintln(e.stdout, lab.EndedLine(&res.Runs[i]))
	}
	if err != nil {
		return err
	}
	if res.Interrupted {
		return errInterrupted
	}
	return nil
}
