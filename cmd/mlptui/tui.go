package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
	"github.com/mlptui/mlptui/tui"
)

func runTUI(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tui", "mlptui tui [flags]\n\nThe dashboard: set up a run (the form is pre-filled from these flags), watch it learn,\nsteer it, see its predictions and compare saved runs. Without flags it opens on Iris.\nFlags override the preset, before or after --preset.")
	var cf configFlags
	cf.register(fs)
	samples := fs.Int("pictures", 1000, "samples on the predictions screen, at most: validation ones while a run trains, test ones of a saved run (--samples is a playground set's size)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	// A setting the trainer refuses is shown in the form, beside its
	// field; only text that is not even a value (--lr abc) is a usage
	// error, reported while parsing.
	cfg, _ := cf.config()
	if n, ok := tui.DashboardEpochs(cfg.Preset); ok && !cf.has("epochs") {
		cfg.Epochs = n // the dashboard's epochs of the preset
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
	res, err := tui.Run(ctx, tui.Options{Config: cfg, Samples: *samples, Trainer: trainer.Options{Threads: cores}})
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
