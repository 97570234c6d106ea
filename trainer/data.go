package trainer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/cifar10"
	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/internal/regfile"
	"github.com/mlptui/mlptui/nn"
)

// Data is a data set prepared for training: split three ways, with the
// normalization computed on the training part.
type Data struct {
	Name    string
	Train   *datasets.Dataset
	Val     *datasets.Dataset // nil without a validation split
	Test    *datasets.Dataset
	Norm    datasets.Normalization
	Augment datasets.Augment
	// Table is a CSV table's preprocessing, fitted on the training part
	// (nil for other data sets), and Rows the table rows of each part.
	Table *tabular.Pipeline
	Rows  TableRows
	// TestCells holds a CSV table's test rows as written, the label's
	// cell left out, for screens that show them.
	TestCells [][]string
}

// Features names the input columns of a table data set (nil for images).
func (d *Data) Features() []string {
	switch {
	case d.Table != nil:
		return d.Table.InputColumns()
	case d.Name == "iris":
		return datasets.IrisFeatures
	}
	return nil
}

// Seed words that keep the random streams of one seed apart.
const (
	streamTestSplit = 0x7e57
	streamValSplit  = 0x7a1
	streamShuffle   = 0x5ff1e
	streamAugment   = 0xa06
	streamDropout   = 0xd209
	streamSamples   = 0x5a3
	streamMixup     = 0x31c5
)

// LoadData reads the data set a config names and splits it: a test part
// (the data set's own, or TestSplit of it, stratified by Seed), then a
// validation part of ValSplit of the rest. report, if not nil, gets Loading
// events.
func LoadData(ctx context.Context, cfg Config, report func(Event)) (*Data, error) {
	d, err := loadData(ctx, cfg, nil, true, report)
	if err != nil {
		return nil, err
	}
	if err := d.whiten(ctx, cfg, nil, report); err != nil {
		return nil, err
	}
	return d, nil
}

// whiten sets d.Norm.Whiten as cfg.Whiten says: fitted on the training
// part, or w if it is not nil (a resumed run's).
func (d *Data) whiten(ctx context.Context, cfg Config, w *nn.Whitening, report func(Event)) error {
	if cmp.Or(cfg.Whiten, WhitenNone) == WhitenNone {
		return nil
	}
	if !d.Train.IsImage() {
		return fieldErr("whiten", cfg.Whiten, fmt.Errorf("is for images; %s is a table", cfg.Dataset))
	}
	if w == nil {
		eps := cmp.Or(cfg.ZCAEpsilon, datasets.DefaultZCAEpsilon)
		start := time.Now()
		report(Event{Kind: Loading, Message: fmt.Sprintf("fitting ZCA whitening (epsilon %v) on %d training images of %d values", eps, d.Train.Len(), d.Train.Dim())})
		var err error
		if w, err = datasets.FitZCA(ctx, d.Train, d.Norm, eps); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fieldErr("whiten", cfg.Whiten, err)
		}
		report(Event{Kind: Loading, Message: fmt.Sprintf("fitted ZCA whitening in %.1f s", time.Since(start).Seconds())})
	}
	d.Norm.Whiten = w
	return nil
}

// loadData is LoadData; a CSV table is encoded with pp if it is not nil
// (a saved model's preprocessing) instead of one fitted anew, and the
// choices of a fit are reported only if choices is true.
func loadData(ctx context.Context, cfg Config, pp *tabular.Pipeline, choices bool, report func(Event)) (*Data, error) {
	if report == nil {
		report = func(Event) {}
	}
	var train, test *datasets.Dataset
	var table *Data
	var err error
	switch name := cfg.Dataset; {
	case name == "iris":
		train = datasets.Iris()
	case name == "cifar10":
		train, test, err = loadCIFAR10(ctx, cfg, report)
	case datasets.IsPlayground(name):
		train, err = datasets.GeneratePlayground(name, datasets.PlaygroundOptions{Samples: cfg.Samples, Noise: cfg.Noise, Seed: cfg.Seed})
		if err != nil {
			err = fieldErr("dataset", name, trimName(err, name))
		}
	default:
		st, serr := os.Stat(name)
		switch {
		case serr != nil:
			err = fieldErr("dataset", name, fmt.Errorf("%w (want %s)", unwrapPathErr(serr), DatasetChoices))
		case !st.IsDir() && !st.Mode().IsRegular():
			err = fieldErr("dataset", name, fmt.Errorf("%s (want %s)", regfile.Kind(st.Mode()), DatasetChoices))
		case st.IsDir() && cfg.Label != "":
			err = fieldErr("label", cfg.Label, fmt.Errorf("only a CSV table has a label column to choose; %s is a folder of images", name))
		case st.IsDir():
			train, test, err = loadImageFolder(ctx, cfg, report)
		default:
			table, err = readTable(cfg, pp, choices, report)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if table != nil {
		if table.Train.Len() == 0 {
			return nil, fieldErr("dataset", cfg.Dataset, fmt.Errorf("no training samples left after the splits"))
		}
		table.Norm = datasets.ComputeNormalization(table.Train)
		return table, nil
	}
	if test == nil {
		if train.Len() < 4 {
			return nil, fieldErr("dataset", cfg.Dataset, fmt.Errorf("%d samples; too few to split into training and test parts", train.Len()))
		}
		train, test = datasets.StratifiedSplit(train, cfg.TestSplit, cfg.Seed^streamTestSplit)
	}
	d := &Data{Name: train.Name, Train: train, Test: test}
	if cfg.ValSplit > 0 {
		d.Train, d.Val = datasets.StratifiedSplit(train, cfg.ValSplit, cfg.Seed^streamValSplit)
		if d.Val.Len() == 0 {
			d.Val = nil
		}
	}
	if d.Train.Len() == 0 {
		return nil, fieldErr("dataset", cfg.Dataset, fmt.Errorf("no training samples left after the splits"))
	}
	d.Norm = datasets.ComputeNormalization(d.Train)
	if cfg.Augment && d.Train.IsImage() {
		d.Augment = datasets.DefaultAugment(d.Train.Shape[2])
	}
	return d, nil
}

// DatasetName is the short name of a --dataset value, as used in run
// directory names: "iris", "cifar10", "spiral", or a path's base name
// without extension.
func DatasetName(dataset string) string {
	if IsBuiltin(dataset) {
		return dataset
	}
	base := filepath.Base(filepath.Clean(dataset))
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// DatasetLabel is how tables and headers show a --dataset value: "iris",
// "cifar10", or a path's base name with its extension ("iris.data",
// "pets.csv", a folder's name), so that a file named like a built-in set
// is not taken for it.
func DatasetLabel(dataset string) string {
	if IsBuiltin(dataset) {
		return dataset
	}
	return filepath.Base(filepath.Clean(dataset))
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func loadCIFAR10(ctx context.Context, cfg Config, report func(Event)) (train, test *datasets.Dataset, err error) {
	report(Event{Kind: Loading, Message: "loading CIFAR-10 from " + cfg.DataDir})
	start := time.Now()
	var last time.Time
	opt := cifar10.Options{Progress: func(done, total int64) {
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || done == total {
			last = now
			report(Event{Kind: Loading, Done: done, Total: total,
				Message: cifar10.ProgressLine(cifar10.ArchiveName, done, total, now.Sub(start))})
		}
	}}
	train, test, err = cifar10.Load(ctx, cfg.DataDir, opt)
	if err != nil {
		return nil, nil, fieldErr("dataset", "cifar10", trimName(err, "cifar10")) // "dataset cifar10: ..."
	}
	return train, test, nil
}

// imageProgress turns an image folder's loading progress into Loading
// events.
func imageProgress(report func(Event)) func(stage string, done, total int) {
	return func(stage string, done, total int) {
		report(Event{Kind: Loading, Done: int64(done), Total: int64(total), Message: fmt.Sprintf("%s images: %d of %d", stage, done, total)})
	}
}

func loadImageFolder(ctx context.Context, cfg Config, report func(Event)) (train, test *datasets.Dataset, err error) {
	report(Event{Kind: Loading, Message: "loading images from " + cfg.Dataset})
	train, test, info, err := imagefolder.Load(ctx, cfg.Dataset, imagefolder.Options{
		ImageSize: cfg.ImageSize, SkipBad: cfg.SkipBad, MaxPixels: cfg.MaxPixels, TestSplit: cfg.TestSplit, Seed: cfg.Seed ^ streamTestSplit,
		Progress: imageProgress(report),
	})
	if errors.Is(err, imagefolder.ErrTooLarge) {
		return nil, nil, fieldErr("dataset", cfg.Dataset, fieldtext.Errorf("%w ({max-pixels} raises the limit)", err))
	}
	if err != nil {
		return nil, nil, fieldErr("dataset", cfg.Dataset, fmt.Errorf("%w", err))
	}
	msg := fmt.Sprintf("loaded %d images of %dx%d (%s", info.Images, info.Width, info.Height, info.Layout)
	if info.Resized > 0 {
		msg += fmt.Sprintf(", %d resized", info.Resized)
	}
	if info.Skipped > 0 {
		msg += fmt.Sprintf(", %d skipped as undecodable: %s", info.Skipped, strings.Join(info.SkippedFiles, ", "))
	}
	report(Event{Kind: Loading, Message: msg + ")"})
	return train, test, nil
}

// trimName is err without the name it starts with ("spiral: ..."), which
// the FieldError holding it says already.
func trimName(err error, name string) error {
	if rest, ok := strings.CutPrefix(err.Error(), name+": "); ok {
		return &named{rest, err}
	}
	return err
}

// named is an error whose text leaves out the name its cause starts with.
type named struct {
	text string
	err  error
}

func (e *named) Error() string { return e.text }
func (e *named) Unwrap() error { return e.err }
