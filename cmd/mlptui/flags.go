package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/mlptui/mlptui/trainer"
)

// hyperFlag is a flag that sets a field of trainer.Config. The preset is
// applied first and the other flags after it in command-line order, so a
// flag overrides the preset wherever it stands.
type hyperFlag struct {
	name, usage string
	isBool      bool
	sweep       bool // a sweep may try several values (trainer.Field.Sweep)
	apply       func(c *trainer.Config, v string) error
}

// hyperFlags are the flags of trainer.Fields, the settings the dashboard's
// form shows too, in the same order and with the same parsing.
var hyperFlags = func() []hyperFlag {
	var hs []hyperFlag
	for i := range trainer.Fields {
		f := &trainer.Fields[i]
		usage := f.Usage
		if f.Name == "preset" {
			usage = "named settings: " + strings.Join(trainer.PresetNames(), ", ") + " (default: the data set's own)"
		}
		hs = append(hs, hyperFlag{name: f.Name, usage: usage, isBool: f.Kind == trainer.BoolField, sweep: f.Sweep, apply: f.Set})
	}
	return hs
}()

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
		return c, usagef("%s", errText(err))
	}
	// A data set named on the command line that is nowhere is a mistake
	// in the command (exit 2), found before anything starts.
	if p := trainer.DatasetProblem(c.Dataset); p != "" {
		return c, usagef("--dataset %s: %s", c.Dataset, p)
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
