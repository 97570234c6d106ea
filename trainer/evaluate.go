package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/internal/regfile"
	"github.com/mlptui/mlptui/nn"
)

// evaluate returns the mean loss, the accuracy and the confusion matrix
// (true class by predicted class) of net on d, in evaluation mode, in
// chunks that bound memory. buf is reused between calls.
func evaluate(net *nn.MLP, d *datasets.Dataset, norm datasets.Normalization, buf *nn.Matrix) (loss, acc float64, conf [][]int) {
	return evaluateProbs(net, d, norm, buf, nil)
}

// evaluateProbs is evaluate that also hands each chunk's first row index
// and class probabilities to probs, if not nil.
func evaluateProbs(net *nn.MLP, d *datasets.Dataset, norm datasets.Normalization, buf *nn.Matrix, probs func(lo int, p *nn.Matrix)) (loss, acc float64, conf [][]int) {
	const chunk = 1024
	classes := len(d.Classes)
	conf = make([][]int, classes)
	for i := range conf {
		conf[i] = make([]int, classes)
	}
	idx := make([]int, 0, chunk)
	var lossSum float64
	var correct int
	for lo := 0; lo < d.Len(); lo += chunk {
		hi := min(lo+chunk, d.Len())
		idx = idx[:0]
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		buf.Resize(len(idx), d.Dim())
		d.Batch(buf.Data, idx, norm, datasets.Augment{}, nil)
		l, c := net.EvalBatch(buf, d.Y[lo:hi])
		lossSum += l * float64(len(idx))
		correct += c
		p := net.Probs()
		if probs != nil {
			probs(lo, p)
		}
		for j := range idx {
			conf[d.Y[lo+j]][nn.Argmax(p.Row(j))]++
		}
	}
	n := float64(d.Len())
	return lossSum / n, float64(correct) / n, conf
}

// Evaluation is a saved model's performance on its run's test set.
type Evaluation struct {
	Run       string   `json:"run"`
	Dataset   string   `json:"dataset"`
	Samples   int      `json:"samples"`
	Accuracy  float64  `json:"accuracy"`
	Loss      float64  `json:"loss"`
	Classes   []string `json:"classes"`
	Confusion [][]int  `json:"confusion"` // [true][predicted]
	Report             // per class, macro and weighted averages, balanced accuracy
	// ROCAUC is, for a model of two classes, the area under the ROC
	// curve of the second class's probability (NaN, null in JSON, when
	// the samples are all of one class).
	ROCAUC float64 `json:"roc_auc,omitempty"`
	// Labels and Probabilities are each sample's true class and class
	// probabilities, in the data set's order.
	Labels        []int32     `json:"-"`
	Probabilities [][]float32 `json:"-"`
}

// MarshalJSON writes a NaN or infinite loss (a model whose outputs
// overflow) as null: JSON has no such numbers. ROC AUC is left out for
// more than two classes.
func (e Evaluation) MarshalJSON() ([]byte, error) {
	type plain Evaluation // without this method
	type withAUC struct {
		plain
		Loss   *float64 `json:"loss"`
		ROCAUC *float64 `json:"roc_auc"`
	}
	if len(e.Classes) == 2 {
		return json.Marshal(withAUC{plain(e), ptr(e.Loss), ptr(e.ROCAUC)})
	}
	return json.Marshal(struct {
		plain
		Loss   *float64 `json:"loss"`
		ROCAUC *float64 `json:"roc_auc,omitempty"`
	}{plain(e), ptr(e.Loss), nil})
}

// readModel reads the settings and the model of the run in dir, and
// says where the model is.
func readModel(dir string) (cfg Config, m *nn.Model, path string, err error) {
	if cfg, err = ReadConfig(dir); err != nil {
		return cfg, nil, "", err
	}
	path = filepath.Join(dir, ModelFile)
	m, err = LoadModel(path)
	return cfg, m, path, err
}

// openRun reads the run in dir for measuring its model: its settings
// (dataDir, if not empty, overriding the data directory), its model, and
// its data set reloaded with those settings, so with the same split. A
// model of another shape or other classes than the data is refused.
func openRun(ctx context.Context, dir, dataDir string, report func(Event)) (Config, *nn.Model, *Data, error) {
	cfg, m, path, err := readModel(dir)
	if err != nil {
		return cfg, nil, nil, err
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	pp, err := tablePipeline(m.Info, path)
	if err != nil {
		return cfg, nil, nil, err
	}
	data, err := loadData(ctx, cfg, pp, false, report)
	if err != nil {
		return cfg, nil, nil, err
	}
	test := data.Test
	switch {
	case !slices.Equal(m.InputShape, test.Shape) || len(m.Classes) != len(test.Classes):
		return cfg, nil, nil, fmt.Errorf("%s: model takes %v inputs and %d classes, the data set %s has %v and %d",
			path, m.InputShape, len(m.Classes), cfg.Dataset, test.Shape, len(test.Classes))
	case !slices.Equal(m.Classes, test.Classes):
		return cfg, nil, nil, fmt.Errorf("%s: the model's classes are %s, the data set %s's are %s: %s",
			path, quoteList(m.Classes), cfg.Dataset, quoteList(test.Classes), classDiff(m.Classes, test.Classes))
	}
	return cfg, m, data, nil
}

// Evaluate loads the model of the run in dir, reloads its data set with
// the run's settings (the same seed gives the same split) and measures the
// model on the test part. dataDir, if not empty, overrides the data
// directory in the run's config.json.
func Evaluate(ctx context.Context, dir, dataDir string, report func(Event)) (*Evaluation, error) {
	cfg, m, data, err := openRun(ctx, dir, dataDir, report)
	if err != nil {
		return nil, err
	}
	return measure(dir, cfg.Dataset, m, data.Test), nil
}

// EvaluateOn measures the model of the run in dir on every sample of
// another labelled data set: a CSV table, its label column found as in the
// run (--label), or a folder of images, resized to the model's input (its
// train and test parts together, or all of a flat one). Its classes must
// be among the model's, which the evaluation lists; the model's own
// normalization is applied.
func EvaluateOn(ctx context.Context, dir, dataset string, report func(Event)) (*Evaluation, error) {
	if report == nil {
		report = func(Event) {}
	}
	cfg, m, path, err := readModel(dir)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(dataset)
	if err != nil {
		return nil, fieldErr("dataset", dataset, fmt.Errorf("%w", unwrapPathErr(err)))
	}
	if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, fieldErr("dataset", dataset, fmt.Errorf("%s, not a CSV file or a folder of images", regfile.Kind(st.Mode())))
	}
	var d *datasets.Dataset
	if st.IsDir() {
		if len(m.InputShape) != 3 {
			return nil, fieldErr("dataset", dataset, fmt.Errorf("a folder of images, but %s takes %d values, not images", path, m.Net.Arch.Inputs))
		}
		report(Event{Kind: Loading, Message: "loading images from " + dataset})
		train, test, _, err := imagefolder.Load(ctx, dataset, imagefolder.Options{
			Height: m.InputShape[1], Width: m.InputShape[2], SkipBad: cfg.SkipBad, MaxPixels: cfg.MaxPixels,
			Progress: imageProgress(report),
		})
		if err != nil {
			return nil, fieldErr("dataset", dataset, fmt.Errorf("%w", err))
		}
		d = train
		d.Pix = append(d.Pix[:len(d.Pix):len(d.Pix)], test.Pix...)
		d.Y = append(d.Y[:len(d.Y):len(d.Y)], test.Y...)
	} else {
		report(Event{Kind: Loading, Message: "reading " + dataset})
		if d, err = loadTableAll(ctx, cfg, m, path, dataset, report); err != nil {
			if cfg.Label != "" {
				err = fieldtext.Errorf("%w (the run's classes were in column %s, its {label})", err, cfg.Label)
			}
			return nil, err
		}
	}
	if !slices.Equal(d.Shape, m.InputShape) {
		return nil, fieldErr("dataset", dataset, fmt.Errorf("samples of %v values, %s takes %v", d.Shape, path, m.InputShape))
	}
	// The data's labels as the model's class indices.
	index := make(map[string]int32, len(m.Classes))
	for i, c := range m.Classes {
		index[c] = int32(i)
	}
	to := make([]int32, len(d.Classes))
	for i, c := range d.Classes {
		j, ok := index[c]
		if !ok {
			return nil, fieldErr("dataset", dataset, fmt.Errorf("class %q is not one of the model's (%s)", c, strings.Join(m.Classes, ", ")))
		}
		to[i] = j
	}
	for i, y := range d.Y {
		d.Y[i] = to[y]
	}
	d.Classes = m.Classes
	return measure(dir, dataset, m, d), nil
}

// measure evaluates m on test, whose labels index m's classes.
func measure(dir, dataset string, m *nn.Model, test *datasets.Dataset) *Evaluation {
	norm := datasets.ModelNormalization(m)
	var buf nn.Matrix
	probs := make([][]float32, test.Len())
	loss, acc, conf := evaluateProbs(m.Net, test, norm, &buf, func(lo int, p *nn.Matrix) {
		for j := range p.Rows {
			probs[lo+j] = slices.Clone(p.Row(j))
		}
	})
	e := &Evaluation{Run: dir, Dataset: dataset, Samples: test.Len(), Accuracy: acc, Loss: loss,
		Classes: test.Classes, Confusion: conf, Report: ClassReport(test.Classes, conf),
		Labels: test.Y, Probabilities: probs}
	if len(test.Classes) == 2 {
		scores := make([]float64, len(probs))
		positive := make([]bool, len(probs))
		for i, p := range probs {
			scores[i], positive[i] = float64(p[1]), test.Y[i] == 1
		}
		e.ROCAUC, _ = ROCAUC(scores, positive)
	}
	return e
}

// quoteList shows class names as a list: ["a", "b"] (quoted, so that a
// name with a space or a comma reads as one).
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// classDiff says how two lists of as many class names differ: the first
// name of each that the other lacks, or, if they hold the same names, that
// the order differs.
func classDiff(model, data []string) string {
	for _, c := range data {
		if !slices.Contains(model, c) {
			for _, mc := range model {
				if !slices.Contains(data, mc) {
					return fmt.Sprintf("%q in place of %q", c, mc)
				}
			}
		}
	}
	return "the same names in another order"
}
