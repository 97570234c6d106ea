package lab

import (
	"strings"

	"github.com/mlptui/mlptui/trainer"
)

// A Setting is one setting as a person gave it: a field of trainer.Fields
// and its text, as a flag or a form field holds it.
type Setting struct {
	Field *trainer.Field
	Value string
}

// Settings are settings in the order given. The same field may stand more
// than once; the last one counts, except that the preset always comes
// first (see Config).
type Settings []Setting

// Add appends the setting of the field named name; it panics on a name
// that is no field (a programming error).
func (s *Settings) Add(name, value string) {
	f := trainer.FieldByName(name)
	if f == nil {
		panic("lab: no setting " + name)
	}
	*s = append(*s, Setting{f, value})
}

// Has reports whether the field named name is given.
func (s Settings) Has(name string) bool {
	for _, x := range s {
		if x.Field.Name == name {
			return true
		}
	}
	return false
}

// Check reports whether value is even of the field's type ("abc" for a
// number): the error of the field's Set, as a flag refuses it while it is
// parsed. Whether a well-formed value is allowed is Config's to say.
func Check(f *trainer.Field, value string) error {
	scratch := trainer.Defaults()
	return f.Set(&scratch, value)
}

// Config builds a configuration from the settings: the defaults, then the
// preset (the last one given, or else the data set's own), then every
// other setting in order. So a setting overrides the preset wherever it
// stands: lr 0.1 before preset default trains at 0.1, as after it does.
//
// A value its field cannot take is a *trainer.FieldError naming the field
// and the value ("lr abc: ..."); a configuration Config.Validate refuses
// is its FieldError; a data set that is nowhere is a FieldError of
// "dataset" and the name, found before anything starts.
func (s Settings) Config() (trainer.Config, error) {
	c := trainer.Defaults()
	var preset *Setting
	for i, x := range s {
		switch x.Field.Name {
		case "dataset":
			c.Dataset = x.Value
		case "preset":
			preset = &s[i]
		}
	}
	if preset != nil {
		if p, ok := trainer.Presets[preset.Value]; ok && p.Dataset != "" && !s.Has("dataset") {
			c.Dataset = p.Dataset
		}
		if err := preset.Field.Set(&c, preset.Value); err != nil {
			return c, &trainer.FieldError{Field: "preset", Value: preset.Value, Err: err}
		}
	} else if err := c.ApplyPreset(trainer.DefaultPreset(c.Dataset)); err != nil {
		return c, err
	}
	for _, x := range s {
		if x.Field.Name == "preset" {
			continue
		}
		if err := x.Field.Set(&c, x.Value); err != nil {
			return c, &trainer.FieldError{Field: x.Field.Name, Value: x.Value, Err: err}
		}
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	if p := trainer.DatasetProblem(c.Dataset); p != "" {
		return c, &trainer.FieldError{Field: "dataset", Value: c.Dataset, Problem: p}
	}
	return c, nil
}

// SplitValues splits the text of a swept setting into its alternatives:
// layer sizes are separated by "/" (their own list uses commas), all else
// by commas ("1e-3,1e-2").
func SplitValues(f *trainer.Field, v string) []string {
	sep := ","
	if f.Name == "hidden" {
		sep = "/"
	}
	parts := strings.Split(v, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// IsList reports whether the text of a field a sweep may vary holds
// several values: a sweep rather than a run.
func IsList(f *trainer.Field, v string) bool {
	return f.Sweep && len(SplitValues(f, v)) > 1
}
