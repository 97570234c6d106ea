package trainer

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/nn"
)

// Class weightings (--class-weight).
const (
	ClassWeightNone     = "none"
	ClassWeightBalanced = "balanced"
)

// PreprocessingKey is the model-metadata entry holding a table model's
// preprocessing, as tabular.Pipeline JSON.
const PreprocessingKey = nn.PreprocessingKey

// tableProblems adds the problems of the CSV-table settings.
func (c *Config) tableProblems(bad func(field, format string, args ...any)) {
	switch c.ClassWeight {
	case "", ClassWeightNone, ClassWeightBalanced:
	default:
		bad("class-weight", "%q; want %s or %s", c.ClassWeight, ClassWeightNone, ClassWeightBalanced)
	}
	if _, err := tabular.ParseDelimiter(c.Delimiter); err != nil {
		bad("delimiter", "%v", err)
	}
	if _, err := tabular.ParseDecimal(c.Decimal); err != nil {
		bad("decimal", "%v", err)
	} else if c.Decimal == "," && c.Delimiter == "," {
		bad("decimal", ", needs a delimiter other than a comma (--delimiter is ,)")
	}
	if c.MaxCategories < 0 || c.MaxCategories > tabular.MaxFeatures {
		bad("max-categories", "%d; want 0 (%d) to %d", c.MaxCategories, tabular.DefaultMaxCategories, tabular.MaxFeatures)
	}
	if IsBuiltin(c.Dataset) {
		for _, f := range []struct {
			name string
			set  bool
		}{{"delimiter", c.Delimiter != ""}, {"decimal", c.Decimal != ""}, {"categorical", c.Categorical != ""}, {"ignore", c.Ignore != ""},
			{"na", c.NA != ""}, {"max-categories", c.MaxCategories != 0}, {"missing-indicator", c.MissingIndicator}} {
			if f.set {
				bad(f.name, "only a CSV table has columns to choose")
			}
		}
	}
}

// splitList reads a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (c *Config) readOptions(oneClass bool) tabular.ReadOptions {
	return tabular.ReadOptions{Label: c.Label, Delimiter: c.Delimiter, Decimal: c.Decimal, NA: splitList(c.NA), OneClass: oneClass}
}

func (c *Config) fitOptions() tabular.Options {
	return tabular.Options{Categorical: splitList(c.Categorical), Ignore: splitList(c.Ignore), NA: splitList(c.NA),
		MaxCategories: c.MaxCategories, Indicators: c.MissingIndicator}
}

// TableRows are the rows of a table in each part of the split, counted
// from 0 among the data rows (the header excluded), in the parts' order.
type TableRows struct {
	Train, Val, Test []int
}

// readTable reads a CSV table, splits its rows as every data set is split
// (a stratified test part, then a validation part of the rest), fits the
// preprocessing on the training part (or uses pp, a saved model's), and
// encodes the three parts with it. choices says whether to report the
// decisions (not when a saved model's data is read again).
func readTable(cfg Config, pp *tabular.Pipeline, choices bool, report func(Event)) (*Data, error) {
	path := cfg.Dataset
	report(Event{Kind: Loading, Message: "reading " + path})
	t, err := tabular.Load(path, cfg.readOptions(false))
	if err != nil {
		return nil, err
	}
	if len(t.Rows) < 4 {
		return nil, fieldErr("dataset", path, fmt.Errorf("%d samples; too few to split into training and test parts", len(t.Rows)))
	}
	rows := SplitTable(t, cfg)
	if pp == nil {
		if pp, err = tabular.Fit(t, rows.Train, cfg.fitOptions()); err != nil {
			return nil, err
		}
	}
	if choices {
		report(Event{Kind: Loading, Message: fmt.Sprintf("%s: %sdelimiter %q%s, %s; label %s, %d classes; the other columns:",
			filepath.Base(path), encodingWords(t), tabular.DelimiterName(t.Delimiter), decimalWords(t), headerWord(t), t.ColumnName(t.LabelCol), len(t.Classes))})
		for _, line := range pp.Choices() {
			report(Event{Kind: Loading, Message: "  " + line})
		}
	}
	if pp.Width != t.Width {
		return nil, fieldErr("dataset", path, fmt.Errorf("%d columns, the model's table had %d", t.Width, pp.Width))
	}
	warn := func(s string) { report(Event{Kind: Loading, Message: s}) }
	d := &Data{Name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), Table: pp, Rows: rows}
	for _, r := range rows.Test {
		d.TestCells = append(d.TestCells, slices.Delete(slices.Clone(t.Rows[r]), t.LabelCol, t.LabelCol+1))
	}
	parts := []struct {
		dst  **datasets.Dataset
		rows []int
	}{{&d.Train, rows.Train}, {&d.Val, rows.Val}, {&d.Test, rows.Test}}
	for _, part := range parts {
		if part.rows == nil {
			continue
		}
		if *part.dst, err = pp.Dataset(t, part.rows, warn); err != nil {
			return nil, err
		}
		(*part.dst).Name = d.Name
	}
	return d, nil
}

// encodingWords says a table's encoding when it is not UTF-8.
func encodingWords(t *tabular.Table) string {
	if t.Encoding != "" {
		return t.Encoding + " text, "
	}
	return ""
}

// decimalWords says a table's decimal mark when it is a comma.
func decimalWords(t *tabular.Table) string {
	if t.Decimal == ',' {
		return ", decimal comma"
	}
	return ""
}

func headerWord(t *tabular.Table) string {
	if t.Header == nil {
		return "no header line"
	}
	return "a header line"
}

// SplitTable splits the rows of a table as LoadData splits every data
// set: the same seed gives the same parts. The comparison with
// scikit-learn (bench/tables) trains on the same parts through it.
func SplitTable(t *tabular.Table, cfg Config) TableRows {
	rest, test := datasets.StratifiedIndices(t.Y, len(t.Classes), cfg.TestSplit, cfg.Seed^streamTestSplit)
	rows := TableRows{Train: rest, Test: test}
	if cfg.ValSplit > 0 {
		y := make([]int32, len(rest))
		for i, r := range rest {
			y[i] = t.Y[r]
		}
		a, b := datasets.StratifiedIndices(y, len(t.Classes), cfg.ValSplit, cfg.Seed^streamValSplit)
		rows.Train, rows.Val = pick(rest, a), pick(rest, b)
		if len(rows.Val) == 0 {
			rows.Val = nil
		}
	}
	return rows
}

func pick(from, idx []int) []int {
	out := make([]int, len(idx))
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

// ClassWeights returns the weight of each class under the run's
// --class-weight: nil for none, and for balanced n / (classes × n_c) as
// scikit-learn's compute_class_weight("balanced"), from the training
// part's counts (a class absent from it gets weight 0).
func ClassWeights(mode string, counts []int) []float32 {
	if mode != ClassWeightBalanced {
		return nil
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	w := make([]float32, len(counts))
	for i, c := range counts {
		if c > 0 {
			w[i] = float32(float64(n) / (float64(len(counts)) * float64(c)))
		}
	}
	return w
}

// tablePipeline returns a model's saved preprocessing, nil for a model
// without one (an image model, or a numeric table's from before it was
// saved).
func tablePipeline(info map[string]string, path string) (*tabular.Pipeline, error) {
	s, ok := info[PreprocessingKey]
	if !ok {
		return nil, nil
	}
	p, err := tabular.Unmarshal(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// loadTableAll reads every row of a labelled table to measure model m
// (from the file path) on: encoded with the model's preprocessing, or,
// for a model saved without one, read as plain numbers as it was trained.
func loadTableAll(ctx context.Context, cfg Config, m *nn.Model, path, dataset string, report func(Event)) (*datasets.Dataset, error) {
	pp, err := tablePipeline(m.Info, path)
	if err != nil {
		return nil, err
	}
	if pp == nil {
		return datasets.LoadCSV(ctx, dataset, datasets.CSVOptions{Label: cfg.Label, OneClass: true})
	}
	opt := cfg.readOptions(true)
	opt.Delimiter, opt.Label = "", strconv.Itoa(pp.LabelColumn+1)
	opt.Decimal = cmp.Or(pp.Decimal, ".") // the model reads its numbers so
	t, err := tabular.Load(dataset, opt)
	if err != nil {
		return nil, err
	}
	if t.Width != pp.Width {
		return nil, fieldErr("dataset", dataset, fmt.Errorf("%d columns, the model's table had %d", t.Width, pp.Width))
	}
	rows := make([]int, len(t.Rows))
	for i := range rows {
		rows[i] = i
	}
	d, err := pp.Dataset(t, rows, func(s string) { report(Event{Kind: Loading, Message: s}) })
	if err != nil {
		return nil, err
	}
	d.Name = dataset
	return d, nil
}

// TableInput turns raw rows of a table into a table model's input: the
// model's saved preprocessing, then its normalization, as training
// encoded its data. classify and the comparisons with eval go through it.
type TableInput struct {
	Pipeline *tabular.Pipeline
	enc      *tabular.Encoder
	norm     datasets.Normalization
}

// NewTableInput returns the input of model m (read from path), or nil
// for a model saved without preprocessing (an image model, or a numeric
// table's from before preprocessing was saved), whose input is plain
// numbers. warn hears of categories unseen in training, once per column.
func NewTableInput(m *nn.Model, path string, warn func(string)) (*TableInput, error) {
	pp, err := tablePipeline(m.Info, path)
	if err != nil || pp == nil {
		return nil, err
	}
	if pp.Dim() != m.Net.Arch.Inputs {
		return nil, fmt.Errorf("%s: preprocessing gives %d features, the network takes %d", path, pp.Dim(), m.Net.Arch.Inputs)
	}
	return &TableInput{Pipeline: pp, enc: pp.Encoder(warn), norm: datasets.Normalization{Mean: m.Mean, Std: m.Std}}, nil
}

// Input encodes and standardizes one row of cells.
func (ti *TableInput) Input(cells []string) ([]float32, error) {
	x := make([]float32, ti.Pipeline.Dim())
	if err := ti.enc.Encode(cells, x); err != nil {
		return nil, err
	}
	d := datasets.Dataset{Shape: []int{len(x)}, X: x, Y: []int32{0}}
	out := make([]float32, len(x))
	d.Batch(out, []int{0}, ti.norm, datasets.Augment{}, nil)
	return out, nil
}
