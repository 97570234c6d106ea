package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/lab/progress"
	"github.com/mlptui/mlptui/trainer"
)

func runTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "train", "mlptui train [flags]\n\nTrains a network headless: progress on stderr, a summary on stdout.\nFlags override the preset, before or after --preset.")
	var cf configFlags
	cf.register(fs)
	jsonOut := fs.Bool("json", false, "print the summary as one JSON object")
	resume := fs.String("resume", "", "continue the run in this `dir`ectory from its checkpoint (with --epochs: the new total)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var (
		run *trainer.Run
		err error
	)
	if *resume != "" {
		for _, s := range cf.sets {
			if s.Field.Name != "epochs" && s.Field.Name != "data-dir" {
				return usagef("--resume takes only --epochs and --data-dir; the run's other settings are in its config.json (got --%s)", s.Field.Name)
			}
		}
		if err := checkRunDir("resume", *resume); err != nil {
			return err
		}
		c, _ := cf.config()
		epochs, opt := 0, trainer.Options{}
		if cf.has("epochs") {
			epochs = c.Epochs
		}
		if cf.has("data-dir") {
			opt.DataDir = c.DataDir
		}
		run, err = trainer.Resume(ctx, *resume, epochs, opt)
	} else {
		cfg, cerr := cf.config()
		if cerr != nil {
			return cerr
		}
		run, err = trainer.Start(ctx, cfg)
	}
	if err != nil {
		return err
	}
	p := newProgress(e)
	for ev := range run.Events() {
		p.Event(ev)
	}
	sum, err := run.Wait()
	if err != nil {
		if ctx.Err() != nil { // before training began: nothing to save
			p.Line("interrupted before training began; no run was saved")
		}
		var oe *tabular.OptionError
		if errors.As(err, &oe) && ctx.Err() == nil { // a table flag that does not fit the table
			return usagef("%s", errText(err))
		}
		return interruptedOr(ctx, err)
	}
	if *jsonOut {
		enc := json.NewEncoder(e.stdout)
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		lab.WriteSummary(e.stdout, sum)
	}
	if sum.Status == trainer.StatusInterrupted {
		termsafe.Fprintf(e.stderr, "to go on: mlptui train --resume %s\n", sum.Run)
		return errInterrupted
	}
	if sum.Status == trainer.StatusDiverged {
		return fmt.Errorf("%s", sum.Message)
	}
	return nil
}

// newProgress returns the progress printer of a command: on stderr, live
// when stderr is a terminal.
func newProgress(e *env) *progress.Printer {
	return progress.New(e.stderr, e.stderrTTY, e.stderrWidth)
}
