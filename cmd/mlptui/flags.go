package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/trainer"
)

// hyperFlag is a flag that sets a field of trainer.Config. The preset is
// applied first and the other flags after it in command-line order, so a
// flag overrides the preset wherever it stands.
type hyperFlag struct {
	name, usage string
	isBool      bool
	apply       func(c *trainer.Config, v string) error
}

func parseFloat(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", v)
	}
	return f, nil
}

func parseInt(v string) (int, error) {
	i, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", v)
	}
	return i, nil
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%q is not true or false", v)
	}
	return b, nil
}

// parseHidden reads "1000,100"; "" or "none" means no hidden layer.
func parseHidden(v string) ([]int, error) {
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

func floatField(get func(*trainer.Config) *float64) func(*trainer.Config, string) error {
	return func(c *trainer.Config, v string) error {
		f, err := parseFloat(v)
		*get(c) = f
		return err
	}
}

func intField(get func(*trainer.Config) *int) func(*trainer.Config, string) error {
	return func(c *trainer.Config, v string) error {
		i, err := parseInt(v)
		*get(c) = i
		return err
	}
}

func boolField(get func(*trainer.Config) *bool) func(*trainer.Config, string) error {
	return func(c *trainer.Config, v string) error {
		b, err := parseBool(v)
		*get(c) = b
		return err
	}
}

func stringField(get func(*trainer.Config) *string) func(*trainer.Config, string) error {
	return func(c *trainer.Config, v string) error { *get(c) = v; return nil }
}

var hyperFlags = []hyperFlag{
	{name: "dataset", usage: "iris, cifar10, a folder of images or a .csv file", apply: stringField(func(c *trainer.Config) *string { return &c.Dataset })},
	{name: "preset", usage: "named settings: " + strings.Join(trainer.PresetNames(), ", ") + " (default: the data set's own)", apply: func(c *trainer.Config, v string) error {
		return c.ApplyPreset(v)
	}},
	{name: "name", usage: "a name added to the run directory's", apply: stringField(func(c *trainer.Config) *string { return &c.Name })},
	{name: "hidden", usage: "hidden layer sizes, like 1000,100 (none: no hidden layer)", apply: func(c *trainer.Config, v string) error {
		h, err := parseHidden(v)
		c.Hidden = h
		return err
	}},
	{name: "activation", usage: "relu or leaky-relu", apply: stringField(func(c *trainer.Config) *string { return &c.Activation })},
	{name: "leaky-slope", usage: "leaky ReLU's slope for negative inputs (0: 0.01)", apply: floatField(func(c *trainer.Config) *float64 { return &c.LeakySlope })},
	{name: "dropout", usage: "probability of dropping a hidden unit in training", apply: floatField(func(c *trainer.Config) *float64 { return &c.Dropout })},
	{name: "l2", usage: "L2 penalty on the weights", apply: floatField(func(c *trainer.Config) *float64 { return &c.L2 })},
	{name: "optimizer", usage: "adam or sgd", apply: stringField(func(c *trainer.Config) *string { return &c.Optimizer })},
	{name: "lr", usage: "learning rate (the peak under a schedule)", apply: floatField(func(c *trainer.Config) *float64 { return &c.LR })},
	{name: "momentum", usage: "SGD momentum", apply: floatField(func(c *trainer.Config) *float64 { return &c.Momentum })},
	{name: "nesterov", usage: "SGD with Nesterov momentum", isBool: true, apply: boolField(func(c *trainer.Config) *bool { return &c.Nesterov })},
	{name: "schedule", usage: "learning-rate schedule: constant, cosine or onecycle", apply: stringField(func(c *trainer.Config) *string { return &c.Schedule })},
	{name: "batch", usage: "samples per step (0: the whole training set)", apply: intField(func(c *trainer.Config) *int { return &c.Batch })},
	{name: "epochs", usage: "passes over the training set", apply: intField(func(c *trainer.Config) *int { return &c.Epochs })},
	{name: "seed", usage: "random seed: the same seed and settings give the same run", apply: func(c *trainer.Config, v string) error {
		s, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number >= 0", v)
		}
		c.Seed = s
		return nil
	}},
	{name: "val-split", usage: "share of the training data held out for validation", apply: floatField(func(c *trainer.Config) *float64 { return &c.ValSplit })},
	{name: "test-split", usage: "share held out for testing when the data set has no test part", apply: floatField(func(c *trainer.Config) *float64 { return &c.TestSplit })},
	{name: "augment", usage: "augment images: flips and shifted crops", isBool: true, apply: boolField(func(c *trainer.Config) *bool { return &c.Augment })},
	{name: "image-size", usage: "image folders: resize images to this side (0: the most common size)", apply: intField(func(c *trainer.Config) *int { return &c.ImageSize })},
	{name: "skip-bad", usage: "image folders: skip images that cannot be decoded", isBool: true, apply: boolField(func(c *trainer.Config) *bool { return &c.SkipBad })},
	{name: "max-pixels", usage: "image folders: refuse images of more pixels (width × height) than this, before decoding them (0: 64 megapixels)", apply: intField(func(c *trainer.Config) *int { return &c.MaxPixels })},
	{name: "threads", usage: "threads for the matrix multiply (0: all cores)", apply: intField(func(c *trainer.Config) *int { return &c.Threads })},
	{name: "runs", usage: "directory of saved runs", apply: stringField(func(c *trainer.Config) *string { return &c.RunsDir })},
	{name: "data-dir", usage: "where downloaded data sets are kept", apply: stringField(func(c *trainer.Config) *string { return &c.DataDir })},
}

// configFlags collects hyperparameter flags in command-line order.
type configFlags struct {
	sets []setting
}

type setting struct {
	flag  *hyperFlag
	value string
}

// defineFlag adds h to fs with set as its setter and usage as its help,
// which gains the default for the flags whose default is a place.
func defineFlag(fs *flag.FlagSet, h *hyperFlag, usage string, set func(string) error) {
	switch def := trainer.Defaults(); h.name {
	case "runs":
		usage += fmt.Sprintf(" (default %q)", def.RunsDir)
	case "data-dir":
		usage += fmt.Sprintf(" (default %q)", def.DataDir)
	}
	if h.isBool {
		fs.BoolFunc(h.name, usage, set)
	} else {
		fs.Func(h.name, usage, set)
	}
}

// register adds the hyperparameter flags to fs.
func (cf *configFlags) register(fs *flag.FlagSet) {
	for i := range hyperFlags {
		h := &hyperFlags[i]
		fn := func(v string) error {
			scratch := trainer.Defaults()
			if err := h.apply(&scratch, v); err != nil {
				return err
			}
			cf.sets = append(cf.sets, setting{h, v})
			return nil
		}
		defineFlag(fs, h, h.usage, fn)
	}
}

// config builds the configuration: defaults, then the preset (the last
// --preset given, or else the data set's own), then every other flag in
// command-line order. So a flag overrides the preset wherever it stands:
// --lr 0.1 --preset default trains at 0.1, as --preset default --lr 0.1
// does.
func (cf *configFlags) config() (trainer.Config, error) {
	c := trainer.Defaults()
	var preset *setting
	for i, s := range cf.sets {
		switch s.flag.name {
		case "dataset":
			c.Dataset = s.value
		case "preset":
			preset = &cf.sets[i]
		}
	}
	if preset != nil {
		if p, ok := trainer.Presets[preset.value]; ok && p.Dataset != "" && !cf.has("dataset") {
			c.Dataset = p.Dataset
		}
		if err := preset.flag.apply(&c, preset.value); err != nil {
			return c, usagef("--preset %s: %v", preset.value, err)
		}
	} else if err := c.ApplyPreset(trainer.DefaultPreset(c.Dataset)); err != nil {
		return c, err
	}
	for _, s := range cf.sets {
		if s.flag.name == "preset" {
			continue
		}
		if err := s.flag.apply(&c, s.value); err != nil {
			return c, usagef("--%s %s: %v", s.flag.name, s.value, err)
		}
	}
	if err := c.Validate(); err != nil {
		return c, usagef("%v", err)
	}
	return c, nil
}

func (cf *configFlags) has(name string) bool {
	for _, s := range cf.sets {
		if s.flag.name == name {
			return true
		}
	}
	return false
}
