package main

import (
	"context"
	"encoding/json"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval", "mlptui eval --run DIR [--dataset PATH] [--json]\n\nMeasures a run's model on its test set, or on all of another labelled data set:\naccuracy, balanced accuracy, loss, confusion matrix, per-class precision, recall\nand F1 with their macro and weighted averages, and ROC AUC for two classes.")
	runDir := fs.String("run", "", "run `dir`ectory whose model to evaluate")
	jsonOut := fs.Bool("json", false, "print one JSON object")
	dataDir := fs.String("data-dir", "", "the `dir`ectory where downloaded data sets are kept (default: the run's own)")
	dataset := fs.String("dataset", "", "measure on every sample of this labelled CSV table or image folder (its `path`) instead of the run's test part")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runDir == "" {
		return usagef("--run is required: the run directory whose model to evaluate")
	}
	if err := checkRunDir("run", *runDir); err != nil {
		return err
	}
	p := newProgress(e)
	var (
		ev  *trainer.Evaluation
		err error
	)
	if *dataset != "" {
		ev, err = trainer.EvaluateOn(ctx, *runDir, *dataset, p.Event)
	} else {
		ev, err = trainer.Evaluate(ctx, *runDir, *dataDir, p.Event)
	}
	p.ClearLive()
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	if *jsonOut {
		return json.NewEncoder(e.stdout).Encode(ev)
	}
	return lab.WriteEvaluation(e.stdout, ev, *dataset != "")
}
