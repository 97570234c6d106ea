package trainer

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/nn"
)

// FieldKind says how a setting is edited.
type FieldKind int

// Field kinds.
const (
	TextField   FieldKind = iota // free text: a data set, a name, a path
	NumberField                  // a number or a list of numbers
	ChoiceField                  // one of Field.Choices
	BoolField                    // true or false
)

// A Field is one setting of Config as the command line and the
// dashboard's form name it: the flag name, a one-line usage, and how to
// show it as text and set it from text. Set reports a value that is not
// even of the right type ("abc" for a number); whether a well-formed value
// is allowed is for Config.Problems to say, under the same name.
type Field struct {
	Name    string
	Usage   string
	Kind    FieldKind
	Choices []string // ChoiceField: the values, in order
	// Live marks what a running run can change (Run.SetLR, Run.SetDropout);
	// every other field takes effect only in a new run.
	Live bool
	// Hyper marks the hyperparameters: what every preset sets (from the
	// defaults, before its own values) and a sweep may vary.
	Hyper bool
	// Sweep marks what a sweep may try several values of: the
	// hyperparameters, the seed and the image size. The rest (data set,
	// preset, splits, places, threads) is one value for all trials, since
	// trials measured on other validation sets would not compare.
	Sweep bool
	Get   func(*Config) string
	Set   func(*Config, string) error
}

// Fields lists the settings of Config in flag order. "preset" sets every
// hyperparameter from the named preset.
var Fields = []Field{
	textField("dataset", DatasetChoices, func(c *Config) *string { return &c.Dataset }),
	{Name: "preset", Usage: "named settings; choosing one refills the hyperparameters", Kind: ChoiceField,
		Get: func(c *Config) string { return c.Preset }}, // Choices and Set: see init
	textField("name", "a name added to the run directory's", func(c *Config) *string { return &c.Name }),
	hyper(Field{Name: "hidden", Usage: "hidden layer sizes, like 1000,100 (none: no hidden layer)", Kind: NumberField,
		Get: func(c *Config) string {
			if len(c.Hidden) == 0 {
				return "none"
			}
			return HiddenString(c.Hidden)
		},
		Set: func(c *Config, v string) error {
			h, err := ParseHidden(v)
			c.Hidden = h
			return err
		}}),
	hyper(choiceField("activation", "hidden layers' activation: relu, leaky-relu or gelu", []string{nn.ReLU, nn.LeakyReLU, nn.GELUName}, func(c *Config) *string { return &c.Activation })),
	hyper(choiceField("block", "plain (dense, norm, activation per hidden size) or residual (per hidden size a pre-norm block x + W2·act(W1·norm(x)))", []string{nn.PlainBlock, nn.ResidualBlock}, func(c *Config) *string { return &c.Block })),
	hyper(choiceField("norm", "normalization: none, layer (LayerNorm) or batch (BatchNorm)", []string{nn.NoNorm, nn.LayerNormName, nn.BatchNormName}, func(c *Config) *string { return &c.Norm })),
	hyper(intField("expansion", "residual blocks' inner width over their width", func(c *Config) *int { return &c.Expansion })),
	hyper(floatField("leaky-slope", "leaky ReLU's slope for negative inputs (0: 0.01)", false, func(c *Config) *float64 { return &c.LeakySlope })),
	hyper(floatField("dropout", "probability of dropping a hidden unit in training", true, func(c *Config) *float64 { return &c.Dropout })),
	hyper(floatField("l2", "L2 penalty on the weights", false, func(c *Config) *float64 { return &c.L2 })),
	hyper(floatField("weight-decay", "decoupled weight decay (AdamW with adam): weights shrink by lr·decay each step", false, func(c *Config) *float64 { return &c.WeightDecay })),
	hyper(floatField("label-smoothing", "label smoothing of the training loss (0.1: 90 % on the true class)", false, func(c *Config) *float64 { return &c.LabelSmoothing })),
	hyper(floatField("mixup", "mixup α: train on blends of sample pairs and their labels (0: off; 0.2 is usual)", false, func(c *Config) *float64 { return &c.Mixup })),
	hyper(choiceField("optimizer", "adam or sgd", []string{"adam", "sgd"}, func(c *Config) *string { return &c.Optimizer })),
	hyper(floatField("lr", "learning rate (the peak under a schedule)", true, func(c *Config) *float64 { return &c.LR })),
	hyper(floatField("momentum", "SGD momentum", false, func(c *Config) *float64 { return &c.Momentum })),
	hyper(boolField("nesterov", "SGD with Nesterov momentum", func(c *Config) *bool { return &c.Nesterov })),
	hyper(choiceField("schedule", "learning-rate schedule: constant, cosine or onecycle", []string{Constant, Cosine, OneCycle}, func(c *Config) *string { return &c.Schedule })),
	hyper(intField("warmup", "epochs of linear learning-rate warm-up before the schedule", func(c *Config) *int { return &c.Warmup })),
	hyper(intField("plateau", "divide the learning rate by 10 after this many epochs without a lower validation loss (0: never)", func(c *Config) *int { return &c.Plateau })),
	hyper(intField("batch", "samples per step (0: the whole training set)", func(c *Config) *int { return &c.Batch })),
	hyper(intField("epochs", "passes over the training set (at most, with --patience)", func(c *Config) *int { return &c.Epochs })),
	hyper(choiceField("keep", "the run's model: the best epoch's weights by validation, or the last epoch's", []string{KeepBest, KeepLast}, func(c *Config) *string { return &c.Keep })),
	hyper(intField("patience", "stop after this many epochs without a better validation loss (0: never)", func(c *Config) *int { return &c.Patience })),
	sweep(Field{Name: "seed", Usage: "random seed: the same seed and settings give the same run", Kind: NumberField,
		Get: func(c *Config) string { return strconv.FormatUint(c.Seed, 10) },
		Set: func(c *Config, v string) error {
			s, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number >= 0", v)
			}
			c.Seed = s
			return nil
		}}),
	floatField("val-split", "share of the training data held out for validation", false, func(c *Config) *float64 { return &c.ValSplit }),
	floatField("test-split", "share held out for testing when the data set has no test part", false, func(c *Config) *float64 { return &c.TestSplit }),
	hyper(boolField("augment", "augment images: flips and shifted crops", func(c *Config) *bool { return &c.Augment })),
	hyper(Field{Name: "whiten", Usage: "images: none, or zca (regularized ZCA whitening fitted on the training part, saved with the model)", Kind: ChoiceField,
		Choices: []string{WhitenNone, nn.WhitenZCA},
		Get:     func(c *Config) string { return cmp.Or(c.Whiten, WhitenNone) }, // "": a run from before the flag
		Set:     func(c *Config, v string) error { c.Whiten = v; return nil }}),
	hyper(floatField("zca-epsilon", fmt.Sprintf("ZCA whitening's regularization, added to each eigenvalue of the standardized inputs' covariance (0: %v)", datasets.DefaultZCAEpsilon), false, func(c *Config) *float64 { return &c.ZCAEpsilon })),
	sweep(intField("image-size", "image folders: resize images to this side (0: the most common size)", func(c *Config) *int { return &c.ImageSize })),
	boolField("skip-bad", "image folders: skip images that cannot be decoded", func(c *Config) *bool { return &c.SkipBad }),
	textField("label", "CSV tables: the class column, by its name in the header or its number from 1 (default: the last)", func(c *Config) *string { return &c.Label }),
	intField("samples", "playground sets: points to generate", func(c *Config) *int { return &c.Samples }),
	floatField("noise", "playground sets: noise, in units of the gap between the classes (0.5: they overlap)", false, func(c *Config) *float64 { return &c.Noise }),
	hyper(Field{Name: "class-weight", Usage: "weight the loss by inverse class frequency: none or balanced", Kind: ChoiceField,
		Choices: []string{ClassWeightNone, ClassWeightBalanced},
		Get:     func(c *Config) string { return cmp.Or(c.ClassWeight, ClassWeightNone) }, // "": a run from before the flag
		Set:     func(c *Config, v string) error { c.ClassWeight = v; return nil }}),
	textField("delimiter", "CSV tables: the delimiter, , ; | or tab (default: detected)", func(c *Config) *string { return &c.Delimiter }),
	textField("decimal", "CSV tables: the decimal mark, . or , as in 27,5 (default: detected; a comma only beside another delimiter)", func(c *Config) *string { return &c.Decimal }),
	textField("categorical", "CSV tables: columns to one-hot encode even if they hold numbers, by name or number, comma-separated", func(c *Config) *string { return &c.Categorical }),
	textField("ignore", "CSV tables: columns to leave out, by name or number, comma-separated", func(c *Config) *string { return &c.Ignore }),
	textField("na", "CSV tables: more cell values meaning missing, comma-separated (always: empty, NA, N/A, NaN, ?)", func(c *Config) *string { return &c.NA }),
	intField("max-categories", "CSV tables: refuse a column of more categories than this (0: 100)", func(c *Config) *int { return &c.MaxCategories }),
	boolField("missing-indicator", "CSV tables: add a 0/1 feature after each column that had missing values", func(c *Config) *bool { return &c.MissingIndicator }),
	intField("max-pixels", "image folders: refuse images of more pixels (width × height) than this, before decoding them (0: 64 megapixels)", func(c *Config) *int { return &c.MaxPixels }),
	intField("threads", "threads for the matrix multiply (0: all cores)", func(c *Config) *int { return &c.Threads }),
	Field{Name: "precision", Usage: "matrix-product operands: float32, or bf16 (bfloat16 on CPUs with avx512_bf16; accumulation, weights and optimizer stay float32)", Kind: ChoiceField,
		Choices: []string{"float32", "bf16"},
		Get:     func(c *Config) string { return cmp.Or(c.Precision, "float32") },
		Set:     func(c *Config, v string) error { c.Precision = v; return nil }},
	textField("runs", "directory of saved runs", func(c *Config) *string { return &c.RunsDir }),
	textField("data-dir", "where downloaded data sets are kept", func(c *Config) *string { return &c.DataDir }),
}

func init() {
	// Not in Fields' initializer, which would make a cycle: the presets
	// start by resetting the hyperparameters that Fields marks.
	p := FieldByName("preset")
	p.Choices = PresetNames()
	p.Set = (*Config).applyPreset
}

// Hint names what the field takes, as help shows it: its choices
// ("adam|sgd"), "sizes" (hidden), "dir", "name|path" (a data set),
// "number", or "name".
func (f *Field) Hint() string {
	switch {
	case f.Kind == ChoiceField && f.Name != "preset":
		return strings.Join(f.Choices, "|")
	case f.Name == "hidden":
		return "sizes"
	case f.Name == "runs" || f.Name == "data-dir":
		return "dir"
	case f.Name == "dataset":
		return "name|path"
	case f.Kind == NumberField:
		return "number"
	}
	return "name"
}

// FieldByName returns the field with that flag name, or nil.
func FieldByName(name string) *Field {
	for i := range Fields {
		if Fields[i].Name == name {
			return &Fields[i]
		}
	}
	return nil
}

// ParseHidden reads layer sizes like "1000,100"; "" or "none" means no
// hidden layer. Whether the sizes are allowed is for Config.Problems.
func ParseHidden(v string) ([]int, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "none" {
		return []int{}, nil
	}
	var h []int
	for _, p := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("%q is not a list of layer sizes like 1000,100", v)
		}
		h = append(h, n)
	}
	return h, nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// hyper marks f a hyperparameter, which a sweep may vary.
func hyper(f Field) Field {
	f.Hyper, f.Sweep = true, true
	return f
}

// sweep marks f as one a sweep may try several values of.
func sweep(f Field) Field {
	f.Sweep = true
	return f
}

func textField(name, usage string, get func(*Config) *string) Field {
	return Field{Name: name, Usage: usage, Kind: TextField,
		Get: func(c *Config) string { return *get(c) },
		Set: func(c *Config, v string) error { *get(c) = v; return nil }}
}

func choiceField(name, usage string, choices []string, get func(*Config) *string) Field {
	f := textField(name, usage, get)
	f.Kind, f.Choices = ChoiceField, choices
	return f
}

func floatField(name, usage string, live bool, get func(*Config) *float64) Field {
	return Field{Name: name, Usage: usage, Kind: NumberField, Live: live,
		Get: func(c *Config) string { return formatFloat(*get(c)) },
		Set: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", v)
			}
			*get(c) = f
			return nil
		}}
}

func intField(name, usage string, get func(*Config) *int) Field {
	return Field{Name: name, Usage: usage, Kind: NumberField,
		Get: func(c *Config) string { return strconv.Itoa(*get(c)) },
		Set: func(c *Config, v string) error {
			i, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*get(c) = i
			return nil
		}}
}

func boolField(name, usage string, get func(*Config) *bool) Field {
	return Field{Name: name, Usage: usage, Kind: BoolField,
		Get: func(c *Config) string { return strconv.FormatBool(*get(c)) },
		Set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*get(c) = b
			return nil
		}}
}
