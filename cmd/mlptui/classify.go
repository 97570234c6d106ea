package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// loadRunModel reads the model of a run directory, or a model file given
// directly.
func loadRunModel(path string) (*nn.Model, error) {
	st, err := statFlag("run", path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		dir := path
		path = filepath.Join(dir, trainer.ModelFile)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--run %s: no %s in it (not a run directory, or a run that has not saved a model yet)", dir, trainer.ModelFile)
		}
	}
	return trainer.LoadModel(path)
}

// statFlag stats the path a flag names; its error names the flag and the
// path, and says what is wrong without Go's "stat" prefix.
func statFlag(flag, path string) (os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--%s %s: %w", flag, path, atomicfile.UnwrapPath(err))
	}
	return st, nil
}

// checkRunDir says, naming the flag, when dir is not a directory.
func checkRunDir(flag, dir string) error {
	st, err := statFlag(flag, dir)
	if err == nil && !st.IsDir() {
		err = fmt.Errorf("--%s %s: not a directory; want a run directory, like runs/20261129-041010-iris", flag, dir)
	}
	return err
}

func runClassify(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "classify", "mlptui classify --run DIR [--top K] [--json] INPUT...\n\nINPUT is a row of a table for a table model (5.1,3.5,1.4,0.2, or '34;Paris;;yes'\nwith text categories and empty cells, in the table's delimiter or commas) or a\nCSV file of rows (a header line and a label column, as in training, are\nskipped); or an image file for an image model.")
	runDir := fs.String("run", "", "run `dir`ectory (or model.safetensors) whose model to use")
	top := fs.Int("top", 1, "show the K most probable classes")
	jsonOut := fs.Bool("json", false, "print one JSON object per input")
	maxPixels := fs.Int("max-pixels", imagefolder.DefaultMaxPixels, "refuse images of more pixels (width × height) than this, before decoding them")
	inputs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *runDir == "" {
		return usagef("--run is required: the run directory whose model to use")
	}
	if *top < 1 {
		return usagef("--top %d: want 1 or more", *top)
	}
	if *maxPixels < 1 {
		return usagef("--max-pixels %d: want 1 or more", *maxPixels)
	}
	if len(inputs) == 0 {
		return usagef("no INPUT given: pass feature values like 5.1,3.5,1.4,0.2 or image files")
	}
	m, err := loadRunModel(*runDir)
	if err != nil {
		return err
	}
	// A table model classifies files of rows too: the label column of its
	// run's settings, if any, is skipped in rows that have one.
	pr := &lab.Predictor{Model: m, MaxPixels: *maxPixels}
	if cfg, err := trainer.ReadConfig(*runDir); err == nil {
		pr.CSV.Label = cfg.Label
	}
	// A table model saved with its preprocessing takes raw rows: text
	// categories, empty cells, the table's delimiter.
	pr.Table, err = trainer.NewTableInput(m, *runDir, func(s string) { fmt.Fprintf(e.stderr, "mlptui classify: %s\n", lab.OneLine(s)) })
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	failed, total := 0, 0
	classify := func(name string, x []float32, err error) {
		total++
		if errors.Is(err, imagefolder.ErrTooLarge) {
			err = fmt.Errorf("%w (--max-pixels raises the limit)", err)
		}
		if err != nil {
			termsafe.Fprintf(e.stderr, "mlptui classify: %s\n", errText(err))
			failed++
			return
		}
		pred := pr.Predict(x, *top)
		pred.Input = name
		if *jsonOut {
			enc.Encode(pred)
			return
		}
		termsafe.Fprintf(e.stdout, "%s\t%s\t%.4f\n", name, pred.Class, pred.Probability)
		for _, t := range pred.Top[1:] {
			termsafe.Fprintf(e.stdout, "\t%s\t%.4f\n", t.Class, t.Probability)
		}
	}
	for _, in := range inputs {
		if ctx.Err() != nil {
			return errInterrupted
		}
		n, err := pr.Each(ctx, in, classify)
		if err != nil {
			return interruptedOr(ctx, err)
		}
		if n > 0 {
			termsafe.Fprintf(e.stderr, "mlptui classify: %s: %d more rows could not be read\n", in, n)
		}
		failed, total = failed+n, total+n
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs could not be classified", failed, total)
	}
	return nil
}
