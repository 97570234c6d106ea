package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/ctxio"
	"github.com/mlptui/mlptui/internal/regfile"
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
	var csvOpt datasets.CSVOptions
	if cfg, err := trainer.ReadConfig(*runDir); err == nil {
		csvOpt.Label = cfg.Label
	}
	// A table model saved with its preprocessing takes raw rows: text
	// categories, empty cells, the table's delimiter.
	tin, err := trainer.NewTableInput(m, *runDir, func(s string) { fmt.Fprintf(e.stderr, "mlptui classify: %s\n", lab.OneLine(s)) })
	if err != nil {
		return err
	}
	pr := &lab.Predictor{Model: m, MaxPixels: *maxPixels}
	enc := json.NewEncoder(e.stdout)
	failed, total := 0, 0
	classify := func(name string, x []float32, err error) {
		total++
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
		if tin != nil {
			n := classifyTable(ctx, e, tin, in, classify)
			failed, total = failed+n, total+n
			continue
		}
		if len(m.InputShape) == 1 && isFile(in) {
			n, err := classifyRows(ctx, e, pr, in, csvOpt, classify)
			if err != nil {
				return err
			}
			failed, total = failed+n, total+n
			continue
		}
		x, err := pr.Input(in)
		if errors.Is(err, imagefolder.ErrTooLarge) {
			err = fmt.Errorf("%w (--max-pixels raises the limit)", err)
		}
		classify(in, x, err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs could not be classified", failed, total)
	}
	return nil
}

// classifyRows classifies the rows of a CSV file for a model without a
// table's preprocessing. Past badRowsShown bad rows, it counts the rest
// and says how many; it returns them, to add to the failed and total.
func classifyRows(ctx context.Context, e *env, pr *lab.Predictor, in string, opt datasets.CSVOptions, classify func(string, []float32, error)) (unreported int, err error) {
	rows, err := readRows(ctx, in, pr.Model.Net.Arch.Inputs, opt)
	if ctx.Err() != nil {
		return 0, errInterrupted
	}
	if err != nil {
		classify(in, nil, err)
		return 0, nil
	}
	bad := 0
	for _, r := range rows {
		if ctx.Err() != nil {
			return 0, errInterrupted
		}
		if r.Err != nil {
			if bad++; bad > badRowsShown { // a file that is no such table: not a line each
				unreported++
				continue
			}
			classify("", nil, r.Err)
			continue
		}
		classify(fmt.Sprintf("%s:%d", in, r.Line), pr.Sample(r.X, nil), nil)
	}
	if bad > badRowsShown {
		termsafe.Fprintf(e.stderr, "mlptui classify: %s: %d more rows could not be read\n", in, bad-badRowsShown)
	}
	return unreported, nil
}

// classifyTable classifies one INPUT of a table model with preprocessing:
// a file of rows or one row of cells. It returns how many bad rows it
// counted without reporting them one by one.
func classifyTable(ctx context.Context, e *env, tin *trainer.TableInput, in string, classify func(string, []float32, error)) (unreported int) {
	if !isFile(in) {
		cells, err := tabular.SplitRow(in, tin.Pipeline)
		var x []float32
		if err == nil {
			x, err = tin.Input(cells)
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", in, err)
		}
		classify(in, x, err)
		return 0
	}
	rows, err := openText(ctx, in, tin.Pipeline.Width-1, func(r io.Reader) ([]tabular.Row, error) { return tabular.ReadRows(r, in, tin.Pipeline) })
	if err != nil {
		classify(in, nil, err)
		return 0
	}
	bad := 0
	for _, r := range rows {
		if ctx.Err() != nil {
			return unreported // the caller stops at the interrupt
		}
		x, err := []float32(nil), r.Err
		if err == nil {
			if x, err = tin.Input(r.Cells); err != nil {
				err = fmt.Errorf("%s:%d: %w", in, r.Line, err)
			}
		}
		if err != nil {
			if bad++; bad > badRowsShown {
				unreported++
				continue
			}
		}
		classify(fmt.Sprintf("%s:%d", in, r.Line), x, err)
	}
	if unreported > 0 {
		fmt.Fprintf(e.stderr, "mlptui classify: %s: %d more rows could not be read\n", in, unreported)
	}
	return unreported
}

// badRowsShown is how many unreadable rows of one file classify reports
// one by one; it counts the rest in one line.
const badRowsShown = 5

// isFile reports whether path names a regular file.
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// readRows reads a file of rows to classify. A file that is not text (an
// image, say) is refused before it is parsed.
func readRows(ctx context.Context, path string, dim int, opt datasets.CSVOptions) ([]datasets.FeatureRow, error) {
	return openText(ctx, path, dim, func(r io.Reader) ([]datasets.FeatureRow, error) {
		return datasets.ReadFeatureRows(r, path, dim, opt)
	})
}

// openText opens a file of rows for read, refusing one that is not text
// (an image, say) before it is parsed.
func openText[R any](ctx context.Context, path string, dim int, read func(io.Reader) ([]R, error)) ([]R, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if kind := http.DetectContentType(head[:n]); !strings.HasPrefix(kind, "text/") {
		kind, _, _ = strings.Cut(kind, ";")
		return nil, fmt.Errorf("%s: not a CSV table but %s; this model takes %d comma-separated values, or a CSV file of them", path, kind, dim)
	}
	return read(ctxio.Reader(ctx, io.MultiReader(bytes.NewReader(head[:n]), f)))
}
