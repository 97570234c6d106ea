package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// configFlags collects the flags of trainer.Fields, the settings the
// dashboard's form shows too, in command-line order: lab.Settings.Config
// applies the preset first and the other flags after it in that order, so
// a flag overrides the preset wherever it stands.
type configFlags struct {
	sets lab.Settings
}

// fieldUsage is a field's flag help; the preset's lists the presets.
func fieldUsage(f *trainer.Field) string {
	if f.Name == "preset" {
		return "named settings: " + strings.Join(trainer.PresetNames(), ", ") + " (default: the data set's own)"
	}
	return f.Usage
}

// defineFlag adds f's flag to fs with set as its setter and usage as its
// help, which gains the default for the flags whose default is a place.
func defineFlag(fs *flag.FlagSet, f *trainer.Field, usage string, set func(string) error) {
	switch def := trainer.Defaults(); f.Name {
	case "runs":
		usage += fmt.Sprintf(" (default %q)", def.RunsDir)
	case "data-dir":
		usage += fmt.Sprintf(" (default %q)", def.DataDir)
	}
	if f.Kind == trainer.BoolField {
		fs.BoolFunc(f.Name, usage, set)
	} else {
		fs.Func(f.Name, usage, set)
	}
}

// register adds the settings' flags to fs.
func (cf *configFlags) register(fs *flag.FlagSet) {
	for i := range trainer.Fields {
		f := &trainer.Fields[i]
		defineFlag(fs, f, fieldUsage(f), func(v string) error {
			if err := lab.Check(f, v); err != nil {
				return err
			}
			cf.sets = append(cf.sets, lab.Setting{Field: f, Value: v})
			return nil
		})
	}
}

// config builds the configuration the flags give (lab.Settings.Config);
// a setting it refuses is a usage error naming its flag.
func (cf *configFlags) config() (trainer.Config, error) {
	c, err := cf.sets.Config()
	if err != nil {
		return c, usagef("%s", errText(err))
	}
	return c, nil
}

func (cf *configFlags) has(name string) bool { return cf.sets.Has(name) }
