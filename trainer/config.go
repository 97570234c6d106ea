package trainer

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/nn"
)

// Version is mlptui's version, written into every run.
const Version = "0.1.0"

// Config holds every setting of a training run. Its JSON form is a run's
// config.json. Field names in errors are the command-line flag names.
type Config struct {
	Dataset        string  `json:"dataset"`                   // "iris", "cifar10", a playground set ("spiral", ...), a folder of images, or a .csv file
	Preset         string  `json:"preset,omitempty"`          // the preset the settings started from
	Name           string  `json:"name,omitempty"`            // appended to the run directory's name
	Sweep          string  `json:"sweep,omitempty"`           // the sweep this run is a trial of, if any
	Hidden         []int   `json:"hidden"`                    // hidden layer widths
	Activation     string  `json:"activation"`                // relu, leaky-relu or gelu
	Block          string  `json:"block"`                     // plain (dense, norm, activation per hidden size) or residual (pre-norm blocks)
	Norm           string  `json:"norm"`                      // none, layer or batch
	Expansion      int     `json:"expansion,omitempty"`       // residual blocks' inner width over their width
	LeakySlope     float64 `json:"leaky_slope,omitempty"`     // leaky ReLU's negative slope (0: 0.01)
	Dropout        float64 `json:"dropout"`                   // probability of dropping a hidden unit
	L2             float64 `json:"l2"`                        // L2 penalty on weights (added to the gradient)
	WeightDecay    float64 `json:"weight_decay,omitempty"`    // decoupled weight decay (AdamW): weights *= 1 - lr·decay each step
	LabelSmoothing float64 `json:"label_smoothing,omitempty"` // label smoothing ε of the training loss
	Mixup          float64 `json:"mixup,omitempty"`           // mixup's α: each batch blends with itself, λ ~ Beta(α, α) (0: off)
	Optimizer      string  `json:"optimizer"`                 // adam or sgd
	LR             float64 `json:"lr"`                        // learning rate (the peak, under a schedule)
	Momentum       float64 `json:"momentum"`                  // SGD momentum
	Nesterov       bool    `json:"nesterov"`                  // SGD with Nesterov momentum
	Schedule       string  `json:"schedule"`                  // constant, cosine or onecycle
	Warmup         int     `json:"warmup,omitempty"`          // epochs of linear warm-up before the schedule
	Plateau        int     `json:"plateau,omitempty"`         // divide the learning rate by 10 after this many epochs without a lower validation loss (0: never)
	Batch          int     `json:"batch"`                     // samples per step; 0 = the whole training set
	Epochs         int     `json:"epochs"`                    // passes over the training set (at most, with Patience)
	Keep           string  `json:"keep"`                      // the weights a run keeps as its model: best (by validation) or last
	Patience       int     `json:"patience"`                  // stop after this many epochs without a better validation loss (0: never)
	Seed           uint64  `json:"seed"`                      // seeds the split, initialization, shuffling, dropout, augmentation
	ValSplit       float64 `json:"val_split"`                 // share of the training part held out for validation
	TestSplit      float64 `json:"test_split"`                // share held out for testing when a data set has no test part
	Augment        bool    `json:"augment"`                   // image flips and shifted crops
	Whiten         string  `json:"whiten,omitempty"`          // images: none ("" too) or zca (regularized ZCA whitening fitted on the training part)
	ZCAEpsilon     float64 `json:"zca_epsilon,omitempty"`     // ZCA's regularization, added to the eigenvalues of the standardized inputs' covariance (0: datasets.DefaultZCAEpsilon)
	ImageSize      int     `json:"image_size,omitempty"`      // image folders: side to resize to (0: the most common size)
	SkipBad        bool    `json:"skip_bad,omitempty"`        // image folders: skip undecodable images
	MaxPixels      int     `json:"max_pixels,omitempty"`      // image folders: refuse larger images, before decoding (0: 64 megapixels)
	Label          string  `json:"label,omitempty"`           // CSV tables: the class column, by header name or number from 1 ("": the last)
	Samples        int     `json:"samples"`                   // playground sets: points to generate
	Noise          float64 `json:"noise"`                     // playground sets: noise, in units of the gap between the classes
	Threads        int     `json:"threads,omitempty"`         // matrix-multiply threads (0: all cores)
	Precision      string  `json:"precision,omitempty"`       // matrix-product operands: float32 ("" too) or bf16

	// CSV tables (see package datasets/tabular).
	ClassWeight      string `json:"class_weight,omitempty"`      // none or balanced: loss weighted by inverse class frequency
	Delimiter        string `json:"delimiter,omitempty"`         // , ; | or tab ("": detected)
	Decimal          string `json:"decimal,omitempty"`           // the decimal mark, . or , ("": detected)
	Categorical      string `json:"categorical,omitempty"`       // columns to one-hot encode, by name or number, comma-separated
	Ignore           string `json:"ignore,omitempty"`            // columns to leave out, likewise
	NA               string `json:"na,omitempty"`                // extra cell values meaning missing, comma-separated
	MaxCategories    int    `json:"max_categories,omitempty"`    // most categories per column (0: 100)
	MissingIndicator bool   `json:"missing_indicator,omitempty"` // a 0/1 feature after each column that had gaps

	// Where things are. DataDir is kept in config.json so that a run can
	// be resumed or evaluated on the same machine without repeating it.
	RunsDir string `json:"-"`                  // parent of run directories (default "runs")
	DataDir string `json:"data_dir,omitempty"` // where downloaded data sets are kept (default the user cache)

	// A run keeps Dataset as an absolute path (AbsDataset), so its model
	// can be measured again from any directory; DatasetArg is the path as
	// it was given, when that was not absolute, for display.
	DatasetArg string `json:"dataset_as_given,omitempty"`
}

// What a run keeps as its model (Config.Keep).
const (
	// KeepBest keeps the weights of the best epoch by validation: the
	// highest validation accuracy, ties broken by the lower validation
	// loss. Without a validation split it is KeepLast.
	KeepBest = "best"
	// KeepLast keeps the weights of the last epoch.
	KeepLast = "last"
)

// WhitenNone is Config.Whiten's value for no whitening (the other is
// nn.WhitenZCA).
const WhitenNone = "none"

// Schedules.
const (
	Constant = "constant"
	Cosine   = "cosine"
	OneCycle = "onecycle"
)

// Defaults returns the settings used where neither a preset nor a flag
// says otherwise.
func Defaults() Config {
	return Config{
		Dataset:    "iris",
		Hidden:     []int{100},
		Activation: nn.ReLU,
		Block:      nn.PlainBlock,
		Norm:       nn.NoNorm,
		Expansion:  nn.DefaultExpansion,
		Optimizer:  "adam",
		LR:         1e-3,
		Momentum:   0.9,
		Schedule:   Constant,
		Batch:      32,
		Epochs:     20,
		Keep:       KeepBest,
		Whiten:     WhitenNone,
		ZCAEpsilon: datasets.DefaultZCAEpsilon,
		Seed:       1,
		ValSplit:   0.1,
		TestSplit:  0.2,
		Samples:    datasets.DefaultSamples,
		Noise:      datasets.DefaultNoise,
		RunsDir:    "runs",
		DataDir:    DefaultDataDir(),
	}
}

// AbsDataset returns a --dataset value as a run keeps it: a built-in
// name unchanged, a path made absolute.
func AbsDataset(d string) string {
	if IsBuiltin(d) || d == "" {
		return d
	}
	if a, err := filepath.Abs(d); err == nil {
		return a
	}
	return d
}

// absPaths makes the data set's path and the data directory absolute,
// keeping the data set's path as it was given in DatasetArg.
func (c *Config) absPaths() {
	if a := AbsDataset(c.Dataset); a != c.Dataset {
		if c.DatasetArg == "" {
			c.DatasetArg = c.Dataset
		}
		c.Dataset = a
	}
	if c.DataDir != "" {
		if a, err := filepath.Abs(c.DataDir); err == nil {
			c.DataDir = a
		}
	}
}

// DefaultDataDir is where downloaded data sets are kept unless --data-dir
// says otherwise: the user's cache directory, or ./mlptui-data without one.
func DefaultDataDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "mlptui")
	}
	return "mlptui-data"
}

// A Preset is a named set of hyperparameters.
type Preset struct {
	Name        string
	Description string
	Dataset     string // the data set it was made for
	Apply       func(*Config)
}

// Presets lists the named settings, by name.
var Presets = map[string]Preset{
	"default": {
		Name: "default", Description: "a small network for any table, trained to convergence: hidden 100, Adam 1e-3, batch 32, until 10 epochs bring no lower validation loss (at most 200), the best epoch kept",
		Apply: func(c *Config) {
			resetHyper(c)
			c.Epochs, c.Patience = 200, 10
		},
	},
	"iris": {
		Name: "iris", Dataset: "iris",
		Description: "the original Iris network trained to convergence on the whole training part (no validation split: Iris is too small to spare it): hidden 1000,100, dropout 0.5, L2 0.03, Adam 1e-2, whole training set per step, 500 epochs (mean test accuracy 0.962 over seeds 1-20)",
		Apply: func(c *Config) {
			resetHyper(c)
			c.Hidden, c.Dropout, c.L2, c.LR, c.Batch, c.Epochs = []int{1000, 100}, 0.5, 3e-2, 1e-2, 0, 500
			c.ValSplit = 0
		},
	},
	"iris-original": {
		Name: "iris-original", Dataset: "iris",
		Description: "the original Iris network as it was: hidden 1000,100, dropout 0.1, Adam 5e-4, whole training set per step, 100 epochs",
		Apply: func(c *Config) {
			resetHyper(c)
			c.Hidden, c.Dropout, c.LR, c.Batch, c.Epochs = []int{1000, 100}, 0.1, 5e-4, 0, 100
		},
	},
	"cifar10-original": {
		Name: "cifar10-original", Dataset: "cifar10",
		Description: "the original CIFAR-10 network: hidden 4000,1000,4000, no dropout, Adam 1e-5, batch 1024, 30 epochs",
		Apply: func(c *Config) {
			resetHyper(c)
			c.Hidden, c.LR, c.Batch, c.Epochs = []int{4000, 1000, 4000}, 1e-5, 1024, 30
		},
	},
	"cifar10-residual": {
		Name: "cifar10-residual", Dataset: "cifar10",
		Description: "a residual MLP after Bachmann et al. 2023, chosen by measurement on CIFAR-10 (65.2 % test, the mean of seeds 1 and 2, after 12.4-13.5 minutes of training on 2 cores with --precision bf16): a dense layer to 512, 4 pre-norm blocks x + W2·GELU(W1·LayerNorm(x)) with expansion 4, label smoothing 0.1, flips and crops, AdamW 1e-3 with weight decay 0.05, one-cycle, batch 256, 55 epochs, the best epoch kept",
		Apply: func(c *Config) {
			resetHyper(c)
			c.Hidden, c.Block, c.Norm, c.Activation, c.Expansion = []int{512, 512, 512, 512}, "residual", "layer", "gelu", 4
			c.Augment, c.LabelSmoothing, c.WeightDecay = true, 0.1, 0.05
			c.LR, c.Schedule, c.Batch, c.Epochs = 1e-3, OneCycle, 256, 55
		},
	},
	"cifar10": {
		Name: "cifar10", Dataset: "cifar10",
		Description: "mlptui's image network, chosen by measurement on CIFAR-10 (60.8-61.0 % test after 12.7 minutes of training on 2 cores): hidden 2048,1024,512, no dropout, flips and crops, Adam one-cycle 1e-3, batch 256, 70 epochs",
		Apply: func(c *Config) {
			resetHyper(c)
			c.Hidden, c.Dropout, c.Augment = []int{2048, 1024, 512}, 0, true
			c.LR, c.Schedule, c.Batch, c.Epochs = 1e-3, OneCycle, 256, 70
		},
	},
}

// resetHyper sets every hyperparameter and the validation share to their
// defaults, leaving the data set, seed, test split and locations alone:
// each preset starts from it.
func resetHyper(c *Config) {
	d := Defaults()
	c.ValSplit = d.ValSplit
	for _, f := range Fields {
		if f.Hyper {
			if err := f.Set(c, f.Get(&d)); err != nil {
				panic(fmt.Sprintf("trainer: default %s %q does not read back: %v", f.Name, f.Get(&d), err))
			}
		}
	}
}

// PresetNames returns the preset names, sorted.
func PresetNames() []string {
	var n []string
	for k := range Presets {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// DefaultPreset is the preset a data set gets when none is named: its own
// for the built-in ones (each playground set has one), "cifar10" (mlptui's image network, with
// augmentation) for an image folder, and "default" for a CSV table. So the
// CIFAR-10 archive and the same images as a folder train alike.
func DefaultPreset(dataset string) string {
	if IsBuiltin(dataset) {
		return dataset
	}
	if st, err := os.Stat(dataset); err == nil && st.IsDir() {
		return "cifar10"
	}
	return "default"
}

// ApplyPreset sets c's hyperparameters from the named preset and records
// its name. The data set is left alone.
func (c *Config) ApplyPreset(name string) error {
	if err := c.applyPreset(name); err != nil {
		return &FieldError{Field: "preset", Problem: err.Error()}
	}
	return nil
}

// applyPreset is ApplyPreset with an error that does not name the field,
// as a Field's Set returns it.
func (c *Config) applyPreset(name string) error {
	p, ok := Presets[name]
	if !ok {
		return fmt.Errorf("unknown preset %q (have %s)", name, strings.Join(PresetNames(), ", "))
	}
	p.Apply(c)
	c.Preset = name
	return nil
}

// FieldError says which setting is wrong and why. Its text names the
// setting as Fields does ("lr: ..."); a front end says it its own way:
// the command line as a flag (--lr), the form by marking the field.
type FieldError struct {
	Field   string // the setting's name in Fields: "lr", "hidden", ...
	Value   string // the value given, where the problem is about it: a data set's name
	Problem string // what is wrong; Err's text when empty
	Err     error  // the cause, if any
}

// Error says the setting and the settings the problem names bare:
// "patience: 5 needs a validation split to watch; val-split is 0".
func (e *FieldError) Error() string { return e.Text(fieldtext.Bare) }

// Text says the settings by name, as a front end names them: the
// command line's "--patience: ...; --val-split is 0". Problem marks the
// settings it names as {name} (package fieldtext) when Err is the same
// text made by fieldtext.Errorf, as Problems makes it.
func (e *FieldError) Text(name func(string) string) string {
	s := name(e.Field)
	if e.Value != "" {
		s += " " + e.Value
	}
	p := e.Problem
	if t, ok := e.Err.(fieldtext.Texter); ok && (p == "" || p == t.Error()) {
		p = t.Text(name)
	} else if p == "" && e.Err != nil {
		p = fieldtext.Text(e.Err, name)
	}
	return s + ": " + p
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// fieldErr is a FieldError of a value with a cause and, after it, a hint.
func fieldErr(field, value string, err error) *FieldError {
	return &FieldError{Field: field, Value: value, Err: err}
}

// Problems returns everything wrong with c, one error per field, in flag
// order. The dashboard's form shows them next to the fields; Validate
// returns the first.
func (c *Config) Problems() []*FieldError {
	var errs []*FieldError
	bad := func(field, format string, args ...any) {
		err := fieldtext.Errorf(format, args...) // settings it names marked {name}
		errs = append(errs, &FieldError{Field: field, Problem: err.Error(), Err: err})
	}
	c.nameProblems(bad)
	c.networkProblems(bad)
	c.optimizerProblems(bad)
	c.scheduleProblems(bad)
	c.dataProblems(bad)
	return errs
}

// nameProblems checks the data set, the preset and the run name.
func (c *Config) nameProblems(bad func(field, format string, args ...any)) {
	if strings.TrimSpace(c.Dataset) == "" {
		bad("dataset", "empty; want %s", DatasetChoices)
	}
	if c.Preset != "" {
		if _, ok := Presets[c.Preset]; !ok {
			bad("preset", "unknown preset %q (have %s)", c.Preset, strings.Join(PresetNames(), ", "))
		}
	}
	if strings.ContainsAny(c.Name, `/\`) || strings.HasPrefix(c.Name, ".") {
		bad("name", "%q: must not contain / or \\ or start with a dot", c.Name)
	}
}

// networkProblems checks the network: layers, activation, blocks, norms.
func (c *Config) networkProblems(bad func(field, format string, args ...any)) {
	if len(c.Hidden) > 32 {
		bad("hidden", "%d layers; at most 32", len(c.Hidden))
	}
	for i, h := range c.Hidden {
		if h <= 0 || h > nn.MaxUnits {
			bad("hidden", "layer %d has %d units; want 1 to %d", i+1, h, nn.MaxUnits)
			break
		}
	}
	if c.Activation != nn.ReLU && c.Activation != nn.LeakyReLU && c.Activation != nn.GELUName {
		bad("activation", "%q; want %s, %s or %s", c.Activation, nn.ReLU, nn.LeakyReLU, nn.GELUName)
	}
	if c.Block != nn.PlainBlock && c.Block != nn.ResidualBlock {
		bad("block", "%q; want %s or %s", c.Block, nn.PlainBlock, nn.ResidualBlock)
	} else if c.Block == nn.ResidualBlock && len(c.Hidden) == 0 {
		bad("block", "residual blocks need a width: give {hidden}, like 512,512 for two blocks of 512")
	} else if c.Block == nn.ResidualBlock && slices.ContainsFunc(c.Hidden, func(h int) bool { return h != c.Hidden[0] }) {
		bad("block", "residual blocks keep one width; {hidden} %s differs (like 512,512 for two blocks of 512)", HiddenString(c.Hidden))
	}
	if c.Norm != nn.NoNorm && c.Norm != nn.LayerNormName && c.Norm != nn.BatchNormName {
		bad("norm", "%q; want %s, %s or %s", c.Norm, nn.NoNorm, nn.LayerNormName, nn.BatchNormName)
	}
	if c.Expansion < 1 || c.Expansion > 64 {
		bad("expansion", "%d; want 1 to 64", c.Expansion)
	}
}

// optimizerProblems checks the regularization, the optimizer and the learning rate.
func (c *Config) optimizerProblems(bad func(field, format string, args ...any)) {
	if !finite(c.LeakySlope) || c.LeakySlope < 0 || c.LeakySlope >= 1 {
		bad("leaky-slope", "%v; want 0 <= slope < 1", c.LeakySlope)
	}
	if !nn.ValidDropout(c.Dropout) {
		bad("dropout", "%v; want a probability in [0, 1)", c.Dropout)
	}
	if !finite(c.L2) || c.L2 < 0 {
		bad("l2", "%v; want >= 0", c.L2)
	}
	if !finite(c.WeightDecay) || c.WeightDecay < 0 || c.WeightDecay > 1 {
		bad("weight-decay", "%v; want 0 to 1", c.WeightDecay)
	}
	if !finite(c.LabelSmoothing) || c.LabelSmoothing < 0 || c.LabelSmoothing >= 1 {
		bad("label-smoothing", "%v; want 0 <= smoothing < 1", c.LabelSmoothing)
	}
	if !finite(c.Mixup) || c.Mixup < 0 || c.Mixup > 10 {
		bad("mixup", "%v; want α from 0 (off) to 10", c.Mixup)
	}
	if c.Optimizer != "adam" && c.Optimizer != "sgd" {
		bad("optimizer", "%q; want adam or sgd", c.Optimizer)
	}
	if !finite(c.LR) || c.LR <= 0 || c.LR > 10 {
		bad("lr", "%v; want a learning rate > 0 and <= 10", c.LR)
	}
	if !finite(c.Momentum) || c.Momentum < 0 || c.Momentum >= 1 {
		bad("momentum", "%v; want 0 <= momentum < 1", c.Momentum)
	}
}

// scheduleProblems checks the schedule, the batches, the epochs and early stopping.
func (c *Config) scheduleProblems(bad func(field, format string, args ...any)) {
	if !slices.Contains([]string{Constant, Cosine, OneCycle}, c.Schedule) {
		bad("schedule", "%q; want %s, %s or %s", c.Schedule, Constant, Cosine, OneCycle)
	}
	if c.Warmup < 0 || c.Warmup >= max(c.Epochs, 1) {
		bad("warmup", "%d epochs; want 0 to fewer than {epochs} (%d)", c.Warmup, c.Epochs)
	}
	if c.Plateau < 0 || c.Plateau > 100000 {
		bad("plateau", "%d; want 0 (never) to 100000", c.Plateau)
	} else if c.Plateau > 0 && c.ValSplit == 0 {
		bad("plateau", "%d needs a validation split to watch; {val-split} is 0", c.Plateau)
	}
	if c.Batch < 0 || c.Batch > 1<<20 {
		bad("batch", "%d; want 0 (whole training set) to %d", c.Batch, 1<<20)
	}
	if c.Epochs <= 0 || c.Epochs > 100000 {
		bad("epochs", "%d; want 1 to 100000", c.Epochs)
	}
	if c.Keep != KeepBest && c.Keep != KeepLast {
		bad("keep", "%q; want %s or %s", c.Keep, KeepBest, KeepLast)
	}
	if c.Patience < 0 || c.Patience > 100000 {
		bad("patience", "%d; want 0 (never stop early) to 100000", c.Patience)
	} else if c.Patience > 0 && c.ValSplit == 0 {
		bad("patience", "%d needs a validation split to watch; {val-split} is 0", c.Patience)
	}
}

// dataProblems checks the splits, the images, the label, the playground sets, the table and the threads.
func (c *Config) dataProblems(bad func(field, format string, args ...any)) {
	if !finite(c.ValSplit) || c.ValSplit < 0 || c.ValSplit >= 1 {
		bad("val-split", "%v; want a share in [0, 1)", c.ValSplit)
	}
	if !finite(c.TestSplit) || c.TestSplit <= 0 || c.TestSplit >= 1 {
		bad("test-split", "%v; want a share in (0, 1)", c.TestSplit)
	}
	if !slices.Contains([]string{"", WhitenNone, nn.WhitenZCA}, c.Whiten) {
		bad("whiten", "%q; want %s or %s", c.Whiten, WhitenNone, nn.WhitenZCA)
	}
	if !finite(c.ZCAEpsilon) || c.ZCAEpsilon < 0 || c.ZCAEpsilon > 1e6 {
		bad("zca-epsilon", "%v; want a number > 0 and <= 1e6 (0: %v)", c.ZCAEpsilon, datasets.DefaultZCAEpsilon)
	}
	if c.ImageSize < 0 || c.ImageSize > 1024 {
		bad("image-size", "%d; want 0 (most common size) to 1024", c.ImageSize)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(c.Label)); err == nil && n < 1 {
		bad("label", "column %d; columns are counted from 1", n)
	}
	if c.Label != "" && IsBuiltin(c.Dataset) {
		bad("label", "%q: only a CSV table has a label column to choose", c.Label)
	}
	// Only a playground set is generated, so only its runs are held to
	// these (a run's config.json from before they existed has zeros).
	if datasets.IsPlayground(c.Dataset) && (c.Samples < datasets.MinPlaygroundSamples || c.Samples > datasets.MaxPlaygroundSamples) {
		bad("samples", "%d; want %d to %d", c.Samples, datasets.MinPlaygroundSamples, datasets.MaxPlaygroundSamples)
	}
	if datasets.IsPlayground(c.Dataset) && (!finite(c.Noise) || c.Noise < 0 || c.Noise > 10) {
		bad("noise", "%v; want 0 to 10 (times the gap between the classes)", c.Noise)
	}
	if c.MaxPixels < 0 {
		bad("max-pixels", "%d; want 0 (64 megapixels) or more", c.MaxPixels)
	}
	c.tableProblems(bad)
	if c.Threads < 0 || c.Threads > 1024 {
		bad("threads", "%d; want 0 (all cores) to 1024", c.Threads)
	}
	if _, err := nn.ParsePrecision(c.Precision); err != nil {
		bad("precision", "%q; want float32 or bf16", c.Precision)
	}
}

// finite reports whether v is a number and not infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate returns the first problem with c, or nil.
func (c *Config) Validate() error {
	if p := c.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// DatasetChoices says what --dataset takes, for usages and errors.
var DatasetChoices = "iris, cifar10, " + strings.Join(datasets.PlaygroundNames(), ", ") + ", a folder of images or a .csv file"

// IsBuiltin reports whether a --dataset value names a built-in data set
// (iris, cifar10 or a playground set) rather than a path.
func IsBuiltin(dataset string) bool {
	return slices.Contains(BuiltinDatasets(), dataset)
}

// BuiltinDatasets lists the data sets --dataset names without a path:
// iris, cifar10 and the playground sets.
func BuiltinDatasets() []string {
	return append([]string{"iris", "cifar10"}, datasets.PlaygroundNames()...)
}

// HiddenString formats hidden sizes as on the command line: "1000,100".
func HiddenString(h []int) string {
	s := make([]string, len(h))
	for i, v := range h {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ",")
}

// legacyConfig holds, for every setting added since mlptui 0.1.0's first
// runs, the value that gives the behaviour those runs had: a config.json
// without the setting reads as this.
func legacyConfig() Config {
	return Config{Keep: KeepLast, Block: nn.PlainBlock, Norm: nn.NoNorm, Expansion: nn.DefaultExpansion}
}
